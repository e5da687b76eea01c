"""Where does stage-2 quality get lost: in the tokenizer's reconstructions or in the prior?

For each saved model of a benchmark run (``results/<run>/models``) and the run's cached FCN
evaluator (fitted on the train split), on a stratified subset of the **train** split (the test
split is never read):

- ``acc_real`` / ``acc_recon`` / ``acc_cond``: evaluator accuracy on the real series, on their
  stage-1 reconstructions, and on class-conditional samples drawn for the same labels. A drop
  from real to recon is the tokenizer's; a further drop to samples is the prior's.
- ``std_recon`` / ``std_sample``: standard deviation relative to the real series (samples that
  mix tokens incoherently come out attenuated).
- the most class-discriminative frequency band of the real series (the rFFT split into
  ``N_BANDS`` equal bands; F statistic of the log band power across classes), and that band's
  F statistic and power (relative to real) in the reconstructions and in the samples.
- ``h_position`` / ``ce_context``: how predictable the tokens are. ``h_position`` is the mean
  entropy (nats) of each grid position's token distribution over the diagnosed series, what a
  sampler that ignores context achieves; ``ce_context`` is the prior's cross-entropy on 5 % of
  the positions masked, the other 95 % given. When the two are close, a token is hardly
  predictable from its context, so the prior can only sample near-independent grids.
- ``acc_iid`` / ``std_iid``: the same sample metrics for grids drawn independently per position
  from the class's own token distribution at that position (the context-free baseline the
  prior has to beat); ``top_class_share``: the share of the prior's samples the evaluator puts
  in its most frequent predicted class (1.0: every sample reads as one class).
- with ``--prior-time T``: the prior refitted on the saved tokenizer for ``T`` seconds, its last
  training loss, and the same sample metrics (does more prior time help?);
- with ``--tokenizer-time T``: the tokenizer refitted (same parameters) for ``T`` seconds and
  the reconstruction metrics (does more stage-1 time help?), optionally with other parameters
  (``--tokenizer-params``); with ``--prior-time`` as well, a prior on the new tokenizer and the
  sample metrics.

Rows go to results/diagnose_stage2.csv as they finish (a rerun skips finished rows); --summary
writes diagnose_stage2.md.

Usage:
  python benchmarks/diagnose_stage2.py --data-home DIR --run default480 --datasets FordA,ElectricDevices
  python benchmarks/diagnose_stage2.py --data-home DIR --datasets FordA --prior-time 420 --threads 2
  python benchmarks/diagnose_stage2.py --summary
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _common import RESULTS, append_row, markdown_table, read_rows, saved_models

CSV = RESULTS / "diagnose_stage2.csv"
N_BANDS = 10
COLUMNS = [
    "dataset",
    "seed",
    "tokenizer",
    "tokenizer_epochs",
    "recon_loss",
    "prior",
    "prior_epochs",
    "prior_loss",
    "acc_real",
    "acc_recon",
    "acc_cond",
    "std_recon",
    "std_sample",
    "band",
    "band_f_real",
    "band_f_recon",
    "band_f_sample",
    "band_power_recon",
    "band_power_sample",
    "h_position",
    "ce_context",
    "acc_iid",
    "std_iid",
    "top_class_share",
]


def band_powers(X: np.ndarray) -> np.ndarray:
    """Power of each series in ``N_BANDS`` equal slices of its rFFT spectrum, ``(n, N_BANDS)``."""
    spectrum = np.abs(np.fft.rfft(X, axis=1)) ** 2
    return np.stack([b.sum(axis=1) for b in np.array_split(spectrum, N_BANDS, axis=1)], axis=1)


def class_f(power: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One-way ANOVA F statistic of the log band power across classes, per band."""
    from sklearn.feature_selection import f_classif

    return np.nan_to_num(f_classif(np.log(power + 1e-12), y)[0])


def position_entropy(tokens: np.ndarray, codebook_size: int) -> float:
    """Mean over grid positions of the entropy (nats) of the tokens at that position, ``(n, N)``."""
    counts = np.stack([np.bincount(col, minlength=codebook_size) for col in tokens.T])  # (N, K)
    p = counts / counts.sum(1, keepdims=True)
    return float(-(p * np.log(np.where(p > 0, p, 1.0))).sum(1).mean())


