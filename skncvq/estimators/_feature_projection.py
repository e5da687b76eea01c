"""The tokenizer's ``projection``: what is done to its summary features after encoding, fitted on
the training series at ``fit``.

- ``"standardize"``: each feature to zero mean and unit variance (training statistics);
- ``"discriminant"``: standardized, then projected onto the ``n_classes - 1`` discriminant axes
  of a linear discriminant analysis with Ledoit-Wolf shrinkage (scikit-learn's
  ``LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto")``) fitted on the labels;
- ``"auto"``: ``"discriminant"`` when ``fit`` gets class labels of at least two classes,
  ``"standardize"`` otherwise.

The fitted projection is kept as arrays (``feature_mean_``, ``feature_scale_``, ``projection_``)
so that a saved model holds no pickled object.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils.multiclass import type_of_target

__all__ = ["PROJECTED_OUTPUTS", "fit_projection", "resolve_projection"]

#: the outputs a projection applies to: fixed-width float summaries of a series
PROJECTED_OUTPUTS = ("multiscale", "pooled", "pooled_continuous")


def _is_classification(y) -> bool:
    return y is not None and type_of_target(y) in ("binary", "multiclass") and len(np.unique(y)) >= 2


def resolve_projection(projection: str | None, output: str, y) -> str | None:
    """The projection ``fit`` uses for ``output`` and labels ``y`` (None: no projection).

    Raises
    ------
    ValueError
        ``projection="discriminant"`` without class labels of at least two classes.
    """
    if projection is None or output not in PROJECTED_OUTPUTS:
        return None
    if projection == "auto":
        return "discriminant" if _is_classification(y) else "standardize"
    if projection == "discriminant" and not _is_classification(y):
        got = "no y" if y is None else f"y of type {type_of_target(y)!r} with {len(np.unique(y))} value(s)"
        raise ValueError(
            f"projection='discriminant' needs class labels of at least two classes at fit; got {got}. "
            "Pass y, or use projection='standardize' or 'auto'."
        )
    return projection


def fit_projection(features: np.ndarray, y, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """``(mean, scale, axes)`` of projection ``kind`` fitted on training ``features``; ``axes`` is
    None for "standardize" and the ``(n_features, n_components)`` discriminant axes otherwise."""
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

    feats = np.asarray(features, dtype=np.float64)
    mean = feats.mean(0)
    scale = feats.std(0)
    scale[scale < 1e-12] = 1.0  # a constant feature stays 0 instead of dividing by zero
    if kind == "standardize":
        return mean.astype(np.float32), scale.astype(np.float32), None
    lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto").fit((feats - mean) / scale, y)
    n_components = min(len(lda.classes_) - 1, feats.shape[1])
    axes = lda.scalings_[:, :n_components]
    return mean.astype(np.float32), scale.astype(np.float32), np.ascontiguousarray(axes, dtype=np.float32)
