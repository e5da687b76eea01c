"""Fitted estimators are shared by threads (scikit-learn's threading backend, Dask's threaded
workers, web servers): concurrent inference gives the sequential results and changes nothing."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer

from ..conftest import TINY

N_THREADS = 4
ROUNDS = 3


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    tok = NCVQVAETransformer(**TINY, random_state=0).fit(X)
    return {
        "tokenizer": tok,
        "sampler": MaskGITSampler(tok, hidden_dim=16, n_layers=1, max_epochs=2, random_state=0).fit(X, y),
        "fcn": FCNClassifier(max_epochs=2, random_state=0).fit(X, y),
    }


def _calls(fitted, X, y):
    return {
        "transform": lambda: fitted["tokenizer"].transform(X),
        "reconstruct": lambda: fitted["tokenizer"].reconstruct(X),
        "predict_proba": lambda: fitted["fcn"].predict_proba(X),
        "sample": lambda: fitted["sampler"].sample(6, y=y[0], random_state=1),
        "score": lambda: fitted["sampler"].score(X, y),
    }


def test_fits_leave_their_modules_in_eval_mode(fitted):
    assert not fitted["tokenizer"].module_.training
    assert not fitted["sampler"].module_.training
    assert not fitted["fcn"].module_.training


def test_concurrent_inference_gives_the_sequential_results_and_changes_nothing(fitted, data):
    X, y = data
    calls = _calls(fitted, X, y)
    sequential = {name: call() for name, call in calls.items()}
    jobs = [name for name in calls for _ in range(ROUNDS)]
    with ThreadPoolExecutor(N_THREADS) as pool:
        results = list(pool.map(lambda name: (name, calls[name]()), jobs))
    for name, out in results:
        np.testing.assert_allclose(out, sequential[name], rtol=1e-5, atol=1e-5, err_msg=name)
    for name, call in calls.items():  # and afterwards, nothing has moved
        np.testing.assert_allclose(call(), sequential[name], rtol=1e-5, atol=1e-5, err_msg=name)
    assert not fitted["tokenizer"].module_.training
