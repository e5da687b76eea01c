"""Classification accuracy score (train on synthetic, test on real)."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ._checks import check_generated

__all__ = ["cas_score"]


def cas_score(X_gen, y_gen, X_test, y_test, *, classifier=None, random_state=None) -> float:
    """Train a fresh classifier on generated series and return its accuracy on real test series.

    Parameters
    ----------
    X_gen, y_gen : array-like
        Synthetic series and the labels they were generated for.
    X_test, y_test : array-like
        Real series (usually the test split) and their labels.
    classifier : estimator or None, default=None
        An unfitted template, cloned before fitting; None uses
        ``FCNClassifier(random_state=random_state)``.
    random_state : int or None
        Seed of the default classifier.

    Returns
    -------
    float
        Accuracy of the final model on ``(X_test, y_test)``. The reference reports an
        exponential moving average (rate 0.01) of per-batch test accuracy over 1000 training
        epochs instead, which mixes in earlier epochs; the final accuracy is used here.
    """
    from ..estimators import FCNClassifier

    gen = check_generated(X_gen, name="X_gen", min_samples=2)
    test = check_generated(X_test, name="X_test")
    y_gen, y_test = np.asarray(y_gen), np.asarray(y_test)
    if len(y_gen) != len(gen) or len(y_test) != len(test):
        raise ValueError(
            f"labels must match the series: {len(gen)} generated series with {len(y_gen)} labels, "
            f"{len(test)} test series with {len(y_test)} labels."
        )
    shared = set(np.unique(y_gen).tolist()) & set(np.unique(y_test).tolist())
    if not shared:
        raise ValueError(
            f"the synthetic labels {sorted(set(np.unique(y_gen).tolist()), key=repr)[:10]} share none with "
            f"y_test's {sorted(set(np.unique(y_test).tolist()), key=repr)[:10]}: generate series for the "
            "test split's classes, in the same label space."
        )
    model = FCNClassifier(random_state=random_state) if classifier is None else clone(classifier)
    return float(model.fit(gen, y_gen).score(test, y_test))
