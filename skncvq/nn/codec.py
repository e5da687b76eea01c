"""Convolutional encoder and decoder over the time-frequency image.

Downsampling and upsampling act on the time axis only; the frequency axis keeps its bins.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["Encoder", "Decoder"]


class _ResBlock(nn.Module):
    """``x + F(x)`` with F = LeakyReLU, 3x3 conv, [BN], dropout, LeakyReLU, 1x1 conv, dropout."""

    def __init__(self, dim: int, *, inner_norm: bool, dropout: float) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.LeakyReLU(),
            nn.Conv2d(dim, dim, kernel_size=3, padding=1),
            nn.BatchNorm2d(dim) if inner_norm else nn.Identity(),
            nn.Dropout(dropout),
            nn.LeakyReLU(),
            nn.Conv2d(dim, dim, kernel_size=1),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


def _res_stage(dim: int, n_blocks: int, *, inner_norm: bool, dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for _ in range(n_blocks):
        layers += [_ResBlock(dim, inner_norm=inner_norm, dropout=dropout), nn.BatchNorm2d(dim)]
    return nn.Sequential(*layers)


class Encoder(nn.Module):
    """(B, 2, F, W) -> (B, hidden, F, W'), ``n_down`` stride-(1, 2) blocks then residual blocks.

    Parameters
    ----------
    in_channels : int
        2 for a univariate series (real, imaginary).
    hidden_dim : int
        Channel width.
    n_down : int
        Number of stride-2 blocks along time.
    n_res_blocks : int
        Residual blocks after downsampling.
    dropout : float
        Dropout probability inside the blocks.
    """

    def __init__(
        self, in_channels: int, hidden_dim: int, n_down: int, n_res_blocks: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        c_in = in_channels
        for _ in range(n_down):
            layers += [
                nn.Conv2d(c_in, hidden_dim, (3, 4), stride=(1, 2), padding=(1, 1), padding_mode="replicate"),
                nn.BatchNorm2d(hidden_dim),
                nn.LeakyReLU(),
                nn.Dropout(dropout),
            ]
            c_in = hidden_dim
        self.down = nn.Sequential(*layers)
        self.res = _res_stage(hidden_dim, n_res_blocks, inner_norm=True, dropout=dropout)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.res(self.down(u))  # (B, 2, F, W) -> (B, d, F, W')


class Decoder(nn.Module):
    """(B, hidden, F, W') -> (B, 2, F, W): residual blocks, ``n_down - 1`` upsampling blocks,
    two final transposed convolutions and a bilinear resize to the input image size.

    Parameters
    ----------
    out_channels : int
        2 for real/imaginary.
    hidden_dim : int
        Channel width.
    n_down : int
        Number of stride-2 blocks of the matching encoder.
    n_res_blocks : int
        Residual blocks before upsampling.
    dropout : float
        Dropout probability inside the blocks.
    """

    def __init__(
        self, out_channels: int, hidden_dim: int, n_down: int, n_res_blocks: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.res = _res_stage(hidden_dim, n_res_blocks, inner_norm=False, dropout=dropout)
        layers: list[nn.Module] = []
        for _ in range(n_down - 1):
            layers += [
                nn.ConvTranspose2d(hidden_dim, hidden_dim, (3, 4), stride=(1, 2), padding=(1, 1)),
                nn.BatchNorm2d(hidden_dim),
                nn.LeakyReLU(),
                nn.Dropout(dropout),
            ]
        layers += [
            nn.ConvTranspose2d(hidden_dim, out_channels, (3, 4), stride=(1, 2), padding=(1, 1)),
            nn.ConvTranspose2d(out_channels, out_channels, (3, 4), stride=(1, 2), padding=(1, 1)),
        ]
        self.up = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
        u = self.up(self.res(z))  # (B, d, F, W') -> (B, 2, F, ~4 W')
        return F.interpolate(u.float(), size=size, mode="bilinear", align_corners=True)  # (B, 2, F, W)
