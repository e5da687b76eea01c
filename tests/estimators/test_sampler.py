import copy
import pickle
import subprocess
import sys
from dataclasses import replace

import joblib
import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq.datasets import make_synthetic
from skncvq.metrics import fid_score
from skncvq.nn import MaskGIT, MaskGITConfig

TOK = dict(
    ssl=None,
    hidden_dim=32,
    codebook_dim=32,
    n_res_blocks=1,
    codebook_size=32,
    max_epochs=60,
    lr=3e-3,
    batch_size=32,
)
PRIOR = dict(hidden_dim=32, n_layers=2, n_heads=2, max_epochs=300, lr=3e-3, batch_size=64)


@pytest.fixture(scope="module")
def setup():
    """A sampler and an evaluator fitted on well-separated synthetic classes."""
    X, y = make_synthetic(120, 64, 3, noise=0.05, random_state=0)
    labels = np.array(["a", "b", "c"])[y]
    tok = NCVQVAETransformer(random_state=0, **TOK).fit(X)
    sampler = MaskGITSampler(tok, random_state=0, **PRIOR).fit(X, labels)
    fcn = FCNClassifier(max_epochs=15, lr=1e-2, batch_size=32, random_state=0).fit(X, labels)
    return X, labels, sampler, fcn


def test_prior_module_loss_and_generation():
    prior = MaskGIT(MaskGITConfig(n_tokens=12, codebook_size=8, n_classes=2, hidden_dim=16, n_layers=1))
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 8, (5, 12))
    masked, mask = prior.mask_tokens(ids, g)
    assert (masked[mask] == 8).all() and (masked[~mask] == ids[~mask]).all() and mask.any(1).all()
    loss = prior.loss(ids, torch.tensor([0, 1, 0, 1, 2]), g)
    loss.backward()
    assert loss.item() > 0 and prior.head.weight.grad is not None
    out = prior.generate(torch.tensor([0, 1, 2]), n_steps=5, guidance_scale=2.0, generator=g)
    assert out.shape == (3, 12) and out.max() < 8 and out.min() >= 0


def test_generation_from_a_partly_masked_grid_keeps_the_unmasked_tokens():
    prior = MaskGIT(
        MaskGITConfig(n_tokens=12, codebook_size=8, n_classes=2, hidden_dim=16, n_layers=1)
    ).eval()
    g = torch.Generator().manual_seed(0)
    init = torch.randint(0, 8, (4, 12))
    masked = torch.stack([torch.randperm(12, generator=g)[:5] for _ in range(4)])
    init.scatter_(1, masked, 8)  # 5 of 12 positions masked in every row
    out = prior.generate(torch.tensor([0, 1, 0, 2]), n_steps=4, generator=g, init=init)
    keep = init != 8
    assert (out[keep] == init[keep]).all() and (out != 8).all() and out.max() < 8
    init[0, 0] = 8 if init[0, 0] != 8 else 0  # one row with another number of masked ids
    with pytest.raises(ValueError, match="same number of masked ids in every row"):
        prior.generate(torch.tensor([0, 1, 0, 2]), generator=g, init=init)


def test_guidance_mixes_conditional_and_unconditional_logits():
    prior = MaskGIT(MaskGITConfig(n_tokens=6, codebook_size=5, n_classes=2, hidden_dim=16, n_layers=1)).eval()
    ids = torch.full((2, 6), 5)
    cls = torch.tensor([0, 1])
    with torch.no_grad():
        cond = prior(ids, cls)
        null = prior(ids, torch.full_like(cls, 2))
        torch.testing.assert_close(
            prior._logits(ids, cls, 3.0), null + 3.0 * (cond - null), atol=1e-5, rtol=1e-4
        )
        torch.testing.assert_close(prior._logits(ids, cls, 1.0), cond)


def _blocks_io(prior: MaskGIT, ids: torch.Tensor, classes: torch.Tensor):
    """The transformer's input and output for ``ids``, and the prior's logits."""
    seen = {}
    hook = prior.blocks.register_forward_hook(lambda m, args, out: seen.update(inp=args[0], out=out))
    try:
        with torch.no_grad():
            logits = prior(ids, classes)
    finally:
        hook.remove()
    return seen["inp"], seen["out"], logits