def context_cross_entropy(sampler, tokens: np.ndarray, y: np.ndarray, *, seed: int, frac=0.05) -> float:
    """The prior's cross-entropy (nats) on ``frac`` of the positions masked, the rest given."""
    import torch

    module = sampler.net_.module_.eval()
    ids = torch.as_tensor(tokens, dtype=torch.long, device=sampler.device_)
    classes = torch.as_tensor(np.searchsorted(sampler.classes_, y), device=sampler.device_)
    mask = torch.rand(ids.shape, generator=torch.Generator().manual_seed(seed)) < frac
    mask = mask.to(ids.device)
    with torch.no_grad():
        logits = module(ids.masked_fill(mask, module.mask_id), classes).float()
    return float(torch.nn.functional.cross_entropy(logits[mask], ids[mask]))


def iid_grids(tokens: np.ndarray, y: np.ndarray, *, seed: int) -> np.ndarray:
    """Grids drawn independently per position from the same class's tokens at that position."""
    rng = np.random.default_rng(seed)
    out = np.empty_like(tokens)
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        donors = rng.choice(rows, size=(len(rows), tokens.shape[1]))  # a donor series per position
        out[rows] = tokens[donors, np.arange(tokens.shape[1])]
    return out


def diagnose(tokenizer, sampler, evaluator, X: np.ndarray, y: np.ndarray, *, seed: int) -> dict:
    """The row's metrics; the sample columns are NaN when ``sampler`` is None."""
    rec = tokenizer.reconstruct(X)
    p_real, p_rec = band_powers(X), band_powers(rec)
    f_real = class_f(p_real, y)
    band = int(np.argmax(f_real))
    row = {
        "acc_real": float((evaluator.predict(X) == y).mean()),
        "acc_recon": float((evaluator.predict(rec) == y).mean()),
        "acc_cond": float("nan"),
        "std_recon": float(rec.std() / X.std()),
        "std_sample": float("nan"),
        "band": band,
        "band_f_real": float(f_real[band]),
        "band_f_recon": float(class_f(p_rec, y)[band]),
        "band_f_sample": float("nan"),
        "band_power_recon": float(p_rec[:, band].mean() / p_real[:, band].mean()),
        "band_power_sample": float("nan"),
    }
    grids = tokenizer.encode(X)  # (n, F, W')
    flat = grids.reshape(len(X), -1)
    iid = tokenizer.decode(iid_grids(flat, y, seed=seed).reshape(grids.shape))
    row.update(
        h_position=position_entropy(flat, tokenizer.config_.codebook_size),
        ce_context=float("nan"),
        acc_iid=float((evaluator.predict(iid) == y).mean()),
        std_iid=float(iid.std() / X.std()),
        top_class_share=float("nan"),
    )
    if sampler is not None:
        samples = sampler.sample(len(y), y=y, random_state=seed)
        p_smp = band_powers(samples)
        predicted = evaluator.predict(samples)
        row.update(
            ce_context=context_cross_entropy(sampler, flat, y, seed=seed),
            top_class_share=float(np.unique(predicted, return_counts=True)[1].max() / len(y)),
            acc_cond=float((predicted == y).mean()),
            std_sample=float(samples.std() / X.std()),
            band_f_sample=float(class_f(p_smp, y)[band]),
            band_power_sample=float(p_smp[:, band].mean() / p_real[:, band].mean()),
        )
    return row


