"""skncvq: NC-VQVAE discrete representations and class-conditional synthesis of time series,
with a scikit-learn API."""

from .estimators import FCNClassifier, MaskGITSampler, NCVQVAETransformer

__version__ = "0.1.0"

__all__ = ["NCVQVAETransformer", "MaskGITSampler", "FCNClassifier", "__version__"]
