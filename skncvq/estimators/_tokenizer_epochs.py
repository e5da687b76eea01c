"""The tokenizer's ``max_epochs="auto"``: an epoch count that follows the size of the data, so
that the cost of a default fit grows as the cube root of the training set's samples."""

from __future__ import annotations

__all__ = ["auto_tokenizer_epochs"]

_FULL_EPOCHS = 100  # epochs of a training set up to _FULL_SAMPLES samples
_FULL_SAMPLES = 50_000  # n_series * length below which every set gets _FULL_EPOCHS
_MIN_EPOCHS = 2


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