def run(args) -> None:
    import joblib
    import torch
    from sklearn.base import clone
    from sklearn.model_selection import train_test_split

    from skncvq import MaskGITSampler
    from skncvq.datasets import load_ucr

    if args.threads:
        torch.set_num_threads(args.threads)
    params = json.loads(args.tokenizer_params) if args.tokenizer_params else {}
    if params and not args.tokenizer_time:
        raise SystemExit("--tokenizer-params needs --tokenizer-time (the saved tokenizer is not refitted)")
    tokenizer = f"refit {args.tokenizer_time:g} s" if args.tokenizer_time else "saved"
    tokenizer += "".join(f" {k}={v}" for k, v in params.items())
    prior = (
        f"refit {args.prior_time:g} s" if args.prior_time else ("none" if args.tokenizer_time else "saved")
    )
    done = {
        (r["dataset"], r["seed"], r.get("tokenizer") or "saved", r["prior"], r.get("model_id", ""))
        for r in read_rows(CSV)
    }
    for path, dataset, _config, seed, _ in saved_models(args.run, configs="default", datasets=args.datasets):
        if args.seeds and str(seed) not in args.seeds.split(","):
            continue
        mid = model_id(path)
        if (dataset, str(seed), tokenizer, prior, mid) in done:
            continue
        X_train, y_train, _, _ = load_ucr(dataset, data_home=args.data_home, download=False)
        X, y = X_train, y_train
        if len(y) > args.n:
            X, _, y, _ = train_test_split(X, y, train_size=args.n, stratify=y, random_state=0)
        sampler = joblib.load(path)
        evaluator = joblib.load(
            RESULTS / args.run / "evaluators" / f"{dataset}__bs{args.fcn_batch_size}.joblib"
        )
        t0 = time.perf_counter()
        tok = sampler.tokenizer_
        if args.tokenizer_time:
            tok = clone(tok).set_params(max_epochs=10_000, max_time=args.tokenizer_time, **params)
            tok.fit(X_train)
            sampler = None
        if args.prior_time:
            sampler = MaskGITSampler(
                tokenizer=tok, max_epochs=10_000, max_time=args.prior_time, random_state=seed
            ).fit(X_train, y_train)
        losses = [h["train_loss"] for h in sampler.history_ if "train_loss" in h] if sampler else [np.nan]
        row = dict(
            dataset=dataset,
            seed=seed,
            tokenizer=tokenizer,
            tokenizer_epochs=tok.n_epochs_,
            recon_loss=round(float(tok.history_[-1]["recon_time"]), 4),
            prior=prior,
            prior_epochs=len(sampler.history_) if sampler else 0,
            prior_loss=round(float(losses[-1]), 4),
            n_series=len(y),
            model_id=mid,
            **{
                k: round(v, 4) if isinstance(v, float) else v
                for k, v in diagnose(tok, sampler, evaluator, X, y, seed=seed).items()
            },
            total_s=round(time.perf_counter() - t0, 1),
        )
        append_row(CSV, row)
        print({k: row[k] for k in COLUMNS}, flush=True)


def model_id(path) -> str:
    """Short content hash of a saved model file, so rows of a replaced model are told apart."""
    import hashlib

    with open(path, "rb") as fh:
        return hashlib.sha1(fh.read()).hexdigest()[:10]


def summary(run: str) -> str:
    rows = sorted(
        read_rows(CSV), key=lambda r: (r["dataset"], r["seed"], r.get("tokenizer") or "saved", r["prior"])
    )
    current = {model_id(path) for path, *_ in saved_models(run, configs="default")}
    for r in rows:
        r["tokenizer"] = r.get("tokenizer") or "saved"
    now = [r for r in rows if r.get("model_id") in current]
    before = [r for r in rows if r.get("model_id") not in current]
    text = (
        "Stage-2 diagnosis on a stratified subset of each train split (diagnose_stage2.py; the "
        "test split is not read). acc_*: the run's FCN evaluator on real series, their "
        "reconstructions and class-conditional samples for the same labels; std_*: relative to "
        f"the real series; band: the most class-discriminative of {N_BANDS} equal rFFT bands of the "
        "real series (F statistic of log band power across classes), its F in reconstructions "
        "and samples, and its power relative to real; h_position / ce_context: entropy of each "
        "position's tokens vs the prior's cross-entropy with 95 % of the grid given; acc_iid / "
        "std_iid: grids drawn independently per position from the class's tokens; "
        "top_class_share: the share of samples read as the evaluator's most frequent class.\n\n"
        f"### The models saved in results/{run} now\n\n"
    )
    text += markdown_table(now, COLUMNS)
    text += (
        "\n\n### Earlier models (since replaced by reruns under changed defaults; the newer "
        "columns are empty where these rows predate them)\n\n"
    )
    return text + markdown_table(before, COLUMNS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--run", default="default480")
    parser.add_argument("--datasets", default=None, help="comma-separated; default: every saved model")
    parser.add_argument("--seeds", default=None, help="comma-separated; default: every saved seed")
    parser.add_argument("--n", type=int, default=500, help="train series to diagnose on (stratified subset)")
    parser.add_argument(
        "--prior-time", type=float, default=None, help="refit the prior for this many seconds"
    )
    parser.add_argument(
        "--tokenizer-time",
        type=float,
        default=None,
        help="refit the tokenizer (same parameters) for this many seconds; samples only with --prior-time",
    )
    parser.add_argument(
        "--tokenizer-params",
        default=None,
        help="with --tokenizer-time: JSON overrides, e.g. '{\"latent_width\": 32}'",
    )
    parser.add_argument("--fcn-batch-size", type=int, default=32, help="which cached evaluator")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if args.summary:
        text = summary(args.run)
        (RESULTS / "diagnose_stage2.md").write_text(text)
        print(text)
    else:
        run(args)


if __name__ == "__main__":
    main()
