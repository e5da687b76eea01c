"""The grid runner: every (dataset, configuration, seed) cell through joblib, one CSV row per
finished cell, resumable."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

from joblib import Parallel, delayed, parallel_config
from joblib.parallel import get_active_backend

from skncvq.metrics import EVALUATOR_MAX_TIME

from .cell import CellSettings, evaluator_path, fit_evaluator, run_cell
from .configs import CONFIGS, config_params
from .report import summarize
from .results import append_csv_row, exclusive_folder, read_csv_rows, write_text_atomic

__all__ = ["run_benchmark", "missing_cells"]


def _cell_key(row: dict) -> tuple:
    return (
        str(row["dataset"]),
        str(row["config"]),
        str(int(float(row["seed"]))),
        f"{float(row['budget_s']):g}",
        str(row.get("overrides") or ""),  # rows written before the column existed had none
    )


def missing_cells(
    rows: Sequence[dict],
    datasets: Sequence[str],
    configs: Sequence[str],
    seeds: Sequence[int],
    settings: CellSettings,
) -> list[tuple[str, str, int]]:
    """The ``(dataset, config, seed)`` cells of the grid that ``rows`` do not hold, matched on
    the whole cell key: the budget and the overrides of ``settings`` too, so a row of another
    run never counts."""
    done = {_cell_key(r) for r in rows}
    return [
        (d, c, int(s))
        for d in datasets
        for c in configs
        for s in seeds
        if _cell_key(settings.key(d, c, s)) not in done
    ]


def run_benchmark(
    datasets: Sequence[str],
    configs: Sequence[str] = CONFIGS,
    seeds: Sequence[int] = (0, 1),
    *,
    budget: float = 600.0,
    data_home=None,
    out: str | os.PathLike = "results",
    n_jobs: int = 1,
    backend: str | None = None,
    evaluator_budget: float = EVALUATOR_MAX_TIME,
    cas_budget: float = 240.0,
    fcn_batch_size: int = 32,
    threads: int | None = None,
    reference: str | os.PathLike | None = None,
    tokenizer_params: dict | None = None,
    sampler_params: dict | None = None,
    stage1_share: float | None = None,
    save_models: bool = True,
    verbose: bool = True,
) -> list[dict]:
    """Run the grid ``datasets x configs x seeds`` and return all rows of ``out/results.csv``.

    Each finished cell is appended to ``out/results.csv`` at once (atomically); cells already
    there (same dataset, configuration, seed, budget and parameter overrides) are skipped, so an
    interrupted run resumes where it stopped. A cell that raises is logged to
    ``out/errors.csv`` and retried on the next run; the others go on. The FCN evaluators are
    fitted first (one per dataset, cached). Every row records both estimators' full parameters
    and resolved network sizes as JSON (``tokenizer_settings``, ``sampler_settings``), so a row
    still says what it ran with after a default changes.
    Cells run through ``joblib.Parallel(n_jobs)`` under ``backend`` (or the joblib backend
    active around the call): with a ``dask.distributed.Client`` connected and
    ``backend="dask"`` they spread over the cluster; Ray works the same after
    ``ray.util.joblib.register_ray()``. Ends by writing ``out/summary.md``.

    Parameters
    ----------
    datasets : sequence of str
        UCR dataset names, read by :func:`skncvq.datasets.load_ucr` from ``data_home``.
    configs : sequence of str
        Configuration names (see :func:`config_params`).
    seeds : sequence of int
    budget : float, default=600
        Seconds per cell for both stages (split by :class:`Budget`).
    data_home : path or None
    out : path, default="results"
    n_jobs : int, default=1
        Cells run at once.
    backend : str or None
        joblib backend ("loky", "threading", "dask", "ray", ...); None uses the one active
        around the call (loky by default).
    evaluator_budget : float, default=EVALUATOR_MAX_TIME (300)
        Seconds for each dataset's FCN evaluator.
    cas_budget : float, default=240
        Seconds for each cell's CAS classifier (evaluation, outside ``budget``). See
        :ref:`decision-budget-split`.
    fcn_batch_size : int, default=32
        Batch size of the FCN evaluator and of the CAS classifier (the reference's is 256; see
        :class:`skncvq.FCNClassifier`). Evaluators are cached per batch size.
    threads : int or None
        torch threads per cell; None gives each of ``n_jobs`` local workers an equal share of
        the cores.
    reference : path or None
        ``thesis_results.csv``, for the reference columns of the summary.
    tokenizer_params, sampler_params : dict or None
        Parameter overrides of :class:`~skncvq.NCVQVAETransformer` / :class:`~skncvq.MaskGITSampler`
        for every cell, on top of the configuration's (e.g. ``{"latent_width": 8}``).
    stage1_share : float or None
        Fraction of ``budget`` for stage 1, the prior getting the rest but the overhead share
        (:meth:`Budget.with_stage1`); None keeps the :class:`Budget` split. The overrides are
        recorded as JSON in each row's ``overrides`` column, are part of the cell's key (rows
        with other overrides do not count as done) and label the cell in ``summary.md``.
    save_models : bool, default=True
        Keep every fitted sampler (with its tokenizer) under ``out/models``.
    verbose : bool, default=True
        Print one progress line per finished cell.

    Returns
    -------
    list of dict
        Every row of ``out/results.csv``.
    """
    if isinstance(datasets, str) or isinstance(configs, str):
        raise TypeError("datasets and configs must be sequences of names, e.g. ['FordA', 'ECG5000'].")
    for config in configs:
        config_params(config)
    if not datasets or not configs or not seeds:
        raise ValueError("datasets, configs and seeds must each name at least one entry.")
    if threads is None and n_jobs > 0 and backend in (None, "loky", "multiprocessing", "threading"):
        threads = max(1, (os.cpu_count() or 1) // max(1, n_jobs))
    settings = CellSettings(
        budget=float(budget),
        evaluator_budget=evaluator_budget,
        cas_budget=cas_budget,
        fcn_batch_size=fcn_batch_size,
        threads=threads,
        tokenizer_params=tokenizer_params,
        sampler_params=sampler_params,
        stage1_share=None if stage1_share is None else float(stage1_share),
    )
    settings.split()  # a bad budget or stage1_share fails now
    _check_overrides(tokenizer_params, sampler_params)
    from skncvq.datasets import load_ucr

    for dataset in datasets:  # a missing or malformed dataset fails now, not after an hour of cells
        load_ucr(dataset, data_home=data_home)
    out = Path(out)
    with exclusive_folder(out, "benchmark run"):  # a second run into out is refused
        csv_path = out / "results.csv"
        done = read_csv_rows(csv_path)
        cells = missing_cells(done, datasets, configs, seeds, settings)
        if verbose:
            print(f"{len(cells)} cells to run, {len(done)} already in {csv_path}", flush=True)
        with parallel_config(backend=backend) if backend else contextlib.nullcontext():
            where = dict(data_home=data_home, out=out, save_model=save_models)
            return _run_cells(cells, settings, where, n_jobs=n_jobs, reference=reference, verbose=verbose)


def _check_overrides(tokenizer_params, sampler_params) -> None:
    """Fail before any cell runs when an override is not a dict of the estimator's parameters."""
    from skncvq import MaskGITSampler, NCVQVAETransformer

    for name, params, cls in (
        ("tokenizer_params", tokenizer_params, NCVQVAETransformer),
        ("sampler_params", sampler_params, MaskGITSampler),
    ):
        if params is None:
            continue
        if not isinstance(params, dict):
            raise TypeError(
                f"{name} must be a dict of {cls.__name__} parameters or None; got {type(params).__name__}."
            )
        unknown = sorted(set(params) - set(cls().get_params(deep=False)))
        if unknown:
            raise ValueError(f"{name} names parameters {cls.__name__} does not have: {', '.join(unknown)}.")
        try:
            cls(**params)._validate_params()
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from exc


