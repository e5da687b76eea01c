"""Regression tests of the input and parameter contracts (set_output, value range, feature
names, parameters checked where they are used, labels, sample sizes)."""

import numpy as np
import pandas as pd
import pytest

from skncvq import MaskGITSampler, NCVQVAETransformer

from ..conftest import TINY


@pytest.fixture(scope="module")
def sampler(data):
    X, y = data
    return MaskGITSampler(
        NCVQVAETransformer(**TINY), hidden_dim=16, n_layers=1, max_epochs=1, random_state=0
    ).fit(X, y)


def test_set_output_pandas_wraps_transform_too(data):
    X, _ = data
    tok = NCVQVAETransformer(**TINY).fit(X).set_output(transform="pandas")
    out = tok.transform(X)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == list(tok.get_feature_names_out())


def test_huge_values_scale_in_float64_and_beyond_float32_are_refused(data):
    X, _ = data
    tok = NCVQVAETransformer(**TINY).fit(X * 1e20)
    assert np.isfinite(tok.scale_) and tok.scale_ > 1e19
    assert np.isfinite(tok.transform(X * 1e20)).all() and np.isfinite(tok.reconstruct(X * 1e20)).all()
    spiky = X.copy()
    spiky[0, 0] = 1e20  # one value, the rest ordinary
    assert np.isfinite(NCVQVAETransformer(**TINY).fit(spiky).transform(spiky)).all()
    with pytest.raises(ValueError, match="beyond float32's range"):
        NCVQVAETransformer(**TINY).fit(X * 1e300)


def test_dataframe_columns_are_checked_by_name(data):
    X, _ = data
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(X.shape[1])])
    tok = NCVQVAETransformer(**TINY).fit(frame)
    tok.transform(frame)
    with pytest.raises(ValueError, match="feature names should match"):
        tok.transform(frame[frame.columns[::-1]])
    with pytest.raises(ValueError, match="feature names should match"):
        tok.transform(frame.rename(columns={"t0": "start"}))
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        tok.transform(X)


def test_parameters_set_after_fit_are_checked_where_they_are_read(data, sampler):
    X, y = data
    tok = NCVQVAETransformer(**TINY).fit(X)
    with pytest.raises(ValueError, match="'output' parameter"):
        tok.set_params(output="bogus").transform(X)
    for name, bad in (
        ("guidance_scale", float("inf")),
        ("temperature", float("nan")),
        ("temperature", 0.0),
        ("choice_temperature", float("nan")),
        ("n_steps", 0),
        ("unconditional", "maybe"),
    ):
        sampler.set_params(**{name: bad})
        try:
            with pytest.raises(ValueError, match=f"'{name}' parameter"):
                sampler.sample(2, random_state=0)
        finally:
            sampler.set_params(**{name: MaskGITSampler().get_params()[name]})
    for name, bad in (
        ("max_time", 0),
        ("max_time", float("nan")),
        ("lr", float("inf")),
        ("p_unconditional", float("nan")),
    ):
        with pytest.raises(ValueError, match=f"'{name}' parameter"):
            MaskGITSampler(**{name: bad}).fit(X, y)


def test_labels_must_be_classes_and_unknown_ones_are_named_with_their_type(data, sampler):
    X, _ = data
    with pytest.raises(ValueError, match="continuous"):
        MaskGITSampler(max_epochs=1).fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="NaN"):
        MaskGITSampler(max_epochs=1).fit(X, np.r_[np.zeros(len(X) - 1), np.nan])
    with pytest.raises(
        ValueError,
        match=r"label\(s\) \['1'\] \(str\) were not seen in fit; known classes are \[0, 1, 2\] \(int\)",
    ):
        sampler.sample(2, y="1")


def test_sampling_is_batched_bounded_and_refuses_what_cannot_fit(sampler, capsys):
    out = sampler.set_params(verbose=1).sample(600, random_state=0)
    sampler.set_params(verbose=0)
    assert out.shape == (600, sampler.n_features_in_) and out.dtype == np.float32
    assert "sampling" in capsys.readouterr().err  # the progress bar, batch by batch
    with pytest.raises(MemoryError, match="for the output alone"):
        sampler.sample(10**13)
