"""Fréchet distance between real and generated series in a classifier's feature space."""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ._checks import check_classifier, check_generated

__all__ = ["fid_score", "frechet_distance"]


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets.

    ``||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 sqrtm(S_a S_b))`` with unbiased covariances
    (``np.cov``) and the real part of :func:`scipy.linalg.sqrtm`. When fewer samples than
    features make a covariance singular and the square root is not finite, a ridge of 1e-6
    (growing tenfold until finite) is added to both covariances, as pytorch-fid does.

    Parameters
    ----------
    features_a, features_b : ndarray of shape (n_a, d), (n_b, d)
        At least 2 rows each.

    Returns
    -------
    float
        Non-negative distance (tiny negative rounding is clipped to 0).
    """
    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sets must be 2-D with the same width; got {a.shape} and {b.shape}.")
    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"a covariance needs at least 2 samples per set; got {len(a)} and {len(b)} samples.")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError(
            "the features contain NaN or infinity; the Fréchet distance needs finite features "
            "(non-finite features usually come from non-finite series)."
        )
    mu_a, mu_b = a.mean(0), b.mean(0)
    with np.errstate(over="ignore", invalid="ignore"):
        s_a, s_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    if not (np.isfinite(s_a).all() and np.isfinite(s_b).all()):
        raise ValueError(
            "the Fréchet distance of these features is not finite: their magnitudes (up to "
            f"{max(np.abs(a).max(), np.abs(b).max()):.3g}) overflow float64 in the covariances."
        )
    ridge = 0.0
    for _ in range(8):
        eye = np.eye(len(s_a)) * ridge
        covmean = linalg.sqrtm((s_a + eye) @ (s_b + eye))
        if np.all(np.isfinite(covmean)):
            break
        ridge = 1e-6 if ridge == 0 else ridge * 10
    covmean = np.real(covmean)
    with np.errstate(over="ignore", invalid="ignore"):
        dist = float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(covmean))
    if not np.isfinite(dist):
        raise ValueError(
            "the Fréchet distance of these features is not finite: their magnitudes (up to "
            f"{max(np.abs(a).max(), np.abs(b).max()):.3g}) overflow float64 in the covariances."
        )
    return max(dist, 0.0)


def fid_score(X_real, X_gen, *, classifier) -> float:
    """FID between real and generated series on a fitted FCN's pooled 128-d features.

    The reference computes it between ``N_test`` unconditional samples and the whole real test
    split (after an STFT/ISTFT round trip), with a pretrained FCN per dataset; here the
    ``classifier`` is any fitted :class:`skncvq.FCNClassifier`, usually trained on the real
    training split, and both sets are used as given.

    Parameters
    ----------
    X_real, X_gen : array-like of shape (n, length)
        Real and generated series of the classifier's length, at least 2 of each, finite.
    classifier : fitted FCNClassifier

    Returns
    -------
    float
        Lower is better; 0 for identical feature distributions.

    Examples
    --------
    >>> from skncvq import FCNClassifier
    >>> from skncvq.datasets import make_synthetic
    >>> from skncvq.metrics import fid_score
    >>> X, y = make_synthetic(60, 64, 2, random_state=0)
    >>> fcn = FCNClassifier(max_epochs=2, random_state=0).fit(X, y)
    >>> fid_score(X, X, classifier=fcn) < 1e-6
    True
    """
    check_classifier(classifier, needs=("embed",))
    real = check_generated(X_real, name="X_real", classifier=classifier, min_samples=2)
    gen = check_generated(X_gen, name="X_gen", classifier=classifier, min_samples=2)
    return frechet_distance(classifier.embed(real), classifier.embed(gen))
