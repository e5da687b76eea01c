"""Ctrl+C reaches the user: skorch's ``partial_fit`` swallows ``KeyboardInterrupt`` (its way to
stop a fit early), so the callbacks here stop training by their own exception and the nets carry
a real interrupt past skorch."""

from __future__ import annotations

__all__ = ["StopTraining", "InterruptibleMixin"]


class StopTraining(Exception):
    """Raised by a callback to end training normally: :class:`~skncvq.training.CosineBudget`
    when ``max_time`` is spent, :class:`~skncvq.training.EarlyStop` when the validation loss
    stopped improving."""


class _Interrupted(BaseException):
    """A ``KeyboardInterrupt`` on its way past skorch's ``partial_fit``."""


class InterruptibleMixin:
    """For skorch nets: :class:`StopTraining` ends training normally; Ctrl+C propagates as
    ``KeyboardInterrupt`` out of ``fit`` / ``partial_fit`` instead of leaving a half-trained net."""

    def fit_loop(self, *args, **kwargs):
        try:
            return super().fit_loop(*args, **kwargs)
        except StopTraining:
            return self
        except KeyboardInterrupt as exc:
            raise _Interrupted from exc

    def partial_fit(self, *args, **kwargs):
        try:
            return super().partial_fit(*args, **kwargs)
        except _Interrupted as exc:
            raise KeyboardInterrupt from exc.__cause__
