"""Factories of the skorch nets the estimators train: each takes the estimator's resolved settings
and returns a net ready to ``fit``, with its callbacks, data split and seeded generators. The
estimators never import skorch themselves."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

from .callbacks import CosineBudget, EarlyStop, FitProgress, LossTermsLogger
from .classifier import AutocastClassifierNet
from .net import LOSS_KEYS, TokenizerNet
from .prior import PriorNet

__all__ = ["make_tokenizer_net", "make_prior_net", "make_classifier_net"]


def _common(
    *, lr, weight_decay, max_epochs, batch_size, device, verbose, callbacks, train_split=None
) -> dict:
    return dict(
        optimizer=torch.optim.AdamW,
        lr=lr,
        optimizer__weight_decay=weight_decay,
        max_epochs=max_epochs,
        batch_size=batch_size,
        train_split=train_split,
        callbacks=callbacks,
        device=device,
        verbose=verbose,
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
    *,
    n_series: int,
    seed: int,
    lr: float,
    weight_decay: float,
    max_epochs: int,
    max_time: float | None,
    batch_size: int,
    augmentations: Sequence[str],
    precision: str,
    grad_clip: float,
    ssl_until: float,
    device: str,
    verbose: int,
) -> TokenizerNet:
    """The net that trains the NC-VQVAE: shuffled batches (a last batch of one series, which
    batch norm cannot normalise, is dropped), per-epoch loss terms and the time-budgeted cosine
    schedule."""
    batch_size = min(batch_size, n_series)
    callbacks = [
        ("loss_terms", LossTermsLogger(LOSS_KEYS)),
        ("budget", CosineBudget(max_time)),
        *_progress(verbose),
    ]
    return TokenizerNet(
        module=module,
        criterion=torch.nn.MSELoss,  # unused: the objective is the module's own named loss
        **_common(
            lr=lr,
            weight_decay=weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            verbose=verbose,
            callbacks=callbacks,
        ),
        **_shuffled(n_series, batch_size, seed),
        augmentations=augmentations,
        aug_generator=torch.Generator(device=device).manual_seed(seed + 2),
        precision=precision,
        grad_clip=grad_clip,
        ssl_until=ssl_until,
    )


def make_prior_net(
    module: torch.nn.Module,
    *,
    seed: int,
    lr: float,
    lr_scale: Callable | None,
    weight_decay: float,
    max_epochs: int,
    max_time: float | None,
    batch_size: int,
    train_order: dict,
    p_unconditional: float,
    precision: str,
    device: str,
    verbose: int,
) -> PriorNet:
    """The net that trains the MaskGIT prior; ``train_order`` holds the iterator settings of the
    class-balanced epoch order, ``lr_scale`` the rule of ``lr="auto"`` (see :class:`CosineBudget`)."""
    callbacks = [("budget", CosineBudget(max_time, lr_scale=lr_scale)), *_progress(verbose)]
    return PriorNet(
        module=module,
        criterion=torch.nn.CrossEntropyLoss,  # unused: the module computes its masked loss
        **_common(
            lr=lr,
            weight_decay=weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            verbose=verbose,
            callbacks=callbacks,
        ),
        **train_order,
        p_unconditional=p_unconditional,
        mask_generator=torch.Generator(device=device).manual_seed(seed + 2),
        precision=precision,
    )


def make_classifier_net(
    module: torch.nn.Module,
    *,
    n_series: int,
    n_classes: int,
    seed: int,
    lr: float,
    weight_decay: float,
    max_epochs: int,
    max_time: float | None,
    batch_size: int,
    early_stopping: bool,
    validation_fraction: float,
    patience: int,
    precision: str,
    device: str,
    verbose: int,
) -> AutocastClassifierNet:
    """The net that trains the FCN classifier; with ``early_stopping`` a stratified validation
    split and the best epoch's weights restored."""
    callbacks = [("budget", CosineBudget(max_time))]
    train_split = None
    if early_stopping:
        from skorch.dataset import ValidSplit

        train_split = ValidSplit(validation_fraction, stratified=True, random_state=seed % (2**31))
        callbacks.append(("early_stopping", EarlyStop(patience=patience, load_best=True)))
    callbacks += _progress(verbose)
    batch_size = min(batch_size, n_series)
    return AutocastClassifierNet(
        module=module,
        criterion=torch.nn.CrossEntropyLoss,
        **_common(
            lr=lr,
            weight_decay=weight_decay,
            max_epochs=max_epochs,
            batch_size=batch_size,
            device=device,
            verbose=verbose,
            callbacks=callbacks,
            train_split=train_split,
        ),
        **_shuffled(n_series, batch_size, seed),
        classes=np.arange(n_classes),
        precision=precision,
    )
