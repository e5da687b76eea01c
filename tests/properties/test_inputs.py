"""Property-based tests: every generated input either works, with finite output, or raises a
ValueError / TypeError that says what is wrong. Deterministic (derandomized) and small."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq.metrics import frechet_distance, inception_score_from_proba

from ..conftest import TINY

LENGTH = 32
FAST = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FITS = settings(FAST, max_examples=12)

values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.floats(-10, 10),
    st.sampled_from([0.0, 1e20, -1e30, 3e38, 1e300, 5e-324]),
)
dtypes = st.sampled_from(
    [np.float64, np.float32, np.float16, np.int64, np.int8, np.bool_, np.complex64, object]
)


SMALL_N = st.integers(0, 6)
LENGTHS = st.sampled_from([0, 1, 3, 5, 31, LENGTH, 40])


@st.composite
def series(draw, n=SMALL_N, length=LENGTHS):
    n_, length_ = draw(n), draw(length)
    layout = draw(st.sampled_from(["2d", "n1l", "nl1", "n2l", "1d"]))
    shape = {
        "2d": (n_, length_),
        "n1l": (n_, 1, length_),
        "nl1": (n_, length_, 1),
        "n2l": (n_, 2, length_),
        "1d": (length_,),
    }[layout]
    arr = draw(hnp.arrays(np.float64, shape, elements=values))
    dtype = draw(dtypes)
    with np.errstate(all="ignore"):
        return arr.astype(dtype) if dtype is not object else arr.astype(object)


def _check_error(exc: Exception) -> None:
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {exc}"
    assert len(str(exc)) > 10, f"{type(exc).__name__} without a message"


def _finite(out) -> None:
    assert np.isfinite(np.asarray(out, dtype=np.float64)).all()


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    X = X[:, :LENGTH]
    tok = NCVQVAETransformer(**TINY).fit(X)
    return {
        "tokenizer": tok,
        "sampler": MaskGITSampler(tok, hidden_dim=16, n_layers=1, max_epochs=1, random_state=0).fit(X, y),
        "fcn": FCNClassifier(max_epochs=1, random_state=0).fit(X, y),
    }


@FAST
@given(X=series())
def test_inference_on_any_input_works_or_says_why(fitted, X):
    # (call, whether it returns one row per series of X, else one number)
    for call, per_series in (
        (fitted["tokenizer"].transform, True),
        (fitted["tokenizer"].reconstruct, True),
        (fitted["fcn"].predict_proba, True),
        (fitted["sampler"].score, False),
    ):
        try:
            out = call(X)
        except Exception as exc:  # noqa: BLE001 - the property is about which exceptions
            _check_error(exc)
        else:
            _finite(out)
            assert np.ndim(X) >= 2, "a 1-D array is one series' values, not a collection: refused"
            if per_series:
                assert np.shape(out)[0] == np.shape(X)[0]
            else:
                assert isinstance(out, float)


labels = st.one_of(
    st.lists(st.integers(0, 2), min_size=0, max_size=8),
    st.lists(st.sampled_from(["a", "b"]), min_size=0, max_size=8),
    st.lists(st.floats(allow_nan=True, allow_infinity=False, width=32), min_size=0, max_size=8),
    st.lists(st.sampled_from([0, "a", None, 1.5]), min_size=0, max_size=8),
)


@FITS
@given(X=series(n=st.integers(0, 8)), y=labels, which=st.sampled_from(["tokenizer", "sampler", "fcn"]))
def test_fit_on_any_input_works_or_says_why(X, y, which):
    make = {
        "tokenizer": lambda: NCVQVAETransformer(**{**TINY, "max_epochs": 1}),
        "sampler": lambda: MaskGITSampler(
            NCVQVAETransformer(**{**TINY, "max_epochs": 1}), hidden_dim=8, n_layers=1, max_epochs=1
        ),
        "fcn": lambda: FCNClassifier(max_epochs=1),
    }[which]
    est = make()
    try:
        with np.errstate(all="ignore"):
            est.fit(X, None if which == "tokenizer" else np.asarray(y, dtype=object if None in y else None))
    except Exception as exc:  # noqa: BLE001
        _check_error(exc)
        return
    if which == "sampler":
        _finite(est.sample(2, random_state=0))
    elif which == "fcn":
        _finite(est.predict_proba(X))
    else:
        _finite(est.transform(X))


@FAST
@given(
    n=st.one_of(st.integers(-2, 300), st.floats(-1, 5), st.booleans(), st.just("3")),
    y=st.one_of(
        st.none(),
        st.integers(-1, 4),
        st.sampled_from(["0", 1.0, np.nan]),
        st.lists(st.integers(0, 2), max_size=4),
    ),
)
def test_sampling_any_request_works_or_says_why(fitted, n, y):
    try:
        out = fitted["sampler"].sample(n, y=y, random_state=0)
    except Exception as exc:  # noqa: BLE001
        _check_error(exc)
    else:
        assert out.shape == (n, LENGTH)
        _finite(out)


@FAST
@given(
    a=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=values),
    b=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=values),
    n_splits=st.one_of(st.integers(-1, 8), st.floats(0, 3), st.booleans()),
)
def test_metrics_on_any_input_work_or_say_why(a, b, n_splits):
    try:
        with np.errstate(all="ignore"):
            d = frechet_distance(a, b)
    except Exception as exc:  # noqa: BLE001
        _check_error(exc)
    else:
        assert np.isfinite(d) and d >= 0
    try:
        mean, std = inception_score_from_proba(a, n_splits=n_splits)
    except Exception as exc:  # noqa: BLE001
        _check_error(exc)
    else:
        assert np.isfinite(mean) and mean >= 1 - 1e-9 and np.isfinite(std)
