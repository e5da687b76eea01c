import numpy as np
import pytest
from scipy import linalg
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from skncvq import FCNClassifier
from skncvq.datasets import load_trace, make_synthetic
from skncvq.metrics import (
    cas_score,
    fid_score,
    frechet_distance,
    inception_score,
    inception_score_from_proba,
    make_cas_scorer,
    make_fid_scorer,
    make_inception_scorer,
)
from skncvq.metrics.generative import cas_class_counts, generative_scores


@pytest.fixture(scope="module")
def trace_fcn():
    X_tr, y_tr, X_te, y_te = load_trace()
    fcn = FCNClassifier(max_epochs=20, lr=1e-2, batch_size=16, random_state=0).fit(X_tr, y_tr)
    return fcn, (X_tr, y_tr, X_te, y_te)


def test_frechet_matches_direct_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((200, 5)), rng.standard_normal((150, 5)) * 1.5 + 0.3
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    direct = ((a.mean(0) - b.mean(0)) ** 2).sum() + np.trace(ca + cb - 2 * np.real(linalg.sqrtm(ca @ cb)))
    assert frechet_distance(a, b) == pytest.approx(direct, rel=1e-8)


def test_frechet_of_a_set_with_itself_is_zero_and_grows_with_shift_and_scale():
    a = np.random.default_rng(0).standard_normal((300, 8))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shifts = [frechet_distance(a, a + s) for s in (0.1, 0.5, 1.0, 2.0)]
    scales = [frechet_distance(a, a * s) for s in (1.1, 1.5, 2.0, 3.0)]
    assert shifts == sorted(shifts) and scales == sorted(scales) and shifts[0] > 0


def test_frechet_with_fewer_samples_than_features_is_finite():
    rng = np.random.default_rng(0)
    d = frechet_distance(rng.standard_normal((10, 128)), rng.standard_normal((12, 128)))
    assert np.isfinite(d) and d > 0
    with pytest.raises(ValueError, match="at least 2 samples"):
        frechet_distance(rng.standard_normal((1, 4)), rng.standard_normal((5, 4)))


def test_inception_score_known_answers():
    uniform = np.full((100, 4), 0.25)
    assert inception_score_from_proba(uniform)[0] == pytest.approx(1.0)
    confident = np.eye(4)[np.arange(100) % 4]
    assert inception_score_from_proba(confident, n_splits=1)[0] == pytest.approx(4.0)
    mean, std = inception_score_from_proba(confident, n_splits=5, random_state=0)
    assert 3.5 < mean <= 4.0 and std < 0.5  # splits of 20 are only nearly balanced
    with pytest.raises(ValueError, match="n_splits"):
        inception_score_from_proba(confident[:3])


def test_fid_and_is_on_trace(trace_fcn):
    fcn, (X_tr, _, X_te, _) = trace_fcn
    floor = fid_score(X_tr, X_te, classifier=fcn)
    noise = np.random.default_rng(0).standard_normal(X_te.shape)
    assert fid_score(X_te, X_te, classifier=fcn) == pytest.approx(0.0, abs=1e-6)
    assert fid_score(X_te, noise, classifier=fcn) > 10 * floor
    is_real, _ = inception_score(X_te, classifier=fcn, random_state=0)
    is_noise, _ = inception_score(noise, classifier=fcn, random_state=0)
    assert is_noise < is_real <= 4.0 + 1e-9


def test_cas_on_real_training_data_matches_fcn_accuracy(trace_fcn):
    fcn, (X_tr, y_tr, X_te, y_te) = trace_fcn
    template = FCNClassifier(max_epochs=20, lr=1e-2, batch_size=16, random_state=0)
    cas = cas_score(X_tr, y_tr, X_te, y_te, classifier=template)
    assert cas == pytest.approx(fcn.score(X_te, y_te), abs=0.05)


class _Replay(BaseEstimator):
    """A stub generator: 'samples' by drawing from stored series (optionally per label)."""

    def __init__(self, noise=0.0):
        self.noise = noise

    def fit(self, X, y=None):
        self.X_, self.y_ = np.asarray(X), None if y is None else np.asarray(y)
        return self

    def sample(self, n_samples, y=None, random_state=0):
        rng = np.random.default_rng(random_state)
        if y is None:
            idx = rng.integers(0, len(self.X_), n_samples)
        else:
            idx = np.array([rng.choice(np.flatnonzero(self.y_ == lab)) for lab in np.asarray(y)])
        return self.X_[idx] + self.noise * rng.standard_normal((n_samples, self.X_.shape[1]))


def test_scorers_rank_generators_in_grid_search(trace_fcn):
    fcn, (X_tr, y_tr, _, _) = trace_fcn
    grid = GridSearchCV(_Replay(), {"noise": [0.0, 3.0]}, scoring=make_fid_scorer(fcn), cv=2)
    grid.fit(X_tr, y_tr)
    assert grid.best_params_ == {"noise": 0.0}
    gen = _Replay().fit(X_tr, y_tr)
    assert make_inception_scorer(fcn, random_state=0)(gen, X_tr) > 2.0
    assert make_fid_scorer(fcn, conditional=True)(gen, X_tr, y_tr) <= 0.0
    cas = make_cas_scorer(FCNClassifier(max_epochs=5, lr=1e-2, batch_size=16, random_state=0))(
        gen, X_tr, y_tr
    )
    assert 0.0 <= cas <= 1.0


