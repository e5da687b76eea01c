"""Multivariate series, ``(n_series, n_channels, length)`` channels first: every estimator fits,
transforms, samples and scores them; univariate input keeps its 2-D layout."""

import numpy as np
import pytest

import skncvq
from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq.datasets import make_synthetic
from skncvq.metrics import cas_score, fid_score, inception_score

from ..conftest import TINY


@pytest.fixture(scope="module")
def multi():
    """48 series of 3 channels of length 64, 3 classes; the channels are related per series."""
    X, y = make_synthetic(48, 64, 3, random_state=0)
    X3 = np.stack([X, 2 * np.roll(X, 5, axis=1) + 1, -X], axis=1)
    tok = NCVQVAETransformer(**TINY, random_state=0).fit(X3, y)
    sampler = MaskGITSampler(tok, hidden_dim=16, n_layers=1, max_epochs=2, random_state=0).fit(X3, y)
    fcn = FCNClassifier(max_epochs=2, random_state=0).fit(X3, y)
    return X3, y, tok, sampler, fcn


def test_the_tokenizer_takes_channels_jointly(multi):
    X3, y, tok, _, _ = multi
    assert tok.n_channels_ == 3 and tok.n_features_in_ == 3 * 64
    assert tok.mean_.shape == tok.scale_.shape == (3,)  # per channel
    assert tok.reconstruct(X3).shape == X3.shape
    tokens = tok.encode(X3)
    assert tokens.shape == (48, *tok.token_shape_)  # one token grid for all channels
    assert tok.decode(tokens).shape == X3.shape
    assert tok.transform(X3).shape == (48, 2)  # discriminant axes of 3 classes: any channel count
    assert tok.set_params(output="pooled", projection=None).transform(X3).shape == (48, TINY["codebook_dim"])
    tok.set_params(output="multiscale", projection="auto")


def test_sampler_and_classifier_give_series_of_the_training_shape(multi):
    X3, y, _, sampler, fcn = multi
    assert sampler.sample(5, y=2, random_state=0).shape == (5, 3, 64)
    assert sampler.edit(X3[:4], y=y[:4], random_state=0).shape == (4, 3, 64)
    assert np.isfinite(sampler.score(X3, y))
    X_res, y_res = MaskGITSampler(sampler.tokenizer_, hidden_dim=16, n_layers=1, max_epochs=1).fit_resample(
        X3[:30], y[:30]
    )
    assert X_res.shape[1:] == (3, 64) and len(X_res) == len(y_res) > 30
    assert fcn.predict_proba(X3).shape == (48, 3)


def test_metrics_on_multivariate_series(multi):
    X3, y, _, sampler, fcn = multi
    gen = sampler.sample(20, y=y[:20], random_state=0)
    assert np.isfinite(fid_score(X3, gen, classifier=fcn))
    assert inception_score(gen, classifier=fcn, n_splits=2)[0] >= 1
    assert 0 <= cas_score(gen, y[:20], X3, y, classifier=FCNClassifier(max_epochs=1)) <= 1


def test_a_multivariate_model_round_trips_through_a_model_file(multi, tmp_path):
    _, _, _, sampler, _ = multi
    skncvq.save(sampler, tmp_path / "m.safetensors")
    loaded = skncvq.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(
        loaded.sample_tokens(3, random_state=1), sampler.sample_tokens(3, random_state=1)
    )
    assert loaded.sample(2, random_state=1).shape == (2, 3, 64)


def test_univariate_layouts_agree_and_stay_2d(data):
    X, _ = data
    tok = NCVQVAETransformer(**TINY, random_state=0).fit(X)
    out = tok.transform(X)
    for layout in (X[:, None, :], X[:, :, None]):  # aeon's (n, 1, L), tslearn's (n, L, 1)
        np.testing.assert_allclose(tok.transform(layout), out, rtol=1e-5, atol=1e-6)
    assert tok.reconstruct(X[:, None, :]).shape == X.shape


def test_channel_errors_say_which_axis_was_taken_for_what(multi):
    X3, _, tok, _, fcn = multi
    with pytest.raises(ValueError, match="1 channel.*fitted on series of 3 channel"):
        tok.transform(X3[:, 0])
    with pytest.raises(ValueError, match=r"channels first.*transpose\(0, 2, 1\)"):
        NCVQVAETransformer(**TINY).fit(X3.transpose(0, 2, 1))  # (n, L, C): 64 "channels" of 3 steps
    bad = X3.copy()
    bad[4, 2, 10] = np.nan
    with pytest.raises(ValueError, match="series 4, channel 2, step 10"):
        fcn.predict_proba(bad)
    with pytest.raises(ValueError, match="length 64 with 3 channel"):
        MaskGITSampler(tok, max_epochs=1).fit(X3[:, :2], np.arange(48) % 3)


def test_sampled_channels_keep_the_structure_between_channels():
    # channel 1 is channel 0 mirrored in every training series: joint tokens learn that, so a
    # sampled series' channels come out mirrored too (drawn independently, they would not be)
    X, y = make_synthetic(120, 64, 3, noise=0.05, random_state=0)
    X2 = np.stack([X, -X], axis=1)
    tok = NCVQVAETransformer(
        ssl=None, hidden_dim=32, codebook_dim=32, n_res_blocks=1, max_epochs=30, random_state=0
    ).fit(X2)
    sampler = MaskGITSampler(
        tok, hidden_dim=32, n_layers=2, max_epochs=60, lr=3e-3, batch_size=64, random_state=0
    )
    gen = sampler.fit(X2, y).sample(30, y=np.repeat([0, 1, 2], 10), random_state=0)
    corr = np.array([np.corrcoef(g[0], g[1])[0, 1] for g in gen])
    assert corr.mean() < -0.8, corr


def test_set_output_and_feature_names_on_multivariate_input(multi):
    pd = pytest.importorskip("pandas")
    X3, _, _, _, _ = multi
    tok = NCVQVAETransformer(**TINY, random_state=0).set_output(transform="pandas")
    out = tok.fit_transform(X3)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(tok.get_feature_names_out())
    assert out.shape == (len(X3), TINY["codebook_dim"] * (2 + 5 + 6))  # multiscale, standardized
