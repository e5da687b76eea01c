"""The only sub-package that imports skorch: the training net and its callbacks."""

from .callbacks import CosineBudget, LossTermsLogger
from .classifier import AutocastClassifierNet
from .guard import MAX_NONFINITE_STEPS, NonFiniteGuardMixin
from .net import LOSS_KEYS, TokenizerNet
from .prior import PriorNet

__all__ = [
    "PriorNet",
    "AutocastClassifierNet",
    "TokenizerNet",
    "LossTermsLogger",
    "CosineBudget",
    "LOSS_KEYS",
    "NonFiniteGuardMixin",
    "MAX_NONFINITE_STEPS",
]