def test_metric_errors(trace_fcn):
    fcn, (X_tr, y_tr, X_te, y_te) = trace_fcn
    with pytest.raises(ValueError, match="length"):
        fid_score(X_te, X_te[:, :200], classifier=fcn)
    with pytest.raises(ValueError, match="2 is required"):
        fid_score(X_te, X_te[:1], classifier=fcn)
    with pytest.raises(NotFittedError):
        fid_score(X_te, X_te, classifier=FCNClassifier())
    with pytest.raises(TypeError, match="fitted FCNClassifier"):
        inception_score(X_te, classifier=None)
    bad = X_te.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        inception_score(bad, classifier=fcn)
    with pytest.raises(ValueError, match="labels must match"):
        cas_score(X_tr, y_tr[:5], X_te, y_te)
    with pytest.raises(ValueError, match="needs labels"):
        make_cas_scorer()(_Replay().fit(X_tr, y_tr), X_tr)


def test_synthetic_data_metrics_fast():
    X, y = make_synthetic(60, 32, 2, random_state=0)
    fcn = FCNClassifier(max_epochs=5, random_state=0).fit(X, y)
    assert fid_score(X, X + 5, classifier=fcn) > fid_score(X, X + 0.1, classifier=fcn)


def test_cas_class_counts_scale_small_train_splits_to_min_total():
    y = np.array(["a"] * 30 + ["b"] * 10)
    assert cas_class_counts(y) == {"a": 750, "b": 250}
    assert cas_class_counts(y, min_total=0) == {"a": 30, "b": 10}


def test_generative_scores_prefer_the_faithful_generator(trace_fcn):
    fcn, (X_tr, y_tr, X_te, y_te) = trace_fcn
    cas_fcn = FCNClassifier(max_epochs=5, lr=1e-2, batch_size=16, random_state=0)
    kw = dict(classifier=fcn, y_train=y_tr, cas_classifier=cas_fcn, cas_min_total=0)
    good = generative_scores(_Replay().fit(X_tr, y_tr), X_te, y_te, **kw)
    bad = generative_scores(_Replay(noise=3.0).fit(X_tr, y_tr), X_te, y_te, **kw)
    assert set(good) == {"fid_uncond", "fid_cond", "is_mean", "is_std", "cas", "sample_series_per_s"}
    assert good["fid_uncond"] < bad["fid_uncond"] and good["fid_cond"] < bad["fid_cond"]
    assert good["is_mean"] > bad["is_mean"]
    assert good["cas"] > bad["cas"]
    with pytest.raises(ValueError, match="labels"):
        generative_scores(_Replay().fit(X_tr, y_tr), X_te, y_te[:3], classifier=fcn)


def test_generative_scores_on_a_tiny_split_keep_the_inception_score_meaningful(trace_fcn):
    fcn, (X_tr, y_tr, X_te, y_te) = trace_fcn
    cas_fcn = FCNClassifier(max_epochs=2, batch_size=16, random_state=0)
    kw = dict(classifier=fcn, y_train=y_tr, cas_classifier=cas_fcn, cas_min_total=0)
    tiny = generative_scores(_Replay().fit(X_tr, y_tr), X_te[:5], y_te[:5], **kw)
    # 5 samples are one split of 5 (not 5 splits of one series, which would score exactly 1)
    assert tiny["is_mean"] > 1.5 and tiny["is_std"] == 0.0
    more = generative_scores(_Replay().fit(X_tr, y_tr), X_te[:5], y_te[:5], n_unconditional=400, **kw)
    # Trace has 4 balanced classes; the replayed train split scores near 4 under a well-trained FCN,
    # 2.5-3 under this short-trained one (2.47 on a GPU)
    assert more["is_mean"] > 2.0
    with pytest.raises(ValueError, match="n_unconditional"):
        generative_scores(_Replay().fit(X_tr, y_tr), X_te, y_te, n_unconditional=1, **kw)


def test_metric_inputs_are_checked_with_clear_errors():
    import numpy as np
    import pytest

    from skncvq import FCNClassifier
    from skncvq.datasets import make_synthetic
    from skncvq.metrics import (
        cas_score,
        fid_score,
        frechet_distance,
        inception_score,
        inception_score_from_proba,
    )

    X, y = make_synthetic(30, 32, 2, random_state=0)
    with pytest.raises(ValueError, match="NaN or infinity"):
        frechet_distance(np.full((4, 3), np.nan), np.ones((4, 3)))
    fcn = FCNClassifier(max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="n_splits must be a positive integer; got 2.5"):
        inception_score(X, classifier=fcn, n_splits=2.5)
    for bad in (np.full((6, 2), np.nan), -np.ones((6, 2)), np.ones((6, 2))):
        with pytest.raises(ValueError, match="class probabilities"):
            inception_score_from_proba(bad, n_splits=2)
    with pytest.raises(ValueError, match="share none with y_test"):
        cas_score(X, np.full(len(X), 7), X, y, classifier=FCNClassifier(max_epochs=1))

    class NoEmbed:
        def predict_proba(self, X):
            return np.ones((len(X), 2)) / 2

    with pytest.raises(TypeError, match="lacks embed"):
        fid_score(X, X, classifier=NoEmbed())
