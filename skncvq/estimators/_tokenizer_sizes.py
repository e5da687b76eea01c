"""The tokenizer's "auto" training sizes: an epoch count that follows the size of the data, so
that the cost of a default fit grows as the cube root of the training set's samples, and a batch
size that gives a small training set several optimizer steps per epoch."""

from __future__ import annotations

import math

__all__ = ["auto_tokenizer_batch", "auto_tokenizer_epochs"]

_FULL_EPOCHS = 100  # epochs of a training set up to _FULL_SAMPLES samples
_FULL_SAMPLES = 50_000  # n_series * length below which every set gets _FULL_EPOCHS
_MIN_EPOCHS = 2
_MAX_BATCH = 128  # the reference's batch size
_MIN_BATCH = 16
_STEPS_PER_EPOCH = 4  # steps an epoch of a small training set gets at least, down to _MIN_BATCH


def auto_tokenizer_epochs(n_series: int, length: int) -> int:
    """Epochs of ``max_epochs="auto"``: 100 up to 50,000 training samples
    (``n_series * length``), then ``100 * (50,000 / (n_series * length)) ** (2/3)``, rounded and at
    least 2.

    The samples processed, ``epochs * n_series * length``, then grow as the cube root of the
    data above 50,000 samples: 10x more data costs about 2.2x more training.

    Examples
    --------
    >>> auto_tokenizer_epochs(100, 275), auto_tokenizer_epochs(600, 512), auto_tokenizer_epochs(3601, 500)
    (100, 30, 9)
    """
    if n_series < 1 or length < 1:
        raise ValueError(f"n_series and length must be >= 1; got {n_series} and {length}.")
    samples = n_series * length
    if samples <= _FULL_SAMPLES:
        return _FULL_EPOCHS
    return max(_MIN_EPOCHS, round(_FULL_EPOCHS * (_FULL_SAMPLES / samples) ** (2 / 3)))


def auto_tokenizer_batch(n_series: int) -> int:
    """Batch size of ``batch_size="auto"``: 128, or ``ceil(n_series / 4)`` when that is smaller,
    at least 16 (and at most ``n_series``).

    A training set of fewer than 512 series then still gets about four optimizer steps per
    epoch instead of one or two.

    Examples
    --------
    >>> auto_tokenizer_batch(20), auto_tokenizer_batch(55), auto_tokenizer_batch(500), auto_tokenizer_batch(3601)
    (16, 16, 125, 128)
    """
    if n_series < 1:
        raise ValueError(f"n_series must be >= 1; got {n_series}.")
    batch = min(_MAX_BATCH, max(_MIN_BATCH, math.ceil(n_series / _STEPS_PER_EPOCH)))
    return int(min(batch, n_series))
