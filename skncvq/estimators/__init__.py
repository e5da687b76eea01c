"""scikit-learn estimators: numpy in, numpy out."""

from .tokenizer import NCVQVAETransformer

__all__ = ["NCVQVAETransformer"]
