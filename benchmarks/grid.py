"""Run the benchmark grid into benchmarks/results/<name>/ (results.csv row by row, summary.md).

Usage:
  python benchmarks/grid.py --name stage2 --data-home DIR --datasets FordA,ECG5000 \
      --configs naive,barlowtwins-slice,vibcreg-slice --seeds 0,1 --budget 120 --n-jobs 2
Same as ``skncvq benchmark ... --out benchmarks/results/<name>`` plus the reference columns.
"""

from __future__ import annotations

import argparse

from _common import RESULTS

from skncvq.benchmark import CONFIGS, run_benchmark


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", required=True)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--budget", type=float, default=180.0)
    parser.add_argument("--evaluator-budget", type=float, default=240.0)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--reference", default=None, help="thesis_results.csv for the reference columns")
    args = parser.parse_args()
    run_benchmark(
        args.datasets.split(","),
        args.configs.split(","),
        [int(s) for s in args.seeds.split(",")],
        budget=args.budget,
        data_home=args.data_home,
        out=RESULTS / args.name,
        n_jobs=args.n_jobs,
        evaluator_budget=args.evaluator_budget,
        threads=args.threads,
        reference=args.reference,
    )


if __name__ == "__main__":
    main()
