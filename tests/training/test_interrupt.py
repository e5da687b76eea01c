"""Ctrl+C reaches the user; a spent time budget still ends training normally."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

import skncvq
from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq.training import PriorNet, TokenizerNet

from ..conftest import TINY


def _interrupt_on_step(monkeypatch, cls, n=3):
    real = cls.train_step_single
    calls = {"n": 0}

    def step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, "train_step_single", step)
    return calls


class _SigintInFinalizer:
    """Sends Ctrl+C to this process from ``__del__``, where Python drops the KeyboardInterrupt."""

    def __del__(self):
        import os

        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside the finalizer


@pytest.fixture
def python_sigint_handler():
    """Python's own Ctrl+C handler for the test, whatever pytest started with: a background job
    starts with SIGINT ignored, and so Python leaves it."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _sigint_as_in_a_terminal() -> None:
    """In the child before it starts Python: SIGINT's default action, so that Python installs
    its KeyboardInterrupt handler even when the tests run with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped one
@pytest.mark.usefixtures("python_sigint_handler")
def test_a_ctrl_c_python_drops_still_ends_the_fit(monkeypatch, data):
    X, _ = data
    real = TokenizerNet.train_step_single
    calls = {"n": 0}

    def step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            _SigintInFinalizer()  # dropped at once: its KeyboardInterrupt is "ignored in __del__"
        return real(self, *args, **kwargs)

    monkeypatch.setattr(TokenizerNet, "train_step_single", step)
    tok = NCVQVAETransformer(**{**TINY, "max_epochs": 50})
    with pytest.raises(KeyboardInterrupt):
        tok.fit(X)
    assert calls["n"] == 2  # raised at the next step, not after 50 epochs
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_real_sigint_ends_fit_with_keyboard_interrupt(tmp_path):
    script = tmp_path / "fit.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            from skncvq import NCVQVAETransformer
            from skncvq.training import TokenizerNet

            real = TokenizerNet.train_step

            def step(self, *args, **kwargs):
                if not getattr(step, "told", False):
                    step.told = True
                    print("training", flush=True)
                return real(self, *args, **kwargs)

            TokenizerNet.train_step = step
            X = np.random.default_rng(0).normal(size=(64, 64))
            tok = NCVQVAETransformer(hidden_dim=8, codebook_dim=8, n_res_blocks=1, projector_dim=16, max_epochs=100000)
            tok.fit(X)
            print("FINISHED", flush=True)
            """
        )
    )
    # the child imports the skncvq under test, installed or not (a bare interpreter run from the
    # repository finds it only through the working directory, which the child does not share)
    root = str(Path(skncvq.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_sigint_as_in_a_terminal,
    )
    try:
        line = proc.stdout.readline().strip()
        if line != "training":  # the child failed before training: show why
            proc.kill()
            raise AssertionError(f"the child never reached training: {proc.communicate()[1][-2000:]}")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "KeyboardInterrupt" in err
    assert "FINISHED" not in out


@pytest.mark.parametrize(
    "make", [lambda: NCVQVAETransformer(**{**TINY, "max_epochs": 50}), lambda: FCNClassifier(max_epochs=50)]
)
def test_interrupted_fit_raises_and_leaves_the_estimator_unfitted(make, data, monkeypatch):
    from skncvq.training import AutocastClassifierNet

    X, y = data
    est = make()
    net = TokenizerNet if isinstance(est, NCVQVAETransformer) else AutocastClassifierNet
    _interrupt_on_step(monkeypatch, net)
    with pytest.raises(KeyboardInterrupt):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


def test_refit_interrupted_keeps_the_previous_fit(data, monkeypatch):
    X, _ = data
    tok = NCVQVAETransformer(**TINY).fit(X)
    before = tok.transform(X)
    _interrupt_on_step(monkeypatch, TokenizerNet, n=2)
    with pytest.raises(KeyboardInterrupt):
        tok.set_params(max_epochs=50).fit(X)
    np.testing.assert_array_equal(tok.transform(X), before)
    assert tok.n_epochs_ == TINY["max_epochs"]


def test_sampler_interrupted_in_its_tokenizer_never_trains_the_prior(data, monkeypatch):
    X, y = data
    _interrupt_on_step(monkeypatch, TokenizerNet)
    prior_fits = []
    monkeypatch.setattr(PriorNet, "fit", lambda self, *a, **k: prior_fits.append(1))
    sampler = MaskGITSampler(tokenizer=NCVQVAETransformer(**{**TINY, "max_epochs": 50}), max_epochs=2)
    with pytest.raises(KeyboardInterrupt):
        sampler.fit(X, y)
    assert prior_fits == []
    with pytest.raises(NotFittedError):
        check_is_fitted(sampler)


def test_time_budget_still_stops_training_normally(data):
    X, _ = data
    tok = NCVQVAETransformer(**{**TINY, "max_epochs": 100000}, max_time=1.0).fit(X)
    assert 1 <= tok.n_epochs_ < 100000
    assert np.isfinite(tok.transform(X)).all()
