"""The only sub-package that imports skorch: the training nets, their callbacks, and the
factories the estimators get their nets from."""

from .callbacks import (
    CosineSchedule,
    CutEpochTimer,
    EarlyStop,
    FitProgress,
    LossTermsLogger,
    LrProbe,
    Progress,
    TimeLimit,
    budget_callbacks,
)
from .classifier import AutocastClassifierNet
from .factories import TrainSettings, make_classifier_net, make_prior_net, make_tokenizer_net
from .fit import Trained, train
from .guard import MAX_NONFINITE_STEPS, NonFiniteGuardMixin
from .net import LOSS_KEYS, TokenizerNet
from .prior import PriorNet

__all__ = [
    "PriorNet",
    "AutocastClassifierNet",
    "TokenizerNet",
    "LossTermsLogger",
    "budget_callbacks",
    "Progress",
    "LrProbe",
    "CosineSchedule",
    "TimeLimit",
    "CutEpochTimer",
    "EarlyStop",
    "FitProgress",
    "LOSS_KEYS",
    "NonFiniteGuardMixin",
    "MAX_NONFINITE_STEPS",
    "TrainSettings",
    "make_tokenizer_net",
    "make_prior_net",
    "make_classifier_net",
    "train",
    "Trained",
]
