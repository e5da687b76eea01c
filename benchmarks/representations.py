"""Which tokenizer output does the linear SVM like best? Re-probes the tokenizers the grid saved.

For every model under ``results/<grid>/models`` (written by ``python benchmarks/run_grid.py``), transform the
train and test splits with each output (pooled quantized latent = the reference's probe feature,
pooled continuous latent, code histogram, multi-scale pooling, flattened quantized latent) and
score KNN (k=5) and linear-SVM probes (skncvq.metrics.probe_scores). No model is retrained.

Usage:
  python benchmarks/representations.py --data-home DIR [--grid grid] [--configs naive,barlowtwins-slice]
  python benchmarks/representations.py --summary --peers PATH/peer_results.csv
  python benchmarks/representations.py --cv --data-home DIR --grid default480 --configs default
Appends to results/representations.csv (resumable) and writes representations.md.

``--cv`` chooses an output without the test split: the tokenizer is fitted without labels, so the
linear-SVM probe (same scaling) is 5-fold stratified cross-validated on the train split's
features alone; rows go to results/representations_cv.csv and the summary shows them beside the
test-split accuracies.
"""

from __future__ import annotations

import argparse
import time

from _common import RESULTS, append_row, markdown_table, read_rows, saved_models

CSV = RESULTS / "representations.csv"
CV_CSV = RESULTS / "representations_cv.csv"
OUTPUTS = ("pooled", "pooled_continuous", "histogram", "multiscale", "latent")
PEERS = {
    "ts2vec_svm_rbf": ("TS2Vec[TEST-T14 'TS2Vec' col]", "acc_default_split_svm_rbf"),
    "minirocket": ("MiniRocket", "acc_default_split"),
}


def _todo(args, csv, outputs):
    """``(meta, tokenizer, splits, outputs left)`` of every saved model with rows still missing."""
    import joblib

    from skncvq.datasets import load_ucr

    done = {(r["model"], r["output"]) for r in read_rows(csv)}
    for path, dataset, config, seed, budget in saved_models(
        args.grid, configs=args.configs, datasets=args.datasets
    ):
        todo = [o for o in outputs if (path.stem, o) not in done]
        if todo:
            meta = dict(model=path.stem, dataset=dataset, config=config, seed=seed, budget_s=budget)
            splits = load_ucr(dataset, data_home=args.data_home, download=False)
            yield meta, joblib.load(path).tokenizer_, splits, todo


def run(args) -> None:
    from skncvq.metrics import probe_scores

    for meta, tok, (X_tr, y_tr, X_te, y_te), todo in _todo(args, CSV, OUTPUTS):
        for output in todo:
            t0 = time.perf_counter()
            scores = probe_scores(tok.set_params(output=output), X_tr, y_tr, X_te, y_te)
            row = dict(
                **meta,
                output=output,
                n_features=tok.transform(X_te[:1]).shape[1],
                knn_acc=round(scores["knn"], 4),
                svm_acc=round(scores["svm"], 4),
                probe_s=round(time.perf_counter() - t0, 1),
            )
            append_row(CSV, row)
            print(row, flush=True)


def run_cv(args) -> None:
    """5-fold CV of the linear-SVM probe on the train split's features (no test data read)."""
    import numpy as np
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from skncvq.metrics import probe_pipeline

    for meta, tok, (X_tr, y_tr, _, _), todo in _todo(args, CV_CSV, args.outputs.split(",")):
        n_splits = int(min(5, np.unique(y_tr, return_counts=True)[1].min()))
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0)
        for output in todo:
            t0 = time.perf_counter()
            features = tok.set_params(output=output).transform(X_tr)
            acc = cross_val_score(probe_pipeline("svm"), features, y_tr, cv=folds)
            row = dict(
                **meta,
                output=output,
                n_splits=n_splits,
                cv_svm_acc=round(float(acc.mean()), 4),
                cv_s=round(time.perf_counter() - t0, 1),
            )
            append_row(CV_CSV, row)
            print(row, flush=True)


def _table(rows: list[dict], value: str, *, peers=None, skipna: bool = True) -> str:
    """Markdown table of ``value`` per (dataset, config) x output, means over seeds, a mean row per
    config (with ``skipna=False`` blank where an output misses a dataset), optional peer columns."""
    import pandas as pd

    rows = pd.DataFrame(rows)
    rows[value] = rows[value].astype(float)
    table = rows.pivot_table(index=["dataset", "config"], columns="output", values=value, aggfunc="mean")
    table = table[[o for o in OUTPUTS if o in table.columns]].reset_index()
    if peers is not None:
        for name, (method, metric) in PEERS.items():
            sel = peers[(peers["method"] == method) & (peers["metric"] == metric)]
            table[name] = table["dataset"].map(sel.set_index("dataset")["value"].astype(float))
    numeric = table.drop(columns=["dataset", "config"]).groupby(table["config"])
    means = numeric.agg(lambda c: c.mean(skipna=skipna)).reset_index()
    means.insert(0, "dataset", "mean over datasets")
    out = pd.concat([table, means], ignore_index=True)
    for c in out.columns[2:]:
        out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.3f}")
    return markdown_table(out.to_dict("records"), list(out.columns))


def summary(args) -> str:
    import pandas as pd

    peers = pd.read_csv(args.peers) if args.peers else None
    text = "Linear-SVM probe accuracy per tokenizer output (mean over seeds)\n\n"
    text += _table(read_rows(CSV), "svm_acc", peers=peers)
    cv = read_rows(CV_CSV)
    if cv:
        text += (
            "\nChoosing without the test split: stratified 5-fold cross-validated linear-SVM "
            "accuracy on the train split's features (the tokenizers never saw labels; fewer folds "
            "where a class has fewer than 5 train series: ECG5000 and Mallat get 2). "
            "Only the candidate outputs were cross-validated on the large datasets.\n\n"
        )
        text += _table(cv, "cv_svm_acc", skipna=False)
    (RESULTS / "representations.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--grid", default="grid", help="results/<grid>/models holds the saved models")
    parser.add_argument("--configs", default=None, help="only these configurations")
    parser.add_argument("--datasets", default=None, help="only these datasets")
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--cv", action="store_true", help="cross-validate the probe on the train split")
    parser.add_argument("--outputs", default=",".join(OUTPUTS), help="with --cv: only these outputs")
    parser.add_argument("--peers", default=None, help="peer_results.csv for TS2Vec / MiniRocket columns")
    args = parser.parse_args()
    if args.summary:
        print(summary(args))
    elif args.cv:
        run_cv(args)
    else:
        run(args)


if __name__ == "__main__":
    main()
