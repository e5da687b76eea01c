"""Where a saved model's CAS is lost: per class, how faithful its samples are and what the CAS classifier makes of real series.

For each model a benchmark run saved (``results/<grid>/models``), draws a CAS training set as
the benchmark does (the train split's class counts, scaled to at least 1000 series), and writes
one row per class with

- ``n_synthetic``: the class's synthetic series;
- ``recognised``: the share of them that the run's FCN evaluator (trained on the real train
  split) calls that class, i.e. how faithful the class-conditional samples are;
- ``cas_recall``: the share of the class's real test series that a fresh CAS classifier, trained
  on the synthetic set for ``--cas-budget`` seconds, gets right; ``cas_to`` the class it sends
  most of the rest to;
- ``cas``: the overall accuracy of that classifier (the same on every row of the model).

With ``--train-on reconstructions`` the CAS classifier is trained instead on the tokenizer's
reconstructions of the real train split (its own class counts, not scaled), and with
``--train-on real`` on the real train split itself, at the same budget, batch and seed. Read
beside the samples' rows, they split a CAS gap into what the tokenizer loses (real ->
reconstructions: a prior that drew the train split's own token grids would score about the
reconstructions' CAS) and what the prior loses (reconstructions -> samples).

The numbers are read on the test split and serve to explain a score, not to choose a setting.
Rows go to ``results/<grid>/cas_by_class.csv`` (resumable per model, CAS budget, sampling
knobs and training source); the Markdown table next to it.

Usage:
  python benchmarks/diagnose_cas.py --grid default480_column --data-home DIR --datasets ECG5000 \
      --sampler-params '{"guidance_scale": 2.0}' --cas-budget 240 --fcn-batch-size 32 --threads 2
  python benchmarks/diagnose_cas.py --grid default480_column --data-home DIR --datasets FordB \
      --train-on reconstructions --cas-budget 240 --fcn-batch-size 32 --threads 2
"""

from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, append_row, markdown_table, read_rows, run_evaluator, saved_models

SOURCES = ("samples", "reconstructions", "real")
COLUMNS = ["model", "source", "class", "n_synthetic", "n_test", "recognised", "cas_recall", "cas_to", "cas"]


def run(args) -> None:
    import joblib
    import numpy as np
    import torch
    from sklearn.metrics import confusion_matrix

    from skncvq import FCNClassifier
    from skncvq.datasets import load_ucr
    from skncvq.metrics import cas_class_counts

    if args.threads:
        torch.set_num_threads(args.threads)
    out = RESULTS / args.grid / "cas_by_class.csv"
    params = json.loads(args.sampler_params)
    # rows from before --train-on have no source: they trained on samples
    keys = ("model", "cas_budget_s", "sampler_params")
    done = {(*(r[k] for k in keys), r.get("source") or "samples") for r in read_rows(out)}
    for path, dataset, _, seed, _ in saved_models(args.grid, configs=args.configs, datasets=args.datasets):
        if (path.stem, str(args.cas_budget), args.sampler_params, args.train_on) in done:
            continue
        sampler = joblib.load(path).set_params(**params)
        X_train, y_train, X_test, y_test = load_ucr(dataset, data_home=args.data_home)
        evaluator = run_evaluator(args.grid, dataset, args)
        t0 = time.perf_counter()
        if args.train_on == "samples":
            counts = cas_class_counts(y_train)
            y_syn = np.concatenate([np.full(n, label, dtype=y_test.dtype) for label, n in counts.items()])
            X_syn = sampler.sample(len(y_syn), y=y_syn, random_state=seed)
        else:
            labels, sizes = np.unique(y_train, return_counts=True)
            counts = dict(zip(labels.tolist(), sizes.tolist()))
            y_syn = y_train
            X_syn = sampler.tokenizer_.reconstruct(X_train) if args.train_on == "reconstructions" else X_train
        called = evaluator.predict(X_syn)
        cas_fcn = FCNClassifier(
            max_epochs=1000, max_time=args.cas_budget, batch_size=args.fcn_batch_size, random_state=seed
        ).fit(X_syn, y_syn)
        predicted = cas_fcn.predict(X_test)
        labels = list(counts)
        confusion = confusion_matrix(y_test, predicted, labels=labels)
        cas = float((predicted == y_test).mean())
        for i, label in enumerate(labels):
            others = confusion[i].copy()
            others[i] = -1
            n_test = int(confusion[i].sum())
            append_row(
                out,
                dict(
                    model=path.stem,
                    source=args.train_on,
                    dataset=dataset,
                    seed=seed,
                    sampler_params=args.sampler_params,
                    guidance_scale=sampler.guidance_scale,
                    cas_budget_s=args.cas_budget,
                    fcn_batch_size=args.fcn_batch_size,
                    **{"class": label},
                    n_synthetic=counts[label],
                    n_test=n_test,
                    recognised=round(float((called[y_syn == label] == label).mean()), 4),
                    cas_recall=round(confusion[i, i] / n_test, 4) if n_test else "",
                    cas_to=labels[int(others.argmax())] if n_test and others.max() > 0 else "",
                    cas=round(cas, 4),
                    eval_s=round(time.perf_counter() - t0, 1),
                ),
            )
        print(f"{path.stem} ({args.train_on}): CAS {cas:.4f}", flush=True)


def summary(grid: str) -> str:
    rows = read_rows(RESULTS / grid / "cas_by_class.csv")
    for r in rows:
        r["source"] = r.get("source") or "samples"
    text = (
        "Per class: the share of the CAS classifier's training series that the FCN evaluator "
        "calls their class (recognised), and the recall of the CAS classifier on the real test "
        "series of the class (cas_recall; cas_to = where most of the rest go). source: what the "
        "CAS classifier trained on, class-conditional samples (the CAS score), the tokenizer's "
        "reconstructions of the real train split or the real train split itself (same budget, "
        "batch and seed). Test split, to explain the scores; nothing is chosen from it.\n\n"
    )
    text += markdown_table(rows, [*COLUMNS, "guidance_scale", "cas_budget_s"])
    (RESULTS / grid / "cas_by_class.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", required=True, help="a folder under benchmarks/results")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--configs", default=None)
    parser.add_argument(
        "--sampler-params", default="{}", help="JSON of sampling knobs set on each model first"
    )
    parser.add_argument(
        "--train-on", choices=SOURCES, default="samples", help="what the CAS classifier trains on"
    )
    parser.add_argument("--cas-budget", type=float, default=240.0)
    parser.add_argument("--fcn-batch-size", type=int, default=32)
    parser.add_argument("--evaluator-budget", type=float, default=300.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if not args.summary:
        run(args)
    print(summary(args.grid))


if __name__ == "__main__":
    main()
