"""Codebook use of a token array: perplexity and dead codes."""

from __future__ import annotations

import numpy as np

__all__ = ["codebook_usage"]


def codebook_usage(tokens: np.ndarray, codebook_size: int) -> tuple[float, int]:
    """Perplexity of the code frequencies in ``tokens`` and the number of codes never used.

    Parameters
    ----------
    tokens : array-like of int
        Code ids of any shape, e.g. ``NCVQVAETransformer.encode(X)``.
    codebook_size : int
        Number of codes in the codebook.

    Returns
    -------
    perplexity : float
        ``exp`` of the entropy of the code frequencies: ``codebook_size`` when every code is used
        equally often, 1 when one code is used for everything.
    dead_codes : int
        Codes that do not occur in ``tokens``.

    Examples
    --------
    >>> from skncvq.metrics import codebook_usage
    >>> codebook_usage([[0, 1], [2, 3]], codebook_size=8)
    (4.0, 4)
    """
    tokens = np.asarray(tokens)
    if tokens.size == 0 or not np.issubdtype(tokens.dtype, np.integer):
        raise TypeError(
            f"tokens must be a non-empty integer array; got dtype {tokens.dtype} of size {tokens.size}."
        )
    if tokens.min() < 0 or tokens.max() >= codebook_size:
        raise ValueError(
            f"tokens must lie in [0, {codebook_size}); got values in [{tokens.min()}, {tokens.max()}]."
        )
    p = np.bincount(tokens.ravel(), minlength=codebook_size) / tokens.size
    nz = p[p > 0]
    return round(float(np.exp(-(nz * np.log(nz)).sum())), 10), int((p == 0).sum())
