"""The skorch net that trains the MaskGIT prior on token grids."""

from __future__ import annotations

import torch
from skorch import NeuralNet

from .guard import NonFiniteGuardMixin
from .interrupt import InterruptibleMixin

__all__ = ["PriorNet"]


class PriorNet(InterruptibleMixin, NonFiniteGuardMixin, NeuralNet):
    """skorch ``NeuralNet`` whose training step is the masked-token objective of the prior.

    ``X`` holds token grids ``(n, N)`` (int64) and ``y`` class ids (the "no class" id for
    unconditional training). Masks and class dropout come from ``mask_generator``. A step whose
    loss or gradient is not finite is skipped (:class:`NonFiniteGuardMixin`).

    Parameters
    ----------
    p_unconditional : float
        Probability of replacing a label by "no class" (classifier-free guidance dropout).
    mask_generator : torch.Generator
        Source of the masking randomness.
    precision : {"fp32", "bf16"}
        Autocast dtype of the forward pass.
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    _generator_attrs = ("mask_generator",)

    def __init__(
        self,
        *args,
        p_unconditional: float = 0.2,
        mask_generator: torch.Generator | None = None,
        precision: str = "fp32",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.p_unconditional = p_unconditional
        self.mask_generator = mask_generator
        self.precision = precision

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        ids, classes = (t.to(self.device) for t in batch)
        generator = self.mask_generator or torch.Generator().manual_seed(0)

        def forward():
            with torch.autocast(
                device_type=ids.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"
            ):
                loss = self.module_.loss(ids, classes, generator, self.p_unconditional)
            return loss, loss

        loss = self.guarded_step(forward)
        return {"loss": loss, "y_pred": None}
