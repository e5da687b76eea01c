"""Seconds per stage-1 training step at FordA's shape: the plain VQ-VAE step against the SSL step,
with and without the augmented view's decoder, and with that view as a stop-gradient target.

Random series (1024 of length 500, batch 128: 8 steps per epoch), fits of ``--epochs`` epochs; the
first epoch is warm-up and the rest are timed from the fit's history. The SSL branch runs to the
end (``ssl_until=1.0``) so every timed step is an SSL step. Appends one row per variant to
``results/ssl_step_cost.csv`` and writes ``ssl_step_cost.md``. Like the command line, it raises
glibc's malloc thresholds first (``--no-tune-malloc`` keeps them; column ``malloc_tuned``, empty on
rows from before it did): untuned, the plain step re-faults its ~40 MiB of activations each time
and looks about 15 % slower than it runs in a long fit.

Usage::

  python benchmarks/ssl_step_cost.py --threads 2
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from _common import RESULTS, add_malloc_option, append_row, markdown_table, read_rows, tune_malloc_unless_told

from skncvq import NCVQVAETransformer
from skncvq.benchmark import _cpu_name

CSV = RESULTS / "ssl_step_cost.csv"
VARIANTS = {
    "naive": {"ssl": None},
    "ssl": {"ssl_until": 1.0},
    "ssl aug_recon 0": {"ssl_until": 1.0, "aug_recon_weight": 0.0},
    "ssl view stopgrad": {"ssl_until": 1.0, "ssl_view_grad": False},
}
N_SERIES, LENGTH, BATCH = 1024, 500, 128


def run(args: argparse.Namespace) -> str:
    tuned = tune_malloc_unless_told(args)
    torch.set_num_threads(args.threads)
    X = np.random.default_rng(0).standard_normal((N_SERIES, LENGTH)).astype(np.float32)
    steps = N_SERIES // BATCH
    rows = []
    for name, params in VARIANTS.items():
        tok = NCVQVAETransformer(max_epochs=args.epochs, batch_size=BATCH, random_state=0, **params).fit(X)
        step_s = float(np.mean([row["dur"] for row in tok.history_[1:]])) / steps
        rows.append(
            dict(
                variant=name,
                step_s=round(step_s, 4),
                threads=args.threads,
                cpu=_cpu_name(),
                malloc_tuned=tuned,
            )
        )
    base = rows[0]["step_s"]
    for row in rows:
        row["vs_naive"] = round(row["step_s"] / base, 2)
        append_row(CSV, row)
    return summary()


def summary() -> str:
    rows = read_rows(CSV)
    text = (
        f"Seconds per stage-1 training step at FordA's shape ({N_SERIES} random series of length {LENGTH}, "
        f"batch {BATCH}); `vs_naive`: over the plain VQ-VAE step of the same run.\n\n"
        + markdown_table(rows, ["variant", "step_s", "vs_naive", "malloc_tuned", "threads", "cpu"])
    )
    (RESULTS / "ssl_step_cost.md").write_text(text)
    return text


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--summary", action="store_true")
    add_malloc_option(parser)
    args = parser.parse_args()
    print(summary() if args.summary else run(args))
