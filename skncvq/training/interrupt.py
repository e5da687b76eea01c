"""Ctrl+C reaches the user: skorch's ``partial_fit`` swallows ``KeyboardInterrupt`` (its way to
stop a fit early), so the callbacks here stop training by their own exception and the nets carry
a real interrupt past skorch. A Ctrl+C that Python itself drops (a ``KeyboardInterrupt`` raised
inside a finalizer or a callback whose exceptions are ignored) is remembered and raised again at
the next training step."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

__all__ = ["StopTraining", "InterruptibleMixin"]


class StopTraining(Exception):
    """Raised by a callback to end training normally: :class:`~skncvq.training.TimeLimit`
    when ``max_time`` is spent, :class:`~skncvq.training.EarlyStop` when the validation loss
    stopped improving."""


class _Interrupted(BaseException):
    """A ``KeyboardInterrupt`` on its way past skorch's ``partial_fit``."""


class InterruptibleMixin:
    """For skorch nets: :class:`StopTraining` ends training normally; Ctrl+C propagates as
    ``KeyboardInterrupt`` out of ``fit`` / ``partial_fit`` instead of leaving a half-trained net."""

    def fit_loop(self, *args, **kwargs):
        try:
            with _remembered_sigint() as self._sigint:
                return super().fit_loop(*args, **kwargs)
        except StopTraining:
            return self
        except KeyboardInterrupt as exc:
            raise _Interrupted from exc
        finally:
            self._sigint = None

    def train_step(self, *args, **kwargs):
        if getattr(self, "_sigint", None) and self._sigint["hit"]:
            raise KeyboardInterrupt  # a Ctrl+C that was dropped on its way
        return super().train_step(*args, **kwargs)

    def partial_fit(self, *args, **kwargs):
        try:
            return super().partial_fit(*args, **kwargs)
        except _Interrupted as exc:
            raise KeyboardInterrupt from exc.__cause__


@contextlib.contextmanager
def _remembered_sigint() -> Iterator[dict]:
    """While training in the main thread under Python's default Ctrl+C handler, a handler that
    raises ``KeyboardInterrupt`` as usual and also records ``{"hit": True}``; elsewhere, or under
    a handler of the user's, nothing changes (``hit`` stays False)."""
    state = {"hit": False}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is not signal.default_int_handler:
        yield state
        return

    def handler(signum, frame):
        state["hit"] = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)
