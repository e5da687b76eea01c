"""Pickles that name the skncvq version that wrote them, and refuse to load under another."""

from __future__ import annotations

from .._version import __version__

_KEY = "_skncvq_version"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


class VersionedPickleMixin:
    """Store ``__version__`` in the pickled state and refuse a state written by another minor
    version of skncvq with a ``ValueError`` that names both: fitted estimators hold their
    training nets, whose layout is only guaranteed within one minor version. Refit, or load the
    file with the version that wrote it."""

    def __getstate__(self) -> dict:
        return {**super().__getstate__(), _KEY: __version__}

    def __setstate__(self, state: dict) -> None:
        saved = state.get(_KEY)
        if saved is None or _minor(saved) != _minor(__version__):
            written = f"skncvq {saved}" if saved else "skncvq 0.1 or earlier"
            raise ValueError(
                f"this {type(self).__name__} was saved by {written}, and this is skncvq {__version__}, "
                f"which loads only files written by skncvq {_minor(__version__)}.x. Refit it, or load it "
                f"with the version that wrote it (pip install 'skncvq=={saved or '0.1.0'}')."
            )
        super().__setstate__({k: v for k, v in state.items() if k != _KEY})
