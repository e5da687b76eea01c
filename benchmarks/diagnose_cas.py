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

The numbers are read on the test split and serve to explain a score, not to choose a setting.
Rows go to ``results/<grid>/cas_by_class.csv`` (resumable per model and CAS budget); the
Markdown table next to it.

Usage:
  python benchmarks/diagnose_cas.py --grid default480_column --data-home DIR --datasets ECG5000 \
      --sampler-params '{"guidance_scale": 2.0}' --cas-budget 240 --fcn-batch-size 32 --threads 2
"""

from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, append_row, markdown_table, read_rows, run_evaluator, saved_models

COLUMNS = ["model", "class", "n_synthetic", "n_test", "recognised", "cas_recall", "cas_to", "cas"]


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
    done = {(r["model"], r["cas_budget_s"], r["sampler_params"]) for r in read_rows(out)}
    for path, dataset, _, seed, _ in saved_models(args.grid, configs=args.configs, datasets=args.datasets):
        if (path.stem, str(args.cas_budget), args.sampler_params) in done:
            continue
        sampler = joblib.load(path).set_params(**params)
        X_train, y_train, X_test, y_test = load_ucr(dataset, data_home=args.data_home)
        evaluator = run_evaluator(args.grid, dataset, args)
        counts = cas_class_counts(y_train)
        y_syn = np.concatenate([np.full(n, label, dtype=y_test.dtype) for label, n in counts.items()])
        t0 = time.perf_counter()
        X_syn = sampler.sample(len(y_syn), y=y_syn, random_state=seed)
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
        print(f"{path.stem}: CAS {cas:.4f}", flush=True)


def summary(grid: str) -> str:
    rows = read_rows(RESULTS / grid / "cas_by_class.csv")
    text = (
        "Per class: the share of class-conditional samples the FCN evaluator calls their class "
        "(recognised), and the recall of the CAS classifier trained on them on the real test "
        "series of the class (cas_recall; cas_to = where most of the rest go). Test split, to "
        "explain the scores; nothing is chosen from it.\n\n"
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
