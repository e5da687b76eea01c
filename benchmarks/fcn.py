"""FCN evaluator benchmark: test accuracy per UCR dataset at a time budget, the FID between the
real train and test splits (the floor any generator can reach) and the Inception Score of the real
test split (what real data scores under the same evaluator; generated series are judged against it).

With ``--run NAME`` the evaluator is the one ``python benchmarks/run_grid.py --out results/NAME`` uses
(``study.fit_evaluator``: fitted and cached there, or loaded from that cache), so the
real-data scores are those of the evaluator that scored the run's samples.

Usage: python benchmarks/fcn.py --data-home DIR [--datasets A,B] [--max-time 300] [--threads N]
       python benchmarks/fcn.py --data-home DIR --run default480 --threads 2
       python benchmarks/fcn.py --summary --peers PATH/peer_results.csv
Appends to benchmarks/results/fcn.csv (resumable) and writes fcn.md.
"""

from __future__ import annotations

import argparse
import time

from _common import RESULTS, append_row, markdown_table, read_rows

CSV = RESULTS / "fcn.csv"
ALL = "FordA,FordB,ECG5000,ElectricDevices,Mallat,ShapesAll,SonyAIBORobotSurface1,SonyAIBORobotSurface2"


def _key(args) -> str:
    key = f"e{args.max_epochs}_t{args.max_time}_bs{args.batch_size}"
    return f"{key}_{args.run}" if args.run else key


def _inception(X, fcn) -> float:
    """IS with the splits generative_scores uses for samples: 10, fewer so a split keeps >= 50."""

    from skncvq.metrics import inception_score, is_splits

    n_splits = is_splits(len(X))
    return round(inception_score(X, classifier=fcn, n_splits=n_splits, random_state=0)[0], 4)


def run_one(dataset: str, args) -> dict:
    from study import evaluator_path, fit_evaluator

    from skncvq import FCNClassifier
    from skncvq.datasets import load_ucr
    from skncvq.metrics import fid_score

    X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=args.data_home, download=False)
    t0 = time.perf_counter()
    cached = bool(args.run) and evaluator_path(RESULTS / args.run, dataset, args.batch_size).exists()
    if args.run:
        fcn = fit_evaluator(
            dataset,
            data_home=args.data_home,
            out=RESULTS / args.run,
            max_time=args.max_time,
            threads=args.threads,
            batch_size=args.batch_size,
        )
    else:
        fcn = FCNClassifier(
            max_epochs=args.max_epochs,
            max_time=args.max_time,
            batch_size=args.batch_size,
            random_state=args.seed,
        )
        fcn.fit(X_tr, y_tr)
    fit_s = time.perf_counter() - t0
    return dict(
        dataset=dataset,
        seed=args.seed,
        budget=_key(args),
        epochs=len(fcn.history_),
        fit_s="cached" if cached else round(fit_s, 1),
        test_acc=round(fcn.score(X_te, y_te), 4),
        train_acc=round(fcn.score(X_tr, y_tr), 4),
        fid_train_vs_test=round(fid_score(X_tr, X_te, classifier=fcn), 4),
        is_test=_inception(X_te, fcn),
        is_train=_inception(X_tr, fcn),
        precision=fcn.precision_,
    )


def summary(args) -> str:
    import pandas as pd

    rows = pd.DataFrame(read_rows(CSV))
    if args.peers:
        peers = pd.read_csv(args.peers)
        split = peers[peers["metric"] == "acc_default_split"]
        for method in ("InceptionTime", "MiniRocket"):
            acc = split[split["method"] == method].set_index("dataset")["value"]
            rows[method.lower() + "_acc"] = rows["dataset"].map(acc)
    table = markdown_table(rows.to_dict("records"), list(rows.columns))
    (RESULTS / "fcn.md").write_text(table)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default=ALL)
    parser.add_argument("--max-epochs", type=int, default=1000)
    parser.add_argument("--max-time", type=float, default=300.0, help="seconds per fit (at most 300)")
    parser.add_argument("--batch-size", type=int, default=32, help="FCN batch (the evaluators' default)")
    parser.add_argument(
        "--run",
        default=None,
        help="use (or fit and cache) the evaluator of benchmark run results/RUN; seed 0",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--summary", action="store_true")
    parser.add_argument("--peers", default=None, help="peer_results.csv for the supervised ceilings")
    args = parser.parse_args()
    if args.summary:
        print(summary(args))
        return
    if args.max_time > 300:
        parser.error("--max-time is capped at 300 seconds per dataset")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.run and args.seed != 0:
        parser.error("--run uses the run's evaluator, which is fitted with seed 0")
    done = {(r["dataset"], r["seed"], r["budget"]) for r in read_rows(CSV)}
    for dataset in args.datasets.split(","):
        if (dataset, str(args.seed), _key(args)) in done:
            continue
        row = run_one(dataset, args)
        row["threads"] = args.threads or ""
        append_row(CSV, row)
        print(row, flush=True)


if __name__ == "__main__":
    main()
