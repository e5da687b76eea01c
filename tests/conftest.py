"""Shared fixtures: tiny models and small data keep the suite fast on 2 cores."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skncvq.datasets import make_synthetic

TINY = dict(hidden_dim=8, codebook_dim=8, n_res_blocks=1, projector_dim=16, codebook_size=8, max_epochs=2)


@pytest.fixture(autouse=True)
def _seeds_fixed():
    torch.manual_seed(0)
    np.random.seed(0)  # noqa: NPY002 - legacy global RNG that sklearn checks may use


@pytest.fixture(autouse=True)
def _malloc_env_restored(monkeypatch):
    """The command line's ``tune_malloc`` sets glibc's variables for child processes: each test
    starts without them and leaves them as it found them."""
    for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tiny() -> dict:
    """Keyword arguments of a tiny, fast NCVQVAETransformer."""
    return dict(TINY)


@pytest.fixture(scope="session")
def data():
    """(X, y) synthetic series: 48 series of length 64, 3 classes."""
    return make_synthetic(48, 64, 3, random_state=0)


@pytest.fixture
def nan_on_training_call(monkeypatch):
    """``poison(cls, method="forward", n=2)``: the ``n``-th call of ``cls.method`` in training
    mode returns its output times NaN (a non-finite batch in the middle of a fit)."""

    def poison(cls, method: str = "forward", n: int = 2) -> None:
        real = getattr(cls, method)
        calls = {"n": 0}

        def wrapped(self, *args, **kwargs):
            out = real(self, *args, **kwargs)
            if self.training:
                calls["n"] += 1
                if calls["n"] == n:
                    return out * float("nan")
            return out

        monkeypatch.setattr(cls, method, wrapped)

    return poison


@pytest.fixture
def nets(monkeypatch) -> list:
    """The skorch nets fitted during the test, in order: a fitted estimator keeps its torch
    modules only, so tests of training internals (optimizer state, batches, data order) look at
    the nets here."""
    from skorch import NeuralNet

    fitted = []
    real = NeuralNet.fit

    def fit(self, *args, **kwargs):
        fitted.append(self)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(NeuralNet, "fit", fit)
    return fitted
