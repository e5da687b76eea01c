"""Ctrl+C reaches the user: skorch's ``partial_fit`` swallows ``KeyboardInterrupt`` (its way to
stop a fit early), so the nets here stop a time budget by their own exception and carry a real
interrupt past skorch."""

from __future__ import annotations

__all__ = ["BudgetSpent", "InterruptibleMixin"]


class BudgetSpent(Exception):
    """Raised by :class:`~skncvq.training.CosineBudget` when ``max_time`` is spent: training ends
    normally at the end of the current batch."""


class _Interrupted(BaseException):
    """A ``KeyboardInterrupt`` on its way past skorch's ``partial_fit``."""


class InterruptibleMixin:
    """For skorch nets: a spent time budget ends training normally; Ctrl+C propagates as
    ``KeyboardInterrupt`` out of ``fit`` / ``partial_fit`` instead of leaving a half-trained net."""

    def fit_loop(self, *args, **kwargs):
        try:
            return super().fit_loop(*args, **kwargs)
        except BudgetSpent:
            return self
        except KeyboardInterrupt as exc:
            raise _Interrupted from exc

    def partial_fit(self, *args, **kwargs):
        try:
            return super().partial_fit(*args, **kwargs)
        except _Interrupted as exc:
            raise KeyboardInterrupt from exc.__cause__
