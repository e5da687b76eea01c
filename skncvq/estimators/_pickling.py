"""Pickles of fitted estimators: they name the skncvq version that wrote them, and load on any
machine, a GPU-fitted one on a CPU."""

from __future__ import annotations

import copy
import warnings

import torch

from .._version import __version__
from ._torch_utils import resolve_precision

__all__ = ["PicklingMixin"]

_KEY = "_skncvq_version"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


class PicklingMixin:
    """Pickle a fitted estimator's torch modules as CPU copies, with ``__version__``.

    Loading refuses a state written by another minor version of skncvq with a ``ValueError``
    that names both (refit, or load it with the version that wrote it). The modules go back to
    ``device_``; where that is a GPU and CUDA is absent, ``device_`` becomes ``"cpu"`` with a
    warning and the ``"auto"`` precisions used at inference (``_inference_precisions``) are
    resolved again for the CPU; ``precision_`` keeps recording how it was trained.
    """

    _inference_precisions: tuple[str, ...] = ()

    @classmethod
    def _on_this_machine(cls, state: dict) -> dict:
        """``state`` (attributes of a fitted estimator) with ``device_`` set to "cpu", and the
        ``"auto"`` inference precisions resolved for it, where the model was fitted on a GPU
        and CUDA is absent here (with a warning that says so); unpickling and
        :func:`skncvq.load` both go through it."""
        device = state.get("device_")
        if not (isinstance(device, str) and device.startswith("cuda") and not torch.cuda.is_available()):
            return state
        warnings.warn(
            f"{cls.__name__} was fitted on {device!r} but CUDA is not available here; it is loaded on the CPU.",
            UserWarning,
            stacklevel=3,
        )
        state = dict(state, device_="cpu")
        if state.get("precision") == "auto":
            for key in cls._inference_precisions:
                if key in state:
                    state[key] = resolve_precision("auto", "cpu")
        return state

    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())
        for key, value in state.items():
            if isinstance(value, torch.nn.Module) and any(
                t.device.type != "cpu" for t in value.state_dict().values()
            ):
                state[key] = copy.deepcopy(value).cpu()
        return {**state, _KEY: __version__}

    def __setstate__(self, state: dict) -> None:
        saved = state.get(_KEY)
        if saved is None or _minor(saved) != _minor(__version__):
            written = f"skncvq {saved}" if saved else "skncvq 0.1 or earlier"
            raise ValueError(
                f"this {type(self).__name__} was saved by {written}, and this is skncvq {__version__}, "
                f"which loads only files written by skncvq {_minor(__version__)}.x. Refit it, or load it "
                f"with the version that wrote it (pip install 'skncvq=={saved or '0.1.0'}')."
            )
        state = self._on_this_machine({k: v for k, v in state.items() if k != _KEY})
        super().__setstate__(state)
        for value in vars(self).values():
            if isinstance(value, torch.nn.Module):
                value.to(self.device_)
