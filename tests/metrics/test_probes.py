import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from skncvq import NCVQVAETransformer
from skncvq.datasets import make_synthetic
from skncvq.metrics import probe_scores, reconstruction_error


def test_probes_beat_chance_on_separable_data(tiny):
    X, y = make_synthetic(120, 64, 3, noise=0.05, random_state=0)
    tiny.update(max_epochs=10, lr=1e-2)
    tok = NCVQVAETransformer(ssl=None, random_state=0, **tiny).fit(X[:80])
    scores = probe_scores(tok, X[:80], y[:80], X[80:], y[80:])
    assert set(scores) == {"knn", "svm"}
    assert scores["knn"] > 0.5 and scores["svm"] > 0.5  # chance is 1/3


def test_probes_do_not_touch_the_model(tiny):
    X, y = make_synthetic(60, 64, 2, random_state=0)
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X[:40])
    before = {k: v.clone() for k, v in tok.module_.state_dict().items()}
    probe_scores(tok, X[:40], y[:40], X[40:] * 3, y[40:])
    after = tok.module_.state_dict()
    assert all(torch_equal(before[k], after[k]) for k in before)


def torch_equal(a, b):
    return bool((a == b).all())


def test_probes_need_a_fitted_transformer(data):
    X, y = data
    with pytest.raises(NotFittedError):
        probe_scores(NCVQVAETransformer(), X, y, X, y)


def test_reconstruction_error_is_whole_split_mean(tiny, data):
    X, _ = data
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    err = reconstruction_error(tok, X)
    x = (X - tok.mean_) / tok.scale_
    direct = np.mean(((tok.reconstruct(X) - tok.mean_) / tok.scale_ - x) ** 2)
    assert err["time"] == pytest.approx(direct, rel=1e-3)
    assert err["stft"] > 0


def test_probe_pipeline_kinds():
    from skncvq.metrics import probe_pipeline

    assert probe_pipeline("svm").steps[-1][1].kernel == "linear"
    assert probe_pipeline("knn", n_neighbors=3).steps[-1][1].n_neighbors == 3
    with pytest.raises(ValueError, match="kind must be"):
        probe_pipeline("rbf")


def test_codebook_usage_counts_perplexity_and_dead_codes():
    import numpy as np

    from skncvq.metrics import codebook_usage

    assert codebook_usage(np.zeros((3, 4), dtype=int), 4) == (1.0, 3)
    ppl, dead = codebook_usage(np.arange(8).reshape(2, 4), 8)
    assert abs(ppl - 8.0) < 1e-9 and dead == 0
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        codebook_usage(np.array([0, 5]), 4)
    with pytest.raises(TypeError, match="integer"):
        codebook_usage(np.array([0.5]), 4)
