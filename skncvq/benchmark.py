"""The study as one grid: per (dataset, configuration, seed) fit both stages under a time budget,
measure probes, reconstruction, FID / IS / CAS and wall times, and write one CSV row per cell as
soon as it is done. Cells run through joblib, so any joblib backend (loky, dask, ray) spreads them.

Examples
--------
>>> from skncvq.benchmark import config_params
>>> config_params("barlowtwins-slice")
{'ssl': 'barlowtwins', 'augmentations': 'slice', 'latent_width': 8}
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed, parallel_config
from joblib.parallel import get_active_backend

from ._io import append_csv_row, atomic_path, read_csv_rows, write_text_atomic
from ._summary import summarize

__all__ = [
    "CONFIGS",
    "Budget",
    "config_params",
    "evaluate",
    "run_cell",
    "run_benchmark",
    "summarize",
]

#: The seed study's seven stage-1 configurations.
CONFIGS = (
    "naive",
    "barlowtwins-warp",
    "barlowtwins-slice",
    "barlowtwins-gauss",
    "vibcreg-warp",
    "vibcreg-slice",
    "vibcreg-gauss",
)


def config_params(config: str) -> dict:
    """Tokenizer parameters of a configuration name: ``"naive"`` (plain VQ-VAE) or
    ``"<ssl>-<augmentation set>"`` such as ``"vibcreg-warp"``; ``"default"`` is the package's
    defaults.

    The seed's seven configurations keep the reference code's latent width 8 whatever the
    series length, so the grid reproduces the study; ``"default"`` uses ``latent_width="auto"``.
    """
    if config == "default":
        return {}
    if config == "naive":
        return {"ssl": None, "latent_width": 8}
    ssl, _, aug = config.partition("-")
    if ssl not in ("barlowtwins", "vibcreg") or aug not in ("warp", "slice", "gauss"):
        raise ValueError(
            f"unknown configuration {config!r}; expected 'default', 'naive' or '<ssl>-<augmentations>' with "
            "ssl in barlowtwins/vibcreg and augmentations in warp/slice/gauss, e.g. 'barlowtwins-slice'."
        )
    return {"ssl": ssl, "augmentations": aug, "latent_width": 8}


@dataclass(frozen=True)
class Budget:
    """Split of one cell's training budget (seconds for both stages) between the two fits.

    Stage 1 gets ``stage1`` of it and the prior ``prior``; the rest covers what the fits do
    besides training (tokenizing the train split, setup). Evaluation (probes, sampling, the CAS
    classifier with its own budget) comes on top and is timed separately. Epoch caps are the
    reference's 1000, so the time budgets decide (and the cosine schedules follow the time).
    """

    seconds: float
    stage1: float = 0.6
    prior: float = 0.35

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"the budget must be a positive number of seconds; got {self.seconds!r}.")
        if not (0 < self.stage1 < 1 and 0 < self.prior < 1):
            raise ValueError(
                f"the budget fractions stage1 and prior must lie in (0, 1); got {self.stage1!r} and {self.prior!r}."
            )
        if self.stage1 + self.prior > 1:
            raise ValueError("the budget fractions stage1 + prior must not exceed 1.")

    def with_stage1(self, share: float) -> Budget:
        """The same budget with ``share`` of it for stage 1 and the prior's fraction changed by
        the opposite amount (the overhead share stays)."""
        return replace(self, stage1=share, prior=self.stage1 + self.prior - share)


def _perplexity(tokens: np.ndarray, k: int) -> tuple[float, int]:
    p = np.bincount(tokens.ravel(), minlength=k) / tokens.size
    return float(np.exp(-(p * np.log(p + 1e-10)).sum())), int((p == 0).sum())


def _evaluator_path(out: Path, dataset: str, batch_size: int) -> Path:
    return out / "evaluators" / f"{dataset}__bs{int(batch_size)}.joblib"


def fit_evaluator(
    dataset: str,
    *,
    data_home=None,
    out: str | os.PathLike,
    max_time: float,
    threads=None,
    batch_size: int = 32,
):
    """Fit (or load the cached) FCN evaluator of ``dataset`` on its train split; seed 0.

    The cache file (``out/evaluators/<dataset>__bs<batch_size>.joblib``) is keyed by the FCN's
    batch size, so runs with another evaluator recipe never share an evaluator."""
    import joblib

    from .datasets import load_ucr
    from .estimators import FCNClassifier

    path = _evaluator_path(Path(out), dataset, batch_size)
    if path.exists():
        return joblib.load(path)
    _set_threads(threads)
    X_tr, y_tr, _, _ = load_ucr(dataset, data_home=data_home)
    fcn = FCNClassifier(max_epochs=1000, max_time=max_time, batch_size=batch_size, random_state=0)
    fcn.fit(X_tr, y_tr)
    with atomic_path(path) as tmp:
        joblib.dump(fcn, tmp)
    return fcn


def _overrides(tokenizer_params: dict | None, sampler_params: dict | None, stage1_share: float | None) -> str:
    """Canonical JSON of a cell's departures from its configuration ("" for none): recorded in
    every row and part of the cell's key, so runs with other parameters never count as done."""
    parts: dict = {}
    if tokenizer_params:
        parts["tokenizer"] = tokenizer_params
    if sampler_params:
        parts["sampler"] = sampler_params
    if stage1_share is not None:
        parts["stage1_share"] = float(stage1_share)
    return json.dumps(parts, sort_keys=True, default=str) if parts else ""


