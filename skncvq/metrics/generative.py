"""All stage-2 numbers of one fitted sampler in one call: FID (unconditional and class-conditional),
IS and CAS, following the reference protocol with clean choices."""

from __future__ import annotations

import time

import numpy as np

from .._validation import as_series_set
from ._checks import check_classifier
from .cas import cas_score
from .fid import fid_score
from .inception import inception_score, is_splits

__all__ = ["cas_class_counts", "generative_scores", "EVALUATOR_MAX_TIME"]

#: Seconds an FCN evaluator or CAS classifier trains at most where skncvq fits one for you (the
#: CLI's ``evaluate``, the demo); pass your own ``FCNClassifier`` to change it.
EVALUATOR_MAX_TIME = 300.0


def cas_class_counts(y_train, *, min_total: int = 1000) -> dict:
    """Synthetic training-set size per class for CAS: the real train counts, scaled up so that
    the total is at least ``min_total`` (the reference's rule for small train splits)."""
    labels, counts = np.unique(np.asarray(y_train), return_counts=True)
    scale = max(1.0, min_total / counts.sum())
    return {label: max(1, int(round(c * scale))) for label, c in zip(labels.tolist(), counts)}


def generative_scores(
    sampler,
    X_test,
    y_test,
    *,
    classifier,
    y_train=None,
    cas_classifier=None,
    cas_min_total: int = 1000,
    n_unconditional: int | None = None,
    random_state: int | None = 0,
) -> dict[str, float]:
    """FID, IS and CAS of a fitted class-conditional sampler against a labelled test split.

    - ``fid_uncond``: ``n_unconditional`` (default ``len(X_test)``) unconditional samples vs
      ``X_test`` (the reference's FID);
    - ``fid_cond``: one sample per test label, drawn for that label, vs ``X_test``;
    - ``is_mean``, ``is_std``: inception score of the unconditional samples in 10 splits, fewer
      when there are under 500 samples so that every split keeps at least 50 (a split of a
      handful of series scores near 1 whatever the samples);
    - ``cas``: a fresh classifier trained on class-conditional samples (train-split class counts,
      scaled to at least ``cas_min_total`` series) and scored on ``(X_test, y_test)``;
      final-model accuracy, not the reference's EMA of batch accuracies;
    - ``sample_series_per_s``: sampling throughput over all samples drawn here.

    Parameters
    ----------
    sampler : fitted MaskGITSampler (anything with ``sample(n, y=None, random_state=None)``)
    X_test, y_test : array-like
        Real test series and labels.
    classifier : fitted FCNClassifier
        Evaluator trained on the real train split (features for FID, probabilities for IS).
    y_train : array-like or None
        Train labels, which set the CAS class counts; None uses the test labels' counts.
    cas_classifier : unfitted estimator or None
        Template of the CAS classifier; None is ``FCNClassifier(random_state=random_state)``.
    cas_min_total : int, default=1000
    n_unconditional : int or None, default=None
        Unconditional samples for FID and IS; None draws ``len(X_test)`` (the reference). Raise
        it when the real split is small (a validation split of a few series).
    random_state : int or None, default=0
        Seeds the sampling calls and the IS split shuffle.

    Returns
    -------
    dict of str to float
    """
    check_classifier(classifier, needs=("embed", "predict_proba"))
    test = as_series_set(X_test, name="X_test", min_samples=2)
    y_test = np.asarray(y_test)
    if len(y_test) != len(test):
        raise ValueError(f"X_test has {len(test)} series but y_test has {len(y_test)} labels.")
    seeds = np.random.RandomState(random_state).randint(0, 2**31 - 1, size=3)
    t0 = time.perf_counter()
    n_uncond = len(test) if n_unconditional is None else n_unconditional
    if not isinstance(n_uncond, (int, np.integer)) or isinstance(n_uncond, bool) or n_uncond < 2:
        raise ValueError(f"n_unconditional must be an integer >= 2 or None; got {n_unconditional!r}.")
    uncond = sampler.sample(int(n_uncond), random_state=int(seeds[0]))
    cond = sampler.sample(len(test), y=y_test, random_state=int(seeds[1]))
    counts = cas_class_counts(y_test if y_train is None else y_train, min_total=cas_min_total)
    y_cas = np.concatenate([np.full(n, label, dtype=y_test.dtype) for label, n in counts.items()])
    X_cas = sampler.sample(len(y_cas), y=y_cas, random_state=int(seeds[2]))
    sample_s = time.perf_counter() - t0
    is_mean, is_std = inception_score(
        uncond,
        classifier=classifier,
        n_splits=is_splits(len(uncond)),
        random_state=random_state,
    )
    return {
        "fid_uncond": fid_score(test, uncond, classifier=classifier),
        "fid_cond": fid_score(test, cond, classifier=classifier),
        "is_mean": is_mean,
        "is_std": is_std,
        "cas": cas_score(X_cas, y_cas, test, y_test, classifier=cas_classifier, random_state=random_state),
        "sample_series_per_s": (len(uncond) + len(test) + len(y_cas)) / sample_s,
    }
