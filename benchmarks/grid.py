"""Run the benchmark grid into benchmarks/results/<name>/ (results.csv row by row, summary.md),
and write its stage-2 table beside the seed study and the TimeVQVAE paper.

Usage:
  python benchmarks/grid.py --name grid --data-home DIR --datasets FordA,ECG5000 \
      --configs naive,barlowtwins-slice,vibcreg-slice --seeds 0,1 --budget 120 --n-jobs 2 \
      --reference PATH/thesis_results.csv
  python benchmarks/grid.py --name grid --tables --reference PATH/thesis_results.csv \
      --peers PATH/peer_results.csv
The run is the same as ``skncvq benchmark ... --out benchmarks/results/<name>``; ``--tables``
rewrites summary.md and writes stage2.md (FID / IS / CAS / sampling speed per dataset and
configuration, mean over seeds, with the thesis means and TimeVQVAE's numbers).
"""

from __future__ import annotations

import argparse

from _common import RESULTS, markdown_table

from skncvq._io import read_csv_rows
from skncvq.benchmark import CONFIGS, run_benchmark, summarize

STAGE2 = ["fid_uncond", "fid_cond", "is_mean", "cas", "s2_fit_s", "sample_series_per_s", "recon_recognised"]


def stage2_table(rows, reference=None, peers=None) -> str:
    import pandas as pd

    df = pd.DataFrame(rows)
    for c in [*STAGE2, "s2_epochs"]:
        df[c] = pd.to_numeric(df[c])
    out = df.groupby(["dataset", "config", "budget_s"])[[*STAGE2, "s2_epochs"]].mean().reset_index()
    out["seeds"] = df.groupby(["dataset", "config", "budget_s"]).size().values
    if reference:
        ref = pd.read_csv(reference)
        ref["config"] = ref["config"].replace({"regular": "naive"}).str.replace("_", "-")
        ref = ref.set_index(["dataset", "config"])
        for ours, theirs in (
            ("fid_uncond", "s2_fid_mean"),
            ("is_mean", "s2_is_mean_mean"),
            ("cas", "cas_acc_ema_mean"),
        ):
            out[f"thesis {ours}"] = [
                ref[theirs].get((d, c), float("nan")) for d, c in zip(out["dataset"], out["config"])
            ]
    if peers:
        p = pd.read_csv(peers)
        tv = p[p["method"] == "TimeVQVAE"]
        for metric, name, scale in (
            ("FID", "TimeVQVAE FID", 1.0),
            ("IS", "TimeVQVAE IS", 1.0),
            ("CAS_pct", "TimeVQVAE CAS", 0.01),
        ):
            values = tv[tv["metric"] == metric].set_index("dataset")["value"].astype(float) * scale
            out[name] = out["dataset"].map(values)
    cols = list(out.columns)
    for c in cols:
        if out[c].dtype.kind == "f":
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else (f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"))
    return markdown_table(out.to_dict("records"), cols)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True)
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--budget", type=float, default=180.0)
    parser.add_argument("--evaluator-budget", type=float, default=240.0)
    parser.add_argument(
        "--cas-budget", type=float, default=60.0, help="60 s: what the 120 s grid was run with"
    )
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--reference", default=None, help="thesis_results.csv for the reference columns")
    parser.add_argument("--peers", default=None, help="peer_results.csv for the TimeVQVAE columns")
    parser.add_argument("--tables", action="store_true", help="only rewrite summary.md and stage2.md")
    args = parser.parse_args()
    out = RESULTS / args.name
    if args.tables:
        rows = read_csv_rows(out / "results.csv")
        (out / "summary.md").write_text(summarize(rows, reference=args.reference))
        (out / "stage2.md").write_text(stage2_table(rows, args.reference, args.peers))
        print((out / "stage2.md").read_text())
        return
    if not args.datasets:
        parser.error("--datasets is required to run the grid")
    run_benchmark(
        args.datasets.split(","),
        args.configs.split(","),
        [int(s) for s in args.seeds.split(",")],
        budget=args.budget,
        data_home=args.data_home,
        out=out,
        n_jobs=args.n_jobs,
        evaluator_budget=args.evaluator_budget,
        cas_budget=args.cas_budget,
        threads=args.threads,
        reference=args.reference,
    )


if __name__ == "__main__":
    main()
