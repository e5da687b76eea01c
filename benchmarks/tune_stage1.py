"""Tune the stage-1 knobs (SSL weight, learning rate, projector width, SSL phase, batch) on validation splits.

For each dataset: the stratified 75/25 cut of the official train split that tune.py uses (the
test split is never read). Per candidate, an ``NCVQVAETransformer`` with the package defaults
plus the candidate's parameters is fitted on the 75 % part for ``--time`` seconds (the stage-1
share of a benchmark budget: 288 s of 480) and scored on the 25 % part: KNN / linear-SVM probe
accuracy on the default output and reconstruction MSE (time and STFT domain). The candidate
``naive`` (plain VQ-VAE, same time) is the reference for reconstruction parity. Rows go to
results/stage1_knobs.csv as they finish (reruns skip finished rows); ``--summary`` writes
stage1_knobs.md with each candidate's scores and the mean over datasets of its SVM accuracy and
its reconstruction MSE relative to ``naive``.

Candidates add their parameters to the package defaults *of the day the row ran*: the
``default`` rows and the single-knob rows other than ``ssl_until`` ran when ``ssl_until=1.0``
was the default (before commit 461f388); ``ssl_until 0.75`` is today's default. Finished rows
are never rerun, so a name keeps the meaning it had when its rows were written. Rows are keyed by
CPU too: a time-budgeted fit gets more epochs on a faster CPU, so a candidate is rerun on another
CPU and compared only with the ``naive`` rows of its own CPU (``naive batch 64`` is the reference
for ``batch 64`` when the default batch is the question). Like the command line, the script
raises glibc's malloc thresholds first (``skncvq.allocator.tune_malloc``; column
``malloc_tuned``, empty on the rows written before it did, which ran untuned).

Usage:
  python benchmarks/tune_stage1.py --data-home DIR --datasets ECG5000,ElectricDevices \
      --time 144 --threads 2
  python benchmarks/tune_stage1.py --summary
"""

from __future__ import annotations

import argparse

from _common import (
    RESULTS,
    add_malloc_option,
    append_row,
    fit_and_score,
    markdown_table,
    numeric_rows,
    read_rows,
    short_cpu,
    tune_malloc_unless_told,
    validation_split,
)

CSV = RESULTS / "stage1_knobs.csv"
CANDIDATES = {
    "default": {},
    "naive": {"ssl": None},
    "ssl_weight 0.3": {"ssl_weight": 0.3},
    "ssl_weight 3": {"ssl_weight": 3.0},
    "lr 3e-3": {"lr": 3e-3},
    "naive lr 3e-3": {"ssl": None, "lr": 3e-3},
    "lr 3e-4": {"lr": 3e-4},
    "projector 128": {"projector_dim": 128},
    "projector 2048": {"projector_dim": 2048},
    "ssl_until 0.5": {"ssl_until": 0.5},
    "ssl_until 0.75": {"ssl_until": 0.75},
    "ssl_until 0.75 lr 3e-3": {"ssl_until": 0.75, "lr": 3e-3},
    "batch 64": {"batch_size": 64},
    "naive batch 64": {"ssl": None, "batch_size": 64},
    "aug_recon 0": {"aug_recon_weight": 0.0},
    "aug_recon 0.1": {"aug_recon_weight": 0.1},
    "aug_recon 0 batch 64": {"aug_recon_weight": 0.0, "batch_size": 64},
    "view stopgrad": {"ssl_view_grad": False, "ssl_weight": 1.0},  # the weight before 0.5 became the default
    "view stopgrad ssl_until 0.5": {"ssl_view_grad": False, "ssl_until": 0.5, "ssl_weight": 1.0},
    "view stopgrad ssl_weight 0.3": {"ssl_view_grad": False, "ssl_weight": 0.3},
    "view stopgrad ssl_weight 0.5": {"ssl_view_grad": False, "ssl_weight": 0.5},
}
METRICS = ["svm_acc", "knn_acc", "recon_mse_time", "recon_mse_stft", "epochs"]


