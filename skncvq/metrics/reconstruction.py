"""Reconstruction error of a fitted tokenizer over a whole split."""

from __future__ import annotations

__all__ = ["reconstruction_error"]


def reconstruction_error(transformer, X) -> dict[str, float]:
    """Whole-split reconstruction MSE in the time domain and in the STFT domain.

    Both are computed on the globally standardised scale the model trains on, over every series
    of ``X`` (the reference reports time + STFT MSE of the last test batch only).

    Parameters
    ----------
    transformer : fitted NCVQVAETransformer
    X : array-like of shape (n_series, length)

    Returns
    -------
    errors : dict
        ``{"time": float, "stft": float}``.
    """
    return transformer.reconstruction_errors(X)
