"""Command line: ``skncvq demo | fit | sample | evaluate``; argparse on top of the
estimators. The demo itself lives in :mod:`skncvq.demo`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .demo import cmd_demo, stage1_row, stage1_scores, text_table
from .metrics import EVALUATOR_MAX_TIME

__all__ = ["main", "build_parser"]

_MODEL_SUFFIXES = (".safetensors", ".joblib", ".pkl")


_DATA_SUFFIXES = (".ts", ".npz", ".csv")
_DATA_HELP = (
    "a UCR dataset name (under --data-home), 'Trace' for the embedded data, or a file of your own: "
    "a UEA/UCR .ts file (multivariate and unequal lengths; needs skncvq[ts]); .npz with X (n, length) "
    "or (n, channels, length) and y [and X_test, y_test], for unequal lengths X padded and 'lengths' "
    "[and 'lengths_test']; or .csv with one series per row and a label column (--label-column), a row "
    "ending in empty cells being a shorter series. Without a test split 20%% is held out"
)


def _load_data(name: str, data_home, label_column: str = "label") -> tuple:
    from .datasets import load_file, load_trace, load_ucr

    if Path(name).suffix.lower() in _DATA_SUFFIXES:
        return load_file(name, label_column=label_column)
    if name.lower() == "trace" and data_home is None:
        return load_trace()
    return load_ucr(name, data_home=data_home)


def _check_writable(path: str, suffixes: tuple[str, ...], flag: str) -> Path:
    """Fail before any work when an output file cannot be written."""
    import tempfile

    out = Path(path)
    if out.suffix.lower() not in suffixes:
        raise ValueError(f"{flag} {path!r}: use a file name ending in {' or '.join(suffixes)}.")
    if out.is_dir():
        raise ValueError(f"{flag} {path!r} is a folder; name a file in it.")
    if not out.parent.is_dir():
        raise FileNotFoundError(f"{flag} {path!r}: the folder {out.parent} does not exist.")
    try:
        with tempfile.TemporaryFile(dir=out.parent):
            pass
    except OSError as exc:
        raise ValueError(f"{flag} {path!r}: cannot write in {out.parent} ({exc.strerror}).") from None
    return out


def _positive(kind: type):
    """An argparse type: a number of ``kind`` greater than 0."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    parse.__name__ = f"positive {kind.__name__}"
    return parse


def _save_model(est, path: Path) -> None:
    from . import save

    if path.suffix.lower() == ".safetensors":
        save(est, path)
    else:
        import joblib

        from ._io import atomic_path

        with atomic_path(path) as tmp:
            joblib.dump(est, tmp)


def _positive_or_auto(text: str):
    """An argparse type: "auto" or a positive integer."""
    return "auto" if text == "auto" else _positive(int)(text)


def _load_model(path: str):
    """A model written by ``skncvq fit --save``: a .safetensors file, or joblib / pickle."""
    from . import load

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    if p.suffix.lower() == ".safetensors":
        return load(p)
    import pickle

    import joblib

    try:
        return joblib.load(p)
    except (EOFError, pickle.UnpicklingError, ValueError, IndexError, KeyError) as exc:
        raise ValueError(
            f"{path} is not a readable model file (truncated or damaged?): {type(exc).__name__} {exc}".rstrip()
        ) from exc


