"""scikit-learn scorers over generators: anything with ``sample(n_samples, y=None)``."""

from __future__ import annotations

import numpy as np

from ._checks import check_classifier
from .cas import cas_score
from .fid import fid_score
from .inception import inception_score

__all__ = ["make_fid_scorer", "make_inception_scorer", "make_cas_scorer"]


def _sample(estimator, n: int, y=None) -> np.ndarray:
    if not hasattr(estimator, "sample"):
        raise TypeError(f"{type(estimator).__name__} has no sample(n_samples, y=None) method to score.")
    return np.asarray(estimator.sample(n) if y is None else estimator.sample(n, y=y))


def make_fid_scorer(classifier, *, conditional: bool = False):
    """Scorer ``(estimator, X, y) -> -FID`` between ``X`` and ``len(X)`` samples.

    Greater is better, so the FID is negated. With ``conditional=True`` the samples are drawn
    for the labels ``y`` (class-conditional FID); otherwise unconditionally, as the reference.
    Use it as ``GridSearchCV(sampler, grid, scoring=make_fid_scorer(fcn))`` with a fitted
    :class:`skncvq.FCNClassifier` ``fcn``.
    """
    check_classifier(classifier, needs=("embed",))

    def scorer(estimator, X, y=None) -> float:
        gen = _sample(estimator, len(X), y if conditional else None)
        return -fid_score(X, gen, classifier=classifier)

    return scorer


def make_inception_scorer(classifier, *, n_splits: int = 10, random_state=None):
    """Scorer ``(estimator, X, y) -> IS mean`` of ``len(X)`` unconditional samples."""
    check_classifier(classifier)

    def scorer(estimator, X, y=None) -> float:
        gen = _sample(estimator, len(X))
        return inception_score(gen, classifier=classifier, n_splits=n_splits, random_state=random_state)[0]

    return scorer


def make_cas_scorer(classifier=None, *, random_state=None):
    """Scorer ``(estimator, X, y) -> CAS``: samples for the labels ``y``, a fresh classifier
    trained on them, accuracy on ``(X, y)``."""

    def scorer(estimator, X, y=None) -> float:
        if y is None:
            raise ValueError("the CAS scorer needs labels y: it samples one series per label.")
        gen = _sample(estimator, len(y), np.asarray(y))
        return cas_score(gen, y, X, y, classifier=classifier, random_state=random_state)

    return scorer
