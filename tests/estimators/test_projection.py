"""The tokenizer's ``projection``: standardized features without labels, discriminant axes with
them, and the unprojected features on request."""

import numpy as np
import pytest
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from skncvq import NCVQVAETransformer


@pytest.fixture(scope="module")
def fitted(data):
    from ..conftest import TINY

    X, y = data
    raw = NCVQVAETransformer(projection=None, random_state=0, **TINY).fit(X, y)
    return X, y, raw


def _refit(raw, X, y, **params):
    return NCVQVAETransformer(**{**raw.get_params(), **params}).fit(X, y)


def test_without_labels_features_are_standardized_with_training_statistics(fitted):
    X, _, raw = fitted
    tok = _refit(raw, X, None, projection="auto")
    assert tok.projection_kind_ == "standardize"
    F, R = tok.transform(X), raw.transform(X)
    np.testing.assert_allclose(F.mean(0), 0, atol=1e-4)
    np.testing.assert_allclose(F.std(0)[R.std(0) > 1e-6], 1, rtol=1e-3)
    np.testing.assert_allclose(F, (R - R.mean(0)) / np.where(R.std(0) > 1e-12, R.std(0), 1), atol=1e-3)
    # statistics of the training series, not of the series transformed
    F_half = tok.transform(X[:10])
    np.testing.assert_allclose(F_half, F[:10], atol=1e-5)


def test_with_labels_auto_projects_onto_the_discriminant_axes(fitted):
    X, y, raw = fitted
    tok = _refit(raw, X, y, projection="auto")
    assert tok.projection_kind_ == "discriminant"
    F = tok.transform(X)
    assert F.shape == (len(X), 2) == (len(X), len(np.unique(y)) - 1)
    assert tok.get_feature_names_out().shape == (2,)
    R = raw.transform(X)
    lda = LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto").fit((R - R.mean(0)) / R.std(0), y)
    np.testing.assert_allclose(
        np.abs(F), np.abs(lda.transform((R - R.mean(0)) / R.std(0))), rtol=1e-3, atol=1e-3
    )
    # a distance head in the projected space sorts the training classes
    assert make_pipeline(tok, KNeighborsClassifier(3)).fit(X, y).score(X, y) > 0.9


def test_regression_targets_and_one_class_are_not_discriminated(fitted):
    X, y, raw = fitted
    assert (
        _refit(raw, X, y.astype(float) + 0.5 * np.arange(len(y)), projection="auto").projection_kind_
        == "standardize"
    )
    assert _refit(raw, X, np.zeros(len(X), int), projection="auto").projection_kind_ == "standardize"
    with pytest.raises(ValueError, match="'discriminant' needs class labels of at least two classes"):
        _refit(raw, X, None, projection="discriminant")
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        _refit(raw, X, y[:-1], projection="auto")


def test_outputs_without_a_projection_and_changes_after_fit(fitted):
    X, y, raw = fitted
    tok = _refit(raw, X, y, projection="auto", output="histogram")
    assert tok.projection_kind_ is None
    np.testing.assert_allclose(tok.transform(X).sum(1), 1, rtol=1e-5)
    tok = _refit(raw, X, y, projection="auto")
    assert tok.set_params(output="tokens").transform(X).shape == (len(X), 5 * 8)  # never projected
    with pytest.raises(ValueError, match="fitted at fit for output='multiscale', not output='pooled'"):
        tok.set_params(output="pooled").transform(X)
    unprojected = tok.set_params(output="multiscale", projection=None).transform(X)
    np.testing.assert_allclose(unprojected, raw.transform(X), atol=1e-6)
    assert tok.get_feature_names_out().shape == (8 * 13,)


def test_fit_transform_reuses_the_training_features(fitted, monkeypatch):
    X, y, raw = fitted
    expected = _refit(raw, X, y, projection="auto").transform(X)
    tok = NCVQVAETransformer(**{**raw.get_params(), "projection": "auto"})
    calls = []
    original = NCVQVAETransformer._features
    monkeypatch.setattr(
        NCVQVAETransformer, "_features", lambda self, X, **kw: calls.append(1) or original(self, X, **kw)
    )
    np.testing.assert_allclose(tok.fit_transform(X, y), expected, atol=1e-5)
    assert len(calls) == 1  # encoded once, for the projection; not again for the output
