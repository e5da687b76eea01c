"""One cell of the benchmark grid: both stages fitted and scored on one train / test split
(:func:`evaluate`), and the cell on a UCR dataset with its cached FCN evaluator and saved model
(:func:`run_cell`)."""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from skncvq.allocator import malloc_tuned
from skncvq.metrics import EVALUATOR_MAX_TIME, codebook_usage

from .configs import MAX_EPOCHS, Budget, config_params
from .machine import cpu_name, set_threads
from .results import atomic_path

__all__ = ["CellSettings", "evaluate", "run_cell", "fit_evaluator", "evaluator_path", "settings_columns"]


def evaluator_path(out: str | os.PathLike, dataset: str, batch_size: int) -> Path:
    """Where :func:`fit_evaluator` caches the FCN evaluator of ``dataset`` under ``out``."""
    return Path(out) / "evaluators" / f"{dataset}__bs{int(batch_size)}.joblib"


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
    batch size, so runs with another evaluator recipe never share an evaluator; a cached
    evaluator written by another version of skncvq is fitted again, with a warning."""
    import joblib

    from skncvq import FCNClassifier
    from skncvq.datasets import load_ucr

    path = evaluator_path(Path(out), dataset, batch_size)
    if path.exists():
        try:
            return joblib.load(path)
        except ValueError as exc:  # written by another skncvq version: fit it again
            warnings.warn(f"refitting the cached evaluator {path}: {exc}", UserWarning, stacklevel=2)
    set_threads(threads)
    X_tr, y_tr, _, _ = load_ucr(dataset, data_home=data_home)
    fcn = FCNClassifier(max_epochs=MAX_EPOCHS, max_time=max_time, batch_size=batch_size, random_state=0)
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


@dataclass(frozen=True)
class CellSettings:
    """What every cell of a grid shares: its time budget and how it is split, the evaluator's
    and the CAS classifier's budgets and batch, torch threads, and parameter overrides of the
    configurations' estimators.

    Parameters
    ----------
    budget : float, default=600
        Seconds for both stages of a cell, split by :class:`Budget`.
    evaluator_budget, cas_budget : float, default=EVALUATOR_MAX_TIME (300), 240
        Seconds for the dataset's FCN evaluator and for each cell's CAS classifier.
    fcn_batch_size : int, default=32
        Batch of the FCN evaluator and the CAS classifier.
    threads : int or None, default=None
        Torch threads per cell; None leaves torch's setting.
    tokenizer_params, sampler_params : dict or None, default=None
        Overrides of the configurations' ``NCVQVAETransformer`` / ``MaskGITSampler`` parameters.
    stage1_share : float or None, default=None
        Fraction of ``budget`` for stage 1 (:meth:`Budget.with_stage1`); None keeps
        :class:`Budget`'s split.
    """

    budget: float = 600.0
    evaluator_budget: float = EVALUATOR_MAX_TIME
    cas_budget: float = 240.0
    fcn_batch_size: int = 32
    threads: int | None = None
    tokenizer_params: dict | None = None
    sampler_params: dict | None = None
    stage1_share: float | None = None

    @property
    def overrides(self) -> str:
        """Canonical JSON of the overrides ("" for none), part of every cell's key."""
        return _overrides(self.tokenizer_params, self.sampler_params, self.stage1_share)

    def key(self, dataset: str, config: str, seed: int) -> dict:
        """The columns that name a cell in ``results.csv``: a row of the grid counts as this
        cell only when all of them match."""
        return {
            "dataset": dataset,
            "config": config,
            "seed": seed,
            "budget_s": float(self.budget),
            "overrides": self.overrides,
        }

    def split(self) -> Budget:
        """The :class:`Budget` of one cell."""
        split = Budget(float(self.budget))
        return split if self.stage1_share is None else split.with_stage1(self.stage1_share)


def _settings(estimator, **resolved) -> str:
    """Canonical JSON of a fitted estimator's parameters (a nested tokenizer left out), its
    resolved network configuration ``config_`` and ``resolved`` extras: what a row ran with,
    whatever the defaults were at the time."""
    params = {k: v for k, v in estimator.get_params(deep=False).items() if k not in ("tokenizer", "verbose")}
    settings = {**params, "config_": asdict(estimator.config_), **resolved}
    return json.dumps(settings, sort_keys=True, default=str)


def settings_columns(sampler) -> dict[str, str]:
    """The ``tokenizer_settings`` and ``sampler_settings`` columns of a fitted sampler's row:
    every parameter, the resolved sizes and what "auto" resolved to (batch, lr, precisions)."""
    tok = sampler.tokenizer_
    return {
        "tokenizer_settings": _settings(tok, precision_=tok.precision_),
        "sampler_settings": _settings(
            sampler,
            batch_size_=sampler.batch_size_,
            lr_=sampler.lr_,
            precision_=sampler.precision_,
            sample_precision_=sampler.sample_precision_,
        ),
    }


