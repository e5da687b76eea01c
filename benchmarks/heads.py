"""The one-liner: ``make_pipeline(NCVQVAETransformer(), head)`` for common heads, against the
reference's linear probe on the same features, with the default fit's time.

For each dataset and seed the default tokenizer is fitted once on the train split (timed; the
tokenizer never sees labels, so every head shares it) and each head is trained on its
``transform`` output as a user's pipeline would, then scored on the test split:

- the one-liners: ``SVC()``, ``LogisticRegression()``, ``KNeighborsClassifier()``,
  ``RidgeClassifierCV()``, directly on ``transform``'s output;
- the same heads after a ``StandardScaler`` (``std_*`` columns), to see what scaling buys;
- the reference's probe: ``MinMaxScaler((-1, 1))`` + ``SVC(kernel="linear")`` (``probe``);
- MiniRocket + ``RidgeClassifierCV`` (aeon) when aeon is installed, else left empty.

Rows go to ``results/heads.csv`` as they finish (resumable); ``--summary`` writes ``heads.md``.

Usage:
  python benchmarks/heads.py --data-home DIR --datasets Trace,SonyAIBORobotSurface1 --seeds 0 --threads 2
  python benchmarks/heads.py --summary
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _common import RESULTS, append_row, markdown_table, read_rows

CSV = RESULTS / "heads.csv"
HEADS = ["svc", "logreg", "knn", "ridge"]


def _heads():
    from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    return {
        "svc": SVC(),
        "logreg": LogisticRegression(max_iter=1000),
        "knn": KNeighborsClassifier(),
        "ridge": RidgeClassifierCV(),
    }


def _minirocket(X_tr, y_tr, X_te, y_te) -> float | None:
    try:
        from aeon.transformations.collection.convolution_based import MiniRocket
    except ImportError:
        return None
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(
        MiniRocket(random_state=0), StandardScaler(with_mean=False), RidgeClassifierCV(np.logspace(-3, 3, 10))
    )
    return float(model.fit(X_tr[:, None, :], y_tr).score(X_te[:, None, :], y_te))


def run(args) -> None:
    import torch
    from sklearn.base import clone
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler, StandardScaler
    from sklearn.svm import SVC

    from skncvq import NCVQVAETransformer
    from skncvq.allocator import tune_malloc
    from skncvq.benchmark import cpu_name
    from skncvq.datasets import load_trace, load_ucr

    tune_malloc()
    if args.threads:
        torch.set_num_threads(args.threads)
    done = {(r["dataset"], r["seed"]) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        if dataset == "Trace":
            X_tr, y_tr, X_te, y_te = load_trace()
        else:
            X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=args.data_home, download=False)
        for seed in map(int, args.seeds.split(",")):
            if (dataset, str(seed)) in done:
                continue
            tok = NCVQVAETransformer(random_state=seed)
            t0 = time.perf_counter()
            tok.fit(X_tr)
            fit_s = time.perf_counter() - t0
            F_tr, F_te = tok.transform(X_tr), tok.transform(X_te)
            row = dict(
                dataset=dataset,
                seed=seed,
                n_train=len(X_tr),
                length=X_tr.shape[1],
                n_classes=len(np.unique(y_tr)),
                fit_s=round(fit_s, 1),
                epochs=tok.n_epochs_,
                output=tok.output,
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for name, head in _heads().items():
                    row[name] = round(float(clone(head).fit(F_tr, y_tr).score(F_te, y_te)), 4)
                    std = make_pipeline(StandardScaler(), clone(head))
                    row[f"std_{name}"] = round(float(std.fit(F_tr, y_tr).score(F_te, y_te)), 4)
                probe = make_pipeline(MinMaxScaler((-1, 1)), SVC(kernel="linear"))
                row["probe"] = round(float(probe.fit(F_tr, y_tr).score(F_te, y_te)), 4)
            mr = _minirocket(X_tr, y_tr, X_te, y_te)
            row["minirocket"] = "" if mr is None else round(mr, 4)
            row["cpu"] = cpu_name()
            row["threads"] = torch.get_num_threads()
            append_row(CSV, row)
            print(row, flush=True)


def summary() -> str:
    import pandas as pd

    df = pd.DataFrame(read_rows(CSV))
    cols = ["probe", *HEADS, *(f"std_{h}" for h in HEADS), "minirocket", "fit_s"]
    for c in cols:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    table = df.groupby("dataset")[cols].mean()
    table.loc["**mean**"] = table.mean()
    rows = [
        {
            "dataset": k,
            **{c: "" if pd.isna(v) else f"{v:.3f}" if c != "fit_s" else f"{v:.0f}" for c, v in r.items()},
        }
        for k, r in table.iterrows()
    ]
    text = (
        "Test accuracy of each head on the default tokenizer's `transform` output (mean over seeds); "
        "`probe`: MinMaxScaler((-1, 1)) + linear SVC, the reference protocol; `std_*`: the head after a "
        "StandardScaler; `fit_s`: the default tokenizer's fit, seconds.\n\n"
    )
    text += markdown_table(rows, ["dataset", *cols])
    (RESULTS / "heads.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="Trace")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if not args.summary:
        run(args)
    print(summary())


if __name__ == "__main__":
    main()
