"""A fit finishes or leaves the estimator as it was: a refit that fails keeps the previous fit,
a copy taken while a fit runs is unfitted, and pickling from another thread never breaks a fit."""

import pickle
import threading

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq.training import TokenizerNet

from ..conftest import TINY

MAKERS = {
    "tokenizer": lambda: NCVQVAETransformer(**TINY, random_state=0),
    "sampler": lambda: MaskGITSampler(
        NCVQVAETransformer(**TINY, random_state=0), hidden_dim=16, n_layers=1, max_epochs=2, random_state=0
    ),
    "fcn": lambda: FCNClassifier(max_epochs=2, random_state=0),
}


def _output(est, X):
    if isinstance(est, NCVQVAETransformer):
        return est.transform(X)
    if isinstance(est, MaskGITSampler):
        return est.sample(3, random_state=0)
    return est.predict_proba(X)


@pytest.mark.parametrize("which", list(MAKERS))
@pytest.mark.parametrize("bad", ["nan", "labels", "parameter"])
def test_a_refit_that_fails_validation_keeps_the_previous_fit(which, bad, data):
    X, y = data
    est = MAKERS[which]().fit(X, y)
    before = _output(est, X)
    state = set(vars(est))
    if bad == "nan":
        X_bad, y_bad = X.copy(), y
        X_bad[3, 5] = np.nan
    elif bad == "labels":
        X_bad, y_bad = X, y[:-1]
    else:
        X_bad, y_bad = X, y
        est.set_params(max_epochs=-1)
    if bad == "labels" and which == "tokenizer":
        pytest.skip("the tokenizer's y only feeds the projection")
    with pytest.raises(ValueError):
        est.fit(X_bad, y_bad)
    check_is_fitted(est)
    assert set(vars(est)) == state
    est.set_params(max_epochs=2)  # as fitted (a bad parameter stays set, as set_params left it)
    np.testing.assert_array_equal(_output(est, X), before)


def test_a_first_fit_that_fails_leaves_the_estimator_unfitted(data):
    X, _ = data
    tok = NCVQVAETransformer(**TINY)
    with pytest.raises(ValueError):
        tok.fit(X[:, :2])  # too short for the STFT
    assert not [k for k in vars(tok) if k.endswith("_")]
    with pytest.raises(NotFittedError):
        check_is_fitted(tok)


def test_a_copy_taken_while_fitting_is_unfitted(data, monkeypatch):
    X, _ = data
    tok = NCVQVAETransformer(**{**TINY, "max_epochs": 3})
    copies = []
    real = TokenizerNet.train_step

    def step(self, *args, **kwargs):
        if not copies:
            copies.append(pickle.loads(pickle.dumps(tok)))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(TokenizerNet, "train_step", step)
    tok.fit(X)
    check_is_fitted(tok)
    with pytest.raises(NotFittedError):
        check_is_fitted(copies[0])
    with pytest.raises(NotFittedError):
        copies[0].transform(X)


def test_pickling_from_another_thread_never_breaks_a_fit(data):
    X, _ = data
    tok = NCVQVAETransformer(**{**TINY, "max_epochs": 20})
    stop = threading.Event()

    def pickle_repeatedly():
        while not stop.is_set():
            try:
                pickle.dumps(tok)
            except RuntimeError:  # a dict the fit grows while it is pickled; the fit goes on
                pass

    thread = threading.Thread(target=pickle_repeatedly)
    thread.start()
    try:
        tok.fit(X)
    finally:
        stop.set()
        thread.join()
    assert tok.n_epochs_ == 20
    assert np.isfinite(tok.transform(X)).all()
