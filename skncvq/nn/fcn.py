"""Fully convolutional network (Wang et al. 2017), the evaluator behind FID, IS and CAS."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["FCN"]


class _SameConv(nn.Module):
    """Conv1d (stride 1) with TensorFlow-style "same" padding (extra right pad for even kernels),
    then BatchNorm and ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int) -> None:
        super().__init__()
        self.pad = ((kernel - 1) // 2, kernel - 1 - (kernel - 1) // 2)
        self.conv = nn.Conv1d(c_in, c_out, kernel)
        self.norm = nn.BatchNorm1d(c_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.norm(self.conv(F.pad(x, self.pad))))


class FCN(nn.Module):
    """Conv1d 128/256/128 (kernels 8/5/3) + BN + ReLU, global average pooling, linear head.

    Parameters
    ----------
    n_classes : int
        Output logits.
    in_channels : int, default=1
        Input channels.

    Examples
    --------
    >>> import torch
    >>> from skncvq.nn import FCN
    >>> model = FCN(3)
    >>> model(torch.randn(4, 1, 50)).shape, model.features(torch.randn(4, 1, 50)).shape
    (torch.Size([4, 3]), torch.Size([4, 128]))
    """

    def __init__(self, n_classes: int, in_channels: int = 1) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _SameConv(in_channels, 128, 8), _SameConv(128, 256, 5), _SameConv(256, 128, 3)
        )
        self.head = nn.Linear(128, n_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, L) -> (B, 128) globally average-pooled features (the FID feature)."""
        return self.body(x).mean(-1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, L) -> (B, n_classes) logits."""
        return self.head(self.features(x))
