"""What a fitted training net keeps when pickled: portable RNGs, one copy of the module, no
optimizer state.

Mixed into the skorch nets so that a model fitted on a GPU loads on a CPU-only machine and a
saved estimator holds its weights once, not Adam's moment buffers (two thirds of the file).
"""

from __future__ import annotations

import hashlib

import torch

__all__ = ["PortablePickleMixin"]

_SAME_AS_MODULE_ = "<module_>"


class PortablePickleMixin:
    """Pickle the net without optimizer state and its ``torch.Generator`` attributes by state.

    * The ``module`` parameter, when it is the fitted ``module_`` itself (a module instance
      was passed), is stored as a reference to it. skorch maps ``module_`` to the CPU where
      CUDA is absent but pickles ``module`` as it is, with CUDA storages that cannot load there.
    * ``optimizer_`` is left out of the pickle and re-created (fresh, without moment
      estimates) on load: the estimators never continue training a loaded net, their ``fit``
      starts from scratch.
    * Each generator named in ``_generator_attrs`` is stored as its device and state. A CUDA
      generator cannot be rebuilt where CUDA is absent (skorch's own unpickling moves the module
      to the CPU there), so it comes back as a CPU generator seeded from its saved state; it
      only feeds further training draws. On a machine with the same device the state is exact.
    """

    _generator_attrs: tuple[str, ...] = ()

    def __getstate__(self):
        # skorch's __getstate__ reads self.__dict__: it runs on a shallow view without
        # optimizer_, never on this net itself, which may be training in another thread
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        dropped = view.__dict__.pop("optimizer_", None) is not None
        state = super(PortablePickleMixin, view).__getstate__()
        state["__optimizer_dropped__"] = dropped
        if state.get("module") is not None and state.get("module") is self.__dict__.get("module_"):
            state["module"] = _SAME_AS_MODULE_
        for name in self._generator_attrs:
            gen = state.get(name)
            if isinstance(gen, torch.Generator):
                state[name] = ("torch.Generator", str(gen.device), gen.get_state())
        return state

    def __setstate__(self, state):
        rebuild_optimizer = state.pop("__optimizer_dropped__", False)
        saved = {name: state.get(name) for name in self._generator_attrs}
        super().__setstate__(state)  # skorch maps the device to "cpu" when CUDA is absent
        if isinstance(self.__dict__.get("module"), str) and self.module == _SAME_AS_MODULE_:
            self.module = self.module_
        for name, value in saved.items():
            if not (isinstance(value, tuple) and len(value) == 3 and value[0] == "torch.Generator"):
                continue
            _, device, gen_state = value
            if torch.device(device).type == "cuda" and not torch.cuda.is_available():
                seed = int.from_bytes(hashlib.sha256(gen_state.numpy().tobytes()).digest()[:4], "little")
                setattr(self, name, torch.Generator().manual_seed(seed))
            else:
                gen = torch.Generator(device=device)
                gen.set_state(gen_state)
                setattr(self, name, gen)
        if rebuild_optimizer:
            self.initialize_optimizer()
