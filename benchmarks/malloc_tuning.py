"""Speed with and without ``skncvq.allocator.tune_malloc`` (glibc's mmap / trim thresholds).

The stage-1 training and sampling measurements of ``speed.py`` (FordA shape, length 500, batch
128; 1024 series), each in a fresh process, once with glibc's defaults and once after
``tune_malloc()``; the row also has the minor page faults the process took. The results of a fit
do not change, only its time. Appends rows to ``results/malloc_tuning.csv`` (a rerun adds a new
set; each row has its CPU) and writes ``malloc_tuning.md``.

Usage::

  python benchmarks/malloc_tuning.py
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource

from _common import RESULTS, append_row, markdown_table, read_rows
from speed import CONFIGS, SAMPLING, _measure, _measure_sampling

CSV = RESULTS / "malloc_tuning.csv"
TRAINING = ["naive VQ-VAE (auto precision)", "default (BT, 512 projector, auto precision)"]
SAMPLERS = [
    "prior width 64 (hidden_dim='auto' above 2**18 training tokens)",
    "prior default (width 128, auto precision)",
]


class _Capture:
    """Stands in for the queue of speed.py's measurements: keeps the row it is given."""

    def put(self, row: dict) -> None:
        self.row = row


def _tuned_measure(kind: str, tuned: bool, name: str, n_series: int, epochs: int, queue) -> None:
    if tuned:
        from skncvq.allocator import tune_malloc

        if not tune_malloc(children=False):
            raise SystemExit("tune_malloc needs glibc")
    capture = _Capture()
    if kind == "training":
        _measure(name, CONFIGS[name], n_series, epochs, capture)
    else:
        _measure_sampling(name, SAMPLING[name], n_series, epochs, capture)
    row = capture.row
    row["minor_page_faults"] = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    queue.put(row)


def _run(kind: str, tuned: bool, name: str, args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_tuned_measure, args=(kind, tuned, name, args.n_series, args.epochs, queue))
    proc.start()
    row = queue.get()
    proc.join()
    if proc.exitcode != 0:
        raise RuntimeError(f"measuring {name!r} failed (exit code {proc.exitcode})")
    return row


def run(args: argparse.Namespace) -> str:
    from skncvq.benchmark import _cpu_name

    cpu = _cpu_name()
    for kind, names, speed in (
        ("training", TRAINING, "train_series_per_s"),
        ("sampling", SAMPLERS, "series_per_s"),
    ):
        for name in names:
            rows = {tuned: _run(kind, tuned, name, args) for tuned in (False, True)}
            for tuned, row in rows.items():
                out = dict(
                    part=kind,
                    config=name,
                    tune_malloc=tuned,
                    series_per_s=row[speed],
                    vs_untuned=round(row[speed] / rows[False][speed], 2),
                    minor_page_faults=row["minor_page_faults"],
                    threads=row["threads"],
                    cpu=cpu,
                )
                append_row(CSV, out)
                print(out, flush=True)
    return summary()


def summary() -> str:
    cols = [
        "part",
        "config",
        "tune_malloc",
        "series_per_s",
        "vs_untuned",
        "minor_page_faults",
        "threads",
        "cpu",
    ]
    text = (
        "Training and sampling series/s at FordA's shape (length 500, batch 128, 1024 series), each "
        "in a fresh process, with glibc's malloc defaults and after `skncvq.allocator.tune_malloc()`. "
        "`vs_untuned`: over the untuned row of the same pair. Training: median epoch after the first "
        "(`speed.py`); sampling: prior and decoder.\n\n" + markdown_table(read_rows(CSV), cols)
    )
    (RESULTS / "malloc_tuning.md").write_text(text)
    return text


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-series", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    print(summary() if args.summary else run(args))
