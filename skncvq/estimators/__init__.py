"""scikit-learn estimators: numpy in, numpy out."""

from .fcn import FCNClassifier
from .sampler import MaskGITSampler
from .tokenizer import NCVQVAETransformer

__all__ = ["NCVQVAETransformer", "MaskGITSampler", "FCNClassifier"]
