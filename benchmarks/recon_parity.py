"""Is the default tokenizer's reconstruction on par with the naive VQ-VAE at the same budget?

The default configuration adds an augmented branch and an SSL loss to the naive VQ-VAE, so in a
fixed time it trains fewer epochs of reconstruction. This script fits the naive VQ-VAE
(``NCVQVAETransformer(ssl=None)``, every other parameter at its default) on each dataset's train
split for the stage-1 share of a benchmark budget (``Budget(budget).stage1`` of it, the time the
default tokenizer had in ``results/<run>``), measures the whole-test-split reconstruction MSE,
and sets it beside the default rows of that run (mean over their seeds). Every row records its
CPU; the summary compares a dataset's default rows with the naive rows whose CPU is recorded
alike, else with those of the same kind of CPU (model name, cores and vector ISA; rows from before
the ISA was recorded count as AVX-512 with bfloat16), else with all naive rows (time-budgeted fits
get fewer epochs on a slower CPU). Rows go to results/recon_parity.csv as they finish (resumable per CPU); --summary
writes recon_parity.md (recon_parity_<run>.md for a run other than default480). ``--fill`` takes
the datasets the run lacks from other runs, as in claims.py.

``--configs`` fits other tokenizers the same way (``CONFIGS``: the package defaults plus a few
parameters), each also scored by the KNN / linear-SVM probes on the test split, so that a
candidate chosen on validation splits (tune_stage1.py) can be checked on the test splits beside
the naive VQ-VAE of the same CPU and seed, without a stage-2 fit; the summary lists them in
recon_parity_candidates.md.

Usage:
  python benchmarks/recon_parity.py --data-home DIR --run default480 --budget 480 --threads 2
  python benchmarks/recon_parity.py --summary --run default480
  python benchmarks/recon_parity.py --summary --run default480_auto --fill default480_ssl075
  python benchmarks/recon_parity.py --data-home DIR --datasets FordA \
      --configs "naive,reference view,view stopgrad" --threads 2
"""

from __future__ import annotations

import argparse

from _common import (
    RESULTS,
    add_malloc_option,
    append_row,
    fit_and_score,
    full_cpu,
    markdown_table,
    plain_run_rows,
    read_rows,
    runs_by_dataset,
    short_cpu,
    tune_malloc_unless_told,
)

CSV = RESULTS / "recon_parity.csv"
PAR = 1.5  # "on par": within this factor of the naive error (the same rule as claims.py)
# parameters added to the package defaults; names say what they set, so they keep their meaning
CONFIGS = {
    "naive": {"ssl": None},
    "reference view": {"ssl_view_grad": True},
    "view stopgrad": {"ssl_view_grad": False, "ssl_weight": 1.0},  # the weight before 0.5 became the default
    "view stopgrad ssl_weight 0.3": {"ssl_view_grad": False, "ssl_weight": 0.3},
    "view auto": {"ssl_view_grad": "auto"},
}


def _run_stage1_share(run: str) -> float:
    """The stage-1 share of the budget that the default rows of ``results/<run>`` recorded, so
    that the naive fits get the time the default tokenizer had there whatever Budget's split is
    now (0.6 until the 600 s budget, 0.48 since); Budget's own split for a run without rows."""
    from skncvq.benchmark import Budget

    shares = {r.get("stage1_share", "") for r in read_rows(RESULTS / run / "results.csv")} - {""}
    if len(shares) > 1:
        raise SystemExit(f"results/{run} holds rows of several stage-1 shares {sorted(shares)}; expected one")
    return float(shares.pop()) if shares else Budget(1.0).stage1


