"""skorch callbacks, one job each: training progress, the learning-rate probe, the cosine
schedule, the time limit, per-epoch loss terms, early stopping and the progress bar."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from skorch.callbacks import Callback, EarlyStopping

from .interrupt import StopTraining

__all__ = [
    "budget_callbacks",
    "Progress",
    "LrProbe",
    "CosineSchedule",
    "TimeLimit",
    "CutEpochTimer",
    "LossTermsLogger",
    "EarlyStop",
    "FitProgress",
]


class LossTermsLogger(Callback):
    """Average the batch-level terms named in ``keys`` into epoch-level history entries.

    Parameters
    ----------
    keys : tuple of str
        Batch-level history keys (written by the net's ``train_step_single``); averaged over
        the batches where they are finite.
    sum_keys : tuple of str
        Keys among ``keys`` that are summed instead (counts).
    """

    def __init__(self, keys: tuple[str, ...] = (), sum_keys: tuple[str, ...] = ("skipped_steps",)) -> None:
        self.keys = keys
        self.sum_keys = sum_keys

    def _summarise(self, net) -> None:
        row = net.history[-1]
        for key in self.keys:
            values = [b[key] for b in row["batches"] if key in b]
            if values and key not in row:
                if key in self.sum_keys:
                    net.history.record(key, float(np.sum(values)))
                else:
                    finite = [v for v in values if np.isfinite(v)]
                    net.history.record(key, float(np.mean(finite)) if finite else float("nan"))

    def on_epoch_end(self, net, **kwargs) -> None:
        self._summarise(net)

    def on_train_end(self, net, **kwargs) -> None:
        if len(net.history):
            self._summarise(net)  # an epoch cut short by the time budget


def budget_callbacks(max_time: float | None, lr_scale: Callable[[float], float] | None = None) -> list:
    """The callbacks that run a fit under its budgets, in the order they must run: training
    progress, the cosine schedule, the learning-rate probe of ``lr_scale`` (when given; after the
    schedule, which starts each fit unscaled), the time limit and the timing of an epoch the time
    limit cut short.

    Parameters
    ----------
    max_time : float or None
        Wall-clock budget in seconds for the whole fit; None for an epoch budget only.
    lr_scale : callable or None
        Maps the reachable fraction of the epoch budget, in (0, 1], to a learning-rate factor
        (see :class:`LrProbe`).
    """
    probe = [("lr_probe", LrProbe(lr_scale, max_time))] if lr_scale is not None else []
    return [
        ("training_progress", Progress(max_time)),
        ("schedule", CosineSchedule()),
        *probe,
        ("time_limit", TimeLimit(max_time)),
        ("cut_epoch_timer", CutEpochTimer()),
    ]


def _total_steps(net, X) -> int:
    """Optimizer steps in ``net.max_epochs`` epochs over ``X``."""
    n = len(X) if X is not None else 1
    return max(1, net.max_epochs * math.ceil(n / net.batch_size))


class Progress(Callback):
    """Training progress in ``net.progress_``, set before and after every training batch: the
    larger of the fraction of optimizer steps done (of ``max_epochs`` epochs) and the fraction of
    ``max_time`` seconds used, at most 1. The schedule, the phased objectives of the training
    step and the progress bar read it.

    Parameters
    ----------
    max_time : float or None
        Wall-clock budget in seconds; None for an epoch budget only.
    """

    def __init__(self, max_time: float | None = None) -> None:
        self.max_time = max_time

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        self.start_ = time.perf_counter()
        self.total_steps_ = _total_steps(net, X)
        self.step_ = 0
        net.progress_ = 0.0

    def _progress(self) -> float:
        frac = self.step_ / self.total_steps_
        if self.max_time:
            frac = max(frac, (time.perf_counter() - self.start_) / self.max_time)
        return min(frac, 1.0)

    def on_batch_begin(self, net, training=False, **kwargs) -> None:
        if training:
            net.progress_ = self._progress()

    def on_batch_end(self, net, training=False, **kwargs) -> None:
        if training:
            self.step_ += 1
            net.progress_ = self._progress()  # this step counted, for what reads it between batches


class LrProbe(Callback):
    """Scale the peak learning rate by how much of its epoch budget the time budget lets the fit
    run: after ``probe_steps`` timed optimizer steps (the first step, a warm-up, is not timed)
    the reachable fraction of ``max_epochs`` is estimated from their speed, and
    ``net.lr_scale_`` becomes ``lr_scale(fraction)`` (:class:`CosineSchedule` applies it). Without
    ``max_time`` the fraction is 1, decided before the first step; a fit of fewer than
    ``probe_steps + 1`` steps in all keeps ``net.lr_scale_ = 1``.

    Parameters
    ----------
    lr_scale : callable
        Maps the reachable fraction of the epoch budget, in (0, 1], to a learning-rate factor.
    max_time : float or None
        Wall-clock budget in seconds.
    probe_steps : int
        Optimizer steps timed for the estimate.
    """

    def __init__(
        self, lr_scale: Callable[[float], float], max_time: float | None = None, probe_steps: int = 8
    ) -> None:
        self.lr_scale = lr_scale
        self.max_time = max_time
        self.probe_steps = probe_steps

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        self.start_ = time.perf_counter()
        self.total_steps_ = _total_steps(net, X)
        self.step_ = 0
        net.lr_scale_ = 1.0 if self.max_time else float(self.lr_scale(1.0))

    def on_batch_end(self, net, training=False, **kwargs) -> None:
        if not training or not self.max_time or self.step_ > self.probe_steps:
            return
        self.step_ += 1
        now = time.perf_counter()
        if self.step_ == 1:
            self.probe_start_ = now
        elif self.step_ == 1 + self.probe_steps:
            rate = self.probe_steps / max(now - self.probe_start_, 1e-9)
            remaining = max(0.0, self.max_time - (now - self.start_))
            net.lr_scale_ = float(
                self.lr_scale(min(1.0, (self.step_ + remaining * rate) / self.total_steps_))
            )


class CosineSchedule(Callback):
    """Cosine learning-rate decay to 0 over ``net.progress_`` (:class:`Progress`), stepped every
    batch, each group's base rate times ``net.lr_scale_`` (1 unless :class:`LrProbe` set it); the
    first group's rate is recorded in the batch history as ``lr``."""

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        self.base_lrs_ = [g["lr"] for g in net.optimizer_.param_groups]
        net.lr_scale_ = 1.0

    def on_batch_begin(self, net, training=False, **kwargs) -> None:
        if not training:
            return
        factor = net.lr_scale_ * 0.5 * (1 + math.cos(math.pi * net.progress_))
        for group, base in zip(net.optimizer_.param_groups, self.base_lrs_):
            group["lr"] = base * factor
        net.history.record_batch("lr", self.base_lrs_[0] * factor)


class TimeLimit(Callback):
    """End training normally (:class:`StopTraining`) after the batch during which ``max_time``
    seconds of training have passed.

    Parameters
    ----------
    max_time : float or None
        Wall-clock budget in seconds; None never stops.
    """

    def __init__(self, max_time: float | None = None) -> None:
        self.max_time = max_time

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        self.start_ = time.perf_counter()

    def on_batch_end(self, net, training=False, **kwargs) -> None:
        if training and self.max_time and time.perf_counter() - self.start_ >= self.max_time:
            raise StopTraining


class CutEpochTimer(Callback):
    """The duration (``dur``) of an epoch :class:`TimeLimit` cut short, which skorch's own epoch
    timer never records."""

    def on_epoch_begin(self, net, **kwargs) -> None:
        self.epoch_start_ = time.perf_counter()

    def on_train_end(self, net, **kwargs) -> None:
        if len(net.history) and "dur" not in net.history[-1]:
            net.history.record("dur", time.perf_counter() - self.epoch_start_)


class EarlyStop(EarlyStopping):
    """skorch's ``EarlyStopping`` that ends training with :class:`StopTraining` instead of
    ``KeyboardInterrupt``, so that a real Ctrl+C is never mistaken for it."""

    def on_epoch_end(self, net, **kwargs) -> None:
        try:
            super().on_epoch_end(net, **kwargs)
        except KeyboardInterrupt:
            raise StopTraining from None


class FitProgress(Callback):
    """One progress bar over the whole fit, with its ETA.

    The bar shows the training progress :class:`Progress` records in ``net.progress_`` (the
    larger of the fraction of optimizer steps done and the fraction of the time budget used), so
    its ETA holds whichever budget ends the fit. The postfix shows the epoch and the last epoch's
    training loss.
    """

    _RESOLUTION = 1000  # bar units for the whole fit

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        from tqdm.auto import tqdm

        self.bar_ = tqdm(
            total=self._RESOLUTION,
            desc=type(net.module_).__name__,
            bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}{postfix}]",
        )

    def _show(self, progress: float) -> None:
        self.bar_.update(max(0, min(self._RESOLUTION, round(progress * self._RESOLUTION)) - self.bar_.n))

    def on_batch_end(self, net, training=False, **kwargs) -> None:
        if training:
            self._show(getattr(net, "progress_", 0.0))

    def on_epoch_end(self, net, **kwargs) -> None:
        row = net.history[-1]
        postfix = {"epoch": row["epoch"]}
        if "train_loss" in row:
            postfix["loss"] = f"{row['train_loss']:.4g}"
        self.bar_.set_postfix(postfix, refresh=False)

    def on_train_end(self, net, **kwargs) -> None:
        self._show(1.0)  # the fit ended, by its epochs, its time budget or early stopping
        self.bar_.close()
