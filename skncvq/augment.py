"""Batched, seeded time-series augmentations.

Every function takes a batch ``(B, C, L)`` and a :class:`torch.Generator` and draws one set of
random parameters per series, shared by its channels; nothing loops over samples. The reference's extra n_fft-32
STFT/ISTFT round trip (which left up to 7 trailing zeros) is not reproduced.

Examples
--------
>>> import torch
>>> from skncvq.augment import augment
>>> g = torch.Generator().manual_seed(0)
>>> augment(torch.randn(4, 1, 100), "warp", generator=g).shape
torch.Size([4, 1, 100])
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = [
    "amplitude_resize",
    "window_warp",
    "slice_shuffle",
    "gaussian_noise",
    "AUGMENTATION_SETS",
    "AUGMENTATIONS",
    "resolve_augmentations",
    "augment",
]


def _uniform(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> torch.Tensor:
    return torch.rand(shape, generator=generator, device=generator.device).to(device)


def _normal(shape: tuple[int, ...], generator: torch.Generator, device: torch.device) -> torch.Tensor:
    return torch.randn(shape, generator=generator, device=generator.device).to(device)


def _interp(x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
    """Linear interpolation of (B, C, L) series at fractional positions (B, L') in [0, L-1], the
    same for every channel."""
    length = x.shape[-1]
    pos = pos.clamp(0, length - 1)
    lo = pos.floor().long().clamp(max=length - 2) if length > 1 else pos.floor().long()
    hi = (lo + 1).clamp(max=length - 1)
    frac = (pos - lo).unsqueeze(1)  # (B, 1, L')
    x_lo = x.gather(2, lo.unsqueeze(1).expand(-1, x.shape[1], -1))
    x_hi = x.gather(2, hi.unsqueeze(1).expand(-1, x.shape[1], -1))
    return x_lo + frac * (x_hi - x_lo)  # (B, C, L')


def amplitude_resize(x: torch.Tensor, generator: torch.Generator, *, rate: float = 0.2) -> torch.Tensor:
    """Scale each series by ``1 + eps``, ``eps ~ N(0, rate^2)``."""
    eps = _normal((x.shape[0], 1, 1), generator, x.device)
    return x * (1 + rate * eps)


def gaussian_noise(x: torch.Tensor, generator: torch.Generator, *, std: float = 0.05) -> torch.Tensor:
    """Add i.i.d. ``N(0, std^2)`` noise to every time step."""
    return x + std * _normal(tuple(x.shape), generator, x.device)


def window_warp(
    x: torch.Tensor,
    generator: torch.Generator,
    *,
    window_ratio: float = 0.4,
    min_scale: float = 0.9,
    max_scale: float = 2.0,
) -> torch.Tensor:
    """Stretch or squeeze one window of ``window_ratio * L`` steps by a factor ``U(min, max)``.

    The warped series (head, resampled window, tail) is resampled back to ``L`` points. Both
    linear resamplings are composed into one source-position map and applied once, so the
    result is the reference's up to the second interpolation's smoothing.
    """
    b, _, length = x.shape
    w = max(round(window_ratio * length), 1)
    if length - w - 1 < 1 or w < 2:
        return x.clone()
    start = (_uniform((b,), generator, x.device) * (length - w - 1)).floor()  # U{0..L-w-2}
    scale = min_scale + (max_scale - min_scale) * _uniform((b,), generator, x.device)
    m = (w * scale).floor().clamp(min=2)  # points of the resampled window
    new_len = length - w + m  # (B,)
    # position p in the warped series for each output step, then its source position
    u = torch.linspace(0, 1, length, device=x.device)[None]  # (1, L)
    p = u * (new_len - 1)[:, None]  # (B, L)
    s, mm = start[:, None], m[:, None]
    in_window = (p >= s) & (p <= s + mm - 1)
    src_window = s + (p - s) * (w - 1) / (mm - 1)
    src_gap = s + w - 1 + (p - (s + mm - 1))  # between window end and tail start
    src_tail = p - mm + w
    src = torch.where(
        p < s, p, torch.where(in_window, src_window, torch.where(p < s + mm, src_gap, src_tail))
    )
    return _interp(x, src)


def slice_shuffle(x: torch.Tensor, generator: torch.Generator, *, n_segments: int = 4) -> torch.Tensor:
    """Cut at ``n_segments - 1`` points drawn with replacement, permute the pieces, concatenate."""
    b, _, length = x.shape
    cuts = (_uniform((b, n_segments - 1), generator, x.device) * length).floor().clamp(max=length - 1)
    cuts, _ = cuts.sort(1)
    zeros = torch.zeros(b, 1, device=x.device)
    full = torch.full((b, 1), float(length), device=x.device)
    bounds = torch.cat((zeros, cuts, full), 1)  # (B, S+1)
    starts, lengths = bounds[:, :-1], bounds[:, 1:] - bounds[:, :-1]  # (B, S)
    perm = _uniform((b, n_segments), generator, x.device).argsort(1)  # (B, S)
    out_len = lengths.gather(1, perm)
    out_end = out_len.cumsum(1)  # (B, S)
    out_start = out_end - out_len
    t = torch.arange(length, device=x.device, dtype=x.dtype)[None].expand(b, -1).contiguous()  # (B, L)
    piece = torch.searchsorted(out_end.contiguous(), t, right=True).clamp(max=n_segments - 1)  # (B, L)
    src = starts.gather(1, perm).gather(1, piece) + (t - out_start.gather(1, piece))
    return x.gather(2, src.long().unsqueeze(1).expand(-1, x.shape[1], -1))


#: The augmentations by name: each a function ``(x, generator) -> x`` on ``(B, C, L)`` series.
AUGMENTATIONS = {
    "amplitude_resize": amplitude_resize,
    "window_warp": window_warp,
    "slice_shuffle": slice_shuffle,
    "gaussian_noise": gaussian_noise,
}

#: Named sets of augmentations: what the tokenizer's ``augmentations`` parameter accepts by
#: name, each a tuple of names in :data:`AUGMENTATIONS`.
AUGMENTATION_SETS: dict[str, tuple[str, ...]] = {
    "warp": ("window_warp", "amplitude_resize"),
    "slice": ("slice_shuffle",),
    "gauss": ("gaussian_noise",),
}


def resolve_augmentations(augmentations: str | Sequence[str]) -> tuple[str, ...]:
    """Turn a set name or a sequence of augmentation names into a validated tuple of names."""
    if isinstance(augmentations, str):
        if augmentations in AUGMENTATION_SETS:
            return AUGMENTATION_SETS[augmentations]
        if augmentations in AUGMENTATIONS:
            return (augmentations,)
        raise ValueError(
            f"augmentations={augmentations!r} is not a set name {sorted(AUGMENTATION_SETS)} "
            f"nor an augmentation {sorted(AUGMENTATIONS)}."
        )
    names = tuple(augmentations)
    unknown = [n for n in names if n not in AUGMENTATIONS]
    if not names or unknown:
        raise ValueError(
            f"augmentations must name at least one of {sorted(AUGMENTATIONS)}; got {list(names)!r}."
        )
    return names


def augment(
    x: torch.Tensor, augmentations: str | Sequence[str], *, generator: torch.Generator
) -> torch.Tensor:
    """Apply the named augmentations in order to a (B, C, L) batch; every draw is per series,
    the same for all its channels."""
    for name in resolve_augmentations(augmentations):
        x = AUGMENTATIONS[name](x, generator)
    return x