def run(args) -> None:
    import torch

    malloc_tuned = tune_malloc_unless_told(args)
    from skncvq import NCVQVAETransformer
    from skncvq.benchmark import Budget, _cpu_name
    from skncvq.datasets import load_ucr

    if args.threads:
        torch.set_num_threads(args.threads)
    split = Budget(float(args.budget)).with_stage1(_run_stage1_share(args.run))
    cpu = _cpu_name()
    configs = args.configs.split(",")
    unknown = sorted(set(configs) - set(CONFIGS))
    if unknown:
        raise SystemExit(f"unknown configs {unknown}; choose from {sorted(CONFIGS)}")
    done = {(r["dataset"], r["config"], r["seed"], r["budget_s"], r.get("cpu", "")) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        data = None
        for config in configs:
            if (dataset, config, str(args.seed), str(args.budget), cpu) in done:
                continue
            if data is None:
                data = load_ucr(dataset, data_home=args.data_home, download=False)
            X_tr, y_tr, X_te, y_te = data
            tok = NCVQVAETransformer(
                **CONFIGS[config],
                max_epochs=1000,
                max_time=split.seconds * split.stage1,
                random_state=args.seed,
            )
            fit_s, rec, probes = fit_and_score(tok, X_tr, y_tr, X_te, y_te)
            row = dict(
                dataset=dataset,
                config=config,
                seed=args.seed,
                budget_s=args.budget,
                s1_epochs=tok.n_epochs_,
                s1_fit_s=round(fit_s, 1),
                recon_mse_time=round(rec["time"], 5),
                recon_mse_stft=round(rec["stft"], 5),
                threads=torch.get_num_threads(),
                cpu=cpu,
                svm_acc=round(probes["svm"], 4),
                knn_acc=round(probes["knn"], 4),
                view_grad=tok.config_.ssl_view_grad if tok.ssl else "",
                malloc_tuned=malloc_tuned,
            )
            append_row(CSV, row)
            print(row, flush=True)


def _cpus(names) -> str:
    """Short CPU label(s) of a group of rows: the vendor word, 'not recorded' for old rows."""
    return "+".join(sorted({short_cpu(n) for n in names}))


def _closest_cpu(naive, default):
    """Which naive rows to set beside each dataset's default rows: those whose ``cpu`` is recorded
    exactly as the default rows' where there are any, else those of the same kind of CPU
    (``full_cpu``: rows from before the ISA was recorded count as AVX-512 with bfloat16), else all.
    The exact string comes first because one model name and ISA still covers CPU generations of
    different speed; rows recorded alike were most likely measured on one machine."""
    cpu = naive["cpu"]
    tiers = []
    for norm in (str, full_cpu):
        own = default.groupby("dataset")["cpu"].agg(
            lambda c, f=norm: f(c.iloc[0]) if c.map(f).nunique() == 1 else ""
        )
        tiers.append(cpu.ne("") & cpu.map(norm).eq(naive["dataset"].map(own)))
    exact, kind = (t.groupby(naive["dataset"]).transform("any") for t in tiers)
    return tiers[0] | (~exact & tiers[1]) | (~exact & ~kind)


def summary(args) -> str:
    import pandas as pd

    num = ["recon_mse_time", "s1_epochs"]
    naive = pd.DataFrame(read_rows(CSV))
    naive = naive[naive["config"] == "naive"].copy()
    naive[num] = naive[num].apply(pd.to_numeric)
    default = plain_run_rows(args.run, num, fill=args.fill)
    default = default[default["config"] == "default"]
    naive["cpu"] = naive.get("cpu", pd.Series("", index=naive.index)).fillna("")
    naive = naive[_closest_cpu(naive, default)]
    n = naive.groupby("dataset")[num].mean()
    d = default.groupby("dataset")[num].mean()
    table = d.merge(n, left_index=True, right_index=True, suffixes=("_default", "_naive")).reset_index()
    fits = default.groupby("dataset").size().astype(str) + " / " + naive.groupby("dataset").size().astype(str)
    table.insert(1, "fits (default / naive)", table["dataset"].map(fits))
    cpus = default.groupby("dataset")["cpu"].agg(_cpus) + " / " + naive.groupby("dataset")["cpu"].agg(_cpus)
    table.insert(2, "cpu (default / naive)", table["dataset"].map(cpus))
    runs = runs_by_dataset(default)
    if runs is not None:
        table.insert(1, "run", table["dataset"].map(runs))
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
        f"(rows of results/{args.run}{' and the datasets it lacks from ' + args.fill if args.fill else ''}, "
        "mean over seeds) and the naive VQ-VAE fitted for the same "
        f"stage-1 time, on the same kind of CPU where the naive fit has been run there; 'on par' = within {PAR}x. On par on {on_par}/{len(table)} datasets.\n\n"
    )
    text += markdown_table(table.to_dict("records"), list(table.columns))
    name = "recon_parity.md" if args.run == "default480" else f"recon_parity_{args.run}.md"
    (RESULTS / name).write_text(text)
    return text


def candidates_summary() -> str:
    """recon_parity_candidates.md: each ``--configs`` tokenizer beside the naive VQ-VAE of its
    CPU, seed and budget (test splits): reconstruction, its ratio to naive, epochs, probes."""
    import pandas as pd

    rows = pd.DataFrame(read_rows(CSV))
    for c in ("recon_mse_time", "s1_epochs", "svm_acc", "knn_acc"):
        rows[c] = pd.to_numeric(rows.get(c), errors="coerce")
    keys = ["dataset", "seed", "budget_s", "cpu"]
    naive = rows[rows["config"] == "naive"].set_index(keys)["recon_mse_time"]
    cand = rows[rows["svm_acc"].notna()].copy()  # rows written with the probes (--configs)
    cand["ratio to naive"] = cand["recon_mse_time"] / cand.set_index(keys).index.map(naive)
    cand["cpu"] = cand["cpu"].map(short_cpu)
    cols = [*keys, "config", "s1_epochs", "recon_mse_time", "ratio to naive", "svm_acc", "knn_acc"]
    cand = cand[cols].sort_values(keys + ["config"])
    means = cand.groupby("config")[["ratio to naive", "svm_acc", "knn_acc"]].mean().reset_index()
    fmt = {"recon_mse_time": "{:.4f}", "ratio to naive": "{:.2f}", "svm_acc": "{:.3f}", "knn_acc": "{:.3f}"}
    for df in (cand, means):
        for c, f in fmt.items():
            if c in df:
                df[c] = df[c].map(lambda v, f=f: "" if pd.isna(v) else f.format(v))
    text = (
        "Test-split reconstruction MSE and probe accuracy of tokenizers fitted on the train split "
        "for the stage-1 share of the budget, beside the naive VQ-VAE of the same CPU, seed and "
        "budget (recon_parity.py --configs; candidates chosen on validation splits first).\n\n"
    )
    text += markdown_table(cand.to_dict("records"), cols)
    text += "\nMeans over the rows above, per config:\n\n"
    text += markdown_table(means.to_dict("records"), list(means.columns))
    (RESULTS / "recon_parity_candidates.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument(
        "--datasets",
        default="SonyAIBORobotSurface1,SonyAIBORobotSurface2,ECG5000,Mallat,ShapesAll,FordB,FordA,ElectricDevices",
    )
    parser.add_argument("--run", default="default480", help="results/<run> holds the default rows")
    parser.add_argument("--fill", default=None, help="runs, comma-separated, for the datasets --run lacks")
    parser.add_argument("--budget", type=float, default=480.0, help="the run's budget for both stages")
    parser.add_argument("--configs", default="naive", help=f"comma-separated, from {sorted(CONFIGS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--summary", action="store_true")
    add_malloc_option(parser)
    args = parser.parse_args()
    if args.summary:
        print(summary(args))
        print(candidates_summary())
    else:
        run(args)


if __name__ == "__main__":
    main()
