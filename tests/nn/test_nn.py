import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import torch

from skncvq.nn import (
    NCVQVAE,
    IterNorm,
    NCVQVAEConfig,
    TimeFrequency,
    VectorQuantizer,
    barlow_twins_loss,
    n_downsample_blocks,
    vibcreg_loss,
)
from skncvq.nn.ncvqvae import _pool


@pytest.mark.parametrize(
    "length, blocks, width",
    [
        (96, 2, 12),
        (500, 4, 15),
        (152, 3, 9),
        (128, 3, 8),
        (1024, 6, 8),
        (945, 5, 14),
        (140, 3, 8),
        (512, 5, 8),
        (398, 4, 12),
        (65, 2, 8),
        (70, 2, 9),
    ],
)
def test_downsampling_matches_reference_table(length, blocks, width):
    cfg = NCVQVAEConfig(length=length)
    assert n_downsample_blocks(length, 8, 8) == blocks
    assert cfg.token_shape == (5, width)


@pytest.mark.parametrize(
    "length, width, token_width",
    [(70, 8, 9), (140, 8, 8), (200, 12, 12), (275, 17, 17), (500, 31, 31), (512, 32, 32), (1024, 32, 32)],
)
def test_auto_latent_width(length, width, token_width):
    from skncvq.nn.config import auto_latent_width

    assert auto_latent_width(length) == width
    assert NCVQVAEConfig(length=length, latent_width=width).token_shape == (5, token_width)