def cmd_fit(args: argparse.Namespace) -> int:
    """Fit a tokenizer (and with --sampler a prior) on a UCR dataset or Trace, print its probes
    and optionally save it."""
    from . import MaskGITSampler, NCVQVAETransformer

    save = _check_writable(args.save, _MODEL_SUFFIXES, "--save") if args.save else None
    X_train, y_train, X_test, y_test = _load_data(args.dataset, args.data_home, args.label_column)
    tok = NCVQVAETransformer(
        ssl=None if args.ssl == "none" else args.ssl,
        augmentations=args.augmentations,
        max_epochs=args.epochs,
        max_time=args.max_time,
        random_state=args.seed,
        verbose=args.verbose,
    )
    print(f"fitting the tokenizer on {args.dataset} ({len(X_train)} series) ...", flush=True)
    row = stage1_row(f"{args.dataset} {args.ssl}", tok, X_train, y_train, X_test, y_test)
    print(text_table([row], list(row)))
    model = tok
    if args.sampler:
        print("fitting the MaskGIT prior ...", flush=True)
        model = MaskGITSampler(
            tokenizer=tok,
            max_epochs=args.prior_epochs,
            max_time=args.prior_max_time,
            random_state=args.seed,
            verbose=args.verbose,
        ).fit(X_train, y_train)
        print(
            f"prior: {len(model.history_)} epochs, held-out log-likelihood {model.score(X_test, y_test):.3f}"
        )
    if save is not None:
        _save_model(model, save)
        print(f"saved to {save}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    """Draw series from a saved sampler and write them as CSV, .npy or .npz."""
    from . import MaskGITSampler

    out = _check_writable(args.out, (".csv", ".npy", ".npz"), "--out")
    model = _load_model(args.model)
    if not isinstance(model, MaskGITSampler):
        raise TypeError(
            f"{args.model} holds a {type(model).__name__}; sampling needs a MaskGITSampler (skncvq fit --sampler)."
        )
    if out.suffix.lower() == ".csv" and model.n_channels_ > 1:
        raise ValueError(
            f"--out {args.out!r}: a CSV holds one channel per series, and this model draws "
            f"{model.n_channels_} channels; write .npy or .npz."
        )
    if out.suffix.lower() == ".npy" and model.variable_length_ and args.length is None:
        raise ValueError(
            f"--out {args.out!r}: this model draws series of unequal lengths, which a .npy cannot hold; "
            "write .npz (padded X and lengths) or .csv, or give --length."
        )
    label = None
    if args.label is not None:
        label = (
            next((c for c in model.classes_ if str(c) == args.label), None)
            if model.classes_ is not None
            else None
        )
        if label is None:
            known = [] if model.classes_ is None else [str(c) for c in model.classes_]
            raise ValueError(f"--label {args.label!r} is not one of the model's classes {known}.")
    model.set_params(verbose=1 if args.n > 256 else 0)
    X = model.sample(args.n, y=label, random_state=args.seed, length=args.length)
    series = list(X) if isinstance(X, list) else None
    lengths = np.array([s.shape[-1] for s in X])
    if series is not None:  # unequal lengths: padded with NaN, each series' length beside
        X = np.full((len(series), *series[0].shape[:-1], lengths.max()), np.nan, dtype=np.float32)
        for i, s in enumerate(series):
            X[i, ..., : s.shape[-1]] = s
    from ._io import atomic_path

    with atomic_path(out) as tmp:
        if out.suffix.lower() == ".npy":
            with open(tmp, "wb") as fh:
                np.save(fh, X)
        elif out.suffix.lower() == ".npz":
            extra = {} if label is None else {"y": np.full(len(X), label)}
            if series is not None:
                extra["lengths"] = lengths
            with open(tmp, "wb") as fh:
                np.savez(fh, X=X, **extra)
        else:
            with open(tmp, "w") as fh:  # one line per series, of its own length
                for row, n in zip(X, lengths):
                    fh.write(",".join(f"{v:.7g}" for v in row[:n]) + "\n")
    shown = f"length {lengths[0]}" if series is None else f"lengths {lengths.min()} to {lengths.max()}"
    print(f"{len(X)} series of {model.n_channels_} channel(s) of {shown} written to {out}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Score a saved model on a dataset's test split: probes and reconstruction for a tokenizer,
    and FID / IS / CAS too for a sampler."""
    from . import FCNClassifier, MaskGITSampler, NCVQVAETransformer
    from .metrics import generative_scores

    model = _load_model(args.model)
    if not isinstance(model, (NCVQVAETransformer, MaskGITSampler)):
        raise TypeError(f"{args.model} holds a {type(model).__name__}; expected a tokenizer or a sampler.")
    X_train, y_train, X_test, y_test = _load_data(args.dataset, args.data_home, args.label_column)
    tok = model.tokenizer_ if isinstance(model, MaskGITSampler) else model
    print("stage 1: probes and reconstruction ...", flush=True)
    row = stage1_scores(tok, X_train, y_train, X_test, y_test)
    if isinstance(model, MaskGITSampler):
        print(
            f"stage 2: fitting the FCN evaluator (up to {args.evaluator_time:g} s), sampling, scoring ...",
            flush=True,
        )
        fcn = FCNClassifier(max_time=args.evaluator_time, random_state=args.seed).fit(X_train, y_train)
        scores = generative_scores(
            model,
            X_test,
            y_test,
            classifier=fcn,
            y_train=y_train,
            cas_classifier=FCNClassifier(max_time=args.evaluator_time, random_state=args.seed),
            random_state=args.seed,
        )
        row.update(
            {
                "FID uncond": f"{scores['fid_uncond']:.2f}",
                "FID cond": f"{scores['fid_cond']:.2f}",
                "IS": f"{scores['is_mean']:.2f}",
                "CAS": f"{scores['cas']:.3f}",
            }
        )
    print(text_table([row], list(row)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``skncvq`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="skncvq", description="NC-VQVAE tokenizers for time series, with a scikit-learn API."
    )
    parser.add_argument(
        "--no-tune-malloc",
        action="store_true",
        help="leave glibc's malloc thresholds as they are (see skncvq.allocator.tune_malloc)",
    )
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="naive VQ-VAE vs NC-VQVAE on the embedded Trace data")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--verbose", type=int, default=0)
    demo.add_argument(
        "--epochs",
        type=_positive(int),
        default=None,
        help="override the number of epochs of every model (smoke tests)",
    )
    demo.add_argument("--out", default="skncvq-demo", help="folder for report.md and the figure")
    demo.set_defaults(func=cmd_demo)
    fit = sub.add_parser("fit", help="fit a tokenizer on a UCR dataset and report its probes")
    fit.add_argument("dataset", help=_DATA_HELP)
    fit.add_argument("--label-column", default="label", help="the label column of a .csv dataset")
    fit.add_argument("--data-home", default=None, help="folder holding <name>/<name>_TRAIN.tsv[.gz]")
    fit.add_argument("--ssl", choices=["barlowtwins", "vibcreg", "none"], default="barlowtwins")
    fit.add_argument("--augmentations", choices=["warp", "slice", "gauss"], default="slice")
    fit.add_argument(
        "--epochs",
        type=_positive_or_auto,
        default="auto",
        help="tokenizer epochs, or 'auto' (the estimator's rule, from the data's size; the default)",
    )
    fit.add_argument("--max-time", type=_positive(float), default=None, help="time budget in seconds")
    fit.add_argument("--seed", type=int, default=0)
    fit.add_argument("--verbose", type=int, default=0)
    fit.add_argument(
        "--sampler", action="store_true", help="also fit a MaskGIT prior (saved instead of the tokenizer)"
    )
    fit.add_argument(
        "--prior-epochs", type=_positive(int), default=300, help="epochs of the prior (with --sampler)"
    )
    fit.add_argument(
        "--prior-max-time", type=_positive(float), default=None, help="time budget of the prior in seconds"
    )
    fit.add_argument(
        "--save", default=None, help="write the fitted model: .safetensors (skncvq.save) or .joblib / .pkl"
    )
    fit.set_defaults(func=cmd_fit)
    sample = sub.add_parser(
        "sample", help="draw series from a sampler saved by `skncvq fit --sampler --save`"
    )
    sample.add_argument("model", help="a .safetensors or .joblib file holding a MaskGITSampler")
    sample.add_argument("--n", type=_positive(int), required=True, help="number of series")
    sample.add_argument(
        "--label", default=None, help="class to draw (default: the training class frequencies)"
    )
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument(
        "--length",
        type=_positive(int),
        default=None,
        help="length of every series (default: the training length, or, for a model fitted on unequal "
        "lengths, lengths drawn from the class's training series)",
    )
    sample.add_argument(
        "--out",
        required=True,
        help="output file: .csv (one univariate series a line, of its own length), .npy, or .npz (X, "
        "and y with --label; series of unequal lengths padded with NaN, and their 'lengths')",
    )
    sample.set_defaults(func=cmd_sample)
    evaluate = sub.add_parser("evaluate", help="score a saved tokenizer or sampler on a dataset's test split")
    evaluate.add_argument("model", help="a .safetensors or .joblib file")
    evaluate.add_argument("dataset", help=_DATA_HELP)
    evaluate.add_argument("--label-column", default="label", help="the label column of a .csv dataset")
    evaluate.add_argument("--data-home", default=None, help="folder holding <name>/<name>_TRAIN.tsv[.gz]")
    evaluate.add_argument(
        "--evaluator-time",
        type=_positive(float),
        default=EVALUATOR_MAX_TIME,
        help="seconds for each FCN (sampler; default %(default)g)",
    )
    evaluate.add_argument("--seed", type=int, default=0)
    evaluate.set_defaults(func=cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``skncvq`` console script.

    A user error (bad input, a missing file, a bad parameter) prints one line and exits with
    status 2; ``--debug`` shows the traceback instead. Ctrl+C exits with status 130.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.no_tune_malloc:
        from .allocator import tune_malloc

        tune_malloc()
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("skncvq: interrupted", file=sys.stderr)
        return 130
    except (
        ValueError,
        TypeError,
        OSError,
        MemoryError,
        ImportError,  # an optional extra (a .ts file without sktime)
    ) as exc:  # OSError: FileNotFoundError, ConnectionError, ...
        if args.debug:
            raise
        print(f"skncvq {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
