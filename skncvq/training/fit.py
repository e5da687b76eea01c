"""Training a net and keeping what a fitted estimator needs: the module and plain records."""

from __future__ import annotations

from typing import NamedTuple

import torch

__all__ = ["Trained", "train"]


class Trained(NamedTuple):
    """What :func:`train` keeps of a fitted net."""

    module: torch.nn.Module  # the trained network, in eval mode, on the training device
    history: list[dict]  # one dict per epoch, as skorch recorded it (with its "batches")
    lr_scale: float  # the factor the time budget applied to the learning rate (1.0 if none)


def train(net, X, y=None) -> Trained:
    """Fit ``net`` on ``(X, y)`` and return its module and records; the net itself, with its
    optimizer, callbacks and data loaders, is dropped. Fitted estimators hold torch modules
    and plain arrays, never a training net."""
    net.fit(X, y)
    return Trained(
        module=net.module_.eval(),  # at rest in eval mode: inference never switches it
        history=[dict(row) for row in net.history],
        lr_scale=float(getattr(net, "lr_scale_", 1.0)),
    )
