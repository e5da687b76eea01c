"""skncvq: NC-VQVAE discrete representations and class-conditional synthesis of time series,
with a scikit-learn API."""

from ._version import __version__
from .estimators import FCNClassifier, MaskGITSampler, NCVQVAETransformer

__all__ = ["NCVQVAETransformer", "MaskGITSampler", "FCNClassifier", "__version__"]
