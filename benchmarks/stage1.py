"""Stage-1 benchmark: fit NCVQVAETransformer per (dataset, config, seed) and append one CSV row each.

Each row: dataset, config, seed, epochs run, fit seconds, train series/s, test reconstruction MSE
(time and STFT domain, whole test split), KNN and linear-SVM probe accuracy, codebook perplexity
and dead codes on the test split. Rows already in the CSV (same dataset, config, seed, budget) are
skipped, so an interrupted run resumes. ``--summary`` writes the Markdown table beside the
reference numbers from ``--reference`` (thesis_results.csv).

Usage:
  python benchmarks/stage1.py --data-home DIR --datasets FordA,ECG5000 \
      --configs naive,barlowtwins-slice,vibcreg-slice --seeds 0,1 --max-time 120 --max-epochs 1000
  python benchmarks/stage1.py --summary --reference PATH/thesis_results.csv
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from _common import RESULTS, append_row, markdown_table, read_rows

from skncvq.benchmark import _perplexity

CSV = RESULTS / "stage1.csv"
THESIS_CONFIG = {"naive": "regular"}


def config_params(config: str) -> dict:
    """'naive' -> plain VQ-VAE; '<ssl>-<augset>' -> NC-VQVAE, e.g. 'barlowtwins-slice'.

    A suffix '@ref' selects the reference's projector (4096 wide) and float32 training, for
    equal-wall-time comparisons with the defaults.
    """
    config, _, variant = config.partition("@")
    extra = {"projector_dim": 4096, "precision": "fp32"} if variant == "ref" else {}
    if config == "naive":
        return {"ssl": None, **extra}
    ssl, aug = config.split("-")
    return {"ssl": ssl, "augmentations": aug, **extra}


def run_one(dataset, config, seed, args) -> dict:
    from skncvq import NCVQVAETransformer
    from skncvq.datasets import load_ucr
    from skncvq.metrics import probe_scores, reconstruction_error

    X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=args.data_home, download=False)
    tok = NCVQVAETransformer(
        max_epochs=args.max_epochs, max_time=args.max_time, random_state=seed, **config_params(config)
    )
    t0 = time.perf_counter()
    tok.fit(X_tr)
    fit_s = time.perf_counter() - t0
    rec = reconstruction_error(tok, X_te)
    probes = probe_scores(tok, X_tr, y_tr, X_te, y_te)
    ppl, dead = _perplexity(tok.encode(X_te), tok.codebook_size)
    # full epochs only (the first carries one-off warm-up, the last may be cut by the time budget)
    durs = [r["dur"] for r in tok.history_[1:-1]] or [r["dur"] for r in tok.history_]
    return dict(
        dataset=dataset,
        config=config,
        seed=seed,
        budget=budget_key(args),
        epochs=tok.n_epochs_,
        fit_s=round(fit_s, 1),
        train_series_per_s=round(len(X_tr) / float(np.median(durs)), 1),
        recon_mse_time=round(rec["time"], 5),
        recon_mse_stft=round(rec["stft"], 5),
        knn_acc=round(probes["knn"], 4),
        svm_acc=round(probes["svm"], 4),
        test_perplexity=round(ppl, 2),
        test_dead_codes=dead,
        precision=tok.precision_,
    )


def budget_key(args) -> str:
    return f"e{args.max_epochs}_t{args.max_time}"


def _fmt(v: float) -> str:
    if math.isnan(v):
        return ""
    if v == int(v) or abs(v) >= 10:
        return f"{v:.0f}"
    return f"{v:.3f}"


def summary(args) -> str:
    import pandas as pd

    rows = pd.DataFrame(read_rows(CSV))
    for c in (
        "knn_acc",
        "svm_acc",
        "recon_mse_time",
        "recon_mse_stft",
        "fit_s",
        "epochs",
        "train_series_per_s",
    ):
        rows[c] = rows[c].astype(float)
    agg = (
        rows.groupby(["dataset", "config"])
        .agg(
            seeds=("seed", "count"),
            epochs=("epochs", "mean"),
            fit_s=("fit_s", "mean"),
            knn=("knn_acc", "mean"),
            svm=("svm_acc", "mean"),
            recon_time=("recon_mse_time", "mean"),
            recon_stft=("recon_mse_stft", "mean"),
        )
        .reset_index()
    )
    if args.reference and Path(args.reference).exists():
        ref = pd.read_csv(args.reference)
        ref["config"] = ref["config"].replace({"regular": "naive"}).str.replace("_", "-")
        agg["base_config"] = agg["config"].str.partition("@")[0]
        ref = ref.rename(columns={"config": "base_config"})
        ref = ref[
            [
                "dataset",
                "base_config",
                "s1_knn_acc_mean",
                "s1_svm_acc_mean",
                "s1_val_recon_loss_mean",
                "s1_train_time_s_mean",
            ]
        ].rename(
            columns={
                "s1_knn_acc_mean": "ref_knn",
                "s1_svm_acc_mean": "ref_svm",
                "s1_val_recon_loss_mean": "ref_recon_time+stft_lastbatch",
                "s1_train_time_s_mean": "ref_fit_s_gpu",
            }
        )
        agg = agg.merge(ref, on=["dataset", "base_config"], how="left").drop(columns="base_config")
    for c in agg.columns:
        if agg[c].dtype.kind == "f":
            agg[c] = agg[c].map(_fmt)
    table = markdown_table(agg.to_dict("records"), list(agg.columns))
    CSV.with_suffix(".md").write_text(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="FordA,ECG5000,ElectricDevices,SonyAIBORobotSurface1,Mallat")
    parser.add_argument("--configs", default="naive,barlowtwins-slice,vibcreg-slice")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--max-epochs", type=int, default=1000)
    parser.add_argument("--max-time", type=float, default=120.0, help="seconds per fit (at most 600)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads for this run")
    parser.add_argument("--summary", action="store_true", help="only write the Markdown summary")
    parser.add_argument("--csv", default=None, help="result CSV (default results/stage1.csv)")
    parser.add_argument("--reference", default=None, help="thesis_results.csv for the reference columns")
    args = parser.parse_args()
    global CSV
    if args.csv:
        CSV = Path(args.csv)
    if args.summary:
        print(summary(args))
        return
    if args.max_time is not None and args.max_time > 600:
        parser.error("--max-time is capped at 600 seconds per fit")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    done = {(r["dataset"], r["config"], r["seed"], r["budget"]) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        for config in args.configs.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                if (dataset, config, str(seed), budget_key(args)) in done:
                    continue
                row = run_one(dataset, config, seed, args)
                row["threads"] = args.threads or ""
                append_row(CSV, row)
                print(row, flush=True)


if __name__ == "__main__":
    main()
