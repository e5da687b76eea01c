"""STFT / ISTFT front end: series (B, C, L) <-> real/imag images (B, 2C, F, W)."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TimeFrequency"]


class TimeFrequency(nn.Module):
    """Centred Hann-window STFT with hop ``n_fft // 4`` of every channel, the real parts of the
    ``C`` channels then their imaginary parts as image channels.

    The inverse passes ``length=L`` to :func:`torch.istft`, so odd lengths keep their last
    sample (the reference drops it). Both directions run in float32 even under autocast.

    Parameters
    ----------
    n_fft : int
        FFT size (reference 8: 5 frequency bins, hop 2).
    """

    def __init__(self, n_fft: int = 8) -> None:
        super().__init__()
        self.n_fft = n_fft
        self.hop = n_fft // 4
        self.register_buffer("window", torch.hann_window(n_fft), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, C, L) series -> (B, 2C, F, W) image."""
        b, c, length = x.shape
        with torch.autocast(device_type=x.device.type, enabled=False):
            spec = torch.stft(
                x.float().reshape(b * c, length),
                n_fft=self.n_fft,
                hop_length=self.hop,
                window=self.window,
                center=True,
                return_complex=True,
            )  # (B*C, F, W) complex
            spec = spec.view(b, c, *spec.shape[1:])  # (B, C, F, W)
            return torch.cat((spec.real, spec.imag), dim=1)  # (B, 2C, F, W)

    def inverse(self, u: torch.Tensor, length: int) -> torch.Tensor:
        """(B, 2C, F, W) image -> (B, C, L) series."""
        b, c = u.shape[0], u.shape[1] // 2
        with torch.autocast(device_type=u.device.type, enabled=False):
            u = u.float()
            spec = torch.complex(u[:, :c], u[:, c:]).reshape(b * c, *u.shape[2:])  # (B*C, F, W)
            x = torch.istft(
                spec,
                n_fft=self.n_fft,
                hop_length=self.hop,
                window=self.window,
                center=True,
                length=length,
            )  # (B*C, L)
            return x.view(b, c, length)  # (B, C, L)