def _model_path(out: Path, dataset: str, config: str, seed: int, budget: float, overrides: str = "") -> Path:
    name = f"{dataset}__{config}__seed{seed}__b{float(budget):g}"
    if overrides:
        name += "__o" + hashlib.sha1(overrides.encode()).hexdigest()[:10]
    return out / "models" / f"{name}.joblib"


def _cpu_name() -> str:
    """The processor's model name (rows measured under a time budget depend on it)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return f"{line.split(':', 1)[1].strip()} x{os.cpu_count()}"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} x{os.cpu_count()}"


def _set_threads(threads: int | None) -> None:
    if threads:
        import torch

        torch.set_num_threads(int(threads))


def evaluate(
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    config: str = "default",
    seed: int = 0,
    budget: float = 600.0,
    evaluator=None,
    cas_budget: float = 240.0,
    fcn_batch_size: int = 32,
    tokenizer_params: dict | None = None,
    sampler_params: dict | None = None,
    stage1_share: float | None = None,
) -> tuple[dict, object]:
    """Both stages on arrays, scored on ``(X_test, y_test)``: the body of a grid cell.

    Fits ``NCVQVAETransformer`` (``config`` plus ``tokenizer_params``) and a ``MaskGITSampler``
    on the train split under the :class:`Budget` split of ``budget`` seconds, then measures
    reconstruction error, KNN / linear-SVM probes, codebook use, and FID / IS / CAS under
    ``evaluator`` (a fitted FCNClassifier on the train split). Use a validation split cut from
    the training data as ``(X_test, y_test)`` to tune without touching a test split. The CAS
    classifier (an FCN at batch ``fcn_batch_size``) trains for at most ``cas_budget`` seconds
    (evaluation, outside ``budget``). ``stage1_share`` moves time between the stages: stage 1
    gets that fraction of ``budget`` and the prior the rest but the :class:`Budget` overhead
    (:meth:`Budget.with_stage1`; None keeps the :class:`Budget` defaults).

    Returns
    -------
    row : dict
        Metrics and wall times.
    sampler : MaskGITSampler
        The fitted sampler (its ``tokenizer_`` is the stage-1 model).
    """
    from .estimators import FCNClassifier, MaskGITSampler, NCVQVAETransformer
    from .metrics import generative_scores, probe_scores

    if evaluator is None:
        raise TypeError("evaluator must be a fitted FCNClassifier trained on the train split.")
    split = Budget(float(budget))
    if stage1_share is not None:
        split = split.with_stage1(stage1_share)
    y_test = np.asarray(y_test)
    tok_params = {"max_epochs": 1000, **config_params(config), **(tokenizer_params or {})}
    tok = NCVQVAETransformer(max_time=split.seconds * split.stage1, random_state=seed, **tok_params)
    t0 = time.perf_counter()
    tok.fit(X_train)
    s1_fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec = tok.reconstruction_errors(X_test)
    probes = probe_scores(tok, X_train, y_train, X_test, y_test)
    ppl, dead = _perplexity(tok.encode(X_test), tok.codebook_size)
    recognised = float((evaluator.predict(tok.reconstruct(X_test)) == y_test).mean())
    s1_eval_s = time.perf_counter() - t0
    sampler = MaskGITSampler(
        tokenizer=tok,
        **{"max_epochs": 1000, "max_time": split.seconds * split.prior, **(sampler_params or {})},
        random_state=seed,
    )
    t0 = time.perf_counter()
    sampler.fit(X_train, y_train)
    s2_fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cas_fcn = FCNClassifier(
        max_epochs=1000, max_time=cas_budget, batch_size=fcn_batch_size, random_state=seed
    )
    scores = generative_scores(
        sampler,
        X_test,
        y_test,
        classifier=evaluator,
        y_train=y_train,
        cas_classifier=cas_fcn,
        random_state=seed,
    )
    s2_eval_s = time.perf_counter() - t0
    row = {
        "stage1_share": split.stage1,
        "s1_epochs": tok.n_epochs_,
        "s1_fit_s": round(s1_fit_s, 1),
        "recon_mse_time": round(rec["time"], 5),
        "recon_mse_stft": round(rec["stft"], 5),
        "knn_acc": round(probes["knn"], 4),
        "svm_acc": round(probes["svm"], 4),
        "probe_output": tok.output,
        "test_perplexity": round(ppl, 2),
        "test_dead_codes": dead,
        "recon_recognised": round(recognised, 4),
        "s1_eval_s": round(s1_eval_s, 1),
        "s2_epochs": len(sampler.history_),
        "s2_fit_s": round(s2_fit_s, 1),
        "sample_series_per_s": round(scores["sample_series_per_s"], 1),
        "fid_uncond": round(scores["fid_uncond"], 4),
        "fid_cond": round(scores["fid_cond"], 4),
        "is_mean": round(scores["is_mean"], 4),
        "is_std": round(scores["is_std"], 4),
        "cas": round(scores["cas"], 4),
        "s2_eval_s": round(s2_eval_s, 1),
        "evaluator_test_acc": round(float(evaluator.score(X_test, y_test)), 4),
    }
    return row, sampler


def run_cell(
    dataset: str,
    config: str,
    seed: int,
    *,
    budget: float,
    data_home=None,
    out: str | os.PathLike = "results",
    evaluator_budget: float = 300.0,
    cas_budget: float = 240.0,
    fcn_batch_size: int = 32,
    threads: int | None = None,
    tokenizer_params: dict | None = None,
    sampler_params: dict | None = None,
    stage1_share: float | None = None,
    save_model: bool = True,
) -> dict:
    """Run one cell of the grid (:func:`evaluate` on the dataset's train / test split) and
    return its row.

    The dataset's FCN evaluator is fitted once and cached under ``out/evaluators``. With
    ``save_model`` the fitted sampler (tokenizer included) is written with joblib to
    ``out/models/<dataset>__<config>__seed<seed>__b<budget>[__o<hash>].joblib``, the last part
    only for cells with parameter overrides (the row's ``overrides`` column).
    """
    import torch

    from . import __version__
    from .datasets import load_ucr

    start = time.perf_counter()
    _set_threads(threads)
    X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=data_home)
    fcn = fit_evaluator(
        dataset,
        data_home=data_home,
        out=out,
        max_time=evaluator_budget,
        threads=threads,
        batch_size=fcn_batch_size,
    )
    metrics, sampler = evaluate(
        X_tr,
        y_tr,
        X_te,
        y_te,
        config=config,
        seed=seed,
        budget=budget,
        evaluator=fcn,
        cas_budget=cas_budget,
        fcn_batch_size=fcn_batch_size,
        tokenizer_params=tokenizer_params,
        sampler_params=sampler_params,
        stage1_share=stage1_share,
    )
    overrides = _overrides(tokenizer_params, sampler_params, stage1_share)
    if save_model:
        import joblib

        with atomic_path(_model_path(Path(out), dataset, config, seed, budget, overrides)) as tmp:
            joblib.dump(sampler, tmp)
    return {
        "dataset": dataset,
        "config": config,
        "seed": seed,
        "budget_s": float(budget),
        "overrides": overrides,
        **metrics,
        "cas_budget_s": float(cas_budget),
        "evaluator_budget_s": float(evaluator_budget),
        "fcn_batch_size": int(fcn_batch_size),
        "total_s": round(time.perf_counter() - start, 1),
        "threads": torch.get_num_threads(),
        "version": __version__,
        "cpu": _cpu_name(),
    }


def _cell_key(row: dict) -> tuple:
    return (
        str(row["dataset"]),
        str(row["config"]),
        str(int(float(row["seed"]))),
        f"{float(row['budget_s']):g}",
        str(row.get("overrides") or ""),  # rows written before the column existed had none
    )


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
    evaluator_budget: float = 300.0,
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
    ``out/errors.csv`` and retried on the next run; the others go on. The FCN evaluators are fitted first (one per dataset, cached).
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
    evaluator_budget : float, default=300
        Seconds for each dataset's FCN evaluator.
    cas_budget : float, default=240
        Seconds for each cell's CAS classifier (evaluation, outside ``budget``). The CAS
        classifier learns long series slowly: on Mallat (length 1024) 60 s gave CAS 0.24 and
        240 s 0.52 for the same samples (``benchmarks/results/default480/rescored.csv``).
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
    split = Budget(float(budget))
    if stage1_share is not None:
        split.with_stage1(float(stage1_share))
    _check_overrides(tokenizer_params, sampler_params)
    overrides = _overrides(tokenizer_params, sampler_params, stage1_share)
    out = Path(out)
    csv_path = out / "results.csv"
    if threads is None and n_jobs > 0 and backend in (None, "loky", "multiprocessing", "threading"):
        threads = max(1, (os.cpu_count() or 1) // max(1, n_jobs))
    done = {_cell_key(r) for r in read_csv_rows(csv_path)}
    cells = [
        (d, c, int(s))
        for d in datasets
        for c in configs
        for s in seeds
        if _cell_key({"dataset": d, "config": c, "seed": s, "budget_s": budget, "overrides": overrides})
        not in done
    ]
    if verbose:
        print(f"{len(cells)} cells to run, {len(done)} already in {csv_path}", flush=True)
    with parallel_config(backend=backend) if backend else contextlib.nullcontext():
        cell_kwargs = dict(
            budget=budget,
            data_home=data_home,
            out=out,
            evaluator_budget=evaluator_budget,
            cas_budget=cas_budget,
            fcn_batch_size=fcn_batch_size,
            threads=threads,
            tokenizer_params=tokenizer_params,
            sampler_params=sampler_params,
            stage1_share=stage1_share,
            save_model=save_models,
        )
        return _run_cells(cells, cell_kwargs, n_jobs=n_jobs, reference=reference, verbose=verbose)


def _check_overrides(tokenizer_params, sampler_params) -> None:
    """Fail before any cell runs when an override is not a dict of the estimator's parameters."""
    from .estimators import MaskGITSampler, NCVQVAETransformer

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


def _return_as() -> str:
    """Unordered results where the active joblib backend supports them (joblib's own backends);
    in order elsewhere (joblib's dask backend fails on unordered generators)."""
    name = type(get_active_backend()[0]).__name__.lower()
    local = ("loky", "threading", "multiprocessing", "sequential")
    return "generator_unordered" if any(k in name for k in local) else "generator"


def _run_cells(cells, kw: dict, *, n_jobs: int, reference, verbose: bool) -> list[dict]:
    out = kw["out"]
    csv_path = out / "results.csv"
    parallel = Parallel(n_jobs=n_jobs, return_as=_return_as())
    todo = sorted({d for d, _, _ in cells})
    for _ in parallel(
        delayed(fit_evaluator)(
            d,
            data_home=kw["data_home"],
            out=out,
            max_time=kw["evaluator_budget"],
            threads=kw["threads"],
            batch_size=kw["fcn_batch_size"],
        )
        for d in todo
        if not _evaluator_path(out, d, kw["fcn_batch_size"]).exists()
    ):
        pass
    started = time.perf_counter()
    jobs = (delayed(_guarded_cell)(d, c, s, **kw) for d, c, s in cells)
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


def _guarded_cell(dataset: str, config: str, seed: int, **kwargs) -> dict:
    """:func:`run_cell`, but an exception becomes an error row, so one failing cell does not
    stop the grid (interrupts still do)."""
    try:
        return run_cell(dataset, config, seed, **kwargs)
    except Exception as exc:  # noqa: BLE001 - reported in errors.csv, retried on the next run
        return {
            "dataset": dataset,
            "config": config,
            "seed": seed,
            "budget_s": float(kwargs.get("budget", float("nan"))),
            "overrides": _overrides(
                kwargs.get("tokenizer_params"), kwargs.get("sampler_params"), kwargs.get("stage1_share")
            ),
            "error": f"{type(exc).__name__}: {exc}"[:500],
        }
