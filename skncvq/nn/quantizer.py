"""Euclidean vector quantizer with an EMA codebook."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["VectorQuantizer", "QuantizerOutput"]


class QuantizerOutput(NamedTuple):
    """Named output of :class:`VectorQuantizer`."""

    z_q: torch.Tensor  # (B, D, F, W') straight-through quantized latent
    indices: torch.Tensor  # (B, F, W') int64 code ids
    commit_loss: torch.Tensor  # scalar, 0 in eval mode
    perplexity: torch.Tensor  # scalar, exp entropy of the batch's code usage
    n_dead: torch.Tensor  # scalar, codes unused in this batch


class VectorQuantizer(nn.Module):
    """Nearest-code quantization of a (B, D, F, W) latent map with EMA codebook updates.

    Written here rather than taken from ``vector-quantize-pytorch`` so the reference behaviour is
    exact (randn init, decay 0.9, Laplace-smoothed cluster sizes, no dead-code reset during
    training) and the dependency churn stays out of the package. After training, :meth:`retire`
    takes the codes no training series used out of use.

    Parameters
    ----------
    codebook_size : int
        Number of codes ``K``.
    dim : int
        Code dimension ``D``.
    decay : float
        EMA decay.
    commitment_weight : float
        Weight of ``MSE(z, sg(q))`` in training mode.
    eps : float
        Laplace smoothing of the cluster sizes.
    """

    def __init__(
        self,
        codebook_size: int,
        dim: int,
        decay: float = 0.9,
        commitment_weight: float = 1.0,
        eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.codebook_size = codebook_size
        self.decay = decay
        self.commitment_weight = commitment_weight
        self.eps = eps
        embed = torch.randn(codebook_size, dim)
        self.register_buffer("embed", embed)  # (K, D)
        self.register_buffer("cluster_size", torch.zeros(codebook_size))  # (K,)
        self.register_buffer("embed_sum", embed.clone())  # (K, D)
        self.register_buffer("live", torch.ones(codebook_size, dtype=torch.bool))  # (K,) codes in use

    @torch.no_grad()
    def retire(self, counts: torch.Tensor) -> None:
        """Take the codes whose ``counts`` (K,) are 0 out of use: :meth:`assign` never picks them
        again, and each takes the vector of its nearest used code, so decoding one gives what
        decoding that code gives. An EMA codebook leaves unused codes far from the data, where the
        decoder has never been."""
        dead = counts.to(self.embed.device) == 0
        if bool(dead.all()):
            raise ValueError("counts must be positive for at least one code.")
        used = (~dead).nonzero()[:, 0]
        nearest = used[torch.cdist(self.embed[dead], self.embed[used]).argmin(1)]
        self.embed[dead] = self.embed[nearest]
        self.live.copy_(~dead)

    def codes(self, indices: torch.Tensor) -> torch.Tensor:
        """(B, F, W) ids -> (B, D, F, W) code vectors."""
        return self.embed[indices].permute(0, 3, 1, 2)  # (B, F, W, D) -> (B, D, F, W)

    def assign(self, z: torch.Tensor) -> torch.Tensor:
        """(B, D, F, W) latent -> (B, F, W) nearest-code ids."""
        flat = z.float().permute(0, 2, 3, 1).reshape(-1, z.shape[1])  # (B*F*W, D)
        dist = (
            flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.embed.t() + self.embed.pow(2).sum(1)[None]
        )  # (N, K)
        return dist.masked_fill(~self.live, float("inf")).argmin(1).view(z.shape[0], z.shape[2], z.shape[3])

    def forward(self, z: torch.Tensor) -> QuantizerOutput:
        with torch.autocast(device_type=z.device.type, enabled=False):
            z = z.float()
            indices = self.assign(z)  # (B, F, W)
            onehot = F.one_hot(indices.reshape(-1), self.codebook_size).float()  # (N, K)
            usage = onehot.mean(0)  # (K,)
            perplexity = torch.exp(-(usage * torch.log(usage + 1e-10)).sum())
            n_dead = (usage == 0).sum()
            q = self.codes(indices)  # (B, D, F, W), codebook before this batch's update
            if self.training:
                flat = z.detach().permute(0, 2, 3, 1).reshape(-1, z.shape[1])  # (N, D)
                with torch.no_grad():
                    self.cluster_size.mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
                    self.embed_sum.mul_(self.decay).add_(onehot.t() @ flat, alpha=1 - self.decay)
                    total = self.cluster_size.sum()
                    smoothed = (
                        (self.cluster_size + self.eps) / (total + self.codebook_size * self.eps) * total
                    )
                    self.embed.copy_(self.embed_sum / smoothed[:, None])
            if self.training:
                commit = self.commitment_weight * F.mse_loss(z, q.detach())
                z_q = z + (q - z).detach()
            else:
                commit = z.new_zeros(())
                z_q = q
        return QuantizerOutput(z_q, indices, commit, perplexity, n_dead)
