"""Re-score the models a benchmark run saved: probes, FID / IS / CAS under other evaluation settings.

Sampling knobs (guidance scale, temperatures, how unconditional samples are drawn), the
tokenizer output the probes read, and the FCN evaluator / CAS classifier recipe all act after
both stages are fitted, so their effect on the test-split scores is measured here on the saved
models (``results/<grid>/models``, written by ``skncvq benchmark``) without refitting them. The
FCN evaluator of each dataset is the run's own (``results/<grid>/evaluators``) when one with
``--fcn-batch-size`` is cached there, else it is fitted on the train split for
``--evaluator-budget`` seconds and cached; the CAS classifier uses the same batch size.
Choose knobs on validation splits first (tune_sampling.py); this script reports the test-split
numbers of a choice already made. With ``--refit-prior`` the prior is fitted again on the saved
tokenizer (same seed and time budget as in the run, the new parameters applied), for parameters
that act in training; the tokenizer, its probes and the evaluator stay the run's. Rows go to
``results/<grid>/rescored.csv``, with how far the samples' token grids lie from the nearest
training grid beside the test series' (``_common.token_novelty``: does the prior copy its
training set?) (resumable: a row is keyed by model, variant, CAS budget and FCN
batch size; rows from before the batch size was a column were run at 256).

Usage:
  python benchmarks/rescore.py --grid default480 --data-home DIR --variant v2 \
      --sampler-params '{"unconditional": "class_prior"}' --cas-budget 240 --fcn-batch-size 32 \
      --probe-output multiscale --threads 1
  python benchmarks/rescore.py --grid default480_column --data-home DIR --datasets ECG5000 \
      --variant balance1 --sampler-params '{"class_balance": 1.0}' --refit-prior \
      --cas-budget 240 --fcn-batch-size 32 --threads 2
"""

from __future__ import annotations

import argparse
import json
import time

from _common import RESULTS, append_row, read_rows, run_evaluator, saved_models, token_novelty

METRICS = ["fid_uncond", "fid_cond", "is_mean", "is_std", "cas", "sample_series_per_s"]


def run(args) -> None:
    import joblib
    import torch
    from sklearn.base import clone

    from skncvq import FCNClassifier
    from skncvq._cell import settings_columns
    from skncvq.datasets import load_ucr
    from skncvq.metrics import generative_scores, probe_scores

    if args.threads:
        torch.set_num_threads(args.threads)
    out = RESULTS / args.grid / "rescored.csv"
    done = {
        (r["model"], r["variant"], r["cas_budget_s"], r.get("fcn_batch_size") or "256")
        for r in read_rows(out)
    }
    params = json.loads(args.sampler_params)
    for path, dataset, config, seed, budget in saved_models(
        args.grid, configs=args.configs, datasets=args.datasets
    ):
        if (path.stem, args.variant, str(args.cas_budget), str(args.fcn_batch_size)) in done:
            continue
        sampler = joblib.load(path).set_params(**params)
        evaluator = run_evaluator(args.grid, dataset, args)
        X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=args.data_home, download=False)
        if sampler.classes_ is not None and getattr(sampler, "class_prior_", None) is None:
            # saved before samplers kept their class frequencies: the model was fitted on this
            # train split, so its frequencies are exactly what fit now stores
            sampler.class_prior_ = (y_tr[:, None] == sampler.classes_[None]).mean(0)
        refit = {}
        if args.refit_prior:
            # clone() would unfit the tokenizer: hand the fitted one back, which fit keeps as is
            sampler = clone(sampler).set_params(tokenizer=sampler.tokenizer_)
            t0 = time.perf_counter()
            sampler.fit(X_tr, y_tr)
            refit = dict(
                s2_epochs=len(sampler.history_),
                s2_fit_s=round(time.perf_counter() - t0, 1),
                s2_lr=sampler.lr_,
                **settings_columns(sampler),
            )
        tok = sampler.tokenizer_.set_params(output=args.probe_output)
        probes = probe_scores(tok, X_tr, y_tr, X_te, y_te)
        t0 = time.perf_counter()
        scores = generative_scores(
            sampler,
            X_te,
            y_te,
            classifier=evaluator,
            y_train=y_tr,
            cas_classifier=FCNClassifier(
                max_epochs=1000, max_time=args.cas_budget, batch_size=args.fcn_batch_size, random_state=seed
            ),
            random_state=seed,
        )
        novelty = token_novelty(sampler, X_tr, X_te, random_state=seed)
        row = dict(
            model=path.stem,
            dataset=dataset,
            config=config,
            seed=seed,
            budget_s=budget,
            variant=args.variant,
            sampler_params=json.dumps(params),
            cas_budget_s=args.cas_budget,
            fcn_batch_size=args.fcn_batch_size,
            probe_output=args.probe_output,
            knn_acc=round(probes["knn"], 4),
            svm_acc=round(probes["svm"], 4),
            evaluator_test_acc=round(float(evaluator.score(X_te, y_te)), 4),
            **{m: round(float(scores[m]), 4) for m in METRICS},
            eval_s=round(time.perf_counter() - t0, 1),
            **{k: round(v, 4) for k, v in novelty.items()},
            threads=args.threads or torch.get_num_threads(),
            **refit,
        )
        append_row(out, row)
        print({k: row[k] for k in ["dataset", "variant", "svm_acc", *METRICS]}, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", default="default480")
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default=None)
    parser.add_argument("--configs", default=None)
    parser.add_argument("--variant", required=True, help="name of this re-scoring in the CSV")
    parser.add_argument("--sampler-params", default="{}", help="JSON of MaskGITSampler parameters")
    parser.add_argument(
        "--refit-prior",
        action="store_true",
        help="fit the prior again on the saved tokenizer (same seed and budget), for training parameters",
    )
    parser.add_argument("--cas-budget", type=float, default=60.0)
    parser.add_argument(
        "--probe-output",
        default="multiscale",
        help="tokenizer output the KNN / SVM probes are re-scored on (the tokenizer's default)",
    )
    parser.add_argument("--fcn-batch-size", type=int, default=32, help="FCN evaluator and CAS classifier")
    parser.add_argument("--evaluator-budget", type=float, default=300.0, help="seconds, when one is fitted")
    parser.add_argument("--threads", type=int, default=None)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
