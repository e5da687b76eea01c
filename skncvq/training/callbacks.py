"""skorch callbacks: per-epoch loss terms and a cosine learning-rate schedule with a time budget."""

from __future__ import annotations

import math
import time

import numpy as np
from skorch.callbacks import Callback

__all__ = ["LossTermsLogger", "CosineBudget"]


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

    Parameters
    ----------
    max_time : float or None
        Wall-clock budget in seconds for the whole fit; None for an epoch budget only.
    """

    def __init__(self, max_time: float | None = None) -> None:
        self.max_time = max_time

    def on_train_begin(self, net, X=None, y=None, **kwargs) -> None:
        self.start_ = time.perf_counter()
        n = len(X) if X is not None else 1
        self.total_steps_ = max(1, net.max_epochs * math.ceil(n / net.batch_size))
        self.step_ = 0
        self.base_lrs_ = [g["lr"] for g in net.optimizer_.param_groups]

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
        if self.max_time and time.perf_counter() - self.start_ >= self.max_time:
            raise KeyboardInterrupt  # skorch's documented way to stop a fit early
