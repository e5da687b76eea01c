"""skncvq.save / skncvq.load: a safetensors model file with JSON settings and a checksum."""

import json

import numpy as np
import pytest

import skncvq
from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer, persistence

from .conftest import TINY


@pytest.fixture(scope="module")
def models(data):
    X, y = data
    labels = np.array(["a", "b", "c"])[y]
    sampler = MaskGITSampler(
        NCVQVAETransformer(**TINY), hidden_dim=16, n_layers=1, max_epochs=2, random_state=0
    )
    sampler.fit(X, labels)
    return {
        "tokenizer": sampler.tokenizer_,
        "sampler": sampler,
        "fcn": FCNClassifier(max_epochs=2, random_state=0).fit(X, labels),
    }


def _same(a, b, X):
    if isinstance(a, NCVQVAETransformer):
        np.testing.assert_allclose(a.transform(X), b.transform(X), rtol=1e-6)
        np.testing.assert_array_equal(a.encode(X), b.encode(X))
    elif isinstance(a, MaskGITSampler):
        np.testing.assert_array_equal(
            a.sample_tokens(6, y="b", random_state=1), b.sample_tokens(6, y="b", random_state=1)
        )
        assert a.score(X) == pytest.approx(b.score(X), rel=1e-5)
    else:
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-6)
        np.testing.assert_array_equal(a.classes_, b.classes_)


@pytest.mark.parametrize("name", ["tokenizer", "sampler", "fcn"])
def test_round_trip_gives_the_same_model(models, name, data, tmp_path):
    path = tmp_path / f"{name}.safetensors"
    skncvq.save(models[name], path)
    loaded = skncvq.load(path)
    assert type(loaded) is type(models[name])
    assert loaded.get_params(deep=False).keys() == models[name].get_params(deep=False).keys()
    _same(models[name], loaded, data[0])


def test_flipped_or_truncated_bytes_are_a_clear_error(models, tmp_path):
    path = tmp_path / "m.safetensors"
    skncvq.save(models["sampler"], path)
    raw = bytearray(path.read_bytes())
    flipped = raw.copy()
    flipped[-50] ^= 0xFF  # a weight
    path.write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="damaged: its checksum does not match"):
        skncvq.load(path)
    path.write_bytes(bytes(raw[: len(raw) // 2]))
    with pytest.raises(ValueError, match="not a readable skncvq model file"):
        skncvq.load(path)
    with pytest.raises(FileNotFoundError):
        skncvq.load(tmp_path / "absent.safetensors")


def _rewrite(path, **changes):
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), framework="pt") as fh:
        meta = fh.metadata()
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    meta.update(changes)
    save_file(tensors, str(path), metadata=meta)
    return meta


def test_other_versions_and_foreign_classes_are_refused(models, tmp_path):
    path = tmp_path / "m.safetensors"
    skncvq.save(models["tokenizer"], path)
    _rewrite(path, skncvq_version="9.9.0")
    with pytest.raises(ValueError, match="written by skncvq 9.9.0"):
        skncvq.load(path)
    _rewrite(path, skncvq_version=skncvq.__version__, format_version="99")
    with pytest.raises(ValueError, match="format '99'"):
        skncvq.load(path)
    meta = _rewrite(path, format_version=persistence.FORMAT_VERSION)
    model = json.loads(meta["model"])
    model["class"] = "os.system"  # loading never imports or calls what the file names
    text = json.dumps(model, sort_keys=True)
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as fh:
        tensors = {k: fh.get_tensor(k) for k in fh.keys()}
    _rewrite(path, model=text, sha256=persistence._checksum(text, tensors))
    with pytest.raises(ValueError, match="not a skncvq estimator"):
        skncvq.load(path)


def test_a_gpu_fitted_model_loads_on_the_cpu(models, data, tmp_path, monkeypatch):
    import torch

    tok = models["tokenizer"]
    path = tmp_path / "gpu.safetensors"
    monkeypatch.setattr(tok, "device_", "cuda")  # as recorded by a fit on a GPU
    skncvq.save(tok, path)
    monkeypatch.undo()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="loaded on the CPU"):
        loaded = skncvq.load(path)
    assert loaded.device_ == "cpu"
    _same(tok, loaded, data[0])


