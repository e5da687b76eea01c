import re

import numpy as np
import pandas as pd
import pytest
import torch

from skncvq import NCVQVAETransformer
from skncvq.datasets import make_synthetic
from skncvq.estimators._tokenizer_sizes import auto_tokenizer_batch, auto_tokenizer_epochs


@pytest.mark.parametrize("ssl", [None, "barlowtwins", "vibcreg"])
def test_loss_goes_down(ssl, tiny):
    X, _ = make_synthetic(64, 64, 2, random_state=0)
    tiny.update(max_epochs=15, batch_size=32, lr=1e-2)
    tok = NCVQVAETransformer(ssl=ssl, random_state=0, **tiny).fit(X)
    losses = [row["recon_time"] + row["recon_stft"] for row in tok.history_]
    assert len(tok.history_) == 15 == tok.n_epochs_
    assert np.mean(losses[-3:]) < 0.7 * np.mean(losses[:3])
    keys = {
        "train_loss",
        "recon_time",
        "recon_stft",
        "vq",
        "ssl",
        "aug_recon",
        "perplexity",
        "dead_codes",
        "lr",
        "dur",
    }
    assert keys <= set(tok.history_[-1])
    if ssl is None:
        assert tok.history_[-1]["ssl"] == 0.0
    else:  # the SSL branch runs for the first ssl_until=0.75 of training, not after it
        assert tok.history_[0]["aug_recon"] > 0 and tok.history_[0]["ssl"] != 0.0
        assert tok.history_[-1]["aug_recon"] == 0.0 and tok.history_[-1]["ssl"] == 0.0


def test_ssl_until_drops_the_second_view_after_that_share_of_training(tiny, data, nets):
    tiny.update(max_epochs=4, batch_size=48)  # one step per epoch: progress 0, 1/4, 2/4, 3/4
    tok = NCVQVAETransformer(ssl_until=0.5, random_state=0, **tiny).fit(data[0])
    aug = [row["aug_recon"] for row in tok.history_]
    assert aug[0] > 0 and aug[1] > 0
    assert aug[2] == 0.0 and aug[3] == 0.0
    assert [row["ssl"] == 0.0 for row in tok.history_] == [False, False, True, True]
    # past ssl_until the projector gets no gradient, so AdamW leaves it alone (no update, no decay)
    state = nets[-1].optimizer_.state
    assert {int(state[p]["step"]) for p in tok.module_.projector.parameters()} == {2}
    assert {int(state[p]["step"]) for p in tok.module_.encoder.parameters()} == {4}
    full = NCVQVAETransformer(ssl_until=1.0, random_state=0, **tiny).fit(data[0])
    assert all(row["aug_recon"] > 0 for row in full.history_)
    with pytest.raises(ValueError, match="'ssl_until' parameter"):
        NCVQVAETransformer(ssl_until=1.5).fit(data[0])


def test_ssl_view_grad_false_trains_against_a_fixed_second_view(tiny, data):
    tiny.update(max_epochs=2)
    tok = NCVQVAETransformer(ssl_view_grad=False, ssl_until=1.0, random_state=0, **tiny).fit(data[0])
    assert tok.config_.ssl_view_grad is False
    # the SSL term is there, the second view's reconstruction term is not
    assert all(row["ssl"] != 0.0 and row["aug_recon"] == 0.0 for row in tok.history_)
    assert np.isfinite(tok.transform(data[0])).all()
    for bad in ("no", 1, None):
        with pytest.raises(ValueError, match="'ssl_view_grad' parameter"):
            NCVQVAETransformer(ssl_view_grad=bad).fit(data[0])


