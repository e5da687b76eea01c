"""The one-liner: ``make_pipeline(NCVQVAETransformer(), head)`` for common heads, against the
best probe on the same features and MiniRocket, with the default fit's time.

For each dataset and seed the default tokenizer is fitted once on the train split (timed; it
never sees labels, so every head shares it) and each head is trained on its ``transform``
output exactly as a user's pipeline would, then scored on the test split:

- the one-liners: ``SVC()``, ``LogisticRegression()``, ``KNeighborsClassifier()``,
  ``RidgeClassifierCV()`` on ``transform``'s output after ``fit(X, y)``, as in a pipeline;
- the reference's probes on the same fitted tokenizer's unprojected "multiscale" features
  (``projection=None``): ``MinMaxScaler((-1, 1))`` + ``SVC(kernel="linear")``
  (``probe_svm``) and ``MinMaxScaler`` + 1-NN (``probe_knn``); ``best_probe`` is the better;
- MiniRocket + ``RidgeClassifierCV`` (aeon's ``MiniRocketClassifier``) in the same run, run by
  the interpreter given with ``--minirocket-python`` (aeon pins an older numba than the
  package's dependencies, so it lives in its own environment); left empty without it.

Rows go to ``results/heads.csv`` as they finish (resumable); the Markdown table to ``heads.md``.

Usage:
  python benchmarks/heads.py --data-home DIR --datasets SonyAIBORobotSurface1,FordA --seeds 0 \
      --threads 2 --minirocket-python ENV/bin/python
  python benchmarks/heads.py --summary
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from _common import RESULTS, append_row, markdown_table, read_rows, run_minirocket

CSV = RESULTS / "heads.csv"
HEADS = ["svc", "logreg", "knn", "ridge"]


def _heads() -> dict:
    from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    return {
        "svc": SVC(),
        "logreg": LogisticRegression(),
        "knn": KNeighborsClassifier(),
        "ridge": RidgeClassifierCV(),
    }


def _probes() -> dict:
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler
    from sklearn.svm import SVC

    return {
        "probe_svm": make_pipeline(MinMaxScaler((-1, 1)), SVC(kernel="linear")),
        "probe_knn": make_pipeline(MinMaxScaler(), KNeighborsClassifier(1)),
    }


def _minirocket(python: str | None, data_home: str, dataset: str, seed: int, threads: int) -> dict:
    if not python:
        return {"minirocket": "", "minirocket_fit_s": ""}
    res = run_minirocket(python, "ucr", data_home, dataset, seed, threads)
    return {"minirocket": round(res["acc"], 4), "minirocket_fit_s": round(res["fit_s"], 1)}


def run(args) -> None:
    import torch
    from sklearn.base import clone
    from study import cpu_name

    from skncvq import NCVQVAETransformer, __version__
    from skncvq.allocator import tune_malloc
    from skncvq.datasets import load_ucr

    tune_malloc()
    torch.set_num_threads(args.threads)
    done = {(r["dataset"], r["seed"]) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=args.data_home, download=False)
        for seed in map(int, args.seeds.split(",")):
            if (dataset, str(seed)) in done:
                continue
            tok = NCVQVAETransformer(random_state=seed)
            t0 = time.perf_counter()
            tok.fit(X_tr, y_tr)  # as in a pipeline, which passes y on
            fit_s = time.perf_counter() - t0
            F_tr, F_te = tok.transform(X_tr), tok.transform(X_te)
            tok.set_params(projection=None)
            R_tr, R_te = tok.transform(X_tr), tok.transform(X_te)
            if args.features_dir:
                Path(args.features_dir).mkdir(parents=True, exist_ok=True)
                np.savez(
                    Path(args.features_dir) / f"{dataset}_{seed}.npz",
                    R_tr=R_tr,
                    R_te=R_te,
                    y_tr=y_tr,
                    y_te=y_te,
                )
            row = dict(
                dataset=dataset,
                seed=seed,
                n_train=len(X_tr),
                length=X_tr.shape[1],
                n_classes=len(np.unique(y_tr)),
                epochs=tok.n_epochs_,
                fit_s=round(fit_s, 1),
                output=tok.output,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for name, head in _heads().items():
                    row[name] = round(float(clone(head).fit(F_tr, y_tr).score(F_te, y_te)), 4)
                for name, probe in _probes().items():
                    row[name] = round(float(probe.fit(R_tr, y_tr).score(R_te, y_te)), 4)
            row["best_probe"] = max(row["probe_svm"], row["probe_knn"])
            row.update(_minirocket(args.minirocket_python, args.data_home, dataset, seed, args.threads))
            row.update(cpu=cpu_name(), threads=args.threads, version=__version__)
            append_row(CSV, row)
            print(row, flush=True)


def summary() -> str:
    import pandas as pd

    df = pd.DataFrame(read_rows(CSV))
    cols = ["best_probe", *HEADS, "minirocket", "fit_s", "minirocket_fit_s"]
    for c in [*cols, "n_train", "length", "epochs", "probe_svm", "probe_knn"]:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    table = df.groupby("dataset")[[*cols, "n_train", "length", "epochs"]].mean()
    table = table.sort_values("n_train")
    means = table[cols].mean()
    rows = []
    for name, r in table.iterrows():
        cells = {
            "dataset": name,
            "n x length": f"{r['n_train']:.0f} x {r['length']:.0f}",
            "epochs": f"{r['epochs']:.0f}",
        }
        for c in cols:
            cells[c] = "" if pd.isna(r[c]) else f"{r[c]:.0f}" if c.endswith("fit_s") else f"{r[c]:.3f}"
        rows.append(cells)
    rows.append(
        {
            "dataset": "**mean**",
            **{
                c: ""
                if pd.isna(means[c])
                else f"{means[c]:.0f}"
                if c.endswith("fit_s")
                else f"{means[c]:.3f}"
                for c in cols
            },
        }
    )
    gaps = {h: means[h] - means["best_probe"] for h in HEADS}
    setup = df.iloc[0]
    machines = "; ".join(
        f"{cpu} ({', '.join(sorted(rows_.dataset.unique()))})" for cpu, rows_ in df.groupby("cpu")
    )
    text = (
        "Test accuracy of `make_pipeline(NCVQVAETransformer(random_state=seed), head)` for each head, "
        "mean over seeds; `best_probe`: the better of the reference's probes (MinMaxScaler + linear SVC, "
        "MinMaxScaler + 1-NN) on the same fitted tokenizer's raw multiscale features; `minirocket`: aeon's "
        "MiniRocket + RidgeClassifierCV in the same run; `fit_s`: the default tokenizer's fit, seconds; "
        f'`epochs`: its `max_epochs="auto"`. {setup["threads"]} threads, skncvq {setup["version"]}, each '
        f"fit with nothing else running; CPUs: {machines}. Command: `python benchmarks/heads.py` (see its "
        "docstring).\n\n"
    )
    text += markdown_table(rows, ["dataset", "n x length", "epochs", *cols])
    text += (
        "\nHead minus best probe, on the mean: " + ", ".join(f"{h} {g:+.3f}" for h, g in gaps.items()) + ".\n"
    )
    (RESULTS / "heads.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="SonyAIBORobotSurface1")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--minirocket-python", default=None, help="an interpreter with aeon installed")
    parser.add_argument("--features-dir", default=None, help="also save each fit's raw features here")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if not args.summary:
        run(args)
    print(summary())


if __name__ == "__main__":
    sys.exit(main())