@pytest.mark.parametrize("length", [63, 64, 275])
def test_stft_roundtrip_keeps_every_sample(length):
    tf = TimeFrequency(8)
    x = torch.randn(3, 1, length)
    u = tf(x)
    assert u.shape == (3, 2, 5, 1 + length // 2)
    torch.testing.assert_close(tf.inverse(u, length), x, atol=1e-5, rtol=1e-5)


def test_stft_uses_hann_window_and_real_imag_channels():
    tf = TimeFrequency(8)
    x = torch.randn(2, 1, 40)
    ref = torch.stft(x[:, 0], 8, 2, window=torch.hann_window(8), center=True, return_complex=True)
    u = tf(x)
    torch.testing.assert_close(u[:, 0], ref.real)
    torch.testing.assert_close(u[:, 1], ref.imag)


def test_forward_named_outputs_and_shapes():
    cfg = NCVQVAEConfig(
        length=64, hidden_dim=16, codebook_dim=16, n_res_blocks=1, ssl="barlowtwins", projector_dim=32
    )
    model = NCVQVAE(cfg)
    x = torch.randn(6, 1, 64)
    out = model(x, x + 0.1)
    assert out.x_recon.shape == x.shape
    assert out.z.shape == out.z_q.shape == (6, 16, 5, 8)
    assert out.indices.shape == (6, 5, 8) and out.indices.dtype == torch.int64
    assert out.x_aug_recon.shape == x.shape and out.ssl_loss.ndim == 0
    terms = model.loss(x, out, x + 0.1)
    terms.total.backward()
    assert all(p.grad is not None for p in model.encoder.parameters())
    assert all(p.grad is not None for p in model.projector.parameters())


def test_zero_aug_recon_weight_skips_decoding_the_second_view_but_keeps_its_ssl_loss():
    cfg = NCVQVAEConfig(
        length=64, hidden_dim=16, codebook_dim=16, n_res_blocks=1, ssl="barlowtwins", projector_dim=32
    )
    torch.manual_seed(0)
    model = NCVQVAE(replace(cfg, aug_recon_weight=0.0))
    calls = []
    model.decoder.register_forward_hook(lambda *_: calls.append(1))
    x = torch.randn(6, 1, 64)
    out = model(x, x + 0.1)
    assert len(calls) == 1 and out.x_aug_recon is None and out.u_aug_recon is None
    terms = model.loss(x, out, x + 0.1)
    assert terms.aug_recon.item() == 0.0 and terms.ssl.item() != 0.0
    torch.testing.assert_close(terms.total, terms.recon_time + terms.recon_stft + terms.vq + terms.ssl)
    terms.total.backward()
    assert all(p.grad is not None for p in model.projector.parameters())


def test_a_view_without_gradient_is_a_fixed_target_and_is_not_decoded():
    cfg = NCVQVAEConfig(
        length=64, hidden_dim=16, codebook_dim=16, n_res_blocks=1, ssl="barlowtwins", projector_dim=32
    )
    torch.manual_seed(0)
    reference = NCVQVAE(cfg)
    target = NCVQVAE(replace(cfg, ssl_view_grad=False))
    target.load_state_dict(reference.state_dict())
    calls = []
    target.decoder.register_forward_hook(lambda *_: calls.append(1))
    x = torch.randn(6, 1, 64)
    x_aug = x + 0.1 * torch.randn_like(x)
    out_ref, out = reference(x, x_aug), target(x, x_aug)
    # the same losses (the second view is encoded by the same weights) ...
    torch.testing.assert_close(out.ssl_loss, out_ref.ssl_loss)
    # ... but that view carries no graph and is not decoded: no aug-recon term
    assert not out.z_aug.requires_grad and out_ref.z_aug.requires_grad
    assert len(calls) == 1 and out.x_aug_recon is None
    terms = target.loss(x, out, x_aug)
    assert terms.aug_recon.item() == 0.0 and terms.ssl.item() != 0.0
    terms.total.backward()
    grads = [p.grad.clone() for p in target.encoder.parameters()]
    # the encoder's gradient is the reference's with the second view's latent detached
    reference.zero_grad()
    z_aug = reference.encoder(reference.tf(x_aug)).detach()
    ssl = barlow_twins_loss(reference.projector(_pool(out_ref.z_q)), reference.projector(_pool(z_aug)))
    out_ref.ssl_loss = None  # only the terms without the second view, then the SSL term by hand
    base = reference.loss(x, out_ref)
    (base.total + cfg.ssl_weight * ssl).backward()
    for got, want in zip(grads, (p.grad for p in reference.encoder.parameters())):
        torch.testing.assert_close(got, want)


def test_plain_model_ignores_second_view():
    model = NCVQVAE(NCVQVAEConfig(length=64, hidden_dim=8, codebook_dim=8, n_res_blocks=1))
    out = model(torch.randn(4, 1, 64), torch.randn(4, 1, 64))
    assert out.ssl_loss is None and model.projector is None


def test_codebook_dim_must_match_hidden_dim():
    with pytest.raises(ValueError, match="codebook_dim"):
        NCVQVAE(NCVQVAEConfig(length=64, hidden_dim=8, codebook_dim=16))


def test_quantizer_ema_update_only_in_training():
    vq = VectorQuantizer(4, 3, decay=0.5)
    z = torch.randn(2, 3, 2, 5)
    before = vq.embed.clone()
    vq.eval()
    out = vq(z)
    assert torch.equal(vq.embed, before) and out.commit_loss.item() == 0.0
    torch.testing.assert_close(out.z_q, vq.codes(out.indices))
    vq.train()
    out = vq(z)
    assert not torch.equal(vq.embed, before)
    assert out.commit_loss.item() > 0


def test_quantizer_straight_through_and_nearest_code():
    vq = VectorQuantizer(5, 4)
    codebook = vq.embed.clone()  # ids are assigned against the codebook before its EMA update
    z = torch.randn(3, 4, 2, 3, requires_grad=True)
    out = vq(z)
    flat = z.detach().permute(0, 2, 3, 1).reshape(-1, 4)  # (B*F*W, D), frequency-major
    expected = ((flat[:, None] - codebook[None]) ** 2).sum(-1).argmin(1)
    assert torch.equal(out.indices.reshape(-1), expected)
    out.z_q.sum().backward()
    torch.testing.assert_close(z.grad, torch.ones_like(z))  # straight-through gradient


def test_quantizer_converges_to_cluster_means():
    torch.manual_seed(0)
    centers = torch.tensor([[5.0, 0.0], [-5.0, 0.0]])
    vq = VectorQuantizer(2, 2, decay=0.5)
    vq.embed.copy_(torch.tensor([[1.0, 0.0], [-1.0, 0.0]]))
    vq.embed_sum.copy_(vq.embed)
    vq.cluster_size.fill_(1.0)
    for _ in range(30):
        pts = centers[torch.randint(0, 2, (64,))] + 0.1 * torch.randn(64, 2)
        vq(pts.t().reshape(1, 2, 1, 64))
    torch.testing.assert_close(vq.embed, centers, atol=0.1, rtol=0)


def test_barlow_twins_matches_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((16, 6)), rng.standard_normal((16, 6))
    za = (a - a.mean(0)) / (a.std(0, ddof=1) + 1e-8)
    zb = (b - b.mean(0)) / (b.std(0, ddof=1) + 1e-8)
    c = za.T @ zb / 16
    expected = (((1 - np.diag(c)) ** 2).sum() + 0.005 * (c**2 - np.diag(np.diag(c)) ** 2).sum()) / 6
    got = barlow_twins_loss(torch.tensor(a, dtype=torch.float32), torch.tensor(b, dtype=torch.float32))
    assert got.item() == pytest.approx(expected, rel=1e-4)


def test_barlow_twins_is_low_for_identical_views():
    z = torch.randn(64, 8)
    assert barlow_twins_loss(z, z) < barlow_twins_loss(z, torch.randn(64, 8))


def test_vibcreg_terms():
    z = torch.randn(128, 16)
    same = vibcreg_loss(z, z)
    other = vibcreg_loss(z, torch.randn(128, 16))
    assert same < other
    collapsed = torch.ones(128, 16) + 1e-3 * torch.randn(128, 16)
    assert vibcreg_loss(collapsed, collapsed) > same  # variance hinge punishes collapse


def test_iternorm_whitens_groups():
    torch.manual_seed(0)
    mix = torch.eye(8) + 0.3 * torch.randn(8, 8)  # well-conditioned mixing: Newton converges
    x = 3 * torch.randn(4096, 8) @ mix
    norm = IterNorm(8, group_size=4, n_iter=10)
    y = norm(x).detach()
    for g in (slice(0, 4), slice(4, 8)):
        torch.testing.assert_close(torch.cov(y[:, g].t()), torch.eye(4), atol=0.1, rtol=0)
    norm.eval()
    assert norm(x).shape == x.shape


def test_nn_does_not_import_sklearn_or_skorch():
    # load skncvq.nn and skncvq.augment without the package __init__ (which imports the estimators)
    script = (
        "import sys, types, importlib.util, pathlib\n"
        "root = pathlib.Path(importlib.util.find_spec('skncvq').origin).parent\n"
        "pkg = types.ModuleType('skncvq'); pkg.__path__ = [str(root)]; sys.modules['skncvq'] = pkg\n"
        "import skncvq.nn, skncvq.augment\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sklearn', 'skorch')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
