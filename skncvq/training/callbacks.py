"""skorch callbacks: per-epoch loss terms and a cosine learning-rate schedule with a time budget."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
from skorch.callbacks import Callback, EarlyStopping

from .interrupt import StopTraining

__all__ = ["LossTermsLogger", "CosineBudget", "EarlyStop", "FitProgress"]


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


class CosineBudget(Callback):
    """Cosine learning-rate decay to 0 over the training budget, stepped every batch.

    Progress is the larger of the fraction of optimizer steps done (of ``max_epochs`` epochs) and
    the fraction of ``max_time`` seconds used, so the schedule ends at 0 whichever budget runs out
    first. When ``max_time`` is reached training stops after the current batch. The progress at
    each batch is left in ``net.progress_`` for the training step (phased objectives).

    With ``lr_scale`` the peak learning rate follows how much of its epoch budget the time
    budget will let the fit run: after ``probe_steps`` timed optimizer steps (the first step,
    a warm-up, is not timed) the reachable fraction of ``max_epochs`` is estimated from their
    speed, and every base learning rate is multiplied by ``lr_scale(fraction)`` from then on.
    Without ``max_time`` the fraction is 1; a fit of fewer than ``probe_steps + 1`` steps in
    all keeps its base learning rates. The factor applied is ``scale_``.

    Parameters
    ----------
    max_time : float or None
        Wall-clock budget in seconds for the whole fit; None for an epoch budget only.
    lr_scale : callable or None
        Maps the reachable fraction of the epoch budget, in (0, 1], to a learning-rate factor.
    probe_steps : int
        Optimizer steps timed for the estimate.
    """

    def __init__(
        self,
        max_time: float | None = None,
        lr_scale: Callable[[float], float] | None = None,
        probe_steps: int = 8,
    ) -> None:
        self.max_time = max_time
        self.lr_scale = lr_scale
        self.probe_steps = probe_steps

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        self.start_ = time.perf_counter()
        n = len(X) if X is not None else 1
        self.total_steps_ = max(1, net.max_epochs * math.ceil(n / net.batch_size))
        self.step_ = 0
        self.base_lrs_ = [g["lr"] for g in net.optimizer_.param_groups]
        self.scale_ = 1.0
        # the scale is still to be chosen while a time budget may cut the epoch budget short
        self.probing_ = self.lr_scale is not None and bool(self.max_time)
        if self.lr_scale is not None and not self.max_time:
            self._rescale(1.0)

    def _rescale(self, reachable: float) -> None:
        self.scale_ = float(self.lr_scale(reachable))
        self.base_lrs_ = [base * self.scale_ for base in self.base_lrs_]
        self.probing_ = False

    def _probe(self) -> None:
        now = time.perf_counter()
        if self.step_ == 1:
            self.probe_start_ = now
        elif self.step_ == 1 + self.probe_steps:
            rate = self.probe_steps / max(now - self.probe_start_, 1e-9)
            remaining = max(0.0, self.max_time - (now - self.start_))
            self._rescale(min(1.0, (self.step_ + remaining * rate) / self.total_steps_))

    def _progress(self) -> float:
        frac = self.step_ / self.total_steps_
        if self.max_time:
            frac = max(frac, (time.perf_counter() - self.start_) / self.max_time)
        return min(frac, 1.0)

    def on_epoch_begin(self, net, **kwargs) -> None:
        self.epoch_start_ = time.perf_counter()

    def on_train_end(self, net, **kwargs) -> None:
        # an epoch cut short by the time budget never reaches EpochTimer: record its duration here
        if len(net.history) and "dur" not in net.history[-1]:
            net.history.record("dur", time.perf_counter() - self.epoch_start_)

    def on_batch_begin(self, net, training=False, **kwargs) -> None:
        if not training:
            return
        net.progress_ = progress = self._progress()
        factor = 0.5 * (1 + math.cos(math.pi * progress))
        for group, base in zip(net.optimizer_.param_groups, self.base_lrs_):
            group["lr"] = base * factor
        net.history.record_batch("lr", self.base_lrs_[0] * factor)

    def on_batch_end(self, net, training=False, **kwargs) -> None:
        if not training:
            return
        self.step_ += 1
        net.progress_ = self._progress()  # this step counted, for what reads it between batches
        if self.probing_:
            self._probe()
        if self.max_time and time.perf_counter() - self.start_ >= self.max_time:
            raise StopTraining


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

    The bar shows the training progress :class:`CosineBudget` records in ``net.progress_`` (the
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
