"""Choose the sampler's sampling-time knobs (guidance scale, temperatures) on validation splits.

The knobs act only when sampling, so each dataset's two stages are fitted once and every
setting is scored on the same fitted sampler. Per dataset: a stratified 75/25 split of the
official train split (the same cut as tune.py; the test split is never read), an FCN evaluator
fitted on the 75 % part, the default configuration fitted on the 75 % part under ``--budget``
seconds, then FID / IS / CAS on the 25 % part for each setting in SETTINGS (FID and IS from
``--n-unconditional`` unconditional samples, at least as many as the validation series). Rows go to
results/tuning_sampling.csv as they finish (a rerun skips finished rows but refits the model
for a dataset with rows left); --summary writes tuning_sampling.md.

Usage:
  python benchmarks/tune_sampling.py --data-home DIR --datasets ECG5000,ElectricDevices --budget 240 --threads 1
  python benchmarks/tune_sampling.py --summary

Guidance on today's models (unconditional="class_prior", the benchmark's evaluator recipe) goes to
its own CSV, since a setting name means the knobs on top of the defaults of its time:
  python benchmarks/tune_sampling.py --data-home DIR --datasets FordB --budget 480 --threads 2 \
      --settings "g1 (default),g2,g4" --fcn-batch-size 32 --evaluator-budget 300 --cas-budget 240 \
      --csv tuning_guidance.csv

and on the column prior (guidance 1 was still the default then, so "g1 (default)" is guidance 1):
  python benchmarks/tune_sampling.py --data-home DIR --datasets ShapesAll,FordA,ElectricDevices \
      --budget 480 --threads 2 --settings "g1 (default),g2,g4" --fcn-batch-size 32 \
      --evaluator-budget 300 --cas-budget 120 --csv tuning_guidance_column.csv
"""

from __future__ import annotations

import argparse
import json
import time

from _common import (
    RESULTS,
    append_row,
    markdown_table,
    numeric_rows,
    read_rows,
    validation_scores,
    validation_split,
)

CSV = RESULTS / "tuning_sampling.csv"
SETTINGS = {
    "g1 (default)": dict(),  # the defaults of the commit a row ran on (guidance 1 until 2 won)
    "g1": dict(guidance_scale=1.0),
    "g1.5": dict(guidance_scale=1.5),
    "g2": dict(guidance_scale=2.0),
    "g3": dict(guidance_scale=3.0),
    "g4": dict(guidance_scale=4.0),
    "g1 choice-t1": dict(guidance_scale=1.0, choice_temperature=1.0),
    "g2 choice-t1": dict(guidance_scale=2.0, choice_temperature=1.0),
    "g1 t0.8": dict(guidance_scale=1.0, temperature=0.8),
    "class-prior": dict(unconditional="class_prior"),
    "class-prior g2": dict(unconditional="class_prior", guidance_scale=2.0),
    "class-prior t0.8": dict(unconditional="class_prior", temperature=0.8),
}
KNOBS = ["guidance_scale", "unconditional", "temperature", "choice_temperature"]
METRICS = ["fid_uncond", "fid_cond", "is_mean", "cas", "sample_series_per_s"]


def run(args) -> None:
    import torch

    from skncvq import FCNClassifier
    from skncvq._cell import settings_columns
    from skncvq.benchmark import evaluate

    if args.threads:
        torch.set_num_threads(args.threads)
    done = {(r["dataset"], r["setting"], r["seed"]) for r in read_rows(CSV)}
    names = args.settings.split(",") if args.settings else list(SETTINGS)
    for dataset in args.datasets.split(","):
        todo = [n for n in names if (dataset, n, str(args.seed)) not in done]
        if not todo:
            continue
        X_fit, X_val, y_fit, y_val = validation_split(dataset, args.data_home)
        fcn = FCNClassifier(
            max_epochs=1000, max_time=args.evaluator_budget, batch_size=args.fcn_batch_size, random_state=0
        )
        fcn.fit(X_fit, y_fit)
        base, sampler = evaluate(
            X_fit, y_fit, X_val, y_val, seed=args.seed, budget=args.budget, evaluator=fcn
        )
        knobs = {k: sampler.get_params()[k] for k in KNOBS}  # the defaults, restored per setting
        for name in todo:
            sampler.set_params(**{**knobs, **SETTINGS[name]})
            t0 = time.perf_counter()
            scores = validation_scores(
                sampler,
                y_fit,
                X_val,
                y_val,
                fcn,
                args,
                n_unconditional=max(len(X_val), args.n_unconditional),
            )
            row = dict(
                dataset=dataset,
                setting=name,
                seed=args.seed,
                budget_s=args.budget,
                params=json.dumps(SETTINGS[name]),
                s1_epochs=base["s1_epochs"],
                s2_epochs=base["s2_epochs"],
                svm_acc=base["svm_acc"],
                evaluator_val_acc=base["evaluator_test_acc"],
                n_val=len(X_val),
                n_unconditional=max(len(X_val), args.n_unconditional),
                evaluator_budget_s=args.evaluator_budget,
                cas_budget_s=args.cas_budget,
                fcn_batch_size=args.fcn_batch_size,
                **{m: round(float(scores[m]), 4) for m in METRICS},
                eval_s=round(time.perf_counter() - t0, 1),
                **settings_columns(sampler),
            )
            append_row(CSV, row)
            print({k: row[k] for k in ["dataset", "setting", *METRICS]}, flush=True)