def test_column_positions_hold_one_latent_time_step_each():
    rows, width, k = 3, 4, 6
    config = MaskGITConfig(n_tokens=rows * width, codebook_size=k, n_classes=2, hidden_dim=16, n_layers=1)
    prior = MaskGIT(replace(config, column_height=rows)).eval()
    assert prior.pos_emb.shape[1] == width + 1  # class position + one per column
    ids = torch.randint(0, k, (2, rows * width), generator=torch.Generator().manual_seed(0))
    cls = torch.tensor([0, 1])
    inp, out, logits = _blocks_io(prior, ids, cls)
    assert inp.shape == (2, width + 1, 16) and logits.shape == (2, rows * width, k)
    # token (row 2, time 1) sits at flat index 2 * width + 1 (frequency-major): changing it moves
    # the input of position 1 + 1 only
    changed = ids.clone()
    changed[:, 2 * width + 1] = (changed[:, 2 * width + 1] + 1) % k
    inp2, _, _ = _blocks_io(prior, changed, cls)
    moved = (inp2 - inp).abs().amax(dim=(0, 2)) > 0
    assert moved.tolist() == [False, False, True, False, False]
    # the logits of token (row r, time t) are row r's slice of position t's output
    head = prior.head(prior.norm(out[:, 1:])).view(2, width, rows, k)
    torch.testing.assert_close(logits.view(2, rows, width, k), head.transpose(1, 2))
    # one token per position is the reference layout
    assert MaskGIT(config).pos_emb.shape[1] == rows * width + 1
    with pytest.raises(ValueError, match="column_height"):
        replace(config, column_height=5)
    with pytest.raises(ValueError, match="class_conditioning"):
        replace(config, class_conditioning="every")


def test_class_at_every_position_reaches_every_position():
    config = MaskGITConfig(n_tokens=8, codebook_size=5, n_classes=2, hidden_dim=16, n_layers=1)
    ids = torch.randint(0, 5, (1, 8), generator=torch.Generator().manual_seed(0))
    for mode, moved in (("token", [True] + [False] * 8), ("all", [True] * 9)):
        torch.manual_seed(0)
        prior = MaskGIT(replace(config, class_conditioning=mode)).eval()
        a, _, _ = _blocks_io(prior, ids, torch.tensor([0]))
        b, _, _ = _blocks_io(prior, ids, torch.tensor([1]))
        assert ((b - a).abs().amax(dim=(0, 2)) > 0).tolist() == moved, mode


@pytest.mark.parametrize(
    "params, height",
    [(dict(positions="token"), 1), (dict(positions="column", class_conditioning="all"), None)],
)
def test_each_prior_layout_learns_and_samples_each_class(setup, params, height):
    X, labels, sampler, fcn = setup
    prior = MaskGITSampler(sampler.tokenizer_, random_state=0, **PRIOR, **params).fit(X, labels)
    n_freq, width = prior.token_shape_
    height = n_freq if height is None else height
    assert prior.config_.column_height == height
    assert prior.module_.pos_emb.shape[1] == n_freq * width // height + 1
    losses = [h["train_loss"] for h in prior.history_]
    assert np.mean(losses[-10:]) < 0.7 * np.mean(losses[:10])
    y = np.repeat(["a", "b", "c"], 30)
    gen = prior.sample(90, y=y, random_state=1)
    assert gen.shape == (90, 64)
    assert (fcn.predict(gen) == y).mean() > 0.45  # chance is 1/3
    # a pickle round trip keeps the layout
    again = pickle.loads(pickle.dumps(prior))
    np.testing.assert_array_equal(
        again.sample_tokens(5, y="a", random_state=3), prior.sample_tokens(5, y="a", random_state=3)
    )


def test_prior_layout_parameters_are_checked(setup):
    X, labels, sampler, _ = setup
    for name, bad in (("positions", "row"), ("class_conditioning", "every")):
        with pytest.raises(ValueError, match=name):
            MaskGITSampler(sampler.tokenizer_, **{**PRIOR, "max_epochs": 1, name: bad}).fit(X, labels)
    # the default: one position per latent time step, the class token alone
    assert sampler.config_.column_height == sampler.token_shape_[0] > 1
    assert sampler.config_.class_conditioning == "token"


