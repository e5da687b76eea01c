"""A safe, portable model file: ``skncvq.save(estimator, path)`` and ``skncvq.load(path)``.

The file is a safetensors file: the networks' weights and the fitted arrays as tensors, and in its
header the estimator's class, parameters and fitted attributes as JSON, the format version, the
skncvq version that wrote it and a SHA-256 checksum over all of it. Loading runs no code from the
file (no pickle): the class must be one of skncvq's estimators, the networks are rebuilt from
their recorded sizes and the weights loaded into them. A damaged or truncated file, or one
written by another minor version of skncvq, is refused with a ``ValueError`` that says so. Models
fitted on a GPU load on a machine without one and run on its CPU.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.frozen import FrozenEstimator

from ._io import atomic_path
from ._version import __version__
from .estimators import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from .nn import MaskGITConfig, NCVQVAEConfig

__all__ = ["save", "load", "FORMAT_VERSION"]

#: Version of the file layout; a reader refuses layouts it does not know.
FORMAT_VERSION = "1"
_ESTIMATORS = {cls.__name__: cls for cls in (NCVQVAETransformer, MaskGITSampler, FCNClassifier)}
_CONFIGS = {cls.__name__: cls for cls in (NCVQVAEConfig, MaskGITConfig)}


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot store a value of type {type(value).__name__} in a model file")


def _encode_value(value: Any, key: str, tensors: dict[str, torch.Tensor]) -> dict:
    if isinstance(value, BaseEstimator):
        return {"kind": "estimator", "value": _encode(value, key + ".", tensors)}
    if dataclasses.is_dataclass(value) and type(value).__name__ in _CONFIGS:
        return {"kind": "config", "type": type(value).__name__, "value": dataclasses.asdict(value)}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            tensors[key] = torch.from_numpy(np.ascontiguousarray(value))
            return {"kind": "tensor"}
        return {
            "kind": "array",
            "dtype": value.dtype.str if value.dtype != object else "object",
            "value": value.tolist(),
        }
    if isinstance(value, tuple):
        return {"kind": "tuple", "value": list(value)}
    json.dumps(value, default=_json_default)  # fails here, naming the type, if it cannot be stored
    return {"kind": "json", "value": value}


def _encode(est: BaseEstimator, prefix: str, tensors: dict[str, torch.Tensor]) -> dict:
    name = type(est).__name__
    if name not in _ESTIMATORS:
        raise TypeError(
            f"skncvq.save stores NCVQVAETransformer, MaskGITSampler or FCNClassifier; got {name}."
        )
    params = est.get_params(deep=False)
    if isinstance(params.get("random_state"), np.random.RandomState):
        raise TypeError("random_state is a RandomState instance; set an int or None before saving.")
    encoded_params = {}
    for key, value in params.items():
        if isinstance(value, BaseEstimator):
            frozen = isinstance(value, FrozenEstimator)
            inner = value.estimator if frozen else value
            same = next((k for k, v in vars(est).items() if k.endswith("_") and v is inner), None)
            entry = {"same_as": same} if same else _encode_value(inner, f"{prefix}{key}", tensors)
            encoded_params[key] = {"frozen": entry} if frozen else entry
        else:
            encoded_params[key] = (
                {"kind": "tuple", "value": list(value)}
                if isinstance(value, tuple)
                else {"kind": "json", "value": value}
            )
    fitted = {}
    for key, value in vars(est).items():
        if not key.endswith("_") or key.startswith("_"):
            continue
        if isinstance(value, torch.nn.Module):
            for wname, tensor in value.state_dict().items():
                tensors[f"{prefix}{key}.{wname}"] = tensor.detach().cpu().contiguous()
            fitted[key] = {"kind": "module"}
        else:
            fitted[key] = _encode_value(value, f"{prefix}{key}", tensors)
    output = getattr(est, "_sklearn_output_config", {}).get("transform")
    return {"class": name, "params": encoded_params, "fitted": fitted, "output": output}


def _checksum(model: str, tensors: dict[str, torch.Tensor]) -> str:
    digest = hashlib.sha256(model.encode())
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(tensors[key].contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def save(estimator: BaseEstimator, path: str | os.PathLike) -> None:
    """Save a fitted skncvq estimator to a safetensors model file.

    Parameters
    ----------
    estimator : NCVQVAETransformer, MaskGITSampler or FCNClassifier
        A fitted estimator (a sampler is saved with its tokenizer).
    path : path-like
        The file to write, conventionally ``*.safetensors``; its folder must exist. It is written
        through a temporary file, so a failure leaves no partial file.

    See Also
    --------
    load : read such a file back.

    Examples
    --------
    >>> import numpy as np, skncvq, tempfile, os
    >>> X = np.random.default_rng(0).normal(size=(20, 32))
    >>> tok = skncvq.NCVQVAETransformer(hidden_dim=8, codebook_dim=8, n_res_blocks=1, max_epochs=1).fit(X)
    >>> path = os.path.join(tempfile.mkdtemp(), "tok.safetensors")
    >>> skncvq.save(tok, path)
    >>> np.allclose(skncvq.load(path).transform(X), tok.transform(X))
    True
    """
    from safetensors.torch import save_file
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(estimator)
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot save to {path}: the folder {path.parent} does not exist.")
    tensors: dict[str, torch.Tensor] = {}
    model = json.dumps(_encode(estimator, "", tensors), default=_json_default, sort_keys=True)
    metadata = {
        "format": "skncvq",
        "format_version": FORMAT_VERSION,
        "skncvq_version": __version__,
        "model": model,
        "sha256": _checksum(model, tensors),
    }
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata)


def _decode_value(entry: dict, key: str, tensors: dict[str, torch.Tensor]) -> Any:
    kind = entry["kind"]
    if kind == "estimator":
        return _decode(entry["value"], key + ".", tensors)
    if kind == "config":
        if entry["type"] not in _CONFIGS:
            raise ValueError(f"unknown configuration type {entry['type']!r} in the model file.")
        return _CONFIGS[entry["type"]](**entry["value"])
    if kind == "tensor":
        return tensors[key].numpy().copy()
    if kind == "array":
        return np.asarray(
            entry["value"], dtype=object if entry["dtype"] == "object" else np.dtype(entry["dtype"])
        )
    if kind == "tuple":
        return tuple(entry["value"])
    if kind == "json":
        return entry["value"]
    raise ValueError(f"unknown entry kind {kind!r} in the model file.")


def _check_structure(model: dict, cls: type) -> None:
    """The estimator's declared structure: its parameters exactly, fitted attributes named as
    such (ending in ``_``) that shadow nothing of the class."""
    names = set(cls._get_param_names())
    if set(model["params"]) != names:
        odd = sorted(set(model["params"]) ^ names)
        raise ValueError(f"its {cls.__name__} parameters do not match this skncvq's: {odd}.")
    for key in model["fitted"]:
        if not isinstance(key, str) or not key.endswith("_") or key.startswith("_") or hasattr(cls, key):
            raise ValueError(f"{key!r} is not a fitted attribute of {cls.__name__}.")


def _check_weights(est: BaseEstimator, state: dict[str, torch.Tensor]) -> None:
    """The weights in ``state`` fit the estimator's recorded architecture (checked on the meta
    device, so a forged size allocates nothing) and are finite."""
    with torch.device("meta"):
        expected = {k: (v.shape, v.dtype) for k, v in est._new_module().state_dict().items()}
    found = {k: (v.shape, v.dtype) for k, v in state.items()}
    if found != expected:
        missing, extra = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
        wrong = sorted(k for k in set(found) & set(expected) if found[k] != expected[k])
        raise ValueError(
            f"its {type(est).__name__} weights do not fit the architecture it records "
            f"(missing {missing[:3]}, unexpected {extra[:3]}, wrong shape or type {wrong[:3]})."
        )


def _decode(model: dict, prefix: str, tensors: dict[str, torch.Tensor]) -> BaseEstimator:
    if model["class"] not in _ESTIMATORS:
        raise ValueError(f"the model file holds a {model['class']!r}, which is not a skncvq estimator.")
    cls = _ESTIMATORS[model["class"]]
    _check_structure(model, cls)
    est = cls.__new__(cls)
    fitted = {}
    for key, entry in model["fitted"].items():
        if entry["kind"] != "module":
            fitted[key] = _decode_value(entry, f"{prefix}{key}", tensors)
    params = {}
    for key, entry in model["params"].items():
        inner = entry.get("frozen", entry)
        value = (
            fitted[inner["same_as"]]
            if "same_as" in inner
            else _decode_value(inner, f"{prefix}{key}", tensors)
        )
        params[key] = FrozenEstimator(value) if "frozen" in entry else value
    est.__init__(**params)
    est._validate_params()
    vars(est).update(est._on_this_machine(fitted))
    if not model["fitted"]:
        return est  # an unfitted estimator given as a parameter (a sampler's tokenizer)
    if model["fitted"].get("module_", {}).get("kind") != "module":
        raise ValueError(f"its {cls.__name__} holds no network weights.")
    head = f"{prefix}module_."
    state = {k[len(head) :]: v for k, v in tensors.items() if k.startswith(head)}
    _check_weights(est, state)
    with torch.random.fork_rng(devices=[]):
        module = est._new_module()
    module.load_state_dict(state)
    est.module_ = module.eval().to(est.device_)
    if model.get("output") is not None:
        est.set_output(transform=model["output"])
    est._mark_fitted()
    return est


def load(path: str | os.PathLike) -> BaseEstimator:
    """Load an estimator saved by :func:`save`.

    Parameters
    ----------
    path : path-like
        A file written by :func:`save`.

    Returns
    -------
    estimator : NCVQVAETransformer, MaskGITSampler or FCNClassifier
        Fitted, on the CPU unless the model was fitted on a GPU and one is available.

    Raises
    ------
    ValueError
        The file is not a skncvq model file, is damaged or truncated (its checksum does not match),
        or was written by another minor version of skncvq or format.
    FileNotFoundError
        There is no such file.
    """
    from safetensors import safe_open

    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; pass the model file written by skncvq.save.")
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}.")
    try:
        with safe_open(str(path), framework="pt", device="cpu") as fh:
            metadata = fh.metadata() or {}
            tensors = {key: fh.get_tensor(key) for key in fh.keys()}
    except Exception as exc:  # noqa: BLE001 - safetensors raises its own error types
        raise ValueError(
            f"{path} is not a readable skncvq model file (damaged or truncated?): {exc}"
        ) from exc
    if metadata.get("format") != "skncvq":
        raise ValueError(f"{path} is a safetensors file but not a skncvq model file.")
    if metadata.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path} uses model file format {metadata.get('format_version')!r}; this skncvq "
            f"{__version__} reads format {FORMAT_VERSION}."
        )
    written = metadata.get("skncvq_version", "unknown")
    if _minor(written) != _minor(__version__):
        raise ValueError(
            f"{path} was written by skncvq {written}, and this is skncvq {__version__}, which loads "
            f"only files written by skncvq {_minor(__version__)}.x; load it with the version that wrote it."
        )
    if _checksum(metadata.get("model", ""), tensors) != metadata.get("sha256"):
        raise ValueError(f"{path} is damaged: its checksum does not match its contents.")
    bad = [k for k, v in tensors.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if bad:
        raise ValueError(f"{path} holds non-finite values (NaN or inf) in {bad[:3]}; it is no fitted model.")
    try:
        return _decode(json.loads(metadata["model"]), "", tensors)
    except (KeyError, TypeError, AttributeError, IndexError, json.JSONDecodeError, RuntimeError) as exc:
        raise ValueError(
            f"{path} is not a valid skncvq model file: its content is malformed "
            f"({type(exc).__name__}: {exc})."
        ) from exc
    except ValueError as exc:
        raise ValueError(f"{path} is not a valid skncvq model file: {exc}") from exc