def test_ssl_view_grad_auto_stops_the_gradient_from_stopgrad_min_series_on(tiny, data, monkeypatch):
    from skncvq.estimators import tokenizer

    tiny.update(max_epochs=1)
    X = data[0]
    monkeypatch.setattr(tokenizer, "STOPGRAD_MIN_SERIES", len(X))
    at = NCVQVAETransformer(ssl_view_grad="auto", ssl_until=1.0, random_state=0, **tiny).fit(X)
    assert at.config_.ssl_view_grad is False and at.get_params()["ssl_view_grad"] == "auto"
    assert at.history_[0]["aug_recon"] == 0.0  # the stop-gradient view is not decoded
    below = NCVQVAETransformer(ssl_view_grad="auto", ssl_until=1.0, random_state=0, **tiny).fit(X[:-1])
    assert below.config_.ssl_view_grad is True and below.history_[0]["aug_recon"] > 0
    # "auto" is the same fit as the bool it resolves to
    fixed = NCVQVAETransformer(ssl_view_grad=False, ssl_until=1.0, random_state=0, **tiny).fit(X)
    np.testing.assert_array_equal(at.transform(X), fixed.transform(X))
    # the default is "auto" with the real threshold: the seed's view below it, stop-gradient from it on
    monkeypatch.undo()
    big, _ = make_synthetic(tokenizer.STOPGRAD_MIN_SERIES, 32, 2, random_state=0)
    assert NCVQVAETransformer(random_state=0, **tiny).fit(big).config_.ssl_view_grad is False
    assert NCVQVAETransformer(random_state=0, **tiny).fit(big[:-1]).config_.ssl_view_grad is True


@pytest.mark.parametrize(
    ("ssl", "view_grad", "expected"),
    [
        ("barlowtwins", True, 1.0),
        ("barlowtwins", False, 0.5),
        ("vibcreg", True, 0.01),
        ("vibcreg", False, 0.01),
    ],
)
def test_ssl_weight_none_follows_the_loss_and_the_view(ssl, view_grad, expected, tiny, data):
    tiny.update(max_epochs=2, batch_size=24)
    kw = dict(ssl=ssl, ssl_view_grad=view_grad, ssl_until=1.0, random_state=0, **tiny)
    tok = NCVQVAETransformer(**kw).fit(data[0])
    assert tok.config_.ssl_weight == expected and tok.get_params()["ssl_weight"] is None
    # None is the same fit as the weight it resolves to, and the weight reaches the loss
    same = NCVQVAETransformer(ssl_weight=expected, **kw).fit(data[0])
    np.testing.assert_array_equal(tok.transform(data[0]), same.transform(data[0]))
    other = NCVQVAETransformer(ssl_weight=4 * expected, **kw).fit(data[0])
    assert other.config_.ssl_weight == 4 * expected
    assert not np.array_equal(tok.transform(data[0]), other.transform(data[0]))


def test_ssl_weight_none_under_auto_uses_the_resolved_view(tiny, monkeypatch):
    from skncvq.estimators import tokenizer

    tiny.update(max_epochs=1)
    X, _ = make_synthetic(40, 32, 2, random_state=0)
    monkeypatch.setattr(tokenizer, "STOPGRAD_MIN_SERIES", len(X))
    assert NCVQVAETransformer(random_state=0, **tiny).fit(X).config_.ssl_weight == 0.5
    assert NCVQVAETransformer(random_state=0, **tiny).fit(X[:-1]).config_.ssl_weight == 1.0
    assert NCVQVAETransformer(ssl_weight=0.2, random_state=0, **tiny).fit(X).config_.ssl_weight == 0.2


def test_cosine_schedule_decays_to_zero(tiny, data):
    tiny.update(max_epochs=5, batch_size=len(data[0]))  # one step per epoch
    tok = NCVQVAETransformer(lr=1e-2, random_state=0, **tiny).fit(data[0])
    lrs = [row["lr"] for row in tok.history_]
    assert lrs[0] == pytest.approx(1e-2)
    assert lrs == sorted(lrs, reverse=True) and lrs[-1] < 0.1 * 1e-2  # one step before 0


