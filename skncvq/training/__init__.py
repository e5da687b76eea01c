"""The only sub-package that imports skorch: the training net and its callbacks."""

from .classifier import AutocastClassifierNet
from .callbacks import CosineBudget, LossTermsLogger
from .net import LOSS_KEYS, TokenizerNet

__all__ = ["AutocastClassifierNet", "TokenizerNet", "LossTermsLogger", "CosineBudget", "LOSS_KEYS"]
