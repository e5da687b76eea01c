"""What a benchmark row records about the machine it ran on, and the thread count it ran with."""

from __future__ import annotations

import os
import platform

__all__ = ["cpu_name", "set_threads"]


def cpu_name() -> str:
    """The processor's model name, core count and vector ISA, e.g. ``"AMD EPYC x2 AVX512+bf16"``.

    Rows measured under a time budget depend on all three: one model name covers CPUs of several
    generations, and a CPU with bfloat16 instructions trains several times faster than one
    without. The ISA is the one torch dispatches to, with "+bf16" where the CPU runs bfloat16
    natively (what ``precision="auto"`` checks; see the design decisions, "Precision").
    """
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import torch

    isa = torch.backends.cpu.get_cpu_capability()
    # bfloat16 instructions (AVX512-BF16 or AMX) that oneDNN uses, as precision="auto" checks
    probes = [getattr(torch.cpu, n, None) for n in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    onednn = bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    if onednn and any(bool(probe()) for probe in probes if probe is not None):
        isa += "+bf16"
    return f"{name} x{os.cpu_count()} {isa}"


def set_threads(threads: int | None) -> None:
    if threads:
        import torch

        torch.set_num_threads(int(threads))