def test_class_balance_evens_out_the_classes_each_training_epoch_draws(setup, tmp_path, nets):
    X, labels, sampler, _ = setup
    keep = np.concatenate([np.flatnonzero(labels == "a"), np.flatnonzero(labels == "b")[:8]])
    keep = np.concatenate([keep, np.flatnonzero(labels == "c")[:2]])  # 40 / 8 / 2 series
    Xi, yi = X[keep], labels[keep]
    tokens = sampler.tokenizer_.encode(Xi).reshape(len(Xi), -1).astype(np.int64)
    y_enc = np.searchsorted(["a", "b", "c"], yi)

    def drawn(net):
        # what one training epoch of the prior's training net draws, counted per class
        data = net.get_dataset(tokens, y_enc)
        ys = [yb.numpy() for _ in range(40) for _, yb in net.get_iterator(data, training=True)]
        return np.bincount(np.concatenate(ys), minlength=3) / (40 * len(Xi))

    fits, fit_nets = {}, {}
    for b in (0.0, 0.5, 1.0):
        fits[b] = MaskGITSampler(
            sampler.tokenizer_, class_balance=b, random_state=0, **{**PRIOR, "max_epochs": 2}
        ).fit(Xi, yi)
        fit_nets[b] = nets[-1]
    np.testing.assert_allclose(drawn(fit_nets[0.0]), [0.8, 0.16, 0.04])  # a shuffle: every series once
    np.testing.assert_allclose(drawn(fit_nets[1.0]), [1 / 3] * 3, atol=0.03)
    sqrt = np.sqrt([40, 8, 2]) / np.sqrt([40, 8, 2]).sum()
    np.testing.assert_allclose(drawn(fit_nets[0.5]), sqrt, atol=0.03)
    # classes of equal size are balanced already: the epoch stays a shuffle, every series once
    even = np.concatenate([np.flatnonzero(labels == c)[:6] for c in "abc"])
    MaskGITSampler(sampler.tokenizer_, class_balance=1.0, random_state=0, **{**PRIOR, "max_epochs": 1}).fit(
        X[even], labels[even]
    )
    even_net = nets[-1]
    even_tokens = sampler.tokenizer_.encode(X[even]).reshape(len(even), -1).astype(np.int64)
    data = even_net.get_dataset(even_tokens, np.searchsorted(["a", "b", "c"], labels[even]))
    for _ in range(5):
        epoch = np.concatenate([xb.numpy() for xb, _ in even_net.get_iterator(data, training=True)])
        assert sorted(map(tuple, epoch)) == sorted(map(tuple, even_tokens))
    # the class frequencies of sampling stay the training set's, and the fit survives a round trip
    np.testing.assert_allclose(fits[1.0].class_prior_, [0.8, 0.16, 0.04])
    joblib.dump(fits[1.0], tmp_path / "balanced.joblib")
    again = joblib.load(tmp_path / "balanced.joblib")
    np.testing.assert_array_equal(
        again.sample(4, y="c", random_state=1), fits[1.0].sample(4, y="c", random_state=1)
    )
    for bad in (-0.1, 1.5, "balanced"):
        with pytest.raises((ValueError, TypeError), match="class_balance"):
            MaskGITSampler(sampler.tokenizer_, class_balance=bad, **{**PRIOR, "max_epochs": 1}).fit(Xi, yi)
    assert MaskGITSampler().class_balance == 1.0  # the default evens out the classes


def test_loss_goes_down(setup):
    _, _, sampler, _ = setup
    losses = [h["train_loss"] for h in sampler.history_]
    assert np.mean(losses[-10:]) < 0.7 * np.mean(losses[:10])


def test_score_is_the_held_out_masked_token_log_likelihood(setup):
    X, labels, sampler, _ = setup
    conditional = sampler.score(X, labels)
    assert np.isfinite(conditional) and conditional < 0
    assert sampler.score(X, labels) == conditional  # fixed masks: the same number every call
    # the class row carries information about the grid, so the labels raise the likelihood
    assert conditional > sampler.score(X)
    # a prior stopped after one epoch explains the grids worse than the fitted one
    short = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**PRIOR, "max_epochs": 1}).fit(X, labels)
    assert short.score(X, labels) < conditional - 0.5
    # with more than 256 series the batches are scored as one set
    assert sampler.score(np.concatenate([X] * 3), np.concatenate([labels] * 3)) == pytest.approx(
        conditional, abs=0.05
    )
    with pytest.raises(ValueError, match="not seen in fit"):
        sampler.score(X[:2], ["a", "z"])
    with pytest.raises(ValueError, match="2 series but y has 3 labels"):
        sampler.score(X[:2], labels[:3])
    with pytest.raises(ValueError, match="fitted on series of length 64"):
        sampler.score(X[:, :50])
    with pytest.raises(NotFittedError):
        MaskGITSampler().score(X)
    no_null = MaskGITSampler(
        sampler.tokenizer_,
        random_state=0,
        p_unconditional=0.0,
        guidance_scale=1.0,
        **{**PRIOR, "max_epochs": 1},
    ).fit(X, labels)
    assert np.isfinite(no_null.score(X, labels))
    with pytest.raises(ValueError, match="no-class row is untrained"):
        no_null.score(X)


