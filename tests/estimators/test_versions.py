"""A pickle names the skncvq version that wrote it; another minor version refuses it clearly."""

import pickle

import pytest

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer, __version__
from skncvq.estimators import _pickling

from ..conftest import TINY


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    tok = NCVQVAETransformer(**TINY).fit(X)
    return {
        "tokenizer": tok,
        "sampler": MaskGITSampler(tok, hidden_dim=16, n_layers=1, max_epochs=1).fit(X, y),
        "fcn": FCNClassifier(max_epochs=1).fit(X, y),
    }


@pytest.mark.parametrize("name", ["tokenizer", "sampler", "fcn"])
def test_same_version_round_trips(fitted, name, data):
    est = fitted[name]
    again = pickle.loads(pickle.dumps(est))
    assert type(again) is type(est)
    assert "_skncvq_version" not in vars(again)


@pytest.mark.parametrize("name", ["tokenizer", "sampler", "fcn"])
def test_other_or_unversioned_pickles_are_refused_naming_both_versions(fitted, name, monkeypatch):
    blob = pickle.dumps(fitted[name])
    monkeypatch.setattr(_pickling, "__version__", "9.9.0")
    with pytest.raises(ValueError, match=rf"saved by skncvq {__version__}, and this is skncvq 9\.9\.0"):
        pickle.loads(blob)
    monkeypatch.undo()
    est = type(fitted[name]).__new__(type(fitted[name]))
    state = {k: v for k, v in fitted[name].__getstate__().items() if k != "_skncvq_version"}
    with pytest.raises(ValueError, match="saved by skncvq 0.1 or earlier"):
        est.__setstate__(state)


def test_a_patch_release_loads(fitted, monkeypatch):
    blob = pickle.dumps(fitted["tokenizer"])
    major, minor, _ = __version__.split(".")
    monkeypatch.setattr(_pickling, "__version__", f"{major}.{minor}.99")
    pickle.loads(blob)
