import pytest
import torch

from skncvq.augment import (
    AUGMENTATION_SETS,
    amplitude_resize,
    augment,
    gaussian_noise,
    resolve_augmentations,
    slice_shuffle,
    window_warp,
)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("name", sorted(AUGMENTATION_SETS))
def test_sets_keep_shape_and_are_seeded(name):
    x = torch.randn(16, 1, 75)
    a = augment(x, name, generator=gen(1))
    b = augment(x, name, generator=gen(1))
    c = augment(x, name, generator=gen(2))
    assert a.shape == x.shape
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_slice_shuffle_is_a_per_series_permutation_of_pieces():
    x = torch.arange(50.0).view(1, 1, 50).repeat(32, 1, 1)
    out = slice_shuffle(x, gen())
    assert torch.equal(out.sort(-1).values, x)  # every value kept exactly once
    steps = out[:, 0, 1:] - out[:, 0, :-1]
    assert ((steps != 1).sum(1) <= 3).all()  # at most 3 jumps: 4 pieces
    assert (out != x).any()


def test_window_warp_fixes_ends_and_stays_monotone_on_a_ramp():
    x = torch.linspace(0, 1, 100).view(1, 1, 100).repeat(16, 1, 1)
    out = window_warp(x, gen())
    torch.testing.assert_close(out[..., 0], x[..., 0])
    torch.testing.assert_close(out[..., -1], x[..., -1])
    assert (out[..., 1:] - out[..., :-1] >= -1e-6).all()
    assert (out - x).abs().max() > 1e-3


def test_no_trailing_zeros():
    x = torch.randn(8, 1, 500) + 5.0
    for name in AUGMENTATION_SETS:
        assert (augment(x, name, generator=gen())[..., -8:] != 0).all()


def test_amplitude_and_noise_statistics():
    x = torch.ones(4000, 1, 10)
    scaled = amplitude_resize(x, gen())
    assert scaled[:, 0, 0].std().item() == pytest.approx(0.2, rel=0.1)
    assert torch.allclose(scaled, scaled[..., :1].expand_as(scaled))  # one factor per series
    noisy = gaussian_noise(x, gen())
    assert (noisy - x).std().item() == pytest.approx(0.05, rel=0.05)


def test_resolve_augmentations():
    assert resolve_augmentations("warp") == ("window_warp", "amplitude_resize")
    assert resolve_augmentations(("gaussian_noise", "slice_shuffle")) == ("gaussian_noise", "slice_shuffle")
    with pytest.raises(ValueError, match="not a set name"):
        resolve_augmentations("jitter")
    with pytest.raises(ValueError, match="at least one of"):
        resolve_augmentations(())
