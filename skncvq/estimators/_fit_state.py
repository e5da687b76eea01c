"""A fit that does not finish leaves the estimator unfitted."""

from __future__ import annotations

import functools


def unfitted_on_failure(fit):
    """Decorate ``fit``: if it raises, ``KeyboardInterrupt`` (Ctrl+C) included, every fitted
    attribute (a name ending in ``_``) is removed before the exception propagates, so a
    half-trained model is never mistaken for a fitted one."""

    @functools.wraps(fit)
    def wrapper(self, *args, **kwargs):
        try:
            return fit(self, *args, **kwargs)
        except BaseException:
            for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
                delattr(self, name)
            raise

    return wrapper
