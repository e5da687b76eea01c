"""Series of unequal lengths, a list of ``(length_i,)`` or ``(n_channels, length_i)`` arrays:
every estimator fits them at one working length (the longest) and gives series back at their
own lengths; a model fitted on one length refuses them."""

import numpy as np
import pytest

import skncvq
from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq._lengths import resample, restore
from skncvq.metrics import cas_score, fid_score, inception_score

from ..conftest import TINY

SHORT, LONG = range(30, 36), range(50, 56)  # class 0's lengths, class 1's


@pytest.fixture(scope="module")
def ragged():
    """40 series of 2 channels (the second minus the first), class 0 short, class 1 long."""
    rng = np.random.default_rng(0)
    y = np.arange(40) % 2
    X = []
    for label in y:
        length = int(rng.choice(SHORT if label == 0 else LONG))
        t = np.linspace(0, 1, length)
        wave = np.sin(2 * np.pi * (2 + 3 * label) * t) + 0.1 * rng.normal(size=length)
        X.append(np.stack([wave, -wave]))
    sampler = MaskGITSampler(
        NCVQVAETransformer(**TINY, random_state=0), hidden_dim=16, n_layers=1, max_epochs=2, random_state=0
    ).fit(X, y)
    return X, y, sampler


def test_resample_keeps_the_ends_and_restores_lengths():
    x = np.arange(5.0)[None, None]  # one series, one channel, 0..4
    up = resample(x, 9)
    assert np.allclose(up[0, 0], np.arange(0, 4.5, 0.5))  # linear, same start and end
    back = restore(up, np.array([5]))
    assert back.shape == (1, 5) and np.allclose(back, x[0])  # one channel: (n, L)
    assert np.allclose(resample([np.ones((2, 3)), np.zeros((2, 7))], 4), [np.ones((2, 4)), np.zeros((2, 4))])
    parts = restore(np.zeros((2, 3, 10)), np.array([4, 6]))
    assert [p.shape for p in parts] == [(3, 4), (3, 6)]


def test_the_tokenizer_works_at_the_longest_length(ragged):
    X, y, sampler = ragged
    tok = sampler.tokenizer_
    assert tok.variable_length_ and tok.length_ == max(x.shape[1] for x in X) == sampler.length_
    assert tok.n_channels_ == 2 and tok.n_features_in_ == 2 * tok.length_
    features = tok.transform(X)
    assert features.shape[0] == len(X)
    assert tok.transform(X[:3]).shape[1] == features.shape[1]  # fixed width whatever the lengths
    tokens = tok.encode(X)
    assert tokens.shape == (len(X), *tok.token_shape_)  # one grid shape: series interpolated first
    recon = tok.reconstruct(X)
    assert isinstance(recon, list) and [r.shape for r in recon] == [x.shape for x in X]
    # an array of another length is interpolated too, and comes back at its length
    assert tok.reconstruct(np.stack([x[:, :30] for x in X])).shape == (len(X), 2, 30)
    assert tok.decode(tokens).shape == (len(X), 2, tok.length_)  # at the working length
    frame = tok.set_output(transform="pandas").transform(X)
    tok.set_output(transform="default")
    assert frame.shape == features.shape and list(frame.columns) == list(tok.get_feature_names_out())


def test_sampled_lengths_follow_the_class(ragged):
    X, y, sampler = ragged
    short = sampler.sample(20, y=0, random_state=1)
    long = sampler.sample(20, y=1, random_state=1)
    assert isinstance(short, list) and isinstance(long, list)
    assert {s.shape[1] for s in short} <= set(SHORT) and {s.shape[1] for s in long} <= set(LONG)
    assert all(s.shape[0] == 2 and s.dtype == np.float32 for s in short)
    fixed = sampler.sample(5, y=[0, 1, 0, 1, 0], length=40)
    assert isinstance(fixed, np.ndarray) and fixed.shape == (5, 2, 40)
    mixed = sampler.sample(10, random_state=0)  # the no-class row draws any training length
    assert {s.shape[1] for s in mixed} <= set(SHORT) | set(LONG)
    with pytest.raises(ValueError, match="length must be a positive integer"):
        sampler.sample(2, y=0, length=0)


def test_edit_keeps_each_series_length_and_what_the_tokens_do_not_hold(ragged):
    X, y, sampler = ragged
    edited = sampler.edit(X[:6], y=y[:6], random_state=0)
    assert [e.shape for e in edited] == [x.shape for x in X[:6]]
    # the change is the decoded change, interpolated: a smooth difference, the series' noise stays
    tok = sampler.tokenizer_
    for e, x in zip(edited, X[:6]):
        assert np.isfinite(e).all() and not np.allclose(e, x)
    assert tok.length_ == sampler.length_


