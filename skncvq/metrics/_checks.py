"""Shared input checks of the generative metrics."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._validation import as_series_array


def check_classifier(classifier, *, needs=("predict_proba",)) -> None:
    """The evaluator must be a fitted classifier with the methods in ``needs`` (``embed`` for
    FID, ``predict_proba`` for IS)."""
    missing = [m for m in needs if not callable(getattr(classifier, m, None))]
    if classifier is None or missing:
        raise TypeError(
            f"classifier must be a fitted FCNClassifier (or any fitted classifier with "
            f"{' and '.join(needs)}); got {classifier!r}, which lacks {' and '.join(missing or needs)}."
        )
    check_is_fitted(classifier)


def check_n_splits(n_splits) -> int:
    """``n_splits`` must be a positive integer."""
    if isinstance(n_splits, bool) or not isinstance(n_splits, numbers.Integral) or n_splits < 1:
        raise ValueError(f"n_splits must be a positive integer; got {n_splits!r}.")
    return int(n_splits)


def check_generated(X, *, name: str, length: int | None = None, min_samples: int = 1) -> np.ndarray:
    """Validate a set of (generated or real) series, returned as ``(n, C, L)``; NaN/inf and a
    number of values per series other than ``length`` (a classifier's ``n_features_in_``,
    channels x length) are errors."""
    arr = as_series_array(X, name=name, min_samples=min_samples)
    n_values = arr.shape[1] * arr.shape[2]
    if length is not None and n_values != length:
        raise ValueError(
            f"{name} has series of {arr.shape[1]} channel(s) of length {arr.shape[2]} ({n_values} "
            f"values), but the classifier was fitted on series of {length} values: real and "
            "generated series must have the classifier's shape."
        )
    return arr