def summary() -> str:
    import pandas as pd

    rows = numeric_rows(CSV, METRICS)
    per = rows.groupby(["setting", "dataset"])[METRICS].mean().reset_index()
    mean = rows.groupby("setting")[METRICS].mean().reset_index()
    mean.insert(1, "dataset", "mean")
    # rank of each setting within its dataset (1 = best), averaged: FID lower is better
    rank = rows.groupby("dataset", group_keys=False).apply(
        lambda d: pd.DataFrame(
            {
                "setting": d["setting"],
                "rank_fid": d["fid_uncond"].rank(),
                "rank_is": (-d["is_mean"]).rank(),
                "rank_cas": (-d["cas"]).rank(),
            }
        )
    )
    mean = mean.merge(rank.groupby("setting").mean().reset_index(), on="setting")
    out = pd.concat([per, mean], ignore_index=True).sort_values(["dataset", "setting"])
    for m in [*METRICS, "rank_fid", "rank_is", "rank_cas"]:
        out[m] = out[m].map(lambda v: "" if pd.isna(v) else (f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"))
    text = (
        "Sampling knobs on validation splits (train split cut 75/25, default configuration fitted once "
        "per dataset; the test split is not used). Ranks: 1 = best within a dataset, averaged. "
    )
    if CSV.name == "tuning_sampling.csv":
        text += (
            "'g1 (default)' is the sampler as it was when these rows ran (unconditional='null'); "
            "'class-prior' (unconditional='class_prior') became the default from them.\n\n"
        )
    else:
        if "cas_budget_s" in rows:  # recorded since tuning_guidance_column.csv
            recipe = rows[["fcn_batch_size", "evaluator_budget_s", "cas_budget_s"]].iloc[0]
            batch, fcn_s, cas_s = (int(float(v)) for v in recipe)
        else:
            batch, fcn_s, cas_s = 32, 300, 240
        text += (
            "Rows ran with the defaults of their commit (unconditional='class_prior', "
            f"guidance 1 unless the setting says otherwise), FCN evaluator and CAS classifier at "
            f"batch {batch} with {fcn_s} s / {cas_s} s.\n\n"
        )
    cols = ["dataset", "setting", *METRICS, "rank_fid", "rank_is", "rank_cas"]
    text += markdown_table(out.to_dict("records"), cols)
    CSV.with_suffix(".md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="ECG5000,ElectricDevices,FordA")
    parser.add_argument("--settings", default=None, help="comma-separated names from SETTINGS")
    parser.add_argument("--budget", type=float, default=240.0)
    parser.add_argument(
        "--fcn-batch-size",
        type=int,
        default=256,
        help="FCN evaluator batch; 256 is what the recorded tables ran with",
    )
    parser.add_argument("--evaluator-budget", type=float, default=120.0)
    parser.add_argument("--cas-budget", type=float, default=60.0)
    parser.add_argument(
        "--n-unconditional",
        type=int,
        default=1000,
        help="unconditional samples for FID / IS (at least n_val)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--csv", default=None, help="another results CSV under results/")
    args = parser.parse_args()
    global CSV
    if args.csv:
        CSV = RESULTS / args.csv
    print(summary() if args.summary else run(args) or "")


if __name__ == "__main__":
    main()
