"""Shared input checks of the generative metrics."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._validation import as_series_set


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


def check_generated(X, *, name: str, classifier=None, min_samples: int = 1) -> np.ndarray | list[np.ndarray]:
    """Validate a set of (generated or real) series: an ``(n, C, L)`` array, or a list of
    ``(C, L_i)`` arrays when their lengths differ. NaN/inf, and a shape other than the one
    ``classifier`` was fitted on (channels, and the length unless it was fitted on unequal
    lengths), are errors."""
    data = as_series_set(X, name=name, min_samples=min_samples)
    if classifier is None or not hasattr(classifier, "n_channels_"):
        return data
    c, length = data[0].shape[0], data[0].shape[-1]
    fitted_c, fitted_length = classifier.n_channels_, getattr(classifier, "length_", None)
    variable = getattr(classifier, "variable_length_", False)
    if c != fitted_c or (not variable and (isinstance(data, list) or length != fitted_length)):
        given = (
            f"series of {c} channel(s) and lengths {min(s.shape[-1] for s in data)} to "
            f"{max(s.shape[-1] for s in data)}"
            if isinstance(data, list)
            else f"series of {c} channel(s) of length {length}"
        )
        raise ValueError(
            f"{name} has {given}, but the classifier was fitted on series of {fitted_c} channel(s) "
            f"of length {fitted_length}: real and generated series must have the classifier's "
            "shape (any length for a classifier fitted on series of unequal lengths)."
        )
    return data
