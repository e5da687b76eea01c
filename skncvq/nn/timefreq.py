"""STFT / ISTFT front end: series (B, 1, L) <-> real/imag images (B, 2, F, W)."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TimeFrequency"]


class TimeFrequency(nn.Module):
    """Centred Hann-window STFT with hop ``n_fft // 4``, real and imaginary parts as channels.

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
        """(B, 1, L) series -> (B, 2, F, W) image."""
        with torch.autocast(device_type=x.device.type, enabled=False):
            spec = torch.stft(
                x[:, 0].float(),  # (B, L)
                n_fft=self.n_fft,
                hop_length=self.hop,
                window=self.window,
                center=True,
                return_complex=True,
            )  # (B, F, W) complex
            return torch.stack((spec.real, spec.imag), dim=1)  # (B, 2, F, W)

    def inverse(self, u: torch.Tensor, length: int) -> torch.Tensor:
        """(B, 2, F, W) image -> (B, 1, L) series."""
        with torch.autocast(device_type=u.device.type, enabled=False):
            u = u.float()
            spec = torch.complex(u[:, 0], u[:, 1])  # (B, F, W)
            x = torch.istft(
                spec,
                n_fft=self.n_fft,
                hop_length=self.hop,
                window=self.window,
                center=True,
                length=length,
            )  # (B, L)
            return x[:, None]  # (B, 1, L)
