"""skorch classifier net with optional bfloat16 autocast of the forward pass."""

from __future__ import annotations

import torch
from skorch import NeuralNetClassifier
from skorch.dataset import unpack_data

from .guard import NonFiniteGuardMixin
from .interrupt import InterruptibleMixin

__all__ = ["AutocastClassifierNet"]


class AutocastClassifierNet(InterruptibleMixin, NonFiniteGuardMixin, NeuralNetClassifier):
    """``NeuralNetClassifier`` whose forward runs under bf16 autocast when ``precision="bf16"``.

    Logits are returned in float32 so the loss and probabilities stay in full precision. A step
    whose loss or gradient is not finite is skipped (:class:`NonFiniteGuardMixin`), so one bad
    batch cannot leave NaN weights or batch-norm statistics behind.

    Parameters
    ----------
    precision : {"fp32", "bf16"}
        Autocast dtype of the forward pass.
    **kwargs
        Passed to :class:`skorch.NeuralNetClassifier`.
    """

    def __init__(self, *args, precision: str = "fp32", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.precision = precision

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : array-like
        y : array-like
        sample_weight : array-like or None

        Returns
        -------
        float
        """
        return super().score(X, y, sample_weight=sample_weight)

    def infer(self, x, **fit_params):
        device = torch.device(self.device).type if isinstance(self.device, str) else "cpu"
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            return super().infer(x, **fit_params).float()

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, yi = unpack_data(batch)

        def forward():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=True)
            return loss, (loss, y_pred)

        loss, y_pred = self.guarded_step(forward)
        return {"loss": loss, "y_pred": y_pred}