def test_grid_search_without_scoring_selects_by_held_out_likelihood(setup, monkeypatch):
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import GridSearchCV, KFold

    from skncvq.training import TokenizerNet

    X, labels, sampler, _ = setup
    stage1_fits = []
    real = TokenizerNet.fit
    monkeypatch.setattr(
        TokenizerNet, "fit", lambda self, *a, **k: stage1_fits.append(1) or real(self, *a, **k)
    )
    tok = NCVQVAETransformer(random_state=0, **TOK).fit(X)
    search = GridSearchCV(
        MaskGITSampler(FrozenEstimator(tok), random_state=0, **PRIOR),
        {"max_epochs": [1, 40]},
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(X, labels)
    assert len(stage1_fits) == 1  # the frozen tokenizer is shared by every candidate and fold
    assert search.best_estimator_.tokenizer_ is tok
    assert search.best_params_ == {"max_epochs": 40}
    assert np.all(search.cv_results_["mean_test_score"] < 0)


def test_a_frozen_tokenizer_must_be_fitted_and_saves_as_frozen(setup, tmp_path):
    from sklearn.frozen import FrozenEstimator

    import skncvq

    X, labels, sampler, _ = setup
    with pytest.raises(ValueError, match="FrozenEstimator of an unfitted tokenizer"):
        MaskGITSampler(FrozenEstimator(NCVQVAETransformer(**TOK)), **PRIOR).fit(X, labels)
    with pytest.raises(ValueError, match="'tokenizer' parameter"):
        MaskGITSampler(FrozenEstimator(object()), **PRIOR).fit(X, labels)
    frozen = MaskGITSampler(FrozenEstimator(sampler.tokenizer_), random_state=0, **{**PRIOR, "max_epochs": 2})
    frozen.fit(X, labels)
    skncvq.save(frozen, tmp_path / "s.safetensors")
    loaded = skncvq.load(tmp_path / "s.safetensors")
    assert isinstance(loaded.tokenizer, FrozenEstimator) and loaded.tokenizer.estimator is loaded.tokenizer_
    np.testing.assert_array_equal(
        loaded.sample_tokens(3, random_state=0), frozen.sample_tokens(3, random_state=0)
    )


def test_samples_are_recognised_as_their_class(setup):
    X, labels, sampler, fcn = setup
    y = np.repeat(["a", "b", "c"], 30)
    gen = sampler.sample(90, y=y, random_state=1)
    assert gen.shape == (90, 64) and gen.dtype == np.float32
    assert (fcn.predict(gen) == y).mean() > 0.45  # chance is 1/3


def test_guidance_does_not_hurt_class_separation(setup):
    X, labels, sampler, fcn = setup
    y = np.repeat(["a", "b", "c"], 20)

    def accuracy(scale: float) -> float:
        # a shallow copy shares the fitted prior without changing the module-scoped fixture
        guided = copy.copy(sampler).set_params(guidance_scale=scale)
        return (fcn.predict(guided.sample(60, y=y, random_state=2)) == y).mean()

    plain, strong = accuracy(1.0), accuracy(3.0)
    assert strong >= plain - 0.1


def test_guidance_needs_a_trained_no_class_row(setup):
    X, labels, sampler, _ = setup
    assert MaskGITSampler().guidance_scale == 2.0  # the default guides
    no_dropout = {**PRIOR, "max_epochs": 1, "p_unconditional": 0.0}
    with pytest.raises(ValueError, match="p_unconditional=0 never trains"):
        MaskGITSampler(sampler.tokenizer_, **no_dropout).fit(X, labels)
    plain = MaskGITSampler(sampler.tokenizer_, guidance_scale=1.0, **no_dropout).fit(X, labels)
    assert plain.sample(4, y="a", random_state=0).shape == (4, 64)
    with pytest.raises(ValueError, match="p_unconditional=0 never trains"):
        plain.set_params(guidance_scale=2.0).sample(4, y="a")
    # without labels there is no class to guide: the default guidance is no error there
    unlabelled = MaskGITSampler(sampler.tokenizer_, **no_dropout).fit(X)
    assert unlabelled.sample(4, random_state=0).shape == (4, 64)


def test_class_prior_unconditional_sampling(setup):
    X, labels, sampler, fcn = setup
    np.testing.assert_allclose(sampler.class_prior_, [1 / 3, 1 / 3, 1 / 3])
    try:
        sampler.set_params(unconditional="class_prior")
        a = sampler.sample_tokens(300, random_state=4)
        np.testing.assert_array_equal(a, sampler.sample_tokens(300, random_state=4))

        # each series is drawn for a label from the (equal) class frequencies, so the evaluator
        # reads the classes as often as in conditional samples of 100 per class
        def counts(tokens):
            predicted = fcn.predict(sampler.tokenizer_.decode(tokens))
            return np.array([(predicted == c).sum() for c in ["a", "b", "c"]])

        balanced = sampler.sample_tokens(300, y=np.repeat(["a", "b", "c"], 100), random_state=5)
        drawn, expected = counts(a), counts(balanced)
        assert drawn.min() > 20 and np.abs(drawn - expected).max() < 40, (drawn, expected)
        sampler.set_params(unconditional="uniform")
        with pytest.raises(ValueError, match="unconditional"):
            sampler.sample(2)
    finally:
        sampler.set_params(unconditional="class_prior")
    assert MaskGITSampler().unconditional == "class_prior"
    null = sampler.set_params(unconditional="null").sample_tokens(300, random_state=4)
    sampler.set_params(unconditional="class_prior")
    assert not np.array_equal(a, null)


def test_fid_of_samples_far_below_noise(setup):
    X, labels, sampler, fcn = setup
    gen = sampler.sample(len(X), random_state=3)
    noise = np.random.default_rng(0).standard_normal(X.shape)
    assert fid_score(X, gen, classifier=fcn) < 0.3 * fid_score(X, noise, classifier=fcn)


def test_same_random_state_same_samples(setup):
    _, _, sampler, _ = setup
    np.testing.assert_array_equal(
        sampler.sample_tokens(5, y="a", random_state=7), sampler.sample_tokens(5, y="a", random_state=7)
    )
    a = sampler.sample(5, y="a", random_state=7)
    # the decoder's GPU kernels may sum in a different order from call to call (1e-7 on an H100)
    np.testing.assert_allclose(a, sampler.sample(5, y="a", random_state=7), rtol=0, atol=1e-5)
    assert not np.array_equal(a, sampler.sample(5, y="a", random_state=8))
    np.testing.assert_array_equal(
        sampler.sample_tokens(4, y=["a", "b", "c", "a"], random_state=0).shape, (4, 5, 8)
    )


def test_sampling_precision_follows_the_parameter(setup):
    X, labels, sampler, fcn = setup
    from skncvq.estimators._torch_utils import resolve_precision

    if sampler.device_ == "cpu":
        assert sampler.precision_ == "fp32"  # CPU training of the prior stays float32 under "auto"
    else:
        assert sampler.precision_ == resolve_precision("auto", sampler.device_)
    assert sampler.sample_precision_ == resolve_precision("auto", sampler.device_)
    fp32 = MaskGITSampler(sampler.tokenizer_, precision="fp32", random_state=0, **PRIOR)
    fp32.set_params(max_epochs=1).fit(X, labels)
    assert fp32.sample_precision_ == "fp32" and fp32.precision_ == "fp32"
    # the same prior sampled under either precision draws series the evaluator sees alike
    fp32.module_.load_state_dict(sampler.module_.state_dict())
    ref = fcn.predict(sampler.sample(60, y="b", random_state=3))
    assert (fcn.predict(fp32.sample(60, y="b", random_state=3)) == ref).mean() > 0.5


def test_fit_resample_in_an_imblearn_pipeline(setup):
    pytest.importorskip("imblearn")
    from imblearn.pipeline import make_pipeline
    from sklearn.neighbors import KNeighborsClassifier

    X, labels, sampler, _ = setup
    keep = np.r_[
        np.flatnonzero(labels == "a"), np.flatnonzero(labels == "b")[:10], np.flatnonzero(labels == "c")[:20]
    ]
    Xi, yi = X[keep], labels[keep]
    small = MaskGITSampler(
        NCVQVAETransformer(random_state=0, **{**TOK, "max_epochs": 3}),
        random_state=0,
        **{**PRIOR, "max_epochs": 3},
    )
    Xr, yr = small.fit_resample(Xi, yi)
    counts = dict(zip(*np.unique(yr, return_counts=True)))
    assert counts == {"a": 40, "b": 40, "c": 40}
    before = dict(zip(*np.unique(yi, return_counts=True)))
    assert small.sampling_strategy_ == {c: 40 - before[c] for c in "bc"}  # as imbalanced-learn records it
    np.testing.assert_allclose(Xr[: len(Xi)], Xi, rtol=1e-6)
    Xr, yr = small.set_params(sampling_strategy={"b": 15}).fit_resample(Xi, yi)
    assert (yr == "b").sum() == 15 and len(yr) == len(yi) + 5
    pipe = make_pipeline(small.set_params(sampling_strategy="auto"), KNeighborsClassifier(3)).fit(Xi, yi)
    assert pipe[-1].n_samples_fit_ == 120  # the classifier was fitted on the balanced set
    assert pipe.predict(X).shape == (len(X),)  # and the sampler does nothing at predict time


def test_edit_varies_series_within_their_class(setup):
    X, labels, sampler, fcn = setup
    src, lab = X[:40], labels[:40]
    out = sampler.edit(src, y=lab, random_state=0)
    assert out.shape == src.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, sampler.edit(src, y=lab, random_state=0))  # seeded
    # the fewer tokens redrawn, the closer an edit stays to its series
    few = sampler.set_params(edit_ratio=0.01).edit(src, y=lab, random_state=0)  # one token of 40
    every = sampler.set_params(edit_ratio=1.0).edit(src, y=lab, random_state=0)
    sampler.set_params(edit_ratio=0.5)
    dist = [np.abs(e - src).mean() for e in (few, out, every)]
    assert dist[0] < dist[1] < dist[2]
    assert (fcn.predict(out) == lab).mean() > 0.8  # edits stay in their class
    with pytest.raises(ValueError, match="40 series but y has 39"):
        sampler.edit(src, y=lab[:-1])
    with pytest.raises(ValueError, match="not seen in fit"):
        sampler.edit(src[:2], y=["a", "z"])


