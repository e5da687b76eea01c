"""Input and parameter validation: every error message users see about their data lives here."""

from __future__ import annotations

from typing import Any

import numpy as np

_FLOAT32_MAX = float(np.finfo(np.float32).max)

__all__ = [
    "as_series_set",
    "check_device",
    "validate_series",
    "validate_series_set",
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
            "X must be an array of series, (n_series, length) or (n_series, n_channels, length), or a "
            f"list of series of unequal lengths; could not convert it to an array ({exc})."
        ) from exc
    return arr


def _numeric(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr`` as numbers (object and string arrays converted when they hold numbers only)."""
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
    return arr


def _finite_float(arr: np.ndarray, name: str, first: int = 0) -> np.ndarray:
    """A float64 copy of ``(n, C, L)`` series after checking them for NaN/inf and float32's
    range; ``first`` is the index of the first series, for the messages."""
    arr = np.array(arr, dtype=np.float64, copy=True)
    if not np.isfinite(arr).all():
        where = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} contains NaN or infinity (first at series {where[0] + first}, channel {where[1]}, "
            f"step {where[2]}); skncvq expects complete, finite series. Impute or drop missing values "
            "first (e.g. sklearn.impute.SimpleImputer or pandas interpolate); series of unequal "
            "lengths go in as a list of arrays, not padded with NaN."
        )
    peak = float(np.abs(arr).max()) if arr.size else 0.0
    if peak > _FLOAT32_MAX:
        raise ValueError(
            f"{name} holds values up to {peak:.3g} in magnitude, beyond float32's range "
            f"({_FLOAT32_MAX:.3g}), which the models compute in; rescale the series first "
            "(e.g. divide by their largest absolute value)."
        )
    # the values the models see are float32; statistics of them are taken in float64
    return arr.astype(np.float32).astype(np.float64)


def _is_series_list(X: Any) -> bool:
    """A list or tuple of series read one by one: their shapes differ (aeon's "np-list"), or
    each is 2-D ``(n_channels, length)``."""
    if not isinstance(X, (list, tuple)) or not X:
        return False
    try:
        shapes = {np.shape(s) for s in X}
    except ValueError:  # an element that is itself ragged
        return True
    return len(shapes) > 1 or len(next(iter(shapes))) == 2


def _as_series_list(X: Any, name: str, min_samples: int) -> list[np.ndarray]:
    """Series of unequal lengths, each ``(length_i,)`` or ``(n_channels, length_i)``, as a list
    of float64 ``(n_channels, length_i)`` arrays."""
    if len(X) < max(min_samples, 1):
        raise ValueError(f"{name} has {len(X)} series while a minimum of {max(min_samples, 1)} is required.")
    out = []
    for i, s in enumerate(X):
        try:
            one = _numeric(np.asarray(s), f"{name}[{i}]")
        except ValueError as exc:
            raise ValueError(f"{name}[{i}] is not an array of numbers ({exc}).") from exc
        if one.ndim == 1:
            one = one[None, :]
        elif one.ndim == 2 and one.shape[1] == 1 and one.shape[0] > 1:
            one = one.T  # tslearn's univariate (length_i, 1), as for arrays
        if one.ndim != 2:
            raise ValueError(
                f"{name}[{i}] has shape {one.shape}: in a list of series each must be 1-D (length_i,) "
                "or 2-D (n_channels, length_i)."
            )
        if one.shape[1] < 1:
            raise ValueError(f"{name}[{i}] is empty: every series needs at least one time step.")
        out.append(one)
    channels = [s.shape[0] for s in out]
    if len(set(channels)) > 1:
        rows, cols = {s.shape[0] for s in out}, {s.shape[1] for s in out}
        hint = (
            f" Every series has {cols.pop()} columns, so they look like (length_i, n_channels): "
            f"pass [s.T for s in {name}]."
            if len(cols) == 1 and len(rows) > 1
            else ""
        )
        first = next(i for i, c in enumerate(channels) if c != channels[0])
        raise ValueError(
            f"{name} mixes channel counts: series 0 has {channels[0]} channel(s), series {first} has "
            f"{channels[first]}. Series in a list are read as (n_channels, length_i), channels first, "
            f"and all need the same channels.{hint}"
        )
    return [_finite_float(s[None], name, first=i)[0] for i, s in enumerate(out)]


def as_series_set(X: Any, *, name: str = "X", min_samples: int = 1) -> np.ndarray | list[np.ndarray]:
    """Validate a collection of series: an ``(n, C, L)`` float64 array when they have one length
    (see :func:`as_series_array`), a list of float64 ``(C, L_i)`` arrays when their lengths differ.

    Series of unequal lengths go in as a list or tuple of ``(length_i,)`` or
    ``(n_channels, length_i)`` arrays (aeon's "np-list"), channels first: the channel count,
    the same for all, is never guessed from the shapes. A list of 2-D series is read channels
    first even when they have more channels than steps; as for arrays, ``(length_i, 1)`` is
    tslearn's univariate layout.
    """
    if isinstance(X, (list, tuple)) and not X:
        raise ValueError(
            f"{name} is empty: got 0 series, while a minimum of {max(min_samples, 1)} is required."
        )
    if not _is_series_list(X):
        return as_series_array(X, name=name, min_samples=min_samples)
    series = _as_series_list(X, name, min_samples)
    if len({s.shape[1] for s in series}) == 1:
        return np.stack(series)
    return series


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
    arr = _numeric(_to_numpy(X), name)
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
                f"n_channels), as tslearn's, pass {name}.transpose(0, 2, 1); if the series really "
                f"are this short, pass them as a list of (n_channels, length) arrays, list({name})."
            )
    else:
        raise ValueError(
            f"{name} must be 2-D (n_series, length) or 3-D (n_series, n_channels, length), or a list "
            f"of series of unequal lengths; got {arr.ndim}-D input of shape {arr.shape}. Reshape your "
            "data with X.reshape(1, -1) if it is a single series."
        )
    if arr.shape[0] < max(min_samples, 1):
        raise ValueError(
            f"Found array with {arr.shape[0]} sample(s) (shape={given}) while a minimum of "
            f"{max(min_samples, 1)} is required."
        )
    if arr.shape[1] < 1 or arr.shape[2] < 1:
        raise ValueError(f"Found array with 0 feature(s) (shape={given}) while a minimum of 1 is required.")
    return _finite_float(arr, name)


def min_length(n_fft: int) -> int:
    """Shortest series the STFT (reflect padding of ``n_fft // 2``) can handle."""
    return n_fft // 2 + 1


def check_min_length(lengths: int | np.ndarray, n_fft: int) -> None:
    """Raise when a series is too short for the STFT and one downsampling block; ``lengths`` is
    the length of all series, or one per series (the message names the first too short)."""
    need = min_length(n_fft)
    lengths = np.atleast_1d(lengths)
    short = np.flatnonzero(lengths < need)
    if short.size == 0:
        return
    length = int(lengths[short[0]])
    which = (
        f"Series {short[0]} has {length} time step(s) ({short.size} series in all are this short): s"
        if lengths.size > 1
        else f"Series of length {length} ({length} feature(s)) are too short: s"
    )
    raise ValueError(
        f"{which}with n_fft={n_fft} the STFT and the stride-2 encoder need at least {need} time "
        "steps, so these series are too short. Use a smaller n_fft or longer series."
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
    """The series of :func:`validate_series_set` at the estimator's working length."""
    return validate_series_set(estimator, X, reset=reset, min_samples=min_samples)[0]


def validate_series_set(
    estimator: Any, X: Any, *, reset: bool, min_samples: int = 1
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`as_series_set` plus scikit-learn's own bookkeeping of the input, at the length the
    estimator works at.

    With ``reset`` the working length ``length_`` is set (the series' length, or the longest
    series' when their lengths differ, ``variable_length_``), as are ``n_features_in_``
    (channels x ``length_``) and, for a DataFrame with string column names, ``feature_names_in_``.
    Otherwise the channels must match the fit's (``n_channels_``), and the length too unless the
    estimator was fitted on unequal lengths; scikit-learn's feature-name check raises on renamed
    or reordered columns.

    Returns
    -------
    series : ndarray of shape (n, C, length_), float64
        The series, interpolated onto ``length_`` where their length differs from it.
    lengths : ndarray of int of shape (n,) or None
        Each series' own length when any was interpolated, else None.
    """
    from sklearn.utils.validation import validate_data

    from ._lengths import resample

    data = as_series_set(X, min_samples=min_samples)
    lengths = np.array([s.shape[-1] for s in data])
    c = data[0].shape[0]
    if not reset:
        fitted_c = getattr(estimator, "n_channels_", 1)
        if c != fitted_c:
            raise ValueError(
                f"X has series of {c} channel(s), but {type(estimator).__name__} was fitted on series of "
                f"{fitted_c} channel(s)."
            )
    if isinstance(data, list) or (not reset and getattr(estimator, "variable_length_", False)):
        if reset:
            estimator.length_, estimator.variable_length_ = int(lengths.max()), True
            estimator.n_features_in_ = c * estimator.length_
            if hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
        elif not getattr(estimator, "variable_length_", False):
            raise ValueError(
                f"X holds series of unequal lengths ({lengths.min()} to {lengths.max()}), but "
                f"{type(estimator).__name__} was fitted on series of one length, {estimator.length_}; "
                "fit it on series of unequal lengths to have them interpolated onto one length."
            )
        if np.all(lengths == estimator.length_):
            return np.asarray(data), None
        return resample(data, estimator.length_), lengths
    n, _, length = data.shape
    if reset:
        estimator.length_, estimator.variable_length_ = length, False
    elif length != estimator.length_:
        raise ValueError(
            f"X has {c * length} features, but {type(estimator).__name__} is expecting "
            f"{estimator.n_features_in_} features as input: it was fitted on series of length "
            f"{estimator.length_}. Resample the series (e.g. tslearn.preprocessing.TimeSeriesResampler), "
            "refit, or fit on series of unequal lengths, which are interpolated onto one length."
        )
    frame = X if hasattr(X, "columns") and getattr(X, "ndim", 2) == 2 else data.reshape(n, c * length)
    validate_data(estimator, frame, skip_check_array=True, reset=reset)
    return data, None


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
