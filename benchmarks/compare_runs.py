"""Two benchmark runs side by side on the cells they share: same dataset, configuration and seed.

For a rerun of the default configuration under changed defaults: reads
results/<old>/results.csv and results/<new>/results.csv, keeps the (dataset, config, seed) cells
present in both (rows with parameter overrides are left out), and writes
results/compare_<old>_<new>.md with each cell's scores in both runs and the mean over the shared
cells. Lower is better for the reconstruction MSE and FID, higher for the rest. ``--old-rescored
VARIANTS`` takes the old run's FID / IS / CAS from its rescored.csv (rescore.py; comma-separated,
the last variant that has a cell wins, as in claims.py), so that a rerun is compared with the
numbers the claims use.

Usage:
  python benchmarks/compare_runs.py --old default480 --new default480_ssl075
  python benchmarks/compare_runs.py --old default480_column --new default600 \
      --old-rescored "balance1 g2,width128 balance1 g2"
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from _common import KEY, RESULTS, markdown_table, plain_run_rows, rescored_rows

from skncvq._io import write_text_atomic

METRICS = ["svm_acc", "recon_mse_time", "s1_epochs", "s2_epochs", "fid_uncond", "fid_cond", "is_mean", "cas"]
RESCORED = ["fid_uncond", "fid_cond", "is_mean", "cas", "s2_epochs"]  # what rescore.py measures again


def _load(run: str, rescored: str | None = None) -> pd.DataFrame:
    rows = plain_run_rows(run, METRICS, coerce=True)
    if rescored:
        res = rescored_rows(run, rescored)
        at = pd.MultiIndex.from_arrays([rows["dataset"], rows["seed"].astype(str)])
        hit = at.isin(res.index)
        for c in RESCORED:  # s2_epochs only where the prior was fitted again (--refit-prior)
            new = pd.to_numeric(res.loc[at[hit], c].replace("", None)).to_numpy()
            rows.loc[hit, c] = np.where(np.isnan(new), rows.loc[hit, c], new)
    return rows.set_index(KEY)[METRICS]


def compare(old: str, new: str, old_rescored: str | None = None) -> str:
    a, b = _load(old, old_rescored), _load(new)
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
        fmt = "{:.0f}" if "_epochs" in c else "{:.4g}"
        out[c] = out[c].map(fmt.format)
    text = (
        f"Cells run in both results/{old} and results/{new} ({len(shared)} shared; test split). "
        + (f"{', '.join(RESCORED)} of {old} re-scored (variants '{old_rescored}'). " if old_rescored else "")
        + "Lower is better for recon_mse_time and FID, higher for svm_acc, is_mean and cas.\n\n"
    )
    text += markdown_table(out.to_dict("records"), [*KEY, *cols])
    write_text_atomic(RESULTS / f"compare_{old}_{new}.md", text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="results/<old> holds the earlier run")
    parser.add_argument("--new", required=True, help="results/<new> holds the rerun")
    parser.add_argument(
        "--old-rescored",
        default=None,
        help="rescore.py variants, comma-separated, for the old run's FID / IS / CAS",
    )
    args = parser.parse_args()
    print(compare(args.old, args.new, args.old_rescored))


if __name__ == "__main__":
    main()
