"""The prior's "auto" settings: batch size from the token grid, width from the training set,
learning rate from how much of its epoch budget the time budget allows."""

from __future__ import annotations

import math

__all__ = ["AUTO_PRIOR_LR", "auto_prior_batch", "auto_prior_lr_scale", "auto_prior_width"]

_BATCH_TOKENS = 5120  # tokens per prior batch of batch_size="auto"
_NARROW_POSITIONS = 2**18  # training positions above which hidden_dim="auto" narrows the prior
AUTO_PRIOR_LR = 1e-3  # lr="auto"'s base: the reference's lr, set for a fit that runs its epochs
_MAX_LR_SCALE = 3.0  # lr 3e-3 was the best tried for priors stopped after 1/15 of their epochs


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


def auto_prior_width(n_series: int, n_positions: int) -> int:
    """Transformer width of ``hidden_dim="auto"``: 128, or 64 once the training set holds more
    than 2**18 transformer positions (``n_series * n_positions``).

    A position is a token under ``positions="token"`` and a latent time step (a column of the
    token grid) under ``positions="column"``; what an epoch costs grows with the positions.

    Examples
    --------
    >>> auto_prior_width(500, 5 * 8), auto_prior_width(3601, 5 * 31), auto_prior_width(3601, 31)
    (128, 64, 128)
    """
    if n_series < 1 or n_positions < 1:
        raise ValueError(f"n_series and n_positions must be >= 1; got {n_series} and {n_positions}.")
    return 128 if n_series * n_positions <= _NARROW_POSITIONS else 64


def auto_prior_lr_scale(reachable: float) -> float:
    """Factor on the base learning rate of ``lr="auto"``: ``1 / sqrt(reachable)`` kept within
    [1, 3], where ``reachable`` is the fraction of ``max_epochs`` the time budget lets the fit run.

    A prior that runs its epoch budget keeps the base lr; one the time budget stops after a
    ninth of its epochs or fewer gets 3x.

    Examples
    --------
    >>> auto_prior_lr_scale(1.0), auto_prior_lr_scale(0.25), auto_prior_lr_scale(0.05)
    (1.0, 2.0, 3.0)
    """
    if not 0 < reachable <= 1:
        raise ValueError(f"reachable must be in (0, 1]; got {reachable}.")
    return float(min(_MAX_LR_SCALE, max(1.0, reachable**-0.5)))
