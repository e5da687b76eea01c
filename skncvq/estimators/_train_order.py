"""The order in which a prior's training epoch visits the series: a shuffle, or class-balanced draws."""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["train_order"]


def train_order(y_enc: np.ndarray, n_classes: int, class_balance: float, seed: int) -> dict:
    """skorch ``iterator_train`` settings for one prior fit.

    A shuffle of the training series when ``class_balance`` is 0, when there are no labels
    (``n_classes`` 0) or when every class present has as many series (a shuffle then visits
    the classes equally often already, and sees every series once); otherwise an epoch of
    ``len(y_enc)`` draws with replacement in which a series of a class with ``n_c`` series
    has weight ``n_c ** -class_balance`` (1: every class equally often).
    """
    generator = torch.Generator().manual_seed(seed)
    shuffle = {"iterator_train__shuffle": True, "iterator_train__generator": generator}
    if not n_classes or class_balance == 0:
        return shuffle
    counts = np.bincount(y_enc, minlength=n_classes).astype(np.float64)  # every class occurs
    if counts.min() == counts.max():
        return shuffle
    weights = counts[y_enc] ** -float(class_balance)
    sampler = torch.utils.data.WeightedRandomSampler(
        torch.as_tensor(weights), num_samples=len(y_enc), replacement=True, generator=generator
    )
    return {"iterator_train__shuffle": False, "iterator_train__sampler": sampler}