def test_fit_resample_edits_or_generates(setup, monkeypatch):
    X, labels, sampler, _ = setup
    keep = np.r_[np.flatnonzero(labels == "a"), np.flatnonzero(labels == "b")[:5]]
    small = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**PRIOR, "max_epochs": 3})
    Xr, yr = small.fit_resample(X[keep], labels[keep])
    assert small.resampling == "edit" and (yr == "b").sum() == (yr == "a").sum() == 40
    Xg, yg = small.set_params(resampling="generate").fit_resample(X[keep], labels[keep])
    assert (yg == "b").sum() == 40 and not np.allclose(Xg[len(keep) :], Xr[len(keep) :])
    # "edit" draws the class's own series in turn: each of the 5 is the source of 7 of the 35
    monkeypatch.setattr(MaskGITSampler, "edit", lambda self, X, y=None, random_state=None: X)
    Xr, yr = small.set_params(resampling="edit").fit_resample(X[keep], labels[keep])
    src = X[keep][labels[keep] == "b"].astype(np.float32)
    sources = [int(np.flatnonzero((src == row).all(1))[0]) for row in Xr[len(keep) :]]
    assert sorted(np.bincount(sources, minlength=5).tolist()) == [7] * 5
    with pytest.raises(ValueError, match="'resampling' parameter"):
        small.set_params(resampling="copy").fit_resample(X[keep], labels[keep])


