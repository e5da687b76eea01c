"""Device handling: fitting on a GPU where there is one, and loading a GPU-fitted model without one.

The GPU tests run only where CUDA is available (they were run on an H100 for the release);
the CPU-fallback tests run everywhere.
"""

import pickle

import joblib
import numpy as np
import pytest
import torch

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
PRIOR = dict(hidden_dim=16, n_layers=1, n_heads=2, max_epochs=3, batch_size=16)


@needs_cuda
def test_tokenizer_and_sampler_fit_and_sample_on_cuda(tiny, data, tmp_path):
    X, y = data
    tok = NCVQVAETransformer(device="cuda", random_state=0, **dict(tiny, max_epochs=6)).fit(X)
    assert tok.device_ == "cuda" and next(tok.module_.parameters()).is_cuda
    assert tok.precision_ == ("bf16" if torch.cuda.is_bf16_supported() else "fp32")
    losses = [h["train_loss"] for h in tok.history_]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]
    Z = tok.transform(X)
    assert Z.shape == (len(X), tok._n_features_out) and np.isfinite(Z).all()

    sampler = MaskGITSampler(tok, device="cuda", random_state=0, **PRIOR).fit(X, y)
    gen = sampler.sample(10, y=1, random_state=3)
    assert gen.shape == (10, X.shape[1]) and np.isfinite(gen).all()
    np.testing.assert_array_equal(
        sampler.sample_tokens(10, y=1, random_state=3), sampler.sample_tokens(10, y=1, random_state=3)
    )

    path = tmp_path / "sampler.joblib"
    joblib.dump(sampler, path)
    loaded = joblib.load(path)
    assert loaded.device_ == "cuda"
    np.testing.assert_array_equal(
        loaded.sample_tokens(6, y=0, random_state=5), sampler.sample_tokens(6, y=0, random_state=5)
    )
    np.testing.assert_allclose(loaded.tokenizer_.transform(X), Z, rtol=1e-5, atol=1e-5)
    assert next(loaded.module_.parameters()).is_cuda  # pickled as a CPU copy, back on the GPU


@needs_cuda
def test_fcn_on_cuda(data):
    X, y = data
    fcn = FCNClassifier(device="cuda", max_epochs=5, random_state=0).fit(X, y)
    assert fcn.device_ == "cuda"
    assert fcn.predict_proba(X).shape == (len(X), 3)


def _pretend_fitted_on_cuda(est):
    """What unpickling a GPU-fitted estimator looks like on a CPU-only machine."""
    state = est.__getstate__()
    state["device_"] = "cuda"
    clone = object.__new__(type(est))
    return state, clone


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only fallback")
def test_gpu_fitted_estimator_loads_on_cpu(tiny, data):
    X, y = data
    sampler = MaskGITSampler(NCVQVAETransformer(random_state=0, **tiny), random_state=0, **PRIOR)
    sampler.fit(X, y)
    expected = sampler.sample_tokens(4, y=2, random_state=1)
    state, clone = _pretend_fitted_on_cuda(sampler)
    with pytest.warns(UserWarning, match="fitted on 'cuda' but CUDA is not available"):
        clone.__setstate__(state)
    assert clone.device_ == "cpu"
    np.testing.assert_array_equal(clone.sample_tokens(4, y=2, random_state=1), expected)


def test_a_pickled_estimator_holds_modules_and_arrays_not_training_nets(tiny, data):
    X, y = data
    tok = NCVQVAETransformer(random_state=0, **tiny).fit(X)
    sampler = MaskGITSampler(tok, random_state=0, **PRIOR).fit(X, y)
    fcn = FCNClassifier(max_epochs=1, random_state=0).fit(X, y)
    for est in (tok, sampler, fcn):
        assert not [k for k, v in vars(est).items() if "skorch" in type(v).__module__]
        blob = pickle.dumps(est)
        assert b"skorch" not in blob and b"exp_avg" not in blob  # no net, no optimizer state
        loaded = pickle.loads(blob)
        assert isinstance(loaded.module_, torch.nn.Module) and not loaded.module_.training
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(tok)).transform(X), tok.transform(X))


def test_auto_precision_needs_bf16_instructions_not_only_onednn_emulation(monkeypatch):
    import torch

    from skncvq.estimators._torch_utils import resolve_precision

    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
    assert resolve_precision("auto", "cpu") == "fp32"  # plain AVX-512: oneDNN emulates bfloat16
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True)
    assert resolve_precision("auto", "cpu") == "bf16"
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"
