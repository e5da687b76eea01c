"""The only sub-package that imports skorch: the training nets, their callbacks, and the
factories the estimators get their nets from."""

from .callbacks import CosineBudget, EarlyStop, FitProgress, LossTermsLogger
from .classifier import AutocastClassifierNet
from .factories import make_classifier_net, make_prior_net, make_tokenizer_net
from .fit import Trained, train
from .guard import MAX_NONFINITE_STEPS, NonFiniteGuardMixin
from .net import LOSS_KEYS, TokenizerNet
from .prior import PriorNet

__all__ = [
    "PriorNet",
    "AutocastClassifierNet",
    "TokenizerNet",
    "LossTermsLogger",
    "CosineBudget",
    "EarlyStop",
    "FitProgress",
    "LOSS_KEYS",
    "NonFiniteGuardMixin",
    "MAX_NONFINITE_STEPS",
    "make_tokenizer_net",
    "make_prior_net",
    "make_classifier_net",
    "train",
    "Trained",
]
