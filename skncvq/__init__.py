"""skncvq: NC-VQVAE discrete representations and class-conditional synthesis of time series,
with a scikit-learn API."""

from ._version import __version__
from .estimators import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from .persistence import load, save

__all__ = ["NCVQVAETransformer", "MaskGITSampler", "FCNClassifier", "save", "load", "__version__"]
