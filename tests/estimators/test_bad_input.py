"""Every kind of bad input gets a clear error that names the problem and what is expected."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from skncvq import NCVQVAETransformer


@pytest.fixture
def fitted(tiny, data):
    return NCVQVAETransformer(random_state=0, **tiny).fit(data[0])


def test_nan(tiny, data):
    X = data[0].copy()
    X[3, 7] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        NCVQVAETransformer(**tiny).fit(X)


def test_inf_at_transform(fitted, data):
    X = data[0].copy()
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="NaN or infinity"):
        fitted.transform(X)


@pytest.mark.parametrize("X", [np.zeros(10), np.zeros((2, 3, 4, 5))])
def test_wrong_ndim(X, tiny):
    with pytest.raises(ValueError, match="must be 2-D"):
        NCVQVAETransformer(**tiny).fit(X)


def test_channels_last_is_refused_not_guessed(tiny):
    with pytest.raises(ValueError, match="channels first"):
        NCVQVAETransformer(**tiny).fit(np.zeros((10, 64, 3)))


def test_too_short(tiny):
    with pytest.raises(ValueError, match="too short"):
        NCVQVAETransformer(**tiny).fit(np.random.default_rng(0).standard_normal((10, 4)))


def test_fewer_than_two_series(tiny):
    with pytest.raises(ValueError, match="1 sample"):
        NCVQVAETransformer(**tiny).fit(np.zeros((1, 64)))


def test_empty(tiny):
    with pytest.raises(ValueError, match="0 sample"):
        NCVQVAETransformer(**tiny).fit(np.zeros((0, 64)))


def test_non_numeric(tiny):
    X = np.array([["a"] * 64, ["b"] * 64], dtype=object)
    with pytest.raises(ValueError, match="numeric values only"):
        NCVQVAETransformer(**tiny).fit(X)
    X = np.ones((4, 64), dtype=object)
    X[0, 0] = {"a": 1}
    with pytest.raises(TypeError, match="numeric values only"):
        NCVQVAETransformer(**tiny).fit(X)


def test_ragged_too_short_names_the_series(tiny):
    X = [np.ones(64), np.ones(40), np.ones(3), np.ones(2)]
    with pytest.raises(ValueError, match=r"Series 2 has 3 time step\(s\) \(2 series in all.*too short"):
        NCVQVAETransformer(**tiny).fit(X)


def test_sparse(tiny):
    with pytest.raises(TypeError, match="sparse"):
        NCVQVAETransformer(**tiny).fit(sp.csr_matrix(np.ones((10, 64))))


def test_transform_before_fit(data):
    tok = NCVQVAETransformer()
    for method in (tok.transform, tok.encode, tok.reconstruct, tok.decode, tok.inverse_transform):
        with pytest.raises(NotFittedError):
            method(data[0])


def test_different_length_at_transform(fitted, data):
    with pytest.raises(ValueError, match="expecting 64 features"):
        fitted.transform(data[0][:, :50])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"ssl": "simclr"}, "'ssl' parameter"),
        ({"augmentations": "jitter"}, "not a set name"),
        ({"augmentations": 123}, "'augmentations' parameter"),
        ({"output": "mean"}, "'output' parameter"),
        ({"hidden_dim": 0}, "'hidden_dim' parameter"),
        ({"hidden_dim": 16}, "codebook_dim"),
        ({"n_fft": 6}, "multiple of 4"),
        ({"lr": -1.0}, "'lr' parameter"),
        ({"lr": 0.0}, "'lr' parameter"),
        ({"lr": float("inf")}, "'lr' parameter"),
        ({"max_time": 0}, "'max_time' parameter"),
        ({"max_time": float("nan")}, "'max_time' parameter"),
        ({"ssl_weight": float("nan")}, "'ssl_weight' parameter"),
        ({"commitment_weight": float("inf")}, "'commitment_weight' parameter"),
        ({"max_epochs": 1.5}, "'max_epochs' parameter"),
        ({"precision": "fp16"}, "'precision' parameter"),
        ({"ema_decay": 2.0}, "'ema_decay' parameter"),
        ({"latent_width": "wide"}, "'latent_width' parameter"),
        ({"latent_width": 0}, "'latent_width' parameter"),
        ({"device": "nonsense"}, "not a device"),
        ({"batch_size": 1}, "at least 2 series per batch"),
    ],
)
def test_bad_parameters(params, match, tiny, data):
    tiny.update(params)
    with pytest.raises(ValueError, match=match):
        NCVQVAETransformer(**tiny).fit(data[0])


def test_cuda_requested_without_gpu(tiny, data):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present; this checks the CPU-only error")
    with pytest.raises(ValueError, match="CUDA is not available"):
        NCVQVAETransformer(device="cuda", **tiny).fit(data[0])


def test_ema_decay_of_one_is_refused(tiny, data):
    with pytest.raises(ValueError, match="ema_decay"):
        NCVQVAETransformer(**{**tiny, "ema_decay": 1.0}).fit(data[0])


@pytest.mark.parametrize(
    "labels, error, match",
    [
        (lambda y: np.where(y == 0, None, y).astype(object), ValueError, "holds None at position"),
        (
            lambda y: np.array(["a" if v == 0 else int(v) for v in y], dtype=object),
            TypeError,
            "mixes label types",
        ),
    ],
)
def test_missing_or_mixed_labels_are_named(labels, error, match, data):
    from skncvq import FCNClassifier, MaskGITSampler

    X, y = data
    y_bad = labels(y)
    for est in (FCNClassifier(max_epochs=1), MaskGITSampler(max_epochs=1)):
        with pytest.raises(error, match=match):
            est.fit(X, y_bad)


def test_decoding_non_numeric_tokens_is_a_type_error(fitted):
    f, w = fitted.token_shape_
    with pytest.raises(ValueError, match="integer code ids"):  # None reads as NaN
        fitted.decode(np.full((2, f, w), None, dtype=object))
    with pytest.raises(TypeError, match="integer code ids"):
        fitted.decode(np.full((2, f, w), "a", dtype=object))


def test_an_empty_ucr_file_says_it_is_empty(tmp_path):
    from skncvq.datasets import load_ucr

    (tmp_path / "E").mkdir()
    for split in ("TRAIN", "TEST"):
        (tmp_path / "E" / f"E_{split}.tsv").write_text("")
    with pytest.raises(ValueError, match="holds no series"):
        load_ucr("E", data_home=tmp_path)
