"""scikit-learn estimators: numpy in, numpy out."""

from .fcn import FCNClassifier
from .tokenizer import NCVQVAETransformer

__all__ = ["NCVQVAETransformer", "FCNClassifier"]