def _model_path(out: Path, dataset: str, config: str, seed: int, budget: float, overrides: str = "") -> Path:
    name = f"{dataset}__{config}__seed{seed}__b{float(budget):g}"
    if overrides:
        name += "__o" + hashlib.sha1(overrides.encode()).hexdigest()[:10]
    return out / "models" / f"{name}.joblib"


def evaluate(
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    config: str = "default",
    seed: int = 0,
    evaluator=None,
    settings: CellSettings | None = None,
) -> tuple[dict, object]:
    """Both stages on arrays, scored on ``(X_test, y_test)``: the body of a grid cell.

    Fits ``NCVQVAETransformer`` (``config`` plus ``settings.tokenizer_params``) and a
    ``MaskGITSampler`` on the train split under the :class:`Budget` split of ``settings.budget``
    seconds (``settings``: :class:`CellSettings`, its defaults when None), then measures
    reconstruction error, KNN / linear-SVM probes, codebook use, and FID / IS / CAS under
    ``evaluator`` (a fitted FCNClassifier on the train split), with the IS of the real test
    split under the same evaluator as the samples' yardstick (``is_real_test``). Use a
    validation split cut from the training data as ``(X_test, y_test)`` to tune without
    touching a test split. The CAS
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
    from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
    from skncvq.metrics import generative_scores, inception_score, is_splits, probe_scores

    if evaluator is None:
        raise TypeError("evaluator must be a fitted FCNClassifier trained on the train split.")
    settings = CellSettings() if settings is None else settings
    split = settings.split()
    y_test = np.asarray(y_test)
    tok_params = {"max_epochs": MAX_EPOCHS, **config_params(config), **(settings.tokenizer_params or {})}
    tok = NCVQVAETransformer(max_time=split.seconds * split.stage1, random_state=seed, **tok_params)
    t0 = time.perf_counter()
    tok.fit(X_train)
    s1_fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec = tok.reconstruction_errors(X_test)
    probes = probe_scores(tok, X_train, y_train, X_test, y_test)
    ppl, dead = codebook_usage(tok.encode(X_test), tok.codebook_size)
    recognised = float((evaluator.predict(tok.reconstruct(X_test)) == y_test).mean())
    s1_eval_s = time.perf_counter() - t0
    sampler = MaskGITSampler(
        tokenizer=tok,
        **{
            "max_epochs": MAX_EPOCHS,
            "max_time": split.seconds * split.prior,
            **(settings.sampler_params or {}),
        },
        random_state=seed,
    )
    t0 = time.perf_counter()
    sampler.fit(X_train, y_train)
    s2_fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cas_fcn = FCNClassifier(
        max_epochs=MAX_EPOCHS,
        max_time=settings.cas_budget,
        batch_size=settings.fcn_batch_size,
        random_state=seed,
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
    real_is, _ = inception_score(
        X_test,
        classifier=evaluator,
        n_splits=is_splits(len(X_test)),
        random_state=seed,
    )
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
        "s2_lr": sampler.lr_,
        "sample_series_per_s": round(scores["sample_series_per_s"], 1),
        "fid_uncond": round(scores["fid_uncond"], 4),
        "fid_cond": round(scores["fid_cond"], 4),
        "is_mean": round(scores["is_mean"], 4),
        "is_std": round(scores["is_std"], 4),
        "is_real_test": round(real_is, 4),
        "cas": round(scores["cas"], 4),
        "s2_eval_s": round(s2_eval_s, 1),
        "evaluator_test_acc": round(float(evaluator.score(X_test, y_test)), 4),
        **settings_columns(sampler),
    }
    return row, sampler


def run_cell(
    dataset: str,
    config: str,
    seed: int,
    *,
    settings: CellSettings,
    data_home=None,
    out: str | os.PathLike = "results",
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

    from skncvq import __version__
    from skncvq.datasets import load_ucr

    start = time.perf_counter()
    set_threads(settings.threads)
    X_tr, y_tr, X_te, y_te = load_ucr(dataset, data_home=data_home)
    fcn = fit_evaluator(
        dataset,
        data_home=data_home,
        out=out,
        max_time=settings.evaluator_budget,
        threads=settings.threads,
        batch_size=settings.fcn_batch_size,
    )
    metrics, sampler = evaluate(
        X_tr, y_tr, X_te, y_te, config=config, seed=seed, evaluator=fcn, settings=settings
    )
    if save_model:
        import joblib

        path = _model_path(Path(out), dataset, config, seed, settings.budget, settings.overrides)
        with atomic_path(path) as tmp:
            joblib.dump(sampler, tmp)
    return {
        **settings.key(dataset, config, seed),
        **metrics,
        "cas_budget_s": float(settings.cas_budget),
        "evaluator_budget_s": float(settings.evaluator_budget),
        "fcn_batch_size": int(settings.fcn_batch_size),
        "total_s": round(time.perf_counter() - start, 1),
        "threads": torch.get_num_threads(),
        "malloc_tuned": malloc_tuned(),
        "version": __version__,
        "cpu": cpu_name(),
    }