def test_save_checks_before_writing_and_leaves_no_partial_file(models, tmp_path, monkeypatch):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(FileNotFoundError, match="does not exist"):
        skncvq.save(models["tokenizer"], tmp_path / "missing" / "m.safetensors")
    with pytest.raises(NotFittedError):
        skncvq.save(NCVQVAETransformer(), tmp_path / "m.safetensors")
    with pytest.raises(TypeError, match="RandomState"):
        skncvq.save(
            models["fcn"].set_params(random_state=np.random.RandomState(0)), tmp_path / "m.safetensors"
        )
    models["fcn"].set_params(random_state=0)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("safetensors.torch.save_file", broken)
    with pytest.raises(OSError, match="disk full"):
        skncvq.save(models["tokenizer"], tmp_path / "m.safetensors")
    assert list(tmp_path.iterdir()) == []


def _forge(path, model=None, tensors=None):
    """Rewrite a model file with an edited model header and / or tensors, and a valid checksum:
    what a checksum cannot catch, validation must."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(path), framework="pt") as fh:
        meta = fh.metadata()
        weights = {k: fh.get_tensor(k) for k in fh.keys()}
    text = meta["model"]
    if model is not None:
        parsed = json.loads(text)
        text = model(parsed) if callable(model) else model
        text = text if isinstance(text, str) else json.dumps(parsed, sort_keys=True)
    if tensors is not None:
        tensors(weights)
    meta.update(model=text, sha256=persistence._checksum(text, weights))
    save_file(weights, str(path), metadata=meta)


def _set(model, path, value):
    *head, last = path
    for key in head:
        model = model[key]
    if value is None:
        del model[last]
    else:
        model[last] = value


@pytest.mark.parametrize(
    "edit, match",
    [
        ("{not json", "malformed"),
        (lambda m: _set(m, ["fitted"], None), "malformed"),
        (lambda m: _set(m, ["params", "unknown"], {"kind": "json", "value": 1}), "parameters do not match"),
        (lambda m: _set(m, ["fitted", "transform"], {"kind": "json", "value": 1}), "not a fitted attribute"),
        (lambda m: _set(m, ["fitted", "config_", "value", "codebook_size"], 10**9), "do not fit"),
        (lambda m: _set(m, ["fitted", "config_", "value", "n_res_blocks"], 3), "do not fit"),
        (lambda m: _set(m, ["params", "output"], {"kind": "json", "value": "nonsense"}), "output"),
        (lambda m: _set(m, ["fitted", "module_"], None), "no network weights"),
    ],
)
def test_checksummed_but_malformed_content_is_refused_before_any_allocation(models, tmp_path, edit, match):
    path = tmp_path / "m.safetensors"
    skncvq.save(models["tokenizer"], path)
    _forge(path, model=edit)
    with pytest.raises(ValueError, match=match):
        skncvq.load(path)


def test_weights_that_do_not_fit_or_are_not_finite_are_refused(models, tmp_path):
    path = tmp_path / "m.safetensors"
    skncvq.save(models["sampler"], path)
    _forge(
        path,
        tensors=lambda w: w.update(
            {k: v[..., :1].contiguous() for k, v in w.items() if "module_." in k and v.ndim}
        ),
    )
    with pytest.raises(ValueError, match="do not fit"):
        skncvq.load(path)
    skncvq.save(models["fcn"], path)
    _forge(
        path, tensors=lambda w: w.update({k: v * float("nan") for k, v in w.items() if v.is_floating_point()})
    )
    with pytest.raises(ValueError, match="non-finite"):
        skncvq.load(path)


def test_set_output_survives_save_and_load(models, data, tmp_path):
    pd = pytest.importorskip("pandas")
    tok = models["tokenizer"]
    path = tmp_path / "m.safetensors"
    try:
        skncvq.save(tok.set_output(transform="pandas"), path)
        assert isinstance(skncvq.load(path).transform(data[0]), pd.DataFrame)
    finally:
        tok.set_output(transform="default")
    skncvq.save(tok, path)
    assert isinstance(skncvq.load(path).transform(data[0]), np.ndarray)


def test_loading_a_folder_says_so(tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        skncvq.load(tmp_path)