def test_unconditional_fit_and_errors(setup):
    X, labels, sampler, _ = setup
    unc = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**PRIOR, "max_epochs": 2}).fit(X)
    assert unc.classes_ is None and unc.sample(3).shape == (3, 64)
    with pytest.raises(ValueError, match="fitted without labels"):
        unc.sample(3, y="a")
    with pytest.raises(ValueError, match="not seen in fit"):
        sampler.sample(2, y="z")
    with pytest.raises(ValueError, match="positive integer"):
        sampler.sample(0)
    with pytest.raises(ValueError, match="one label or 3 labels"):
        sampler.sample(3, y=["a", "b"])
    with pytest.raises(NotFittedError):
        MaskGITSampler().sample(2)
    with pytest.raises(ValueError, match="single class"):
        MaskGITSampler(sampler.tokenizer_, **PRIOR).fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="fitted on series of length 64"):
        MaskGITSampler(sampler.tokenizer_, **PRIOR).fit(X[:, :50], labels)
    with pytest.raises(ValueError, match="sampling_strategy"):
        MaskGITSampler(
            sampler.tokenizer_, sampling_strategy="most", **{**PRIOR, "max_epochs": 1}
        ).fit_resample(X, labels)


def test_auto_batch_size_keeps_a_batch_near_5120_tokens(setup):
    from skncvq.estimators.sampler import auto_prior_batch

    # token grids of the benchmark datasets: 5x8 (ECG5000), 5x12 (ElectricDevices), 5x17 (Trace),
    # 5x31 (FordA), 5x32 (ShapesAll, Mallat); larger grids go down to 8, never below
    assert [auto_prior_batch(5 * w) for w in (8, 12, 16, 17, 31, 32, 64, 200)] == [
        64,
        64,
        64,
        32,
        32,
        32,
        16,
        8,
    ]
    with pytest.raises(ValueError, match="n_tokens"):
        auto_prior_batch(0)
    X, labels, sampler, _ = setup
    params = {**PRIOR, "max_epochs": 1}
    assert sampler.batch_size_ == 64  # set explicitly in PRIOR
    auto = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**params, "batch_size": "auto"}).fit(
        X, labels
    )
    assert auto.batch_size == "auto" and auto.batch_size_ == auto_prior_batch(
        int(np.prod(sampler.token_shape_))
    )
    few = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**params, "batch_size": "auto"}).fit(
        X[:20], labels[:20]
    )
    assert few.batch_size_ == 20  # never more than the series there are
    for bad, match in (
        ("big", "'batch_size' parameter"),
        (0, "'batch_size' parameter"),
    ):
        with pytest.raises(ValueError, match=match):
            MaskGITSampler(sampler.tokenizer_, **{**params, "batch_size": bad}).fit(X, labels)


