"""The fitted tokenizer's inference: features, token grids, decoding and reconstruction.

A mixin of :class:`~skncvq.NCVQVAETransformer`, apart from its parameters and training. The
host provides ``module_`` (the fitted a ``skncvq.nn.NCVQVAE``), ``config_``,
``token_shape_``, ``device_``, ``n_features_in_``, ``output``, and ``_validate_X`` /
``_scale`` / ``_unscale`` (input checks and the global scaling the model was trained on).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._feature_projection import PROJECTED_OUTPUTS
from ._torch_utils import batched, inference

__all__ = ["TokenizerInferenceMixin"]

#: the outputs ``transform`` can give
OUTPUTS = ("pooled", "latent", "tokens", "histogram", "continuous", "pooled_continuous", "multiscale")
_PYRAMID = (2, 4)  # temporal segments of the "multiscale" output
_EVAL_BATCH = 512


class TokenizerInferenceMixin:
    """``transform``, ``encode``, ``decode``, ``inverse_transform``, ``reconstruct``,
    ``reconstruction_errors`` and ``score`` of a fitted tokenizer; batched, in eval mode, on
    ``device_``."""

    def _output_width(self) -> int:
        if self._projects():
            return self.feature_mean_.shape[0] if self.projection_ is None else self.projection_.shape[1]
        f, w = self.config_.token_shape
        d, k = self.config_.codebook_dim, self.config_.codebook_size
        widths = {"pooled": d, "latent": d * f * w, "tokens": f * w, "histogram": k, "continuous": d * f * w}
        widths.update(pooled_continuous=d, multiscale=d * (2 + f + sum(_PYRAMID)))
        return widths[self.output]

    def _run(self, fn, X) -> np.ndarray:
        """``fn`` over the batches of series ``X``, after checking the fitted state and ``X``."""
        check_is_fitted(self)
        return self._apply(fn, self._validate_X(X, reset=False))

    def _apply(self, fn, arr: np.ndarray) -> np.ndarray:
        """``fn`` over the batches of validated series ``arr`` (also during ``fit``)."""
        with inference(self.module_):
            return batched(fn, self._scale(arr), self.device_, _EVAL_BATCH)

    def _projects(self) -> bool:
        """Whether ``transform`` applies the projection fitted at ``fit``."""
        if self.projection is None or self.output not in PROJECTED_OUTPUTS:
            return False
        if self.projection_kind_ is None or self.output != self.projected_output_:
            raise ValueError(
                f"the projection was fitted at fit for output={self.projected_output_!r}, not "
                f"output={self.output!r}; fit again with this output, or set projection=None for the "
                "features unprojected."
            )
        return True

    def _transform(self, X) -> np.ndarray:
        # the body of ``transform``, which the estimator defines itself so that
        # scikit-learn's set_output wraps it
        check_is_fitted(self)
        self._validate_params()  # output may have been set after fit
        return self._project(self._features(X))

    def _project(self, features: np.ndarray) -> np.ndarray:
        """The fitted projection applied to features of ``output`` (unchanged when none applies)."""
        if not self._projects():
            return features
        out = (features - self.feature_mean_) / self.feature_scale_
        return out if self.projection_ is None else out @ self.projection_

    def _features(self, X, *, validated: bool = False) -> np.ndarray:
        """The features of ``output`` before any projection (``X`` already checked: ``validated``)."""
        module = self.module_
        k = self.config_.codebook_size

        def features(x: torch.Tensor) -> torch.Tensor:
            z = module.encode(x)  # (B, D, F, W')
            if self.output == "continuous":
                return z.flatten(1)
            if self.output == "pooled_continuous":
                return z.mean((2, 3))  # (B, D)
            if self.output == "multiscale":
                over_time = z.mean(2)  # (B, D, W')
                parts = [z.mean((2, 3)), z.amax((2, 3)), z.mean(3).flatten(1)]  # D, D, D*F
                parts += [torch.nn.functional.adaptive_avg_pool1d(over_time, n).flatten(1) for n in _PYRAMID]
                return torch.cat(parts, 1)
            q = module.quantizer(z)
            if self.output == "pooled":
                return q.z_q.mean((2, 3))  # (B, D)
            if self.output == "latent":
                return q.z_q.flatten(1)  # (B, D*F*W')
            if self.output == "tokens":
                return q.indices.flatten(1)  # (B, F*W')
            counts = torch.nn.functional.one_hot(q.indices.flatten(1), k).sum(1)  # (B, K)
            return counts.float() / q.indices[0].numel()

        return self._apply(features, X) if validated else self._run(features, X)

    def _encode_fn(self):
        return lambda x: self.module_.quantizer.assign(self.module_.encode(x))

    def encode(self, X) -> np.ndarray:
        """Token grid of each series.

        Returns
        -------
        tokens : ndarray of shape (n_series, n_freq, latent_frames), int64
        """
        return self._run(self._encode_fn(), X)

    def _decode(self, fn, data: np.ndarray) -> np.ndarray:
        out = []
        with inference(self.module_):
            for start in range(0, len(data), _EVAL_BATCH):
                chunk = torch.as_tensor(data[start : start + _EVAL_BATCH]).to(self.device_)
                out.append(fn(chunk).cpu().numpy())
        empty = np.empty((0, self.n_channels_, self.config_.length), dtype=np.float32)
        return self._unscale(np.concatenate(out, axis=0) if out else empty)  # at length_

    def decode(self, tokens) -> np.ndarray:
        """Series from token grids.

        Parameters
        ----------
        tokens : array-like of int, shape (n_series, n_freq, latent_frames) or (n_series, n_freq * latent_frames)

        Returns
        -------
        X : ndarray of shape (n_series, length)
        """
        check_is_fitted(self)
        f, w = self.token_shape_
        arr = np.asarray(tokens)
        if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError):
                raise TypeError(
                    f"tokens must be integer code ids; got values of dtype {arr.dtype}."
                ) from None
        if arr.ndim == 2 and arr.shape[1] == f * w:
            arr = arr.reshape(len(arr), f, w)  # (n, F*W') -> (n, F, W')
        if arr.ndim != 3 or arr.shape[1:] != (f, w):
            raise ValueError(f"tokens must have shape (n, {f}, {w}) or (n, {f * w}); got {np.shape(tokens)}.")
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
                raise ValueError("tokens must be integer code ids.")
        arr = arr.astype(np.int64)
        if arr.size and (arr.min() < 0 or arr.max() >= self.config_.codebook_size):
            raise ValueError(f"token ids must lie in [0, {self.config_.codebook_size - 1}].")
        return self._decode(self.module_.decode_indices, arr)

    def inverse_transform(self, Xt) -> np.ndarray:
        """Series from the output of ``transform`` (for ``output`` "tokens", "latent" or "continuous").

        Raises
        ------
        ValueError
            For "pooled" and "histogram" outputs, which discard the time axis.
        """
        check_is_fitted(self)
        if self.output in ("pooled", "histogram", "pooled_continuous", "multiscale"):
            raise ValueError(
                f"output={self.output!r} discards the time axis and cannot be inverted; use output="
                "'tokens', 'latent' or 'continuous', or reconstruct(X)."
            )
        if self.output == "tokens":
            return self.decode(Xt)
        d = self.config_.codebook_dim
        f, w = self.token_shape_
        arr = np.asarray(Xt, dtype=np.float32)
        if arr.ndim != 2 or arr.shape[1] != d * f * w:
            raise ValueError(f"Xt must have shape (n, {d * f * w}); got {arr.shape}.")
        z = arr.reshape(len(arr), d, f, w)  # (n, D*F*W') -> (n, D, F, W')
        module = self.module_
        if self.output == "latent":
            return self._decode(module.decode_latent, z)
        return self._decode(lambda t: module.decode_latent(module.quantizer(t).z_q), z)

    def reconstruct(self, X) -> np.ndarray:
        """Encode, quantize and decode ``X``; returns series of the same shapes in input units
        (a list for series of unequal lengths, each of its own length)."""
        check_is_fitted(self)
        module = self.module_
        arr, lengths = self._validate_set(X, reset=False)
        return self._unscale(self._apply(lambda x: module(x).x_recon, arr), lengths)

    def reconstruction_errors(self, X) -> dict[str, float]:
        """Mean squared reconstruction errors on the scaled series, over all of ``X``.

        Returns
        -------
        errors : dict
            ``{"time": MSE(x, x_hat), "stft": MSE(STFT(x), STFT(x_hat))}``, both on the
            globally standardised scale the model trains on (the reference's scale).
        """
        check_is_fitted(self)
        module = self.module_

        def per_series(x: torch.Tensor) -> torch.Tensor:
            out = module(x)
            time = (out.x_recon - x).pow(2).mean((1, 2))
            stft = (out.u_recon - out.u).pow(2).mean((1, 2, 3))
            return torch.stack((time, stft), 1)  # (B, 2)

        errs = self._run(per_series, X).mean(0)
        return {"time": float(errs[0]), "stft": float(errs[1])}

    def score(self, X, y=None) -> float:
        """Negative time-domain reconstruction MSE on the scaled series (greater is better)."""
        return -self.reconstruction_errors(X)["time"]
