"""Input and parameter validation: every error message users see about their data lives here."""

from __future__ import annotations

from typing import Any

import numpy as np

_FLOAT32_MAX = float(np.finfo(np.float32).max)

__all__ = [
    "check_device",
    "validate_series",
    "validate_labels",
    "as_series_array",
    "as_user_layout",
    "check_min_length",
    "global_scale",
    "min_length",
]


def _to_numpy(X: Any) -> np.ndarray:
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # pandas DataFrame
        X = X.to_numpy()
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            "X must be an array of equal-length series, (n_series, length) or (n_series, n_channels, "
            "length); could not convert it to an array "
            f"({exc}). For series of unequal lengths, resample them first, e.g. with "
            "tslearn.preprocessing.TimeSeriesResampler."
        ) from exc
    return arr


def as_series_array(X: Any, *, name: str = "X", min_samples: int = 1) -> np.ndarray:
    """Validate a collection of series and return a writable float64 ``(n, C, L)`` copy.

    Accepts 2-D ``(n, L)`` arrays or DataFrames (univariate series), 3-D ``(n, C, L)`` arrays,
    channels first (aeon's and sktime's ``numpy3D``), and tslearn's univariate ``(n, L, 1)``.
    A 3-D array is never read as channels-last otherwise: one with more channels than time
    steps is refused, since it is most likely ``(n, L, C)`` (transpose it with
    ``X.transpose(0, 2, 1)``). Rejects sparse input, non-numeric values, NaN/inf, unequal
    lengths and empty input with a ValueError (TypeError for sparse input) that says what is
    expected. Values are checked in float64, before any cast: magnitudes beyond float32's range
    are refused.
    """
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise TypeError(f"{name} is a sparse matrix; skncvq needs dense series, e.g. {name}.toarray().")
    arr = _to_numpy(X)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise type(exc)(
                f"{name} must contain numeric values only; got dtype {arr.dtype} with values that "
                f"cannot be converted to float ({exc})."
            ) from exc
    if np.iscomplexobj(arr):
        raise ValueError(f"Complex data not supported: {name} is complex; skncvq expects real-valued series.")
    given = arr.shape  # the shape the user passed, for the messages below
    if arr.ndim == 2:
        arr = arr[:, None, :]  # (n, L) -> (n, 1, L)
    elif arr.ndim == 3:
        if arr.shape[2] == 1 and arr.shape[1] > 1:
            arr = arr.transpose(0, 2, 1)  # tslearn's (n, L, 1) -> (n, 1, L)
        elif arr.shape[1] > arr.shape[2]:
            raise ValueError(
                f"{name} has shape {arr.shape}: skncvq reads 3-D arrays as (n_series, n_channels, "
                f"length), channels first as aeon and sktime do, which here would be {arr.shape[1]} "
                f"channels of {arr.shape[2]} time steps. If the layout is (n_series, length, "
                f"n_channels), as tslearn's, pass {name}.transpose(0, 2, 1)."
            )
    else:
        raise ValueError(
            f"{name} must be 2-D (n_series, length) or 3-D (n_series, n_channels, length); got "
            f"{arr.ndim}-D input of shape {arr.shape}. Reshape your data with X.reshape(1, -1) if it "
            "is a single series."
        )
    if arr.shape[0] < max(min_samples, 1):
        raise ValueError(
            f"Found array with {arr.shape[0]} sample(s) (shape={given}) while a minimum of "
            f"{max(min_samples, 1)} is required."
        )
    if arr.shape[1] < 1 or arr.shape[2] < 1:
        raise ValueError(f"Found array with 0 feature(s) (shape={given}) while a minimum of 1 is required.")
    arr = np.array(arr, dtype=np.float64, copy=True)
    if not np.isfinite(arr).all():
        where = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or infinity (first at series {where[0]}, channel {where[1]}, step "
            f"{where[2]}); skncvq expects complete, finite series. Impute or drop missing values "
            "first (e.g. sklearn.impute.SimpleImputer or pandas interpolate)."
        )
    peak = float(np.abs(arr).max())
    if peak > _FLOAT32_MAX:
        raise ValueError(
            f"{name} holds values up to {peak:.3g} in magnitude, beyond float32's range "
            f"({_FLOAT32_MAX:.3g}), which the models compute in; rescale the series first "
            "(e.g. divide by their largest absolute value)."
        )
    # the values the models see are float32; statistics of them are taken in float64
    return arr.astype(np.float32).astype(np.float64)


