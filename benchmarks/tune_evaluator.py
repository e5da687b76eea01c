"""Choose the FCN recipe (batch size, learning rate) behind FID / IS / CAS on validation splits.

The seed's evaluator is an FCN trained for 1000 epochs at batch 256 (spec section 10.1). On two
CPU cores a few minutes give it a few dozen epochs, i.e. only ~3 optimiser steps per epoch on a
600-series train split, and an undertrained evaluator pulls IS toward 1 and blurs FID. This
script trains the same FCN architecture under a fixed time budget with several (batch size, lr)
recipes on the stratified 75/25 cut of each train split (the test split is never read) and
records the validation accuracy. The CAS classifier is the same FCN, so the recipe serves both.

Usage:
  python benchmarks/tune_evaluator.py --data-home DIR --datasets ShapesAll,FordB,Mallat --budget 120 --threads 1
  python benchmarks/tune_evaluator.py --summary
"""

from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, append_row, markdown_table, read_rows, validation_split

RECIPES = {
    "bs256 lr1e-3 (seed)": dict(batch_size=256, lr=1e-3),
    "bs64 lr1e-3": dict(batch_size=64, lr=1e-3),
    "bs32 lr1e-3": dict(batch_size=32, lr=1e-3),
    "bs16 lr1e-3": dict(batch_size=16, lr=1e-3),
    "bs64 lr3e-3": dict(batch_size=64, lr=3e-3),
}


def run(args) -> None:
    import torch

    from skncvq import FCNClassifier

    if args.threads:
        torch.set_num_threads(args.threads)
    csv = RESULTS / f"tuning_evaluator{args.part}.csv"
    done = {(r["dataset"], r["recipe"], r["budget_s"]) for r in read_rows(csv)}
    names = args.recipes.split(",") if args.recipes else list(RECIPES)
    for dataset in args.datasets.split(","):
        X_fit, X_val, y_fit, y_val = validation_split(dataset, args.data_home)
        for name in names:
            if (dataset, name, str(args.budget)) in done:
                continue
            fcn = FCNClassifier(max_epochs=1000, max_time=args.budget, random_state=0, **RECIPES[name])
            t0 = time.perf_counter()
            fcn.fit(X_fit, y_fit)
            row = dict(
                dataset=dataset,
                recipe=name,
                params=json.dumps(RECIPES[name]),
                budget_s=args.budget,
                epochs=len(fcn.history_),
                fit_s=round(time.perf_counter() - t0, 1),
                train_acc=round(float(fcn.score(X_fit, y_fit)), 4),
                val_acc=round(float(fcn.score(X_val, y_val)), 4),
                n_fit=len(X_fit),
                threads=args.threads,
            )
            append_row(csv, row)
            print(row, flush=True)


def summary() -> str:
    import pandas as pd

    rows = pd.DataFrame([r for p in sorted(RESULTS.glob("tuning_evaluator*.csv")) for r in read_rows(p)])
    rows["val_acc"] = rows["val_acc"].astype(float)
    table = rows.pivot_table(index=["dataset", "budget_s"], columns="recipe", values="val_acc").reset_index()
    # a recipe's mean only over the same datasets as the others (blank where one is missing)
    mean = table.drop(columns="dataset").groupby("budget_s").agg(lambda c: c.mean(skipna=False)).reset_index()
    mean.insert(0, "dataset", "mean")
    table = pd.concat([table, mean], ignore_index=True)
    cols = list(table.columns)
    for c in cols[2:]:
        table[c] = table[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    text = (
        "FCN evaluator recipes on validation splits (train split cut 75/25; the test split is not "
        "used): validation accuracy after a fixed time budget, same architecture and AdamW + cosine "
        "schedule as the seed's evaluator, only batch size and learning rate vary. Mallat's validation "
        "split has 14 series (one error = 0.071).\n\n"
    )
    text += markdown_table(table.to_dict("records"), cols)
    (RESULTS / "tuning_evaluator.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="ShapesAll,FordB,Mallat")
    parser.add_argument("--recipes", default=None, help="comma-separated names from RECIPES")
    parser.add_argument("--budget", type=float, default=120.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--part", default="", help="suffix of the CSV, so that parallel runs write apart")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if args.summary:
        print(summary())
    else:
        run(args)


if __name__ == "__main__":
    main()
