"""The NC-VQVAE tokenizer module: STFT -> encoder -> VQ -> decoder -> ISTFT, plus the SSL branch."""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn

from .codec import Decoder, Encoder
from .config import NCVQVAEConfig
from .quantizer import VectorQuantizer
from .ssl import Projector, barlow_twins_loss, vibcreg_loss
from .timefreq import TimeFrequency

__all__ = ["NCVQVAE", "NCVQVAEOutput", "LossTerms"]


@dataclass
class NCVQVAEOutput:
    """Named outputs of :meth:`NCVQVAE.forward`; the ``*_aug`` fields are None without a second view."""

    x_recon: torch.Tensor  # (B, C, L)
    u: torch.Tensor  # (B, 2, F, W) STFT of the input
    u_recon: torch.Tensor  # (B, 2, F, W)
    z: torch.Tensor  # (B, D, F, W') encoder output
    z_q: torch.Tensor  # (B, D, F, W') quantized (straight-through in training)
    indices: torch.Tensor  # (B, F, W')
    commit_loss: torch.Tensor
    perplexity: torch.Tensor
    n_dead: torch.Tensor
    x_aug_recon: torch.Tensor | None = None
    u_aug: torch.Tensor | None = None
    u_aug_recon: torch.Tensor | None = None
    z_aug: torch.Tensor | None = None
    ssl_loss: torch.Tensor | None = None


@dataclass
class LossTerms:
    """Named loss terms of one batch; ``total`` is what is minimised."""

    total: torch.Tensor
    recon_time: torch.Tensor
    recon_stft: torch.Tensor
    vq: torch.Tensor
    ssl: torch.Tensor
    aug_recon: torch.Tensor


#: Names of the loss terms a training step records (the fields of :class:`LossTerms` but ``total``).
LOSS_TERMS = tuple(f.name for f in fields(LossTerms) if f.name != "total")


def _pool(z: torch.Tensor) -> torch.Tensor:
    """(B, D, F, W) -> (B, 2D): global average pool concatenated with global max pool."""
    return torch.cat((z.mean((2, 3)), z.amax((2, 3))), dim=1)


class NCVQVAE(nn.Module):
    """Stage-1 tokenizer with an optional non-contrastive branch.

    Parameters
    ----------
    config : NCVQVAEConfig
        Sizes and loss weights.

    Examples
    --------
    >>> import torch
    >>> from skncvq.nn import NCVQVAE, NCVQVAEConfig
    >>> model = NCVQVAE(NCVQVAEConfig(length=64, hidden_dim=16, codebook_dim=16, n_res_blocks=1))
    >>> out = model(torch.randn(4, 1, 64))
    >>> tuple(out.x_recon.shape), tuple(out.indices.shape)
    ((4, 1, 64), (4, 5, 8))
    """

    def __init__(self, config: NCVQVAEConfig) -> None:
        super().__init__()
        if config.codebook_dim != config.hidden_dim:
            raise ValueError(
                f"codebook_dim ({config.codebook_dim}) must equal hidden_dim ({config.hidden_dim}): "
                "the quantizer has no in/out projection."
            )
        self.config = config
        self.tf = TimeFrequency(config.n_fft)
        self.encoder = Encoder(
            2 * config.n_channels, config.hidden_dim, config.n_down, config.n_res_blocks, config.dropout
        )
        self.quantizer = VectorQuantizer(
            config.codebook_size, config.codebook_dim, config.ema_decay, config.commitment_weight
        )
        self.decoder = Decoder(
            2 * config.n_channels, config.hidden_dim, config.n_down, config.n_res_blocks, config.dropout
        )
        self.projector = (
            Projector(2 * config.hidden_dim, config.projector_dim, iternorm=config.ssl == "vibcreg")
            if config.ssl is not None
            else None
        )

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, L) series -> (B, D, F, W') continuous latent."""
        return self.encoder(self.tf(x))

    def decode_latent(self, z_q: torch.Tensor) -> torch.Tensor:
        """(B, D, F, W') latent -> (B, C, L) series."""
        size = (self.config.n_freq, self.config.n_frames)
        return self.tf.inverse(self.decoder(z_q, size), self.config.length)

    def decode_indices(self, indices: torch.Tensor) -> torch.Tensor:
        """(B, F, W') token ids -> (B, C, L) series."""
        return self.decode_latent(self.quantizer.codes(indices))

    def forward(self, x: torch.Tensor, x_aug: torch.Tensor | None = None) -> NCVQVAEOutput:
        """Run the original view (and the augmented one when given and SSL is on)."""
        size = (self.config.n_freq, self.config.n_frames)
        length = self.config.length
        u = self.tf(x)  # (B, 2C, F, W)
        z = self.encoder(u)  # (B, D, F, W')
        vq = self.quantizer(z)
        u_recon = self.decoder(vq.z_q, size)
        out = NCVQVAEOutput(
            x_recon=self.tf.inverse(u_recon, length),
            u=u,
            u_recon=u_recon,
            z=z,
            z_q=vq.z_q,
            indices=vq.indices,
            commit_loss=vq.commit_loss,
            perplexity=vq.perplexity,
            n_dead=vq.n_dead,
        )
        if x_aug is not None and self.projector is not None:
            view_grad = self.config.ssl_view_grad
            with torch.set_grad_enabled(torch.is_grad_enabled() and view_grad):
                u_aug = self.tf(x_aug)
                z_aug = self.encoder(u_aug)  # same encoder, own batch statistics, no quantization
            out.u_aug = u_aug
            out.z_aug = z_aug
            # weight 0 or a stop-gradient view: the decoder pass would carry no gradient
            if self.config.aug_recon_weight > 0 and view_grad:
                u_aug_recon = self.decoder(z_aug, size)
                out.u_aug_recon = u_aug_recon
                out.x_aug_recon = self.tf.inverse(u_aug_recon, length)
            p1 = self.projector(_pool(vq.z_q))
            p2 = self.projector(_pool(z_aug))
            if self.config.ssl == "barlowtwins":
                out.ssl_loss = barlow_twins_loss(p1, p2)
            else:
                out.ssl_loss = vibcreg_loss(p1, p2)
        return out

    def loss(self, x: torch.Tensor, out: NCVQVAEOutput, x_aug: torch.Tensor | None = None) -> LossTerms:
        """The reference objective as named terms."""
        recon_time = F.mse_loss(out.x_recon.float(), x)
        recon_stft = F.mse_loss(out.u_recon.float(), out.u)
        total = recon_time + recon_stft + out.commit_loss
        zero = total.new_zeros(())
        ssl, aug_recon = zero, zero
        if out.ssl_loss is not None and x_aug is not None:
            ssl = self.config.ssl_weight * out.ssl_loss
            total = total + ssl
            if out.x_aug_recon is not None:
                aug_recon = F.mse_loss(out.x_aug_recon.float(), x_aug) + F.mse_loss(
                    out.u_aug_recon.float(), out.u_aug
                )
                total = total + self.config.aug_recon_weight * aug_recon
        return LossTerms(total, recon_time, recon_stft, out.commit_loss, ssl, aug_recon)
