"""The plain VQ-VAE's reconstruction error at the stage-1 time of a benchmark cell.

The README's "reconstruction vs the plain VQ-VAE" column divides the canonical run's
whole-test-split reconstruction MSE by this script's: ``NCVQVAETransformer(ssl=None)`` with every
other parameter at its default, fitted on each dataset's train split for the stage-1 share of the
budget (``study.Budget``), up to 1000 epochs as in a cell. Rows are appended to
``results/naive_recon.csv`` as they finish, with the CPU they ran on: a time-budgeted fit trains
fewer epochs on a slower CPU, so report.py compares rows of the same CPU, or fits that ran all
their epochs.

Usage:
  python benchmarks/naive_recon.py --data-home DIR --datasets FordA,ECG5000 --seeds 0,1 --threads 2
"""

from __future__ import annotations

import argparse
import time

from _common import RESULTS, append_row, read_rows

CSV = RESULTS / "naive_recon.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", required=True)
    parser.add_argument("--datasets", required=True, help="comma-separated UCR names")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument(
        "--budget", type=float, default=600.0, help="the cell budget whose stage-1 share is used"
    )
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    import torch
    from study import Budget, cpu_name

    from skncvq import NCVQVAETransformer
    from skncvq.allocator import tune_malloc
    from skncvq.datasets import load_ucr

    tune_malloc()
    if args.threads:
        torch.set_num_threads(args.threads)
    split = Budget(args.budget)
    cpu = cpu_name()
    done = {(r["dataset"], r["seed"], r["cpu"]) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        X_tr, _, X_te, _ = load_ucr(dataset, data_home=args.data_home)
        for seed in map(int, args.seeds.split(",")):
            if (dataset, str(seed), cpu) in done:
                continue
            tok = NCVQVAETransformer(
                ssl=None, max_epochs=1000, max_time=split.seconds * split.stage1, random_state=seed
            )
            t0 = time.perf_counter()
            tok.fit(X_tr)
            fit_s = time.perf_counter() - t0
            rec = tok.reconstruction_errors(X_te)
            row = dict(
                dataset=dataset,
                config="naive",
                seed=seed,
                budget_s=args.budget,
                s1_epochs=tok.n_epochs_,
                s1_fit_s=round(fit_s, 1),
                recon_mse_time=round(rec["time"], 5),
                recon_mse_stft=round(rec["stft"], 5),
                threads=torch.get_num_threads(),
                cpu=cpu,
            )
            append_row(CSV, row)
            print(row, flush=True)


if __name__ == "__main__":
    main()
