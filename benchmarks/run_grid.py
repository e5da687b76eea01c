"""The study's grid over UCR datasets: ``python benchmarks/run_grid.py --datasets FordA,ECG5000 ...``.

Each (dataset, configuration, seed) cell fits both stages under one time budget and records
probes, reconstruction, codebook use and FID / IS / CAS (see ``study``); ``--help`` lists the
options. Finished cells are appended to ``OUT/results.csv`` at once; a rerun skips them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from study import CONFIGS, CellSettings, missing_cells, run_benchmark

from skncvq.metrics import EVALUATOR_MAX_TIME


def positive(kind: type):
    """An argparse type: a number of ``kind`` greater than 0."""

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a {kind.__name__}, got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
        return value

    return parse


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _json_object(text: str | None, flag: str) -> dict | None:
    """Parse a flag's JSON object (estimator parameters); None when the flag was not given."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{flag} must be a JSON object such as '{{\"latent_width\": 8}}'; {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{flag} must be a JSON object such as '{{\"latent_width\": 8}}'; got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """Run the (dataset x configuration x seed) grid; see :func:`study.run_benchmark`."""
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise ValueError(f"--out {args.out!r} is a file; name a folder (it is created if missing).")
    try:
        seeds = [int(s) for s in _names(args.seeds)]
    except ValueError:
        raise ValueError(f"--seeds must be comma-separated integers; got {args.seeds!r}") from None
    tokenizer_params = _json_object(args.tokenizer_params, "--tokenizer-params")
    sampler_params = _json_object(args.sampler_params, "--sampler-params")
    context = contextlib.nullcontext()
    n_jobs = args.n_jobs
    if args.backend == "dask":
        try:
            from dask.distributed import Client
        except ImportError:
            raise ValueError("--backend dask needs dask.distributed: pip install skncvq[dist]") from None
        kwargs = {"n_workers": n_jobs, "threads_per_worker": args.threads or 1} if not args.scheduler else {}
        context = (
            Client(args.scheduler, **kwargs) if args.scheduler else Client(**kwargs, dashboard_address=None)
        )
        n_jobs = -1
    elif args.backend == "ray":
        try:
            import ray
            from ray.util.joblib import register_ray
        except ImportError:
            raise ValueError("--backend ray needs ray: pip install 'ray[default]'") from None
        register_ray()
        ray.init(address=args.scheduler)
        n_jobs = -1
    elif args.scheduler:
        raise ValueError("--scheduler only applies to --backend dask or ray")
    with context:
        rows = run_benchmark(
            _names(args.datasets),
            _names(args.configs),
            seeds,
            budget=args.budget,
            data_home=args.data_home,
            out=args.out,
            n_jobs=n_jobs,
            backend=args.backend,
            evaluator_budget=args.evaluator_budget,
            cas_budget=args.cas_budget,
            fcn_batch_size=args.fcn_batch_size,
            threads=args.threads,
            reference=args.reference,
            tokenizer_params=tokenizer_params,
            sampler_params=sampler_params,
            stage1_share=args.stage1_share,
            save_models=not args.no_save_models,
        )
    print()
    print(Path(args.out, "summary.md").read_text())
    print(f"{len(rows)} rows in {Path(args.out, 'results.csv')}")
    settings = CellSettings(
        budget=args.budget,
        tokenizer_params=tokenizer_params,
        sampler_params=sampler_params,
        stage1_share=args.stage1_share,
    )
    missing = missing_cells(rows, _names(args.datasets), _names(args.configs), seeds, settings)
    if missing:
        print(
            f"{len(missing)} cell(s) failed; see {Path(args.out, 'errors.csv')} (a rerun retries them)",
            file=sys.stderr,
        )
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The grid's argument parser."""
    bench = argparse.ArgumentParser(
        prog="python benchmarks/run_grid.py",
        description="The study's grid: both stages, probes, FID/IS/CAS per (dataset, config, seed), resumable.",
    )
    bench.add_argument("--datasets", required=True, help="comma-separated UCR names, e.g. FordA,ECG5000")
    bench.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated; default all seven")
    bench.add_argument("--seeds", default="0,1")
    bench.add_argument("--budget", type=positive(float), default=600.0, help="seconds per cell, both stages")
    bench.add_argument(
        "--evaluator-budget",
        type=positive(float),
        default=EVALUATOR_MAX_TIME,
        help="seconds per FCN evaluator (default %(default)g)",
    )
    bench.add_argument("--cas-budget", type=positive(float), default=240.0, help="seconds per CAS classifier")
    bench.add_argument(
        "--fcn-batch-size",
        type=positive(int),
        default=32,
        help="batch of the FCN evaluator and CAS classifier (the reference: 256)",
    )
    bench.add_argument("--data-home", default=None, help="folder holding <name>/<name>_TRAIN.tsv[.gz]")
    bench.add_argument("--out", default="results", help="folder for results.csv, summary.md, evaluators/")
    bench.add_argument("--n-jobs", type=int, default=1, help="cells at once (local backends)")
    bench.add_argument("--backend", default=None, choices=["loky", "threading", "dask", "ray"])
    bench.add_argument("--scheduler", default=None, help="dask scheduler / ray address (else a local one)")
    bench.add_argument("--threads", type=positive(int), default=None, help="torch threads per cell")
    bench.add_argument("--reference", default=None, help="thesis_results.csv for reference columns")
    bench.add_argument(
        "--tokenizer-params",
        default=None,
        help="JSON object of NCVQVAETransformer parameters for every cell, e.g. '{\"latent_width\": 8}'",
    )
    bench.add_argument(
        "--sampler-params", default=None, help="JSON object of MaskGITSampler parameters for every cell"
    )
    bench.add_argument(
        "--stage1-share",
        type=float,
        default=None,
        help="fraction of --budget for stage 1 (default 0.48; the prior gets the rest but 5%%)",
    )
    bench.add_argument("--no-save-models", action="store_true", help="do not keep the fitted models")
    bench.add_argument("--debug", action="store_true", help="show the traceback of an error")
    return bench


def main(argv: Sequence[str] | None = None) -> int:
    """Run the grid; a user error prints one line and exits with status 2, Ctrl+C with 130."""
    args = build_parser().parse_args(argv)
    from skncvq.allocator import tune_malloc

    tune_malloc()
    try:
        return run(args)
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("grid: interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, MemoryError) as exc:
        if args.debug:
            raise
        print(f"grid: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