def test_auto_width_narrows_the_prior_on_large_training_sets(setup):
    from skncvq.estimators.sampler import auto_prior_width

    # training positions under the token layout (series x grid): ECG5000 500 x 40, ShapesAll
    # 600 x 160 keep 128; ElectricDevices 8926 x 60 and FordA 3601 x 155 get 64; the switch is
    # above 2**18. The column layout's positions (ElectricDevices 8926 x 12, FordA 3601 x 31) keep 128
    pairs = ((500, 40), (600, 160), (8926, 60), (3601, 155), (8926, 12), (3601, 31))
    assert [auto_prior_width(n, t) for n, t in pairs] == [128, 128, 64, 64, 128, 128]
    assert auto_prior_width(2**12, 2**6) == 128 and auto_prior_width(2**12 + 1, 2**6) == 64
    with pytest.raises(ValueError, match="n_series and n_positions"):
        auto_prior_width(0, 40)
    X, labels, sampler, _ = setup
    params = {**PRIOR, "max_epochs": 1, "n_layers": 1}
    auto = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**params, "hidden_dim": "auto"}).fit(
        X, labels
    )
    assert auto.hidden_dim == "auto" and auto.config_.hidden_dim == 128
    assert auto.module_.token_emb.embedding_dim == 128
    assert MaskGITSampler().hidden_dim == "auto"
    for bad, match in (
        ("wide", "'hidden_dim' parameter"),
        (0, "'hidden_dim' parameter"),
        (30, r"hidden_dim \(30\) must be divisible by n_heads \(4\)"),
    ):
        with pytest.raises(ValueError, match=match):
            MaskGITSampler(sampler.tokenizer_, **{**params, "hidden_dim": bad, "n_heads": 4}).fit(X, labels)
    with pytest.raises(
        ValueError, match=r"hidden_dim 'auto' \(64 or 128\) must be divisible by n_heads \(3\)"
    ):
        MaskGITSampler(sampler.tokenizer_, **{**params, "hidden_dim": "auto", "n_heads": 3}).fit(X, labels)


def test_auto_width_counts_the_positions_of_the_layout(setup, monkeypatch):
    import skncvq.estimators._prior_sizes as sizes

    X, labels, sampler, _ = setup
    height, width = sampler.token_shape_
    assert height > 1
    # a threshold between the column layout's positions and the token layout's
    monkeypatch.setattr(sizes, "_NARROW_POSITIONS", len(X) * width)
    params = {**PRIOR, "max_epochs": 1, "n_layers": 1, "hidden_dim": "auto"}
    column = MaskGITSampler(sampler.tokenizer_, positions="column", **params).fit(X, labels)
    token = MaskGITSampler(sampler.tokenizer_, positions="token", **params).fit(X, labels)
    assert column.config_.hidden_dim == 128 and token.config_.hidden_dim == 64


def test_auto_lr_scale_follows_the_reachable_fraction_of_the_epochs():
    from skncvq.estimators._prior_sizes import auto_prior_lr_scale

    # 1 / sqrt(fraction), from 1x for a fit that runs its epochs to 3x at a ninth of them or less
    got = [auto_prior_lr_scale(f) for f in (1.0, 0.5, 0.25, 1 / 9, 0.05, 1e-6)]
    np.testing.assert_allclose(got, [1.0, 2**0.5, 2.0, 3.0, 3.0, 3.0])
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="reachable must be in"):
            auto_prior_lr_scale(bad)