def _return_as() -> str:
    """Unordered results where the active joblib backend supports them (joblib's own backends);
    in order elsewhere (joblib's dask backend fails on unordered generators)."""
    name = type(get_active_backend()[0]).__name__.lower()
    local = ("loky", "threading", "multiprocessing", "sequential")
    return "generator_unordered" if any(k in name for k in local) else "generator"


def _run_cells(
    cells, settings: CellSettings, where: dict, *, n_jobs: int, reference, verbose: bool
) -> list[dict]:
    out = where["out"]
    csv_path = out / "results.csv"
    parallel = Parallel(n_jobs=n_jobs, return_as=_return_as())
    batch = settings.fcn_batch_size
    missing = [d for d in sorted({d for d, _, _ in cells}) if not evaluator_path(out, d, batch).exists()]
    if verbose and missing:
        print(
            f"fitting the FCN evaluator of {', '.join(missing)} (up to {settings.evaluator_budget:g} s each) ...",
            flush=True,
        )
    fits = (
        delayed(fit_evaluator)(
            d,
            data_home=where["data_home"],
            out=out,
            max_time=settings.evaluator_budget,
            threads=settings.threads,
            batch_size=batch,
        )
        for d in missing
    )
    for _ in parallel(fits):
        pass
    started = time.perf_counter()
    if verbose and cells:
        print(
            f"running {len(cells)} cell(s) of up to {settings.budget:g} s of training each, plus evaluation ...",
            flush=True,
        )
    jobs = (delayed(_guarded_cell)(d, c, s, verbose=verbose, settings=settings, **where) for d, c, s in cells)
    failed = 0
    for i, row in enumerate(parallel(jobs), 1):
        if "error" in row:
            failed += 1
            append_csv_row(out / "errors.csv", row)
            if verbose:
                print(
                    f"[{i}/{len(cells)}] {row['dataset']} {row['config']} seed {row['seed']}: FAILED, "
                    f"{row['error']}",
                    flush=True,
                )
            continue
        append_csv_row(csv_path, row)
        if verbose:
            print(
                f"[{i}/{len(cells)} {time.perf_counter() - started:.0f}s] {row['dataset']} {row['config']} "
                f"seed {row['seed']}: SVM {row['svm_acc']:.3f}, recon {row['recon_mse_time']:.4f}, "
                f"FID {row['fid_uncond']:.2f}, IS {row['is_mean']:.2f}, CAS {row['cas']:.3f} "
                f"({row['total_s']:.0f} s)",
                flush=True,
            )
    if failed and verbose:
        print(f"{failed} cell(s) failed; see {out / 'errors.csv'} (a rerun retries them)", flush=True)
    rows = read_csv_rows(csv_path)
    write_text_atomic(out / "summary.md", summarize(rows, reference=reference))
    return rows


def _guarded_cell(dataset: str, config: str, seed: int, verbose: bool = False, **kwargs) -> dict:
    """:func:`run_cell`, but an exception becomes an error row, so one failing cell does not
    stop the grid (interrupts still do)."""
    if verbose:
        print(f"  started: {dataset} {config} seed {seed}", flush=True)
    try:
        return run_cell(dataset, config, seed, **kwargs)
    except Exception as exc:  # noqa: BLE001 - reported in errors.csv, retried on the next run
        return {
            **kwargs["settings"].key(dataset, config, seed),
            "error": f"{type(exc).__name__}: {exc}"[:500],
        }
