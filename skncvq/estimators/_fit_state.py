"""A fit either finishes or leaves the estimator as it was.

``fit_transaction`` wraps each estimator's ``fit``; ``FitStateMixin`` answers
``check_is_fitted`` from the mark it leaves, so an estimator counts as fitted only once a fit has
finished (see :ref:`decision-fit-transaction`).
"""

from __future__ import annotations

import functools

__all__ = ["fit_transaction", "FitStateMixin"]

_COMPLETE = "_fit_complete"


def fit_transaction(fit):
    """Decorate ``fit``: while it runs the estimator reads as unfitted (``check_is_fitted``
    raises, and so does a copy or pickle taken then); when it finishes the estimator is fitted;
    if it raises, ``KeyboardInterrupt`` (Ctrl+C) included, every attribute is restored to what it
    was before the call, so a bad parameter, bad input or an interrupted refit keeps the previous
    fit, and a first fit that fails leaves the estimator unfitted."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        before = dict(vars(self))
        vars(self)[_COMPLETE] = False
        try:
            out = fit(self, *args, **kwargs)
        except BaseException:
            vars(self).clear()
            vars(self).update(before)
            raise
        vars(self)[_COMPLETE] = True
        return out

    return wrapper


class FitStateMixin:
    """``check_is_fitted(est)`` is true once a :func:`fit_transaction` fit has finished (or the
    estimator was loaded fitted), and false while a fit runs."""

    def __sklearn_is_fitted__(self) -> bool:
        return vars(self).get(_COMPLETE, False) is True

    def _mark_fitted(self) -> None:
        """For loaders that rebuild a fitted estimator without running ``fit``."""
        vars(self)[_COMPLETE] = True
