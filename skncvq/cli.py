"""Command line: ``skncvq demo`` and ``skncvq fit``; argparse on top of the estimators."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

__all__ = ["main", "build_parser"]


def _table(rows: list[dict], columns: list[str]) -> str:
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths)) for r in rows]
    return "\n".join([line, sep, *body])


def _stage1_row(name: str, tok, X_train, y_train, X_test, y_test) -> dict:
    from .metrics import probe_scores, reconstruction_error

    t0 = time.perf_counter()
    tok.fit(X_train)
    fit_s = time.perf_counter() - t0
    rec = reconstruction_error(tok, X_test)
    probes = probe_scores(tok, X_train, y_train, X_test, y_test)
    return {
        "model": name,
        "recon MSE (time)": f"{rec['time']:.4f}",
        "recon MSE (STFT)": f"{rec['stft']:.4f}",
        "KNN acc": f"{probes['knn']:.3f}",
        "SVM acc": f"{probes['svm']:.3f}",
        "epochs": tok.n_epochs_,
        "fit s": f"{fit_s:.1f}",
    }


def cmd_demo(args: argparse.Namespace) -> int:
    """Fit the naive VQ-VAE and the default NC-VQVAE on Trace and print a comparison table."""
    from . import NCVQVAETransformer
    from .datasets import load_trace

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
    rows = []
    for name, tok in models.items():
        print(f"fitting {name} ...", flush=True)
        rows.append(_stage1_row(name, tok, X_train, y_train, X_test, y_test))
    print()
    print(_table(rows, list(rows[0])))
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit a tokenizer on a UCR dataset (or Trace), print its probes and optionally save it."""
    import joblib

    from . import NCVQVAETransformer
    from .datasets import load_trace, load_ucr

    if args.dataset.lower() == "trace" and args.data_home is None:
        X_train, y_train, X_test, y_test = load_trace()
    else:
        X_train, y_train, X_test, y_test = load_ucr(args.dataset, data_home=args.data_home)
    tok = NCVQVAETransformer(
        ssl=None if args.ssl == "none" else args.ssl,
        augmentations=args.augmentations,
        max_epochs=args.epochs,
        max_time=args.max_time,
        random_state=args.seed,
        verbose=args.verbose,
    )
    row = _stage1_row(f"{args.dataset} {args.ssl}", tok, X_train, y_train, X_test, y_test)
    print(_table([row], list(row)))
    if args.save:
        joblib.dump(tok, args.save)
        print(f"saved to {args.save}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``skncvq`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="skncvq", description="NC-VQVAE tokenizers for time series, with a scikit-learn API."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="naive VQ-VAE vs NC-VQVAE on the embedded Trace data")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--verbose", type=int, default=0)
    demo.add_argument("--epochs", type=int, default=None, help="override the default number of epochs")
    demo.set_defaults(func=cmd_demo)
    fit = sub.add_parser("fit", help="fit a tokenizer on a UCR dataset and report its probes")
    fit.add_argument("dataset", help="UCR dataset name, or 'Trace' for the embedded data")
    fit.add_argument("--data-home", default=None, help="folder holding <name>/<name>_TRAIN.tsv[.gz]")
    fit.add_argument("--ssl", choices=["barlowtwins", "vibcreg", "none"], default="barlowtwins")
    fit.add_argument("--augmentations", choices=["warp", "slice", "gauss"], default="slice")
    fit.add_argument("--epochs", type=int, default=100)
    fit.add_argument("--max-time", type=float, default=None, help="time budget in seconds")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--verbose", type=int, default=0)
    fit.add_argument("--save", default=None, help="write the fitted transformer with joblib")
    fit.set_defaults(func=cmd_fit)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``skncvq`` console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
