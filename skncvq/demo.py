"""``skncvq demo``: the plain VQ-VAE against NC-VQVAE on the embedded Trace data, both stages,
with a Markdown report and a figure of real against synthetic series."""

from __future__ import annotations

import argparse
import time

import numpy as np

from .metrics import EVALUATOR_MAX_TIME

__all__ = ["cmd_demo", "stage1_row", "text_table"]


def text_table(rows: list[dict], columns: list[str]) -> str:
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths)) for r in rows]
    return "\n".join([line, sep, *body])


def stage1_scores(tok, X_train, y_train, X_test, y_test) -> dict:
    """A fitted tokenizer's test reconstruction errors and KNN / linear-SVM probe accuracies, as
    the demo and ``skncvq evaluate`` print them."""
    from .metrics import probe_scores, reconstruction_error

    rec = reconstruction_error(tok, X_test)
    probes = probe_scores(tok, X_train, y_train, X_test, y_test)
    return {
        "recon MSE (time)": f"{rec['time']:.4f}",
        "recon MSE (STFT)": f"{rec['stft']:.4f}",
        "KNN acc": f"{probes['knn']:.3f}",
        "SVM acc": f"{probes['svm']:.3f}",
    }


def stage1_row(name: str, tok, X_train, y_train, X_test, y_test) -> dict:
    """Fit ``tok`` on the train split; its :func:`stage1_scores`, epochs and fit seconds."""
    t0 = time.perf_counter()
    tok.fit(X_train)
    fit_s = time.perf_counter() - t0
    scores = stage1_scores(tok, X_train, y_train, X_test, y_test)
    return {"model": name, **scores, "epochs": tok.n_epochs_, "fit s": f"{fit_s:.1f}"}


def _markdown(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows]
    return "\n".join(lines)


def _stage2_row(
    name: str, tok, fcn, X_train, y_train, X_test, y_test, args, extra: dict
) -> tuple[dict, tuple]:
    from . import FCNClassifier, MaskGITSampler
    from .metrics import generative_scores

    sampler = MaskGITSampler(tokenizer=tok, random_state=args.seed, verbose=args.verbose, **extra)
    t0 = time.perf_counter()
    sampler.fit(X_train, y_train)
    fit_s = time.perf_counter() - t0
    scores = generative_scores(
        sampler,
        X_test,
        y_test,
        classifier=fcn,
        y_train=y_train,
        cas_classifier=FCNClassifier(max_time=EVALUATOR_MAX_TIME, random_state=args.seed, **extra),
        cas_min_total=0,
        random_state=args.seed,
    )
    y_show = np.repeat(sampler.classes_, 5)
    row = {
        "model": name,
        "FID uncond": f"{scores['fid_uncond']:.2f}",
        "FID cond": f"{scores['fid_cond']:.2f}",
        "IS": f"{scores['is_mean']:.2f} ± {scores['is_std']:.2f}",
        "CAS": f"{scores['cas']:.3f}",
        "prior fit s": f"{fit_s:.1f}",
        "sampling series/s": f"{scores['sample_series_per_s']:.0f}",
    }
    return row, (sampler.sample(len(y_show), y=y_show, random_state=args.seed), y_show)


def cmd_demo(args: argparse.Namespace) -> int:
    """Naive VQ-VAE vs NC-VQVAE on Trace: stage-1 table, stage-2 table, figure and report."""
    from pathlib import Path

    from . import FCNClassifier, NCVQVAETransformer
    from ._io import write_text_atomic
    from .datasets import load_trace

    start = time.perf_counter()
    X_train, y_train, X_test, y_test = load_trace()
    print(
        f"Trace: {len(X_train)} train / {len(X_test)} test series of length {X_train.shape[1]}, "
        f"{len(set(y_train))} classes",
        flush=True,
    )
    extra = {} if args.epochs is None else {"max_epochs": args.epochs}
    models = {
        "naive VQ-VAE": NCVQVAETransformer(ssl=None, random_state=args.seed, verbose=args.verbose, **extra),
        "NC-VQVAE (default)": NCVQVAETransformer(random_state=args.seed, verbose=args.verbose, **extra),
    }
    stage1 = []
    for name, tok in models.items():
        print(f"stage 1: fitting {name} ...", flush=True)
        stage1.append(stage1_row(name, tok, X_train, y_train, X_test, y_test))
    print()
    print(text_table(stage1, list(stage1[0])))
    print()
    print("stage 2: fitting the FCN evaluator on the real train split ...", flush=True)
    fcn = FCNClassifier(max_time=EVALUATOR_MAX_TIME, random_state=args.seed, verbose=args.verbose, **extra)
    fcn.fit(X_train, y_train)
    stage2, shown = [], {}
    for name, tok in models.items():
        print(f"stage 2: fitting the MaskGIT prior on {name} tokens, sampling, scoring ...", flush=True)
        row, shown[name] = _stage2_row(name, tok, fcn, X_train, y_train, X_test, y_test, args, extra)
        stage2.append(row)
    print()
    print(text_table(stage2, list(stage2[0])))
    out = Path(args.out)
    figure = None
    try:
        from .plotting import plot_real_vs_synthetic

        fig = plot_real_vs_synthetic(X_test, y_test, shown, path=out / "real_vs_synthetic.png")
        import matplotlib.pyplot as plt

        plt.close(fig)
        figure = "real_vs_synthetic.png"
    except ImportError:
        print("matplotlib is not installed: no figure (pip install skncvq[plots]).")
    total = time.perf_counter() - start
    report = [
        "# skncvq demo: naive VQ-VAE vs NC-VQVAE on Trace",
        "",
        f"{len(X_train)} train / {len(X_test)} test series of length {X_train.shape[1]}, "
        f"{len(set(y_train))} classes; seed {args.seed}; {total:.0f} s in all.",
        "",
        "## Stage 1: tokenizer",
        "",
        _markdown(stage1, list(stage1[0])),
        "",
        "Reconstruction MSE on the test split (globally scaled); KNN (k=5) and linear-SVM probes on "
        "the tokenizer's default output (multi-scale pooled latent), fitted on the train split.",
        "",
        "## Stage 2: class-conditional MaskGIT prior",
        "",
        _markdown(stage2, list(stage2[0])),
        "",
        "FID and IS from an FCN trained on the real train split (FID uncond: as many unconditional "
        "samples as test series; FID cond: one sample per test label); CAS: a fresh FCN trained on "
        "one synthetic series per real train series, accuracy on the real test split.",
    ]
    if figure:
        report += ["", f"![real vs synthetic series per class]({figure})"]
    write_text_atomic(out / "report.md", "\n".join(report) + "\n")
    print(f"\nreport written to {out / 'report.md'}" + (f" with {out / figure}" if figure else ""))
    print(f"total {total:.0f} s")
    return 0
