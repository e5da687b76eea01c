"""Factories of the skorch nets the estimators train: each takes the estimator's resolved settings
and returns a net ready to ``fit``, with its callbacks, data split and seeded generators. The
estimators never import skorch themselves."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .callbacks import EarlyStop, FitProgress, LossTermsLogger, budget_callbacks
from .classifier import AutocastClassifierNet
from .net import LOSS_KEYS, TokenizerNet
from .prior import PriorNet

__all__ = ["TrainSettings", "make_tokenizer_net", "make_prior_net", "make_classifier_net"]


@dataclass(frozen=True)
class TrainSettings:
    """What every training net takes from its estimator's resolved settings."""

    lr: float
    weight_decay: float
    max_epochs: int
    max_time: float | None
    batch_size: int
    precision: str
    device: str
    verbose: int


def _common(settings: TrainSettings, *, batch_size: int, callbacks: list, train_split=None) -> dict:
    """The skorch arguments every net shares: AdamW, the epoch budget, device and callbacks."""
    return dict(
        optimizer=torch.optim.AdamW,
        lr=settings.lr,
        optimizer__weight_decay=settings.weight_decay,
        max_epochs=settings.max_epochs,
        batch_size=batch_size,
        train_split=train_split,
        callbacks=callbacks,
        device=settings.device,
        verbose=settings.verbose,
    )


def _shuffled(n_series: int, batch_size: int, seed: int) -> dict:
    """Seeded shuffling; a last batch of one series, which batch norm cannot normalise, is
    dropped (a different one each epoch)."""
    return dict(
        iterator_train__shuffle=True,
        iterator_train__drop_last=n_series % batch_size == 1,
        iterator_train__generator=torch.Generator().manual_seed(seed + 1),
    )


def _progress(verbose: int) -> list:
    """Under ``verbose``, one progress bar over the whole fit with its ETA."""
    return [("progress", FitProgress())] if verbose else []


def make_tokenizer_net(
    module: torch.nn.Module,
    settings: TrainSettings,
    *,
    n_series: int,
    seed: int,
    augmentations: Sequence[str],
    grad_clip: float,
    ssl_until: float,
) -> TokenizerNet:
    """The net that trains the NC-VQVAE: shuffled batches (a last batch of one series, which
    batch norm cannot normalise, is dropped), per-epoch loss terms and the time-budgeted cosine
    schedule."""
    batch_size = min(settings.batch_size, n_series)
    callbacks = [
        ("loss_terms", LossTermsLogger(LOSS_KEYS)),
        *budget_callbacks(settings.max_time),
        *_progress(settings.verbose),
    ]
    return TokenizerNet(
        module=module,
        criterion=torch.nn.MSELoss,  # unused: the objective is the module's own named loss
        **_common(settings, batch_size=batch_size, callbacks=callbacks),
        **_shuffled(n_series, batch_size, seed),
        augmentations=augmentations,
        aug_generator=torch.Generator(device=settings.device).manual_seed(seed + 2),
        precision=settings.precision,
        grad_clip=grad_clip,
        ssl_until=ssl_until,
    )


def make_prior_net(
    module: torch.nn.Module,
    settings: TrainSettings,
    *,
    seed: int,
    lr_scale: Callable | None,
    train_order: dict,
    p_unconditional: float,
) -> PriorNet:
    """The net that trains the MaskGIT prior; ``train_order`` holds the iterator settings of the
    class-balanced epoch order, ``lr_scale`` the rule of ``lr="auto"`` (see :class:`LrProbe`)."""
    callbacks = [*budget_callbacks(settings.max_time, lr_scale), *_progress(settings.verbose)]
    return PriorNet(
        module=module,
        criterion=torch.nn.CrossEntropyLoss,  # unused: the module computes its masked loss
        **_common(settings, batch_size=settings.batch_size, callbacks=callbacks),
        **train_order,
        p_unconditional=p_unconditional,
        mask_generator=torch.Generator(device=settings.device).manual_seed(seed + 2),
        precision=settings.precision,
    )


def make_classifier_net(
    module: torch.nn.Module,
    settings: TrainSettings,
    *,
    n_series: int,
    n_classes: int,
    seed: int,
    early_stopping: bool,
    validation_fraction: float,
    patience: int,
) -> AutocastClassifierNet:
    """The net that trains the FCN classifier; with ``early_stopping`` a stratified validation
    split and the best epoch's weights restored."""
    callbacks = budget_callbacks(settings.max_time)
    train_split = None
    if early_stopping:
        from skorch.dataset import ValidSplit

        train_split = ValidSplit(validation_fraction, stratified=True, random_state=seed % (2**31))
        callbacks.append(("early_stopping", EarlyStop(patience=patience, load_best=True)))
    callbacks += _progress(settings.verbose)
    batch_size = min(settings.batch_size, n_series)
    return AutocastClassifierNet(
        module=module,
        criterion=torch.nn.CrossEntropyLoss,
        **_common(settings, batch_size=batch_size, callbacks=callbacks, train_split=train_split),
        **_shuffled(n_series, batch_size, seed),
        classes=np.arange(n_classes),
        precision=settings.precision,
    )
