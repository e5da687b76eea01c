import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from skncvq import FCNClassifier
from skncvq.datasets import make_synthetic


@parametrize_with_checks(
    [FCNClassifier(max_epochs=30, lr=1e-2, batch_size=64, random_state=0)],
    expected_failed_checks=lambda est: {},
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


def test_learns_synthetic_classes_with_string_labels():
    X, y = make_synthetic(90, 64, 3, random_state=0)
    labels = np.array(["low", "mid", "high"])[y]
    fcn = FCNClassifier(max_epochs=20, lr=1e-2, random_state=0).fit(X[:60], labels[:60])
    assert set(fcn.classes_) == {"low", "mid", "high"}
    assert fcn.score(X[60:], labels[60:]) > 0.8
    proba = fcn.predict_proba(X[60:])
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)
    assert fcn.predict(X[60:]).dtype == labels.dtype
    assert fcn.embed(X[:5]).shape == (5, 128)


def test_same_seed_same_model():
    X, y = make_synthetic(40, 32, 2, random_state=0)
    a = FCNClassifier(max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    b = FCNClassifier(max_epochs=3, random_state=1).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(a, b)


def test_early_stopping_keeps_validation_history():
    X, y = make_synthetic(80, 32, 2, random_state=0)
    fcn = FCNClassifier(max_epochs=200, early_stopping=True, patience=3, random_state=0).fit(X, y)
    assert len(fcn.history_) < 200
    assert "valid_loss" in fcn.history_[-1] and "valid_acc" in fcn.history_[-1]


def test_errors():
    X, y = make_synthetic(20, 32, 2, random_state=0)
    with pytest.raises(NotFittedError):
        FCNClassifier().embed(X)
    with pytest.raises(ValueError, match="1 class"):
        FCNClassifier(max_epochs=1).fit(X, np.zeros(20))
    with pytest.raises(ValueError, match="labels"):
        FCNClassifier(max_epochs=1).fit(X, y[:10])
    fcn = FCNClassifier(max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="expecting 32 features"):
        fcn.predict(X[:, :20])


def test_a_non_finite_batch_is_skipped_and_leaves_weights_and_batchnorm_statistics_finite(
    nan_on_training_call, nets
):
    # without the guard, one NaN batch leaves NaN batch-norm statistics (set in the forward pass)
    # and NaN weights after the optimizer step, and every later prediction is NaN
    import torch

    from skncvq.nn.fcn import _SameConv

    X, y = make_synthetic(60, 32, 2, random_state=0)
    nan_on_training_call(_SameConv, n=5)  # three layers per forward: the second batch's middle layer
    fcn = FCNClassifier(max_epochs=5, batch_size=16, lr=1e-2, random_state=0).fit(X, y)
    module = fcn.module_
    assert all(torch.isfinite(t).all() for t in [*module.parameters(), *module.buffers()])
    assert np.isfinite(fcn.predict_proba(X)).all()
    skipped = nets[-1].history[:, "batches", :, "skipped_steps"]
    assert sum(map(sum, skipped)) == 1 and len(fcn.history_) == 5
