"""Stage-2 results per (dataset, stage-1 config, seed): prior fit seconds, sampling series/s,
unconditional and class-conditional FID, IS (mean, std), CAS.

Stage 2 is measured inside the benchmark grid (each cell fits both stages under one budget, then
samples and scores), so this script runs the grid's cells for the stage-2 columns and keeps them:

  python benchmarks/stage2.py --grid grid --data-home DIR --datasets ECG5000,Mallat \
      --configs naive,barlowtwins-slice --seeds 0,1 --budget 120 --n-jobs 2 --threads 1
  python benchmarks/stage2.py --grid grid          # only rewrite stage2.csv / stage2.md

Cells already in results/<grid>/results.csv are not re-run. Writes results/stage2.csv (one row per
cell, atomically) and results/stage2.md (means over seeds beside the thesis and TimeVQVAE, via
grid.py's table).
"""

from __future__ import annotations

import argparse
import csv
import io

from _common import RESULTS
from grid import stage2_table

from skncvq._io import read_csv_rows, write_text_atomic
from skncvq.benchmark import CONFIGS, run_benchmark

COLUMNS = {
    "dataset": "dataset",
    "config": "stage1_config",
    "seed": "seed",
    "budget_s": "budget_s",
    "s2_fit_s": "prior_fit_s",
    "s2_epochs": "prior_epochs",
    "sample_series_per_s": "sampling_series_per_s",
    "fid_uncond": "fid_uncond",
    "fid_cond": "fid_cond",
    "is_mean": "is_mean",
    "is_std": "is_std",
    "cas": "cas",
    "cpu": "cpu",
    "threads": "threads",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", default="grid")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default=None, help="run these datasets' cells first")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument(
        "--cas-budget", type=float, default=60.0, help="60 s: what the 120 s grid was run with"
    )
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--reference", default=None, help="thesis_results.csv")
    parser.add_argument("--peers", default=None, help="peer_results.csv")
    args = parser.parse_args()
    out = RESULTS / args.grid
    if args.datasets:
        run_benchmark(
            args.datasets.split(","),
            args.configs.split(","),
            [int(s) for s in args.seeds.split(",")],
            budget=args.budget,
            cas_budget=args.cas_budget,
            data_home=args.data_home,
            out=out,
            n_jobs=args.n_jobs,
            threads=args.threads,
        )
    rows = read_csv_rows(out / "results.csv")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS.values()))
    writer.writeheader()
    for r in rows:
        writer.writerow({new: r.get(old, "") for old, new in COLUMNS.items()})
    write_text_atomic(RESULTS / "stage2.csv", buf.getvalue())
    write_text_atomic(RESULTS / "stage2.md", stage2_table(rows, args.reference, args.peers))
    print(f"{len(rows)} cells -> {RESULTS / 'stage2.csv'}")


if __name__ == "__main__":
    main()
