"""Shared input checks of the generative metrics."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._validation import as_series_array


def check_classifier(classifier) -> None:
    """The evaluator must be a fitted classifier with ``embed`` and ``predict_proba``."""
    if classifier is None or not hasattr(classifier, "predict_proba"):
        raise TypeError(
            f"classifier must be a fitted FCNClassifier (or any fitted classifier with embed and "
            f"predict_proba); got {classifier!r}."
        )
    check_is_fitted(classifier)


def check_generated(X, *, name: str, length: int | None = None, min_samples: int = 1) -> np.ndarray:
    """Validate a set of (generated or real) series; NaN/inf and wrong lengths are errors."""
    arr = as_series_array(X, name=name, min_samples=min_samples)
    if length is not None and arr.shape[1] != length:
        raise ValueError(
            f"{name} has series of length {arr.shape[1]}, but the classifier was fitted on length "
            f"{length}: real and generated series must have the classifier's length."
        )
    return arr
