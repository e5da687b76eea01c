"""The TimeVQVAE package's speed at FordA shape (length 500, 2 classes), in its README
configuration: stage-1 and prior training series/s (AdamW steps on batches of 128 random walks)
and sampling series/s (``iterative_decoding`` and both decoders). Run by ``speed.py`` under an
interpreter that has ``timevqvae`` installed; prints one JSON line.

Usage: python benchmarks/_timevqvae_speed.py N_SERIES THREADS
"""

import json
import sys
import time

import numpy as np
import torch

LENGTH, BATCH, STEPS = 500, 128, 4


def _vqvae():
    from timevqvae.vqvae import VQVAE

    return VQVAE(
        in_channels=1,
        input_length=LENGTH,
        n_fft=4,
        init_dim=4,
        hid_dim=128,
        downsampled_width_l=8,
        downsampled_width_h=32,
        encoder_n_resnet_blocks=2,
        decoder_n_resnet_blocks=2,
        codebook_size_l=1024,
        codebook_size_h=1024,
        kmeans_init=True,
        codebook_dim=8,
    )


def _maskgit(vqvae):
    """The prior around ``vqvae`` (which it freezes)."""
    from timevqvae.maskgit import MaskGIT, PriorModelConfig

    prior = dict(ff_mult=1, use_rmsnorm=True, p_unconditional=0.2, model_dropout=0.3, emb_dropout=0.3)
    return MaskGIT(
        vqvae=vqvae,
        lf_choice_temperature=10.0,
        hf_choice_temperature=0.0,
        lf_num_sampling_steps=10,
        hf_num_sampling_steps=10,
        lf_codebook_size=1024,
        hf_codebook_size=1024,
        transformer_embedding_dim=128,
        lf_prior_model_config=PriorModelConfig(hidden_dim=128, n_layers=4, heads=2, **prior),
        hf_prior_model_config=PriorModelConfig(hidden_dim=32, n_layers=1, heads=1, **prior),
        classifier_free_guidance_scale=1.0,
        n_classes=2,
    )


def _steps_per_s(params, loss_fn) -> float:
    opt = torch.optim.AdamW([p for p in params if p.requires_grad], lr=1e-3)
    times = []
    for _ in range(STEPS + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        times.append(time.perf_counter() - t0)
    return BATCH / float(np.median(times[1:]))  # the first step warms up


def main() -> None:
    n_series, threads = int(sys.argv[1]), int(sys.argv[2])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x = torch.cumsum(torch.randn(BATCH, 1, LENGTH), -1)
    x = (x - x.mean()) / x.std()
    y = torch.randint(0, 2, (BATCH, 1))
    vqvae = _vqvae()
    vqvae.train()

    def stage1_loss():
        out = vqvae(x)
        vq = sum(v["loss"].sum() for v in out.vq_losses.values())  # commitment (+ orthogonal) terms
        return sum(out.recons_loss.values()) + vq

    stage1 = _steps_per_s(vqvae.parameters(), stage1_loss)
    maskgit = _maskgit(vqvae)
    maskgit.train()
    prior = _steps_per_s(maskgit.parameters(), lambda: maskgit(x, y).total_mask_prediction_loss)
    maskgit.eval()
    labels = torch.arange(n_series) % 2

    def sample(n):
        with torch.no_grad():
            tl, th = maskgit.iterative_decoding(num_samples=n, class_condition=labels[:n, None], device="cpu")
            return maskgit.decode_token_ind_to_timeseries(tl, "lf") + maskgit.decode_token_ind_to_timeseries(
                th, "hf"
            )

    sample(16)
    t0 = time.perf_counter()
    out = sample(n_series)
    sampling = n_series / (time.perf_counter() - t0)
    assert out.shape == (n_series, 1, LENGTH)
    import timevqvae

    version = getattr(timevqvae, "__version__", None)
    if version is None:
        from importlib.metadata import version as _v

        version = _v("timevqvae")
    print(json.dumps(dict(stage1=stage1, prior=prior, sampling=sampling, version=version, threads=threads)))


if __name__ == "__main__":
    main()
