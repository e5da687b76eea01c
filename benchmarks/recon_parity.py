"""Is the default tokenizer's reconstruction on par with the naive VQ-VAE at the same budget?

The default configuration adds an augmented branch and an SSL loss to the naive VQ-VAE, so in a
fixed time it trains fewer epochs of reconstruction. This script fits the naive VQ-VAE
(``NCVQVAETransformer(ssl=None)``, every other parameter at its default) on each dataset's train
split for the stage-1 share of a benchmark budget (``Budget(budget).stage1`` of it, the time the
default tokenizer had in ``results/<run>``), measures the whole-test-split reconstruction MSE,
and sets it beside the default rows of that run (mean over their seeds). Every row records its
CPU; the summary compares a dataset's default rows with the naive rows from the same CPU when
there are any (time-budgeted fits get fewer epochs on a slower CPU), else with all naive rows.
Rows go to results/recon_parity.csv as they finish (resumable per CPU); --summary writes
recon_parity.md (recon_parity_<run>.md for a run other than default480).

Usage:
  python benchmarks/recon_parity.py --data-home DIR --run default480 --budget 480 --threads 2
  python benchmarks/recon_parity.py --summary --run default480
"""

from __future__ import annotations

import argparse
import time

from _common import RESULTS, append_row, markdown_table, read_rows, short_cpu

CSV = RESULTS / "recon_parity.csv"
PAR = 1.5  # "on par": within this factor of the naive error (the same rule as claims.py)


def run(args) -> None:
    import torch

    from skncvq import NCVQVAETransformer
    from skncvq.benchmark import Budget, _cpu_name
    from skncvq.datasets import load_ucr

    if args.threads:
        torch.set_num_threads(args.threads)
    split = Budget(float(args.budget))
    cpu = _cpu_name()
    done = {(r["dataset"], r["seed"], r["budget_s"], r.get("cpu", "")) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        if (dataset, str(args.seed), str(args.budget), cpu) in done:
            continue
        X_tr, _, X_te, _ = load_ucr(dataset, data_home=args.data_home, download=False)
        tok = NCVQVAETransformer(
            ssl=None, max_epochs=1000, max_time=split.seconds * split.stage1, random_state=args.seed
        )
        t0 = time.perf_counter()
        tok.fit(X_tr)
        fit_s = time.perf_counter() - t0
        rec = tok.reconstruction_errors(X_te)
        row = dict(
            dataset=dataset,
            config="naive",
            seed=args.seed,
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


def _cpus(names) -> str:
    """Short CPU label(s) of a group of rows: the vendor word, 'not recorded' for old rows."""
    return "+".join(sorted({short_cpu(n) for n in names}))


def summary(args) -> str:
    import pandas as pd

    naive = pd.DataFrame(read_rows(CSV))
    default = pd.DataFrame(read_rows(RESULTS / args.run / "results.csv"))
    for df in (naive, default):
        for c in ("recon_mse_time", "s1_epochs"):
            df[c] = pd.to_numeric(df[c])
    default = default[default["config"] == "default"]
    naive["cpu"] = naive.get("cpu", pd.Series("", index=naive.index)).fillna("")
    default_cpu = default.groupby("dataset")["cpu"].agg(lambda c: c.iloc[0] if c.nunique() == 1 else "")
    same = naive["cpu"].ne("") & naive["cpu"].eq(naive["dataset"].map(default_cpu))
    has_same = same.groupby(naive["dataset"]).transform("any")
    naive = naive[same | ~has_same]  # same-CPU naive rows where a dataset has them
    n = naive.groupby("dataset")[["recon_mse_time", "s1_epochs"]].mean()
    d = default.groupby("dataset")[["recon_mse_time", "s1_epochs"]].mean()
    table = d.merge(n, left_index=True, right_index=True, suffixes=("_default", "_naive")).reset_index()
    seeds = (
        default.groupby("dataset")["seed"].nunique().astype(str)
        + " / "
        + naive.groupby("dataset")["seed"].nunique().astype(str)
    )
    table.insert(1, "seeds (default / naive)", table["dataset"].map(seeds))
    cpus = default.groupby("dataset")["cpu"].agg(_cpus) + " / " + naive.groupby("dataset")["cpu"].agg(_cpus)
    table.insert(2, "cpu (default / naive)", table["dataset"].map(cpus))
    table["ratio"] = table["recon_mse_time_default"] / table["recon_mse_time_naive"]
    table["on par"] = table["ratio"].le(PAR).map({True: "yes", False: "no"})
    on_par = int((table["ratio"] <= PAR).sum())
    for c in table.columns:
        if c.startswith("recon"):
            table[c] = table[c].map(lambda v: f"{v:.4f}")
        elif c.startswith("s1_epochs"):
            table[c] = table[c].map(lambda v: f"{v:.0f}")
        elif c == "ratio":
            table[c] = table[c].map(lambda v: f"{v:.2f}")
    text = (
        f"Whole-test-split reconstruction MSE (time domain, globally scaled) of the default tokenizer "
        f"(rows of results/{args.run}, mean over seeds) and the naive VQ-VAE fitted for the same "
        f"stage-1 time, on the same CPU where the naive fit has been run there; 'on par' = within {PAR}x. On par on {on_par}/{len(table)} datasets.\n\n"
    )
    text += markdown_table(table.to_dict("records"), list(table.columns))
    name = "recon_parity.md" if args.run == "default480" else f"recon_parity_{args.run}.md"
    (RESULTS / name).write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument(
        "--datasets",
        default="SonyAIBORobotSurface1,SonyAIBORobotSurface2,ECG5000,Mallat,ShapesAll,FordB,FordA,ElectricDevices",
    )
    parser.add_argument("--run", default="default480", help="results/<run> holds the default rows")
    parser.add_argument("--budget", type=float, default=480.0, help="the run's budget for both stages")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if args.summary:
        print(summary(args))
    else:
        run(args)


if __name__ == "__main__":
    main()
