"""Skip a training step whose loss or gradient is not finite, without a trace in the model."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import torch

__all__ = ["NonFiniteGuardMixin", "MAX_NONFINITE_STEPS"]

#: consecutive non-finite steps after which training stops with an error
MAX_NONFINITE_STEPS = 20

T = TypeVar("T")


class NonFiniteGuardMixin:
    """Mixin for a skorch net: run one step's forward and backward, skipping it if not finite.

    A step whose loss or total gradient norm is not finite moves no parameter (its gradients are
    dropped, so the optimizer leaves every parameter as is) and leaves no buffer changed: the
    forward pass may already have moved some (an EMA codebook, batch-norm running statistics),
    and one NaN folded into them would make every later step non-finite, so they are put back.
    Each batch records ``skipped_steps`` (0 or 1) in the history; ``MAX_NONFINITE_STEPS`` such
    steps in a row stop training with a ``RuntimeError``. Gradients are clipped to
    ``grad_clip`` total norm (``inf``: no clipping, the norm is still checked). A fit that ends
    with non-finite weights or buffers, or on a skipped step (so that the model it returns gives a
    non-finite loss), raises a ``RuntimeError`` instead of returning the broken model.
    """

    grad_clip: float = float("inf")
    nonfinite_run_: int = 0
    #: what the divergence error suggests trying
    divergence_hint: str = "lower lr or use precision='fp32'"

    def guarded_step(self, forward: Callable[[], tuple[torch.Tensor, T]]) -> T:
        """Run ``forward() -> (loss, extra)``, then backward unless not finite.

        Parameters
        ----------
        forward : callable
            Computes the batch's scalar loss and anything else the step returns.

        Returns
        -------
        extra : object
            The second item ``forward`` returned (whether or not the step was skipped).
        """
        module = self.module_
        buffers = list(module.buffers())
        saved = [b.detach().clone() for b in buffers]
        loss, extra = forward()
        skipped = not bool(torch.isfinite(loss))
        if not skipped:
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(module.parameters(), self.grad_clip)
            skipped = not bool(torch.isfinite(norm))
        if skipped:
            module.zero_grad(set_to_none=True)
            with torch.no_grad():
                for buffer, value in zip(buffers, saved):
                    buffer.copy_(value)
            self.nonfinite_run_ += 1
            if self.nonfinite_run_ >= MAX_NONFINITE_STEPS:
                raise RuntimeError(
                    f"training diverged: {self.nonfinite_run_} steps in a row had a non-finite loss or "
                    f"gradient; {self.divergence_hint}."
                )
        else:
            self.nonfinite_run_ = 0
        self.history.record_batch("skipped_steps", int(skipped))
        return extra

    def partial_fit(self, *args, **kwargs):
        result = super().partial_fit(*args, **kwargs)
        self.check_finite_end()
        return result

    def check_finite_end(self) -> None:
        """Raise ``RuntimeError`` if the trained module is not usable: a weight or buffer is not
        finite, or the last training step was skipped as non-finite."""
        module = self.module_
        broken = [
            name
            for name, t in (*module.named_parameters(), *module.named_buffers())
            if t.is_floating_point() and not bool(torch.isfinite(t).all())
        ]
        if broken or self.nonfinite_run_:
            where = (
                f"non-finite values in {', '.join(broken[:3])}"
                if broken
                else (f"its last {self.nonfinite_run_} step(s) had a non-finite loss or gradient")
            )
            raise RuntimeError(f"training diverged at the end: {where}; {self.divergence_hint}.")
