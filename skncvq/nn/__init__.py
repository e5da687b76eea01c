"""Pure torch modules of skncvq (no scikit-learn, no skorch)."""

from .codec import Decoder, Encoder
from .config import NCVQVAEConfig, n_downsample_blocks
from .fcn import FCN
from .maskgit import MaskGIT, MaskGITConfig, cosine_schedule
from .ncvqvae import NCVQVAE, LossTerms, NCVQVAEOutput
from .quantizer import QuantizerOutput, VectorQuantizer
from .ssl import IterNorm, Projector, barlow_twins_loss, vibcreg_loss
from .timefreq import TimeFrequency

__all__ = [
    "FCN",
    "MaskGIT",
    "MaskGITConfig",
    "cosine_schedule",
    "NCVQVAE",
    "NCVQVAEConfig",
    "NCVQVAEOutput",
    "LossTerms",
    "Encoder",
    "Decoder",
    "VectorQuantizer",
    "QuantizerOutput",
    "Projector",
    "IterNorm",
    "barlow_twins_loss",
    "vibcreg_loss",
    "TimeFrequency",
    "n_downsample_blocks",
]