def test_auto_lr_rises_only_when_the_time_budget_cuts_the_epochs_short(setup, monkeypatch, nets):
    X, labels, sampler, _ = setup
    assert sampler.lr_ == PRIOR["lr"]  # a float lr is used as given
    params = {**PRIOR, "n_layers": 1, "lr": "auto"}
    # no time budget: the fit runs its epochs at the base lr
    untimed = MaskGITSampler(sampler.tokenizer_, random_state=0, **{**params, "max_epochs": 12}).fit(
        X, labels
    )
    assert untimed.lr_ == 1e-3
    assert max(b["lr"] for row in nets[-1].history for b in row["batches"]) == pytest.approx(1e-3)
    # a 1 s budget reaches a tiny part of 10**6 epochs: 3x, applied after the timed steps; the
    # budget's clock ticks 1 ms a reading, so the steps it sees do not depend on the machine's speed
    from types import SimpleNamespace

    from skncvq.training import callbacks

    clock = iter(range(10**9))
    monkeypatch.setattr(callbacks, "time", SimpleNamespace(perf_counter=lambda: next(clock) * 1e-3))
    timed = MaskGITSampler(
        sampler.tokenizer_, random_state=0, **{**params, "max_epochs": 10**6, "max_time": 1.0}
    ).fit(X, labels)
    monkeypatch.undo()
    assert timed.lr_ == pytest.approx(3e-3)
    lrs = [b["lr"] for row in nets[-1].history for b in row["batches"]]
    assert len(lrs) > 9 and max(lrs[:9]) <= 1e-3 < max(lrs[9:]) <= 3e-3
    assert MaskGITSampler().lr == "auto"
    with pytest.raises(ValueError, match="'lr' parameter of MaskGITSampler"):
        MaskGITSampler(sampler.tokenizer_, **{**params, "lr": "fast"}).fit(X, labels)
    with pytest.raises(ValueError, match="'lr' parameter of MaskGITSampler"):
        MaskGITSampler(sampler.tokenizer_, **{**params, "lr": -1.0}).fit(X, labels)
    with pytest.raises(ValueError, match="'lr' parameter of NCVQVAETransformer"):
        NCVQVAETransformer(**{**TOK, "lr": "auto"}).fit(X)  # the tokenizer has no "auto" lr


def test_joblib_roundtrip_gives_same_samples(setup, tmp_path):
    _, _, sampler, _ = setup
    path = tmp_path / "sampler.joblib"
    joblib.dump(sampler, path)
    script = (
        "import joblib, numpy as np\n"
        f"s = joblib.load({str(path)!r})\n"
        f"np.save({str(tmp_path / 'g.npy')!r}, s.sample(4, y='b', random_state=5))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    # exact on the CPU; GPU decoder kernels may differ in the last bit from call to call
    np.testing.assert_allclose(
        np.load(tmp_path / "g.npy"), sampler.sample(4, y="b", random_state=5), rtol=0, atol=1e-5
    )


def test_a_non_finite_prior_batch_is_skipped_without_a_trace(nan_on_training_call, nets):
    X, y = make_synthetic(40, 64, 2, noise=0.05, random_state=0)
    tok = NCVQVAETransformer(random_state=0, **{**TOK, "max_epochs": 2}).fit(X)
    nan_on_training_call(MaskGIT)
    sampler = MaskGITSampler(tok, random_state=0, **{**PRIOR, "max_epochs": 4, "batch_size": 8}).fit(X, y)
    assert all(torch.isfinite(p).all() for p in sampler.module_.parameters())
    assert np.isfinite([h["train_loss"] for h in sampler.history_[1:]]).all()
    assert sampler.sample(4, y=0).shape == (4, 64)
    skipped = nets[-1].history[:, "batches", :, "skipped_steps"]
    assert sum(map(sum, skipped)) == 1 and len(sampler.history_) == 4


@pytest.mark.parametrize(
    "strategy, y, error",
    [
        ({"a": 1}, "labels", ValueError),  # fewer series than "a" has
        ({"b": 20.5}, "labels", TypeError),  # a float count
        ({"b": "20"}, "labels", TypeError),  # a string count
        (0.5, "labels", ValueError),  # a float strategy with 3 classes
        ("auto", None, ValueError),  # no labels at all
    ],
)
def test_fit_resample_checks_its_strategy_before_any_training(data, monkeypatch, strategy, y, error):
    from skncvq.training import PriorNet, TokenizerNet

    X, y_int = data
    labels = np.array(["a", "b", "c"])[y_int]
    for net in (TokenizerNet, PriorNet):
        monkeypatch.setattr(net, "fit", lambda *a, **k: pytest.fail("trained before checking"))
    sampler = MaskGITSampler(sampling_strategy=strategy, **PRIOR)
    with pytest.raises(error):
        sampler.fit_resample(X, labels if y == "labels" else y)
    with pytest.raises(NotFittedError):
        sampler.sample(1)
