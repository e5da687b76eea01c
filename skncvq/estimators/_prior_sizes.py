"""The prior's "auto" sizes: batch size from the token grid, width from the training set."""

from __future__ import annotations

import math

__all__ = ["auto_prior_batch", "auto_prior_width"]

_BATCH_TOKENS = 5120  # tokens per prior batch of batch_size="auto"
_NARROW_TOKENS = 2**18  # training tokens above which hidden_dim="auto" narrows the prior


def auto_prior_batch(n_tokens: int) -> int:
    """Batch size of ``batch_size="auto"``: the largest power of two up to
    ``5120 / n_tokens``, kept within [8, 64].

    Examples
    --------
    >>> auto_prior_batch(5 * 8), auto_prior_batch(5 * 17), auto_prior_batch(5 * 31)
    (64, 32, 32)
    """
    if n_tokens < 1:
        raise ValueError(f"n_tokens must be >= 1; got {n_tokens}.")
    return int(min(64, max(8, 2 ** math.floor(math.log2(_BATCH_TOKENS / n_tokens)))))


def auto_prior_width(n_series: int, n_tokens: int) -> int:
    """Transformer width of ``hidden_dim="auto"``: 128, or 64 once the training set holds more
    than 2**18 tokens (``n_series * n_tokens``).

    Examples
    --------
    >>> auto_prior_width(500, 5 * 8), auto_prior_width(3601, 5 * 31)
    (128, 64)
    """
    if n_series < 1 or n_tokens < 1:
        raise ValueError(f"n_series and n_tokens must be >= 1; got {n_series} and {n_tokens}.")
    return 128 if n_series * n_tokens <= _NARROW_TOKENS else 64
