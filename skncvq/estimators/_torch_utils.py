"""Small helpers shared by the estimators: device and precision resolution, seeding, batching."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = ["resolve_device", "resolve_precision", "draw_seed", "inference", "batched"]


def resolve_device(device: str) -> str:
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; other strings pass through."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available; use 'auto' or 'cpu'.")
    return device


def resolve_precision(precision: str, device: str) -> str:
    """``"auto"`` -> ``"bf16"`` where the hardware runs bfloat16 natively, else ``"fp32"``.

    See :ref:`decision-precision`."""
    if precision != "auto":
        return precision
    if device.startswith("cuda"):
        return "bf16" if torch.cuda.is_bf16_supported() else "fp32"
    return "bf16" if cpu_runs_bf16_natively() else "fp32"


def cpu_runs_bf16_natively() -> bool:
    """Whether the CPU has bfloat16 instructions (AVX512-BF16 or AMX). oneDNN also "supports"
    bfloat16 on plain AVX-512 by emulating it, which is slower than float32, so its own flag is
    not enough."""
    try:
        onednn = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False
    probes = [
        getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    ]
    probes = [p for p in probes if p is not None]
    if not probes:  # an older torch without the probes: trust oneDNN
        return onednn
    return onednn and any(bool(p()) for p in probes)


def draw_seed(random_state) -> int:
    """One 31-bit integer seed from an sklearn-style ``random_state``."""
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


@contextmanager
def inference(module: torch.nn.Module) -> Iterator[torch.nn.Module]:
    """Run a fitted ``module`` under ``no_grad`` in eval mode.

    A fit leaves its module in eval mode; this never switches it back, so any number of threads
    may run one fitted module at once (a mode saved and restored per call would let one thread
    run it in training mode, updating batch-norm statistics and the codebook)."""
    if module.training:
        module.eval()  # idempotent: every caller wants the same mode
    with torch.no_grad():
        yield module


def batched(
    fn: Callable[[torch.Tensor], torch.Tensor], X: np.ndarray, device: str, batch_size: int
) -> np.ndarray:
    """Apply ``fn`` to ``X`` in batches on ``device`` and return the concatenated numpy result."""
    outs = []
    for start in range(0, len(X), batch_size):
        chunk = torch.from_numpy(X[start : start + batch_size]).to(device)
        outs.append(fn(chunk).cpu().numpy())
    return np.concatenate(outs, axis=0)
