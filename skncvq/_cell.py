"""One cell of the benchmark grid: the split of a time budget between the stages, both stages
fitted and scored on one train / test split (:func:`evaluate`), and the cell on a UCR dataset
with its cached FCN evaluator and saved model (:func:`run_cell`). The grid around the cells is
:mod:`skncvq.benchmark`, which re-exports the public names."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from ._io import atomic_path
from .allocator import malloc_tuned

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
    series length, its SSL branch to the end of training (``ssl_until=1.0``) and gradients through
    both views (``ssl_view_grad=True``), so the grid reproduces the study; ``"default"`` uses
    ``latent_width="auto"``, ``ssl_until=0.75`` and ``ssl_view_grad="auto"``.
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
    return {"ssl": ssl, "augmentations": aug, "latent_width": 8, "ssl_until": 1.0, "ssl_view_grad": True}


@dataclass(frozen=True)
class Budget:
    """Split of one cell's training budget (seconds for both stages) between the two fits.

    Stage 1 gets ``stage1`` of it and the prior ``prior``; the rest covers what the fits do
    besides training (tokenizing the train split, setup). Evaluation (probes, sampling, the CAS
    classifier with its own budget) comes on top and is timed separately. At the default 600 s
    stage 1 gets 288 s and the prior 282 s: the extra time over a 480 s budget split 0.6 / 0.35
    goes to the prior, which with it reached a lower held-out token NLL and a higher CAS on the
    ElectricDevices, FordA and FordB validation splits (``benchmarks/README.md``, "More prior
    time"); on the test splits CAS rose on three of the five larger sets and fell on FordB,
    whose test split differs from its train split ("The 600 s default on the test split").
    Epoch caps are the reference's 1000, so on most sets the time budgets decide (and the
    cosine schedules follow the time); a training set of a few dozen series is one batch an
    epoch and reaches 1000 epochs of both stages first (SonyAIBO: the prior in 30-46 s).
    """

    seconds: float
    stage1: float = 0.48
    prior: float = 0.47

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


def _cpu_name() -> str:
    """The processor's model name, core count and vector ISA, e.g. ``"AMD EPYC x2 AVX512+bf16"``.

    Rows measured under a time budget depend on all three: one model name covers CPUs of several
    generations (an "AMD EPYC" with AVX-512 and native bfloat16 runs a stage-1 step about 3x as
    fast as an AVX2-only one, which trains in fp32). The ISA is the one torch dispatches to, with
    "+bf16" where oneDNN runs bfloat16 natively (what ``precision="auto"`` checks).
    """
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import torch

    from .estimators._torch_utils import resolve_precision

    isa = torch.backends.cpu.get_cpu_capability()
    if resolve_precision("auto", "cpu") == "bf16":
        isa += "+bf16"
    return f"{name} x{os.cpu_count()} {isa}"


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
        "s2_lr": sampler.lr_,
        "sample_series_per_s": round(scores["sample_series_per_s"], 1),
        "fid_uncond": round(scores["fid_uncond"], 4),
        "fid_cond": round(scores["fid_cond"], 4),
        "is_mean": round(scores["is_mean"], 4),
        "is_std": round(scores["is_std"], 4),
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
        "malloc_tuned": malloc_tuned(),
        "version": __version__,
        "cpu": _cpu_name(),
    }