def test_default_output_is_multiscale(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    ms = tok.transform(X)
    assert ms.shape == (len(X), 8 * (2 + 5 + 6))
    np.testing.assert_allclose(ms, tok.set_params(output="multiscale").transform(X))


@pytest.mark.parametrize(
    "output, width",
    [
        ("pooled", 8),
        ("latent", 8 * 5 * 8),
        ("tokens", 5 * 8),
        ("histogram", 8),
        ("continuous", 8 * 5 * 8),
        ("pooled_continuous", 8),
        ("multiscale", 8 * (2 + 5 + 6)),
    ],
)
def test_outputs(output, width, tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(output=output, random_state=0, **tiny).fit(X)
    Xt = tok.transform(X)
    assert Xt.shape == (len(X), width)
    assert tok.get_feature_names_out().shape == (width,)
    if output == "tokens":
        assert Xt.dtype == np.int64 and Xt.min() >= 0 and Xt.max() < 8
    else:
        assert Xt.dtype == np.float32
    if output == "histogram":
        np.testing.assert_allclose(Xt.sum(1), 1.0, rtol=1e-5)
    if output in ("tokens", "latent", "continuous"):
        back = tok.inverse_transform(Xt)
        assert back.shape == X.shape
        np.testing.assert_allclose(back, tok.reconstruct(X), atol=1e-4)
    else:
        with pytest.raises(ValueError, match="cannot be inverted"):
            tok.inverse_transform(Xt)


def test_multiscale_holds_the_global_mean_max_and_segment_means(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(output="continuous", projection=None, random_state=0, **tiny).fit(X)
    z = tok.transform(X).reshape(len(X), 8, 5, 8)  # (n, D, F, W')
    ms = tok.set_params(output="multiscale").transform(X)
    np.testing.assert_allclose(ms[:, :8], z.mean((2, 3)), atol=1e-5)
    np.testing.assert_allclose(ms[:, 8:16], z.max((2, 3)), atol=1e-5)
    np.testing.assert_allclose(ms[:, 16:56], z.mean(3).reshape(len(X), -1), atol=1e-5)
    halves = z.mean(2).reshape(len(X), 8, 2, 4).mean(3)  # (n, D, 2)
    np.testing.assert_allclose(ms[:, 56:72], halves.reshape(len(X), -1), atol=1e-5)
    np.testing.assert_allclose(
        tok.set_params(output="pooled_continuous").transform(X), z.mean((2, 3)), atol=1e-5
    )


def test_pooled_is_mean_of_quantized_codes(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(output="pooled", projection=None, random_state=0, **tiny).fit(X)
    codes = tok.codebook_[tok.encode(X)]  # (n, F, W', D)
    np.testing.assert_allclose(tok.transform(X), codes.mean((1, 2)), atol=1e-5)


def test_encode_decode_roundtrip(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    tokens = tok.encode(X)
    assert tokens.shape == (len(X), *tok.token_shape_) == (len(X), 5, 8)
    np.testing.assert_allclose(tok.decode(tokens), tok.reconstruct(X), atol=1e-4)
    np.testing.assert_array_equal(tok.encode(tok.decode(tokens)).shape, tokens.shape)
    with pytest.raises(ValueError, match="token ids must lie"):
        tok.decode(np.full_like(tokens, 99))
    with pytest.raises(ValueError, match="tokens must have shape"):
        tok.decode(tokens[:, :2])


def test_reconstruction_improves_with_training(tiny):
    X, _ = make_synthetic(64, 64, 2, random_state=0)
    short = NCVQVAETransformer(ssl=None, random_state=0, **tiny).fit(X)
    tiny.update(max_epochs=30, batch_size=32, lr=1e-2)
    long = NCVQVAETransformer(ssl=None, random_state=0, **tiny).fit(X)
    assert long.score(X) > short.score(X)
    assert long.reconstruction_errors(X)["stft"] < short.reconstruction_errors(X)["stft"]
    assert long.reconstruct(X).shape == X.shape


def test_same_random_state_same_transform(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(random_state=3, **tiny).fit(X)
    a = tok.transform(X)
    b = NCVQVAETransformer(random_state=3, **tiny).fit(X).transform(X)
    c = NCVQVAETransformer(random_state=4, **tiny).fit(X).transform(X)
    if tok.device_ == "cpu":
        np.testing.assert_array_equal(a, b)
    else:  # GPU kernels are not bitwise reproducible; refits agree to ~1e-5 on an H100
        np.testing.assert_allclose(a, b, atol=1e-4)
    assert not np.allclose(a, c, atol=1e-3)


def test_transform_is_eval_mode_and_does_not_move_the_model(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    state = {k: v.clone() for k, v in tok.module_.state_dict().items()}
    tok.transform(X * 5 + 3)
    tok.reconstruct(X * 5 + 3)
    for k, v in tok.module_.state_dict().items():
        assert (v == state[k]).all(), k
    assert not tok.module_.training  # a fit leaves it in eval mode, and inference never switches it


@pytest.mark.parametrize("shape", ["2d", "n1l", "nl1", "frame", "float64", "readonly", "list"])
def test_accepted_input_layouts(shape, tiny, data):
    X, _ = data
    X64 = X.astype(np.float64)
    inputs = {
        "2d": X.astype(np.float32),
        "n1l": X[:, None, :],
        "nl1": X[:, :, None],
        "frame": pd.DataFrame(X, columns=[f"t{i}" for i in range(X.shape[1])]),
        "float64": X64,
        "readonly": np.require(X64, requirements="C"),
        "list": X.tolist(),
    }
    Xin = inputs[shape]
    if shape == "readonly":
        Xin.setflags(write=False)
    # on the CPU two fits are bitwise reproducible (GPU backward kernels may not be)
    ref = NCVQVAETransformer(random_state=0, device="cpu", **tiny).fit(X).transform(X)
    got = NCVQVAETransformer(random_state=0, device="cpu", **tiny).fit(Xin).transform(Xin)
    np.testing.assert_allclose(got, ref, atol=1e-5)


def test_odd_length_and_short_series(tiny):
    X, _ = make_synthetic(20, 33, 2, random_state=0)
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    assert tok.reconstruct(X).shape == (20, 33)
    X5 = np.random.default_rng(0).standard_normal((10, 5))
    assert NCVQVAETransformer(output="pooled", random_state=0, **tiny).fit(X5).transform(X5).shape == (10, 8)


def test_batch_remainder_of_one_series(tiny):
    X, _ = make_synthetic(33, 64, 2, random_state=0)  # 33 = 32 + 1: last batch dropped
    tiny.update(batch_size=16)
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    assert np.isfinite(tok.history_[-1]["train_loss"])


def test_max_time_stops_training(tiny, data):
    tiny.update(max_epochs=10_000)
    tok = NCVQVAETransformer(max_time=1.0, random_state=0, **tiny).fit(data[0])
    assert 1 <= tok.n_epochs_ < 10_000
    assert all("dur" in row and "recon_time" in row for row in tok.history_)
    assert all(row["dur"] >= 0 for row in tok.history_)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_precisions(precision, tiny, data):
    tok = NCVQVAETransformer(precision=precision, random_state=0, **tiny).fit(data[0])
    assert tok.precision_ == precision
    assert np.isfinite(tok.transform(data[0])).all()


def test_verbose_shows_progress(tiny, data, capsys):
    NCVQVAETransformer(verbose=1, random_state=0, **tiny).fit(data[0])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "recon_time" in text and "epoch" in text
    # one bar over the whole fit, with elapsed<remaining time, ending at 100 %
    assert re.search(r"NCVQVAE:\s+100%\|.*\| \[\d\d:\d\d<\d\d:\d\d, epoch=2", text)


def test_max_epochs_auto_follows_the_data(tiny):
    rng = np.random.default_rng(0)
    small, large = rng.normal(size=(20, 64)), rng.normal(size=(1200, 64))  # 1,280 and 76,800 samples
    params = {**tiny, "max_epochs": "auto", "max_time": 0.5}
    assert NCVQVAETransformer(**params).fit(small).max_epochs_ == 100
    assert NCVQVAETransformer(**params).fit(large).max_epochs_ == auto_tokenizer_epochs(1200, 64) == 75
    assert NCVQVAETransformer(**{**params, "max_epochs": 7}).fit(small).max_epochs_ == 7


def test_batch_size_auto_gives_small_sets_several_steps(tiny, nets):
    rng = np.random.default_rng(0)
    params = {**tiny, "batch_size": "auto", "max_epochs": 1}
    for n_series, expected in [(10, 10), (40, 16), (200, 50), (600, 128)]:
        assert auto_tokenizer_batch(n_series) == expected
    tok = NCVQVAETransformer(**params).fit(rng.normal(size=(40, 32)))
    assert tok.batch_size_ == nets[-1].batch_size == 16
    assert nets[-1].history[-1]["train_batch_count"] == 3  # 40 series: 16 + 16 + 8
    tok = NCVQVAETransformer(**{**params, "batch_size": 32}).fit(rng.normal(size=(40, 32)))
    assert tok.batch_size_ == nets[-1].batch_size == 32
    with pytest.raises(ValueError, match="batch_size"):
        NCVQVAETransformer(**{**params, "batch_size": "large"}).fit(rng.normal(size=(40, 32)))


def test_explicit_augmentation_tuple(tiny, data):
    tok = NCVQVAETransformer(augmentations=("gaussian_noise", "amplitude_resize"), random_state=0, **tiny)
    assert tok.fit(data[0]).history_[0]["aug_recon"] > 0


def test_non_finite_steps_are_skipped_and_persistent_ones_stop_training(tiny, data, monkeypatch):
    import dataclasses

    from skncvq.nn import NCVQVAE

    X, _ = data
    real_loss = NCVQVAE.loss
    calls = {"n": 0}

    def nan_on_second_call(self, *args, **kwargs):
        terms = real_loss(self, *args, **kwargs)
        calls["n"] += 1
        if calls["n"] == 2:
            return dataclasses.replace(terms, total=terms.total * float("nan"))
        return terms

    monkeypatch.setattr(NCVQVAE, "loss", nan_on_second_call)
    tok = NCVQVAETransformer(batch_size=16, random_state=0, **tiny).fit(X)
    assert sum(row["skipped_steps"] for row in tok.history_) == 1
    assert np.isfinite(tok.transform(X)).all()
    assert all(torch.isfinite(p).all() for p in tok.module_.parameters())

    monkeypatch.setattr(
        NCVQVAE,
        "loss",
        lambda self, *a, **k: dataclasses.replace(t := real_loss(self, *a, **k), total=t.total * np.nan),
    )
    with pytest.raises(RuntimeError, match="diverged"):
        NCVQVAETransformer(batch_size=4, random_state=0, **{**tiny, "max_epochs": 10}).fit(X)


def test_a_non_finite_forward_leaves_codebook_and_batchnorm_statistics_as_they_were(
    tiny, data, nan_on_training_call
):
    # a batch whose encoder output is not finite must be skipped without a trace: the EMA codebook
    # update and the batch-norm running statistics happen in the forward pass, before the loss is
    # seen, so they are put back; otherwise every later step is non-finite and training "diverges"
    from skncvq.nn.codec import Encoder

    X, _ = data
    nan_on_training_call(Encoder)
    tok = NCVQVAETransformer(ssl=None, batch_size=8, random_state=0, **{**tiny, "max_epochs": 30})
    tok.fit(X)
    assert sum(row["skipped_steps"] for row in tok.history_) == 1
    assert len(tok.history_) == 30
    assert all(torch.isfinite(b).all() for b in tok.module_.buffers())
    assert np.isfinite(tok.codebook_).all()
    assert np.isfinite(tok.transform(X)).all()


@pytest.mark.parametrize("length, width, token_width", [(64, 8, 8), (256, 16, 16)])
def test_auto_latent_width_follows_the_series_length(length, width, token_width, tiny):
    X = np.random.default_rng(0).standard_normal((6, length)).astype(np.float32)
    tok = NCVQVAETransformer(latent_width="auto", output="tokens", **{**tiny, "max_epochs": 1}).fit(X)
    assert tok.latent_width == "auto"  # the parameter is kept as given
    assert tok.config_.latent_width == width
    assert tok.transform(X).shape == (6, 5 * token_width)
