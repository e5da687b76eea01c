"""Keep glibc's malloc from handing large tensors back to the kernel after every training step.

glibc serves an allocation above its mmap threshold with a fresh ``mmap`` and returns it with
``munmap`` when freed, so a training step whose activations exceed it maps, faults in and zeroes
them anew every step. Raising the mmap and trim thresholds lets freed blocks be reused instead.
This changes no result, only the time per step (see the design decisions page, "Allocator").
PyTorch's CPU tuning guide recommends jemalloc or tcmalloc for the same reason; this is the
no-install variant for glibc.

It changes process-wide allocator settings, so the package never calls it on import: the
``skncvq`` command line does (``--no-tune-malloc`` opts out), and Python users may.

Examples
--------
>>> from skncvq.allocator import tune_malloc
>>> applied = tune_malloc()  # True on glibc (Linux), False elsewhere, where nothing is changed
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

__all__ = ["tune_malloc", "malloc_tuned", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

#: blocks up to this size come from the heap, where freed ones are reused (256 MiB)
MMAP_THRESHOLD = 256 * 2**20
#: free memory at the top of the heap kept rather than returned to the kernel (2 GiB - 1)
TRIM_THRESHOLD = 2**31 - 1
# mallopt parameter numbers (glibc malloc.h)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
# the environment variables glibc reads when a process starts
_ENV = {"MALLOC_MMAP_THRESHOLD_": _M_MMAP_THRESHOLD, "MALLOC_TRIM_THRESHOLD_": _M_TRIM_THRESHOLD}
_applied = False


def _check(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (bytes); got {type(value).__name__}.")
    if not 0 < value <= 2**31 - 1:
        raise ValueError(f"{name} must be in [1, 2**31 - 1] bytes (a C int); got {value}.")
    return value


def tune_malloc(
    mmap_threshold: int = MMAP_THRESHOLD, trim_threshold: int = TRIM_THRESHOLD, *, children: bool = True
) -> bool:
    """Raise glibc's mmap and trim thresholds for this process (and, by default, its children).

    Parameters
    ----------
    mmap_threshold : int, default=256 MiB
        Allocations up to this many bytes come from the heap and are reused once freed. Setting it
        turns off glibc's own adjustment of the threshold.
    trim_threshold : int, default=2 GiB - 1
        Free bytes at the top of the heap that are kept instead of returned to the kernel.
    children : bool, default=True
        Also set ``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_TRIM_THRESHOLD_`` in ``os.environ``, which
        glibc reads when a process starts, so worker processes started later (joblib's loky,
        multiprocessing) get the same settings.

    Returns
    -------
    applied : bool
        True if glibc accepted both settings; False where the C library is not glibc (macOS,
        Windows, musl), in which case nothing is changed.
    """
    global _applied
    values = {
        _M_MMAP_THRESHOLD: _check("mmap_threshold", mmap_threshold),
        _M_TRIM_THRESHOLD: _check("trim_threshold", trim_threshold),
    }
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    ok = all(libc.mallopt(param, value) == 1 for param, value in values.items())
    if ok and children:
        for name, param in _ENV.items():
            os.environ[name] = str(values[param])
    _applied = _applied or ok
    return ok


def malloc_tuned() -> bool:
    """Whether this process runs with raised thresholds: :func:`tune_malloc` succeeded here, or
    the process started with both ``MALLOC_*_THRESHOLD_`` variables set (a worker of a tuned
    parent)."""
    return _applied or all(os.environ.get(name) for name in _ENV)
