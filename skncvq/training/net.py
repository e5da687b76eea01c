"""The skorch net that trains the NC-VQVAE: two views, named loss terms, optional bf16 autocast."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from skorch import NeuralNet

from ..augment import augment
from ..nn.ncvqvae import LOSS_TERMS
from .guard import NonFiniteGuardMixin
from .interrupt import InterruptibleMixin

__all__ = ["TokenizerNet", "LOSS_KEYS"]

#: Batch-level history keys: the loss terms, the codebook's use and the guard's skipped steps.
LOSS_KEYS = (*LOSS_TERMS, "perplexity", "dead_codes", "skipped_steps")


class TokenizerNet(InterruptibleMixin, NonFiniteGuardMixin, NeuralNet):
    """skorch ``NeuralNet`` whose training step runs the NC-VQVAE objective.

    Only ``train_step_single`` is overridden: it draws the augmented view with a seeded
    generator (when the module has an SSL head), runs the forward under autocast when
    ``precision="bf16"``, and records every loss term per batch. Gradients are clipped to
    ``grad_clip`` total norm; a step whose loss or gradient norm is not finite is skipped
    (:class:`NonFiniteGuardMixin`: no parameter moves, and the buffers the forward pass updated,
    the EMA codebook and the batch-norm statistics, are put back; counted in ``skipped_steps``),
    and training stops with a ``RuntimeError`` after ``MAX_NONFINITE_STEPS`` such steps in a row.

    Parameters
    ----------
    augmentations : str or sequence of str
        Augmentation set or names for the second view.
    aug_generator : torch.Generator
        Source of the augmentations' randomness.
    precision : {"fp32", "bf16"}
        Autocast dtype for the forward pass (the quantizer, STFT and losses stay float32).
    grad_clip : float
        Maximum total gradient norm (``inf`` disables clipping).
    ssl_until : float
        Training progress (``progress_``, set each batch by :class:`Progress`; 0 without
        it) from which the augmented view is no longer drawn and the step is the plain
        reconstruction objective.
    **kwargs
        Passed to :class:`skorch.NeuralNet`.
    """

    _generator_attrs = ("aug_generator",)
    divergence_hint = "lower lr, use precision='fp32' or a smaller ssl_weight"

    def __init__(
        self,
        *args,
        augmentations: str | Sequence[str] = "slice",
        aug_generator: torch.Generator | None = None,
        precision: str = "fp32",
        grad_clip: float = float("inf"),
        ssl_until: float = 1.0,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.augmentations = augmentations
        self.aug_generator = aug_generator
        self.precision = precision
        self.grad_clip = grad_clip
        self.ssl_until = ssl_until
        self.progress_ = 0.0

    def train_step_single(self, batch, **fit_params):
        self._set_training(True)
        Xi, _ = batch
        x = Xi.to(self.device)  # (B, 1, L)
        module = self.module_
        x_aug = None
        if module.projector is not None and (self.ssl_until >= 1 or self.progress_ < self.ssl_until):
            generator = self.aug_generator or torch.Generator().manual_seed(0)
            x_aug = augment(x, self.augmentations, generator=generator)

        def forward():
            with torch.autocast(
                device_type=x.device.type, dtype=torch.bfloat16, enabled=self.precision == "bf16"
            ):
                out = module(x, x_aug)
            terms = module.loss(x, out, x_aug)
            return terms.total, (out, terms)

        out, terms = self.guarded_step(forward)
        record = self.history.record_batch
        for name in LOSS_TERMS:
            record(name, getattr(terms, name).item())
        record("perplexity", out.perplexity.item())
        record("dead_codes", int(out.n_dead.item()))
        return {"loss": terms.total, "y_pred": out.x_recon}