def run(args) -> None:
    import json

    import torch

    from skncvq import NCVQVAETransformer
    from skncvq.benchmark import _cpu_name

    tuned = tune_malloc_unless_told(args)
    if args.threads:
        torch.set_num_threads(args.threads)
    cpu = _cpu_name()
    done = {(r["dataset"], r["candidate"], r["seed"], r["time_s"], r.get("cpu", "")) for r in read_rows(CSV)}
    names = args.candidates.split(",") if args.candidates else list(CANDIDATES)
    unknown = sorted(set(names) - set(CANDIDATES))
    if unknown:
        raise SystemExit(f"unknown candidates {unknown}; expected names from {sorted(CANDIDATES)}")
    for dataset in args.datasets.split(","):
        X_fit, X_val, y_fit, y_val = validation_split(dataset, args.data_home)
        for name in names:
            if (dataset, name, str(args.seed), str(float(args.time)), cpu) in done:
                continue
            tok = NCVQVAETransformer(
                max_epochs=1000, max_time=args.time, random_state=args.seed, **CANDIDATES[name]
            )
            fit_s, rec, probes = fit_and_score(tok, X_fit, y_fit, X_val, y_val)
            row = dict(
                dataset=dataset,
                candidate=name,
                seed=args.seed,
                time_s=float(args.time),
                params=json.dumps(CANDIDATES[name]),
                epochs=tok.n_epochs_,
                fit_s=round(fit_s, 1),
                svm_acc=round(probes["svm"], 4),
                knn_acc=round(probes["knn"], 4),
                recon_mse_time=round(rec["time"], 5),
                recon_mse_stft=round(rec["stft"], 5),
                latent_width=tok.config_.latent_width,
                skipped_steps=sum(r.get("skipped_steps", 0) for r in tok.history_),
                threads=args.threads or "",
                cpu=cpu,
                malloc_tuned=tuned,
            )
            append_row(CSV, row)
            print({k: row[k] for k in ["dataset", "candidate", *METRICS]}, flush=True)


def summary() -> str:

    rows = numeric_rows(CSV, METRICS)
    rows["cpu"] = rows["cpu"].fillna("").map(short_cpu)
    keys = ["dataset", "time_s", "cpu"]
    per = rows.groupby([*keys, "candidate"])[METRICS].mean().reset_index()
    # a candidate's reconstruction is compared with the naive VQ-VAE of the same CPU and time: a
    # time-budgeted fit gets fewer epochs on a slower CPU
    naive = per[per.candidate == "naive"].set_index(keys)["recon_mse_time"]
    per["recon_vs_naive"] = [
        r.recon_mse_time / naive.get((r.dataset, r.time_s, r.cpu), float("nan")) for r in per.itertuples()
    ]
    mean = per.groupby(["cpu", "candidate"])[["svm_acc", "knn_acc", "recon_vs_naive"]].mean()
    mean = mean.reset_index()
    mean["datasets"] = per.groupby(["cpu", "candidate"]).size().values
    fmt = lambda v: f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"  # noqa: E731
    for frame, cols in (
        (per, [*METRICS, "recon_vs_naive"]),
        (mean, ["svm_acc", "knn_acc", "recon_vs_naive"]),
    ):
        for m in cols:
            frame[m] = frame[m].map(fmt)
    text = (
        "Stage-1 knobs on validation splits (train split cut 75/25; the test split is not used). "
        "`recon_vs_naive`: reconstruction MSE (time domain) over the plain VQ-VAE's at the same "
        "time.\n\n"
    )
    text += markdown_table(
        per.to_dict("records"),
        ["dataset", "time_s", "cpu", "candidate", *METRICS, "recon_vs_naive"],
    )
    text += "\nMean over datasets:\n\n"
    text += markdown_table(
        mean.to_dict("records"),
        ["cpu", "candidate", "datasets", "svm_acc", "knn_acc", "recon_vs_naive"],
    )
    (RESULTS / "stage1_knobs.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="ECG5000,ElectricDevices")
    parser.add_argument("--candidates", default=None, help="comma-separated names from CANDIDATES")
    parser.add_argument("--time", type=float, default=288.0, help="stage-1 seconds per fit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--summary", action="store_true")
    add_malloc_option(parser)
    args = parser.parse_args()
    print(summary() if args.summary else run(args) or "")


if __name__ == "__main__":
    main()
