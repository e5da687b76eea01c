"""Series of unequal length: to the working length a model computes at, and back.

A model fitted on series of unequal lengths works at one length, its ``length_`` (the longest
training series): every series is linearly interpolated onto ``length_`` points spanning the
same start and end, and series the model returns are interpolated back onto the lengths asked
for. Why interpolation rather than padding: docs/design.md, "Unequal lengths".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["resample", "restore", "user_layout"]


def _interp(block: np.ndarray, length: int) -> np.ndarray:
    """``(k, C, L)`` series linearly interpolated onto ``length`` points, ends kept."""
    old = block.shape[-1]
    if old == length:
        return block
    if old == 1:
        return np.repeat(block, length, axis=-1)
    pos = np.linspace(0.0, old - 1, length)
    lo = np.minimum(pos.astype(np.int64), old - 2)
    frac = pos - lo
    return block[..., lo] * (1.0 - frac) + block[..., lo + 1] * frac


def resample(series: Sequence[np.ndarray] | np.ndarray, length: int) -> np.ndarray:
    """Series of any lengths as one ``(n, C, length)`` array.

    Parameters
    ----------
    series : sequence of ndarray of shape (C, length_i), or ndarray of shape (n, C, L)
        Validated series with the same channels.
    length : int
        The length of every output series.

    Returns
    -------
    ndarray of shape (n, C, length), float64
    """
    if isinstance(series, np.ndarray):
        return _interp(series, length).astype(np.float64, copy=False)
    lengths = np.array([s.shape[-1] for s in series])
    out = np.empty((len(series), series[0].shape[0], length), dtype=np.float64)
    for size in np.unique(lengths):  # one vectorised interpolation per distinct length
        idx = np.flatnonzero(lengths == size)
        out[idx] = _interp(np.stack([series[i] for i in idx]), length)
    return out


def user_layout(series: np.ndarray) -> np.ndarray:
    """``(..., C, L)`` series, one or many, in the layout users pass: the channel axis dropped
    for one channel."""
    return series[..., 0, :] if series.shape[-2] == 1 else series


def restore(arr: np.ndarray, lengths: np.ndarray | None) -> np.ndarray | list[np.ndarray]:
    """``(n, C, L)`` model output in the user's layout, at the lengths asked for.

    Parameters
    ----------
    arr : ndarray of shape (n, C, L)
    lengths : ndarray of int of shape (n,) or None
        The length of each output series; None keeps ``L``.

    Returns
    -------
    ndarray or list of ndarray
        One array, ``(n, L)`` for one channel and ``(n, C, L)`` otherwise, when every series has
        the same length; otherwise a list of ``(L_i,)`` or ``(C, L_i)`` arrays, one per series.
    """
    if (
        lengths is None
        or len(lengths) == 0
        or (np.all(lengths == lengths[0]) and lengths[0] == arr.shape[-1])
    ):
        return user_layout(arr)
    if np.all(lengths == lengths[0]):
        return user_layout(_interp(arr, int(lengths[0])).astype(arr.dtype, copy=False))
    out: list[np.ndarray | None] = [None] * len(arr)
    for size in np.unique(lengths):
        idx = np.flatnonzero(lengths == size)
        block = user_layout(_interp(arr[idx], int(size)).astype(arr.dtype, copy=False))
        for j, i in enumerate(idx):
            out[i] = block[j]
    return out  # type: ignore[return-value]
