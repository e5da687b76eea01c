"""Projector, IterNorm and the two non-contrastive losses."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Projector", "IterNorm", "barlow_twins_loss", "vibcreg_loss"]


class IterNorm(nn.Module):
    """Group whitening by Newton's iterations (Huang et al. 2019), as used by VIbCReg.

    Each group of ``group_size`` features is whitened with ``Sigma^{-1/2}`` from ``n_iter``
    iterations ``P <- 1.5 P - 0.5 P^3 Sigma_N`` on the trace-normalised covariance.

    Parameters
    ----------
    n_features : int
        Number of features (a multiple of ``group_size`` or smaller than it).
    group_size : int
        Features per whitened group (reference 64).
    n_iter : int
        Newton iterations (reference 5).
    eps : float
        Ridge added to the covariance.
    momentum : float
        Momentum of the running statistics used in eval mode.
    """

    def __init__(
        self, n_features: int, group_size: int = 64, n_iter: int = 5, eps: float = 1e-5, momentum: float = 0.1
    ) -> None:
        super().__init__()
        group_size = min(group_size, n_features)
        if n_features % group_size:
            raise ValueError(f"n_features={n_features} must be a multiple of group_size={group_size}.")
        self.n_groups = n_features // group_size
        self.group_size = group_size
        self.n_iter = n_iter
        self.eps = eps
        self.momentum = momentum
        self.weight = nn.Parameter(torch.ones(n_features))
        self.bias = nn.Parameter(torch.zeros(n_features))
        self.register_buffer("running_mean", torch.zeros(self.n_groups, group_size, 1))
        self.register_buffer("running_wm", torch.eye(group_size).expand(self.n_groups, -1, -1).clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.autocast(device_type=x.device.type, enabled=False):
            x = x.float()
            b = x.shape[0]
            xg = x.t().reshape(self.n_groups, self.group_size, b)  # (G, g, B)
            if self.training:
                mean = xg.mean(-1, keepdim=True)  # (G, g, 1)
                xc = xg - mean
                eye = torch.eye(self.group_size, device=x.device, dtype=x.dtype)
                sigma = eye * self.eps + xc @ xc.transpose(1, 2) / b  # (G, g, g)
                trace_inv = 1.0 / (sigma * eye).sum((1, 2), keepdim=True)  # (G, 1, 1)
                sigma_n = sigma * trace_inv
                p = eye.expand_as(sigma)
                for _ in range(self.n_iter):
                    p = 1.5 * p - 0.5 * torch.linalg.matrix_power(p, 3) @ sigma_n
                wm = p * trace_inv.sqrt()  # (G, g, g)
                with torch.no_grad():
                    self.running_mean.lerp_(mean, self.momentum)
                    self.running_wm.lerp_(wm, self.momentum)
            else:
                xc = xg - self.running_mean
                wm = self.running_wm
            out = (wm @ xc).reshape(-1, b).t()  # (G, g, B) -> (B, G*g)
            return out * self.weight + self.bias


class Projector(nn.Module):
    """Three-layer MLP ``in -> P -> P -> P`` with BatchNorm + ReLU after the first two layers.

    Parameters
    ----------
    in_dim : int
        Input width (128: average and max pooled latents).
    dim : int
        Hidden and output width (reference 4096).
    iternorm : bool
        Append an :class:`IterNorm` layer (VIbCReg).
    """

    def __init__(self, in_dim: int, dim: int, *, iternorm: bool = False) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, dim),
            nn.BatchNorm1d(dim),
            nn.ReLU(),
            nn.Linear(dim, dim),
            nn.BatchNorm1d(dim),
            nn.ReLU(),
            nn.Linear(dim, dim),
        )
        self.norm = IterNorm(dim) if iternorm else nn.Identity()

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.norm(self.net(h))


def barlow_twins_loss(z1: torch.Tensor, z2: torch.Tensor, lambda_offdiag: float = 0.005) -> torch.Tensor:
    """Barlow Twins loss divided by the feature dimension (reference ``L_BT / D``).

    Parameters
    ----------
    z1, z2 : Tensor of shape (B, D)
        Projections of the two views.
    lambda_offdiag : float
        Weight of the off-diagonal (redundancy) term.
    """
    z1, z2 = z1.float(), z2.float()
    b, d = z1.shape
    z1 = (z1 - z1.mean(0)) / (z1.std(0) + 1e-8)
    z2 = (z2 - z2.mean(0)) / (z2.std(0) + 1e-8)
    c = z1.t() @ z2 / b  # (D, D)
    diag = torch.diagonal(c)
    on = (1 - diag).pow(2).sum()
    off = c.pow(2).sum() - diag.pow(2).sum()
    return (on + lambda_offdiag * off) / d


def _variance_term(z: torch.Tensor) -> torch.Tensor:
    return F.relu(1 - torch.sqrt(z.var(0) + 1e-4)).mean()


def _covariance_term(z: torch.Tensor) -> torch.Tensor:
    d = z.shape[1]
    z = F.normalize(z - z.mean(0), p=2, dim=0)  # unit-norm feature columns
    g = z.t() @ z  # (D, D)
    g = g - torch.diag(torch.diagonal(g))
    return g.pow(2).sum() / d**2


def vibcreg_loss(
    z1: torch.Tensor,
    z2: torch.Tensor,
    sim_weight: float = 25.0,
    var_weight: float = 25.0,
    cov_weight: float = 100.0,
) -> torch.Tensor:
    """VIbCReg loss: invariance (MSE) + variance hinge + normalised-covariance penalty.

    Parameters
    ----------
    z1, z2 : Tensor of shape (B, D)
        IterNorm outputs of the two views.
    sim_weight, var_weight, cov_weight : float
        Reference weights 25, 25 and 100.
    """
    z1, z2 = z1.float(), z2.float()
    sim = F.mse_loss(z1, z2)
    var = _variance_term(z1) + _variance_term(z2)
    cov = _covariance_term(z1) + _covariance_term(z2)
    return sim_weight * sim + var_weight * var + cov_weight * cov
