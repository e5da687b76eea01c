"""What the default recipe reaches with more epochs: the same time budget on a GPU.

A check of what limits stage 2 on a CPU budget, not a result to compare with the CPU tables:
one cell of ``run_benchmark`` (default configuration, test split, the dataset's cached FCN
evaluator) per latent width, run on whatever device ``device="auto"`` picks. Rows go to
results/gpu_check/results.csv with a ``latent_width`` column; --summary writes results.md.

Usage (on the GPU machine; EVALUATORS is a benchmark run's ``evaluators`` folder):
  python benchmarks/gpu_check.py --data-home DIR --dataset FordA --widths 8,32 --budget 240 \
      --cas-budget 90 --evaluators EVALUATORS --work OUTDIR
  python benchmarks/gpu_check.py --summary
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from _common import RESULTS, append_row, markdown_table, read_rows

CSV = RESULTS / "gpu_check" / "results.csv"
COLUMNS = [
    "dataset",
    "latent_width",
    "budget_s",
    "s1_epochs",
    "s2_epochs",
    "recon_mse_time",
    "recon_recognised",
    "svm_acc",
    "fid_uncond",
    "is_mean",
    "cas",
    "cas_budget_s",
    "cpu",
]


def run(args) -> None:
    from skncvq.benchmark import run_benchmark

    done = {(r["dataset"], r["latent_width"], r["seed"], float(r["budget_s"])) for r in read_rows(CSV)}
    for width in (int(w) for w in args.widths.split(",")):
        if (args.dataset, str(width), str(args.seed), float(args.budget)) in done:
            continue  # a rerun only adds the widths not recorded yet
        work = Path(args.work) / f"w{width}"
        if args.evaluators:
            (work / "evaluators").mkdir(parents=True, exist_ok=True)
            for f in Path(args.evaluators).glob(f"{args.dataset}__bs*.joblib"):
                shutil.copy(f, work / "evaluators" / f.name)
        rows = run_benchmark(
            [args.dataset],
            ["default"],
            [args.seed],
            budget=args.budget,
            data_home=args.data_home,
            out=work,
            cas_budget=args.cas_budget,
            tokenizer_params={"latent_width": width},
            save_models=False,
        )
        append_row(CSV, {"latent_width": width, **rows[-1]})


def summary() -> str:
    text = (
        'Default configuration, one cell per latent width, on the device `device="auto"` picked '
        "(the `cpu` column names the host). Test split; a check of what more epochs give, not "
        "used to choose any default.\n\n"
    )
    text += markdown_table(read_rows(CSV), COLUMNS)
    (CSV.parent / "results.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--dataset", default="FordA")
    parser.add_argument("--widths", default="8,32")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budget", type=float, default=240.0)
    parser.add_argument("--cas-budget", type=float, default=90.0)
    parser.add_argument("--evaluators", default=None, help="folder of cached FCN evaluators to reuse")
    parser.add_argument("--work", default="gpu_check_runs", help="folder for the runs' own files")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if not args.summary:
        run(args)
    print(summary())


if __name__ == "__main__":
    main()