def as_user_layout(arr: np.ndarray) -> np.ndarray:
    """``(n, C, L)`` series in the layout users pass: ``(n, L)`` for one channel, else as is."""
    return arr[:, 0] if arr.shape[1] == 1 else arr


def min_length(n_fft: int) -> int:
    """Shortest series the STFT (reflect padding of ``n_fft // 2``) can handle."""
    return n_fft // 2 + 1


def check_min_length(length: int, n_fft: int) -> None:
    """Raise when the series are too short for the STFT and one downsampling block."""
    need = min_length(n_fft)
    if length < need:
        raise ValueError(
            f"Series of length {length} ({length} feature(s)) are too short: with n_fft={n_fft} the "
            f"STFT and the stride-2 encoder need at least {need} time steps. Use a smaller n_fft "
            "or longer series."
        )


def global_scale(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per channel, one mean and standard deviation over all series and time steps of
    ``(n, C, L)`` series (1 when constant), computed in float64 so that large magnitudes do not
    overflow; arrays of shape ``(C,)``."""
    arr = np.asarray(arr, dtype=np.float64)
    mean = arr.mean(axis=(0, 2))
    std = np.sqrt(np.mean(np.square(arr - mean[None, :, None]), axis=(0, 2)))
    return mean, np.where((std > 0) & np.isfinite(std), std, 1.0)


def validate_series(estimator: Any, X: Any, *, reset: bool, min_samples: int = 1) -> np.ndarray:
    """``as_series_array`` plus scikit-learn's own bookkeeping of the input: with ``reset``
    ``n_features_in_`` (channels x length) and, for a DataFrame with string column names,
    ``feature_names_in_`` are set; otherwise the channels and the length must match the fit's
    (``n_channels_``), and scikit-learn's feature-name check raises on renamed or reordered
    columns (and warns when names appear or disappear between fit and later calls)."""
    from sklearn.utils.validation import validate_data

    arr = as_series_array(X, min_samples=min_samples)
    n, c, length = arr.shape
    if not reset:
        fitted_c = getattr(estimator, "n_channels_", 1)
        if c != fitted_c:
            raise ValueError(
                f"X has series of {c} channel(s), but {type(estimator).__name__} was fitted on series of "
                f"{fitted_c} channel(s)."
            )
        if c * length != estimator.n_features_in_:
            fitted = estimator.n_features_in_ // c
            raise ValueError(
                f"X has {length} features, but {type(estimator).__name__} is expecting {fitted} features "
                f"as input: it was fitted on series of length {fitted}. Resample the series (e.g. "
                "tslearn.preprocessing.TimeSeriesResampler) or refit."
            )
    frame = X if hasattr(X, "columns") and getattr(X, "ndim", 2) == 2 else arr.reshape(n, c * length)
    validate_data(estimator, frame, skip_check_array=True, reset=reset)
    return arr


def validate_labels(y: Any, n_series: int | None) -> np.ndarray:
    """Class labels as a 1-D array: one per series (when ``n_series`` is given), none missing,
    of one type, and classes rather than a continuous target."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    y = column_or_1d(np.asarray(y), warn=True)
    if n_series is not None and len(y) != n_series:
        raise ValueError(f"X has {n_series} series but y has {len(y)} labels.")
    if y.dtype == object:
        values = y.tolist()
        missing = [i for i, v in enumerate(values) if v is None]
        if missing:
            raise ValueError(f"y holds None at position(s) {missing[:5]}; every series needs a class label.")
        kinds = {type(v).__name__ for v in values}
        if len(kinds) > 1:
            raise TypeError(f"y mixes label types ({', '.join(sorted(kinds))}); use one type for all labels.")
    check_classification_targets(y)  # continuous or NaN labels are not classes
    return y


def check_device(device: str) -> None:
    """``device`` is "auto" or a torch device string such as "cpu", "cuda" or "cuda:1"."""
    if device == "auto":
        return
    import torch

    try:
        torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"device={device!r} is not a device; expected 'auto', 'cpu', 'cuda' or 'cuda:N'."
        ) from exc
