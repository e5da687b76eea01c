"""Two benchmark runs side by side on the cells they share: same dataset, configuration and seed.

For a rerun of the default configuration under changed defaults: reads
results/<old>/results.csv and results/<new>/results.csv, keeps the (dataset, config, seed) cells
present in both (rows with parameter overrides are left out), and writes
results/compare_<old>_<new>.md with each cell's scores in both runs and the mean over the shared
cells. Lower is better for the reconstruction MSE and FID, higher for the rest.

Usage:
  python benchmarks/compare_runs.py --old default480 --new default480_ssl075
"""

from __future__ import annotations

import argparse

import pandas as pd
from _common import KEY, RESULTS, markdown_table, plain_run_rows

METRICS = ["svm_acc", "recon_mse_time", "s1_epochs", "fid_cond", "is_mean", "cas"]


def _load(run: str) -> pd.DataFrame:
    return plain_run_rows(run, METRICS, coerce=True).set_index(KEY)[METRICS]


def compare(old: str, new: str) -> str:
    a, b = _load(old), _load(new)
    shared = a.index.intersection(b.index)
    if not len(shared):
        raise SystemExit(f"results/{old} and results/{new} share no (dataset, config, seed) cell")
    table = (
        a.loc[shared]
        .merge(b.loc[shared], left_index=True, right_index=True, suffixes=(f" {old}", f" {new}"))
        .sort_index()
    )
    cols = [f"{m} {run}" for m in METRICS for run in (old, new)]
    table = table[cols]
    mean = table.mean().to_frame().T
    mean.index = pd.MultiIndex.from_tuples([("**mean**", "", "")], names=KEY)
    out = pd.concat([table, mean]).reset_index()
    for c in cols:
        fmt = "{:.0f}" if c.startswith("s1_epochs") else "{:.4g}"
        out[c] = out[c].map(fmt.format)
    text = (
        f"Cells run in both results/{old} and results/{new} ({len(shared)} shared; test split). "
        "Lower is better for recon_mse_time and fid_cond, higher for svm_acc, is_mean and cas.\n\n"
    )
    text += markdown_table(out.to_dict("records"), [*KEY, *cols])
    (RESULTS / f"compare_{old}_{new}.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="results/<old> holds the earlier run")
    parser.add_argument("--new", required=True, help="results/<new> holds the rerun")
    args = parser.parse_args()
    print(compare(args.old, args.new))


if __name__ == "__main__":
    main()
