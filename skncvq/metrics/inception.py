"""Inception score of generated series under a fitted classifier."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state

from ._checks import check_classifier, check_generated, check_n_splits

__all__ = ["inception_score", "inception_score_from_proba", "is_splits"]


def is_splits(n_series: int) -> int:
    """Splits of the IS that ``generative_scores`` reports for ``n_series`` series: 10, fewer so
    that a split keeps at least 50 series, at least 1.

    Examples
    --------
    >>> from skncvq.metrics import is_splits
    >>> is_splits(1000), is_splits(120), is_splits(20)
    (10, 2, 1)
    """
    return int(np.clip(n_series // 50, 1, 10))


def inception_score_from_proba(
    proba: np.ndarray, *, n_splits: int = 10, random_state=None
) -> tuple[float, float]:
    """Inception score from class probabilities: ``exp(E_x KL(p(y|x) || p(y)))`` per split.

    Parameters
    ----------
    proba : ndarray of shape (n, n_classes)
        Rows sum to 1.
    n_splits : int, default=10
        The rows are shuffled and cut into ``n_splits`` parts of ``n // n_splits`` rows.
    random_state : int, RandomState instance or None
        Seeds the shuffle.

    Returns
    -------
    mean, std : float
        Over the splits.
    """
    n_splits = check_n_splits(n_splits)
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"proba must be 2-D (n, n_classes); got shape {p.shape}.")
    if len(p) < n_splits:
        raise ValueError(f"need at least n_splits={n_splits} samples; got {len(p)}.")
    if not np.isfinite(p).all() or (p < 0).any() or not np.allclose(p.sum(1), 1.0, atol=1e-4):
        raise ValueError(
            "proba must hold class probabilities: finite, non-negative rows that sum to 1 "
            "(e.g. predict_proba's output)."
        )
    p = p[check_random_state(random_state).permutation(len(p))]
    size = len(p) // n_splits
    scores = []
    for k in range(n_splits):
        part = p[k * size : (k + 1) * size]
        marginal = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + 1e-16) - np.log(marginal + 1e-16))).sum(1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def inception_score(X_gen, *, classifier, n_splits: int = 10, random_state=None) -> tuple[float, float]:
    """Inception score of generated series under a fitted FCN (higher is better).

    Between 1 (every series gets the same class distribution) and the number of classes
    (confident, balanced predictions). The reference uses ``N_test`` unconditional samples and
    10 splits.

    Parameters
    ----------
    X_gen : array-like of shape (n, length)
        Generated series, at least ``n_splits``.
    classifier : fitted FCNClassifier
    n_splits : int, default=10
    random_state : int, RandomState instance or None
        Seeds the split shuffle.

    Returns
    -------
    mean, std : float
    """
    check_classifier(classifier)
    check_n_splits(n_splits)
    gen = check_generated(X_gen, name="X_gen", classifier=classifier)
    return inception_score_from_proba(
        classifier.predict_proba(gen), n_splits=n_splits, random_state=random_state
    )