def test_fit_resample_tops_up_a_ragged_set(ragged):
    X, y, _ = ragged
    keep = np.r_[np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:5]]
    X_cut, y_cut = [X[i] for i in keep], y[keep]
    sampler = MaskGITSampler(
        NCVQVAETransformer(**TINY, random_state=0), hidden_dim=16, n_layers=1, max_epochs=1, random_state=0
    )
    for resampling in ("edit", "generate"):
        X_res, y_res = sampler.set_params(resampling=resampling).fit_resample(X_cut, y_cut)
        assert isinstance(X_res, list) and len(X_res) == len(y_res) == 40
        assert np.bincount(y_res).tolist() == [20, 20]
        assert all(np.array_equal(a, b.astype(np.float32)) for a, b in zip(X_res, X_cut))  # originals first
        assert {s.shape[1] for s, label in zip(X_res[25:], y_res[25:]) if label == 1} <= set(LONG)


def test_classifier_and_metrics_take_ragged_sets(ragged):
    X, y, sampler = ragged
    fcn = FCNClassifier(max_epochs=3, random_state=0).fit(X, y)
    assert fcn.variable_length_ and fcn.predict_proba(X).shape == (len(X), 2)
    assert fcn.predict(X[:4]).shape == (4,)
    gen = sampler.sample(20, random_state=0)
    assert np.isfinite(fid_score(X, gen, classifier=fcn))
    assert inception_score(gen, classifier=fcn, n_splits=2)[0] >= 1.0
    X_cas = sampler.sample(20, y=np.arange(20) % 2, random_state=0)
    cas = cas_score(X_cas, np.arange(20) % 2, X, y, classifier=FCNClassifier(max_epochs=1), random_state=0)
    assert 0.0 <= cas <= 1.0


def test_a_model_fitted_on_one_length_refuses_ragged_sets(ragged):
    X, y, _ = ragged
    equal = np.stack([x[:, :30] for x in X])
    fcn = FCNClassifier(max_epochs=1, random_state=0).fit(equal, y)
    assert not fcn.variable_length_ and fcn.length_ == 30
    with pytest.raises(ValueError, match="unequal lengths .*fitted on series of one length, 30"):
        fcn.predict(X)
    with pytest.raises(ValueError, match="channel"):
        fid_score(equal, X, classifier=fcn)


def test_save_and_load_keep_the_lengths(ragged, tmp_path):
    X, y, sampler = ragged
    path = tmp_path / "ragged.skncvq"
    skncvq.save(sampler, path)
    loaded = skncvq.load(path)
    assert np.array_equal(loaded.train_lengths_, sampler.train_lengths_) and loaded.variable_length_
    a, b = sampler.sample(6, y=1, random_state=3), loaded.sample(6, y=1, random_state=3)
    assert [s.shape for s in a] == [s.shape for s in b]
    assert all(np.allclose(u, v, atol=1e-5) for u, v in zip(a, b))


@pytest.mark.parametrize(
    "X, match",
    [
        ([], "X is empty: got 0 series"),
        (
            [np.ones((2, 40)), np.ones((3, 50))],
            "mixes channel counts: series 0 has 2 channel.*series 1 has 3",
        ),
        (
            [np.ones((40, 2)), np.ones((50, 2))],
            r"look like \(length_i, n_channels\): pass \[s.T for s in X\]",
        ),
        ([np.ones(40), np.r_[np.ones(30), np.nan]], "NaN or infinity .*series 1, channel 0, step 30"),
        ([np.ones(40), np.ones((2, 2, 50))], r"X\[1\] has shape \(2, 2, 50\)"),
        ([np.ones(40), np.array([])], r"X\[1\] is empty"),
        ([np.ones(40), ["a"] * 30], r"X\[1\] is not an array of numbers"),
    ],
)
def test_bad_lists_say_what_is_wrong(X, match):
    with pytest.raises(ValueError, match=match):
        NCVQVAETransformer(**TINY).fit(X)


def test_short_many_channel_series_in_a_list_are_channels_first():
    """Japanese-vowel-like series, 12 channels of 7 to 9 steps: more channels than steps, which an
    array would refuse as likely channels-last, but a list of (n_channels, length_i) states it."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(12, n)) for n in (7, 8, 9, 7, 8, 9)]
    tok = NCVQVAETransformer(**TINY, random_state=0).fit(X)
    assert tok.n_channels_ == 12 and tok.length_ == 9
    with pytest.raises(ValueError, match="channels first"):
        NCVQVAETransformer(**TINY).fit(np.stack([x[:, :7] for x in X]))
    assert NCVQVAETransformer(**TINY).fit([x[:, :7] for x in X]).n_channels_ == 12  # the list says it
