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
            "X must be an array of equal-length univariate series; could not convert it to an array "
            f"({exc}). For series of unequal lengths, resample them first, e.g. with "
            "tslearn.preprocessing.TimeSeriesResampler."
        ) from exc
    return arr


def as_series_array(X: Any, *, name: str = "X", min_samples: int = 1) -> np.ndarray:
    """Validate a collection of univariate series and return a writable float64 ``(n, L)`` copy.

    Accepts 2-D ``(n, L)`` arrays or DataFrames, ``(n, 1, L)`` (aeon/sktime) and ``(n, L, 1)``
    (tslearn). Rejects sparse input, non-numeric values, NaN/inf, multivariate series and empty
    input with a ValueError (TypeError for sparse input) that says what is expected. Values are
    checked in float64, before any cast: magnitudes beyond float32's range are refused.
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
    if arr.ndim == 3:
        if arr.shape[1] == 1:
            arr = arr[:, 0, :]  # (n, 1, L) -> (n, L)
        elif arr.shape[2] == 1:
            arr = arr[:, :, 0]  # (n, L, 1) -> (n, L)
        else:
            raise ValueError(
                f"{name} has shape {arr.shape}: skncvq handles univariate series only, as (n, L), "
                "(n, 1, L) or (n, L, 1). Fit one model per channel for multivariate data."
            )
    elif arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_series, length), or 3-D with one channel; got {arr.ndim}-D "
            f"input of shape {arr.shape}. Reshape your data with X.reshape(1, -1) if it is a single series."
        )
    if arr.shape[0] < max(min_samples, 1):
        raise ValueError(
            f"Found array with {arr.shape[0]} sample(s) (shape={arr.shape}) while a minimum of "
            f"{max(min_samples, 1)} is required."
        )
    if arr.shape[1] < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required."
        )
    arr = np.array(arr, dtype=np.float64, copy=True)
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{name} contains NaN or infinity; skncvq expects complete, finite series. Impute or "
            "drop missing values first (e.g. sklearn.impute.SimpleImputer or pandas interpolate)."
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


def global_scale(arr: np.ndarray) -> tuple[float, float]:
    """One mean and standard deviation over the whole training matrix (1 when constant),
    computed in float64 so that large magnitudes do not overflow."""
    arr = np.asarray(arr, dtype=np.float64)
    mean = float(arr.mean())
    std = float(np.sqrt(np.mean(np.square(arr - mean))))
    return mean, std if std > 0 and np.isfinite(std) else 1.0


def validate_series(estimator: Any, X: Any, *, reset: bool, min_samples: int = 1) -> np.ndarray:
    """``as_series_array`` plus scikit-learn's own bookkeeping of the input: with ``reset``
    ``n_features_in_`` (the series length) and, for a DataFrame with string column names,
    ``feature_names_in_`` are set; otherwise the length must match, and scikit-learn's
    feature-name check raises on renamed or reordered columns (and warns when names appear or
    disappear between fit and later calls)."""
    from sklearn.utils.validation import validate_data

    arr = as_series_array(X, min_samples=min_samples)
    if not reset and arr.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {arr.shape[1]} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input: it was fitted on series of length "
            f"{estimator.n_features_in_}. Resample the series (e.g. tslearn.preprocessing."
            "TimeSeriesResampler) or refit."
        )
    frame = X if hasattr(X, "columns") and getattr(X, "ndim", 2) == 2 else arr
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
