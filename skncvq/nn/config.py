"""Frozen configuration dataclasses for the torch models (sizes only, no training settings)."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "AUTO_SAMPLES_PER_STEP",
    "NCVQVAEConfig",
    "auto_latent_width",
    "n_downsample_blocks",
    "stft_frames",
]

# latent_width="auto": one latent step per about this many samples, the target width kept in [8, 32]
AUTO_SAMPLES_PER_STEP = 16


def stft_frames(length: int, n_fft: int) -> int:
    """Number of STFT frames for a centred STFT with hop ``n_fft // 4``."""
    return 1 + length // (n_fft // 4)


def n_downsample_blocks(length: int, n_fft: int, latent_width: int) -> int:
    """Number of stride-2 encoder blocks.

    ``r = round(L / (log2(n_fft) - 1) / w)`` (1 when ``L < w``) and ``n = max(1, floor(log2 r))``.
    """
    if length < latent_width:
        rate = 1
    else:
        rate = round(length / (math.log2(n_fft) - 1) / latent_width)
    return max(1, int(math.floor(math.log2(max(rate, 1)))))


def auto_latent_width(length: int) -> int:
    """Target latent width of ``latent_width="auto"``: ``length // 16`` kept within [8, 32].

    Through the reference's block rule this gives about one latent step per 16 samples from 128
    samples up to 512, the reference code's width 8 below that and the thesis text's 32 above
    (see the design decisions page, "Latent width").
    """
    return min(32, max(8, length // AUTO_SAMPLES_PER_STEP))


@dataclass(frozen=True)
class NCVQVAEConfig:
    """Sizes of the NC-VQVAE tokenizer.

    Parameters
    ----------
    length : int
        Series length ``L``.
    n_channels : int
        Channels ``C`` of a series, tokenized jointly: their spectra are the encoder's input.
    n_fft : int
        STFT size; hop is ``n_fft // 4``, Hann window, centred.
    hidden_dim : int
        Channels of the encoder and decoder.
    latent_width : int
        Target width ``w`` of the latent time axis (the reference code uses 8).
    n_res_blocks : int
        Residual blocks on each side.
    codebook_size, codebook_dim : int
        ``K`` codes of dimension ``D``; ``D`` must equal ``hidden_dim``.
    ema_decay : float
        Decay of the codebook's exponential moving averages.
    commitment_weight : float
        Weight of ``MSE(z, sg(q))``.
    ssl : {"barlowtwins", "vibcreg"} or None
        Non-contrastive objective on the two views, or None for the plain VQ-VAE.
    projector_dim : int
        Width of the three-layer projector (reference: 4096).
    ssl_weight : float
        Multiplier of the SSL loss (reference: 1.0 for Barlow Twins, 0.01 for VIbCReg).
    aug_recon_weight : float
        Weight of the augmented view's reconstruction loss (reference 0.1). At 0 the augmented
        view is not decoded at all, which saves a decoder pass per step.
    ssl_view_grad : bool
        Whether gradients flow through the augmented view's encoder pass. False treats that
        view as a fixed target (a stop-gradient, as in SimSiam / BYOL): it is encoded without
        building a graph and is not decoded, so ``aug_recon_weight`` has no effect, and the
        encoder learns the SSL objective through the original view alone.
    dropout : float
        Dropout inside encoder/decoder blocks (reference 0).
    """

    length: int
    n_channels: int = 1
    n_fft: int = 8
    hidden_dim: int = 64
    latent_width: int = 8
    n_res_blocks: int = 4
    codebook_size: int = 32
    codebook_dim: int = 64
    ema_decay: float = 0.9
    commitment_weight: float = 1.0
    ssl: str | None = None
    projector_dim: int = 4096
    ssl_weight: float = 1.0
    aug_recon_weight: float = 0.1
    ssl_view_grad: bool = True
    dropout: float = 0.0

    @property
    def n_freq(self) -> int:
        """Number of one-sided frequency bins ``n_fft // 2 + 1``."""
        return self.n_fft // 2 + 1

    @property
    def n_frames(self) -> int:
        """STFT frames ``W``."""
        return stft_frames(self.length, self.n_fft)

    @property
    def n_down(self) -> int:
        """Number of stride-2 blocks of the encoder."""
        return n_downsample_blocks(self.length, self.n_fft, self.latent_width)

    @property
    def latent_frames(self) -> int:
        """Width ``W'`` of the latent grid."""
        width = self.n_frames
        for _ in range(self.n_down):
            width = width // 2
        return width

    @property
    def token_shape(self) -> tuple[int, int]:
        """``(n_freq, W')`` shape of the token grid."""
        return (self.n_freq, self.latent_frames)
