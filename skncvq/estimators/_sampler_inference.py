"""The fitted sampler's generation: labels to class ids, token grids from the prior, series.

A mixin of :class:`~skncvq.MaskGITSampler`, apart from its parameters and training. The host
provides ``module_`` (the fitted a ``skncvq.nn.MaskGIT``), ``tokenizer_``, ``classes_``,
``class_prior_``, ``token_shape_``, ``device_``, ``sample_precision_``, the sampling parameters
(``n_steps``, ``guidance_scale``, ``temperature``, ``choice_temperature``, ``unconditional``,
``sampling_strategy``, ``resampling``, ``edit_ratio``, ``random_state``), ``p_unconditional``,
``_check_sampling_params``, ``_check_guidance`` and ``fit``.
"""

from __future__ import annotations

import copy
import numbers
import os

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from .._lengths import restore, user_layout
from .._validation import as_series_set, validate_labels, validate_series, validate_series_set
from ._resampling import resampling_targets
from ._torch_utils import draw_seed, inference

__all__ = ["SamplerInferenceMixin", "check_output_fits"]


def _available_memory() -> int | None:
    """Bytes of memory available now (Linux), or None where it cannot be read."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_output_fits(n_samples: int, bytes_per_series: int) -> None:
    """Refuse, with a ``MemoryError`` that says how much it needs, an output that does not fit
    in the memory available."""
    need = n_samples * bytes_per_series
    have = _available_memory()
    if have is not None and need > have:
        raise MemoryError(
            f"{n_samples} series need {need / 2**30:.1f} GiB for the output alone, more than the "
            f"{have / 2**30:.1f} GiB available; sample in several calls of fewer series."
        )


_SAMPLE_BATCH = 256
_SCORE_DRAWS = 4  # mask draws averaged by ``score``


class SamplerInferenceMixin:
    """``sample_tokens``, ``sample``, ``edit``, ``score`` and ``fit_resample`` of a fitted sampler;
    batched, in eval mode, on ``device_``."""

    def _encode_labels(self, n_samples: int, y, seed: int) -> np.ndarray:
        null = 0 if self.classes_ is None else len(self.classes_)
        if y is None:
            if self.classes_ is not None and self.unconditional == "class_prior":
                rng = np.random.default_rng(seed)
                return rng.choice(null, size=n_samples, p=self.class_prior_).astype(np.int64)
            return np.full(n_samples, null, dtype=np.int64)
        if self.classes_ is None:
            raise ValueError("this sampler was fitted without labels; call sample(n_samples) without y.")
        labels = np.asarray(y)
        if labels.ndim == 0:
            labels = np.repeat(labels[None], n_samples)
        elif labels.ndim != 1 or len(labels) != n_samples:
            raise ValueError(f"y must be one label or {n_samples} labels; got shape {labels.shape}.")
        known = set(self.classes_.tolist())
        unknown = sorted({v for v in labels.tolist() if v not in known}, key=repr)
        if unknown:
            kinds = sorted({type(v).__name__ for v in unknown})
            raise ValueError(
                f"label(s) {unknown} ({', '.join(kinds)}) were not seen in fit; known classes are "
                f"{self.classes_.tolist()} ({type(self.classes_[0].item()).__name__})."
            )
        return np.searchsorted(self.classes_, labels).astype(np.int64)

    def _sampling_module(self) -> torch.nn.Module:
        module = self.module_
        if self.sample_precision_ == "bf16":
            # a bfloat16 copy of the prior keeps torch's fused inference path for transformer
            # layers, which autocast would switch off (design decisions: sampling precision)
            module = copy.deepcopy(module).to(torch.bfloat16)
        return module

    def _generate(self, module, classes: np.ndarray, generator, init=None) -> torch.Tensor:
        c = torch.from_numpy(classes).to(self.device_)
        return module.generate(
            c,
            n_steps=self.n_steps,
            guidance_scale=float(self.guidance_scale),
            temperature=float(self.temperature),
            choice_temperature=float(self.choice_temperature),
            generator=generator,
            init=init,
            allowed=self.tokenizer_.module_.quantizer.live.to(self.device_),  # never a retired code
        )

    def _draw_classes(self, n_samples: int, y, random_state, bytes_per_series: int) -> tuple[np.ndarray, int]:
        """Check a sampling call; returns the class id of each series to draw and the call's seed."""
        check_is_fitted(self)
        self._check_sampling_params()
        self._check_guidance(conditional=self.classes_ is not None)
        if not isinstance(n_samples, numbers.Integral) or isinstance(n_samples, bool) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {n_samples!r}.")
        check_output_fits(int(n_samples), bytes_per_series)
        seed = draw_seed(self.random_state if random_state is None else random_state)
        return self._encode_labels(int(n_samples), y, seed), seed

    def _token_batches(self, classes: np.ndarray, seed: int):
        """Yield ``(start, token grids)`` of the series of ``classes``, batch by batch: memory
        beyond the caller's output does not grow with their number."""
        generator = torch.Generator(device=self.device_).manual_seed(seed)
        module = self._sampling_module()
        starts = range(0, len(classes), _SAMPLE_BATCH)
        if self.verbose and len(starts) > 1:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="sampling", unit="batch", total=len(starts))
        with inference(module):
            for start in starts:
                ids = self._generate(module, classes[start : start + _SAMPLE_BATCH], generator)
                yield start, ids.cpu().numpy().reshape(len(ids), *self.token_shape_)

    def _sample_lengths(self, classes: np.ndarray, length, seed: int) -> np.ndarray | None:
        """The length of each series to draw: ``length``, or, for a sampler fitted on unequal
        lengths, the length of a training series of its class drawn at random (of any class for
        the "no class" id); None keeps the working length."""
        if length is not None:
            if not isinstance(length, numbers.Integral) or isinstance(length, bool) or length < 1:
                raise ValueError(f"length must be a positive integer or None; got {length!r}.")
            return np.full(len(classes), int(length))
        if not self.variable_length_:
            return None
        rng = np.random.default_rng(seed + 1)
        out = np.empty(len(classes), dtype=np.int64)
        for c in np.unique(classes):
            rows = classes == c
            pool = self.train_lengths_[self.train_classes_ == c]
            out[rows] = rng.choice(self.train_lengths_ if pool.size == 0 else pool, size=int(rows.sum()))
        return out

    def sample_tokens(self, n_samples: int, y=None, random_state=None) -> np.ndarray:
        """Token grids drawn from the prior.

        Parameters
        ----------
        n_samples, y, random_state
            As in :meth:`sample`.

        Returns
        -------
        tokens : ndarray of shape (n_samples, n_freq, latent_width), int64
        """
        per_series = 8 * int(np.prod(getattr(self, "token_shape_", (1,))))
        classes, seed = self._draw_classes(n_samples, y, random_state, per_series)
        return np.concatenate([t for _, t in self._token_batches(classes, seed)])

    def sample(self, n_samples: int, y=None, random_state=None, length=None) -> np.ndarray | list[np.ndarray]:
        """Draw synthetic series.

        Series are generated in batches of 256 and decoded batch by batch, so memory beyond the
        returned array does not grow with ``n_samples``; an output larger than the memory
        available is refused with a ``MemoryError`` before any work. Under ``verbose`` a
        progress bar shows the batches.

        Parameters
        ----------
        n_samples : int
            Number of series.
        y : label, array-like of labels or None
            One label for all series, or ``n_samples`` labels, in the original label space;
            None samples unconditionally.
        random_state : int, RandomState instance or None
            Seed of this call; None uses the estimator's ``random_state``.
        length : int or None, default=None
            Length of the series. None: the training length, or, for a sampler fitted on series
            of unequal lengths, each series takes the length of a training series of its class
            drawn at random. Series are drawn at the working length ``length_`` and interpolated
            onto other lengths.

        Returns
        -------
        X : ndarray of shape (n_samples, length) or (n_samples, n_channels, length), float32, or list
            Series shaped as the training series: 2-D for one channel; a list of ``(length_i,)``
            or ``(n_channels, length_i)`` arrays when their lengths differ.
        """
        check_is_fitted(self)
        c, work = self.n_channels_, self.length_
        longest = max(work, length) if isinstance(length, numbers.Integral) else work
        classes, seed = self._draw_classes(n_samples, y, random_state, 8 * c * longest)
        lengths = self._sample_lengths(classes, length, seed)
        out = np.empty((len(classes), c, work), dtype=np.float32)
        for start, tokens in self._token_batches(classes, seed):
            out[start : start + len(tokens)] = self.tokenizer_.decode(tokens).reshape(len(tokens), c, work)
        return restore(out, lengths)

    def edit(self, X, y=None, random_state=None) -> np.ndarray:
        """Variations of given series: one new series per series of ``X``.

        Each series' token grid has ``edit_ratio`` of its positions, chosen at random, masked and
        drawn again by the prior (iterative decoding under the series' class, with the
        sampler's ``n_steps``, guidance and temperatures), keeping the others. The change this
        makes to the decoded series is added to the series itself, so what the tokens do not
        hold, the detail below the tokenizer's reconstruction, stays as it was.

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or list
            Series of the channels seen in ``fit`` and of its length; of any lengths (a list of
            arrays) for a sampler fitted on unequal lengths, the change being interpolated onto
            each series' own length.
        y : array-like of shape (n_series,) or None
            Their labels, seen in ``fit``; None draws under the prior's "no class" row (a prior
            fitted with labels needs ``p_unconditional > 0`` for it).
        random_state : int, RandomState instance or None
            Seed of this call; None uses the estimator's ``random_state``.

        Returns
        -------
        X_new : ndarray or list of ndarray, float32
            Series of the shapes of ``X``.
        """
        check_is_fitted(self)
        self._check_sampling_params()
        arr, lengths = validate_series_set(self, X, reset=False)
        arr = arr.astype(np.float32)
        n = len(arr)
        seed = draw_seed(self.random_state if random_state is None else random_state)
        null = 0 if self.classes_ is None else len(self.classes_)
        if y is None:
            if self.classes_ is not None and self.p_unconditional == 0:
                raise ValueError(
                    "this prior was fitted with p_unconditional=0, so its no-class row is untrained; "
                    "pass the series' labels y."
                )
            classes = np.full(n, null, dtype=np.int64)
        else:
            y = validate_labels(y, n)
            classes = self._encode_labels(n, y, seed)
            self._check_guidance(conditional=True)
        module = self._sampling_module()
        grids = self.tokenizer_.encode(arr).reshape(n, -1)  # (n, F, W') -> (n, N)
        n_tokens = grids.shape[1]
        n_masked = max(1, round(float(self.edit_ratio) * n_tokens))
        rng = np.random.default_rng(seed)
        chosen = np.argsort(rng.random((n, n_tokens)), axis=1)[:, :n_masked]  # random positions per row
        init = grids.copy()
        np.put_along_axis(init, chosen, self.module_.mask_id, axis=1)
        generator = torch.Generator(device=self.device_).manual_seed(seed)
        change = np.empty_like(arr)  # (n, C, length_)
        with inference(module):
            for start in range(0, n, _SAMPLE_BATCH):
                part = slice(start, start + _SAMPLE_BATCH)
                ids = self._generate(module, classes[part], generator, torch.from_numpy(init[part]))
                new = self.tokenizer_.decode(ids.cpu().numpy().reshape(-1, *self.token_shape_))
                old = self.tokenizer_.decode(grids[part].reshape(-1, *self.token_shape_))
                change[part] = (new - old).reshape(-1, *arr.shape[1:])
        if lengths is None:
            return restore(arr + change, None)
        # the change, interpolated onto each series' own length, added to the series as given
        own = as_series_set(X)
        moved = restore(change, lengths)
        if not isinstance(moved, list):
            return restore((np.asarray(own) + moved.reshape(np.shape(own))).astype(np.float32), None)
        return [user_layout(s).astype(np.float32) + m for s, m in zip(own, moved)]

    def score(self, X, y=None) -> float:
        """Mean log-likelihood per masked token of the series' token grids under the prior.

        The prior's own training objective on ``X``, negated so that higher is better: each
        series' token grid is masked as in training (a ratio drawn from the mask schedule, then
        that many random positions), and the log-probability of the true tokens at the masked
        positions is averaged over all of them and over 4 mask draws. The masks come from a fixed
        seed, so two priors on the same tokenizer are scored on the same masks. Without ``y`` a
        class-conditional prior is scored on its "no class" row. On held-out series it is a
        validation loss of the prior: ``GridSearchCV(MaskGITSampler(FrozenEstimator(fitted)),
        grid)`` without a ``scoring`` selects by it. It judges the prior only: token grids come from the
        sampler's tokenizer, so priors on different tokenizers are not comparable.

        Parameters
        ----------
        X : array-like of shape (n_series, length)
        y : array-like of shape (n_series,) or None
            Labels seen in fit, for a class-conditional prior.

        Returns
        -------
        float
            Mean log-likelihood in nats per masked token (<= 0).
        """
        check_is_fitted(self)
        grids = self.tokenizer_.encode(validate_series(self, X, reset=False))
        n = len(grids)
        tokens = torch.from_numpy(grids.reshape(n, -1).astype(np.int64, copy=False))
        if y is None:
            if self.classes_ is not None and self.p_unconditional == 0:
                raise ValueError(
                    "this prior was fitted with p_unconditional=0, so its no-class row is untrained; "
                    "pass the labels y to score it class-conditionally."
                )
            classes = np.full(n, 0 if self.classes_ is None else len(self.classes_), dtype=np.int64)
        else:
            y = validate_labels(y, n)
            classes = self._encode_labels(n, y, 0)
        classes = torch.from_numpy(classes)
        generator = torch.Generator(device=self.device_).manual_seed(0)
        module = self.module_
        total, count = 0.0, 0
        with inference(module):
            for _ in range(_SCORE_DRAWS):
                for start in range(0, len(tokens), _SAMPLE_BATCH):
                    ids = tokens[start : start + _SAMPLE_BATCH].to(self.device_)
                    masked, mask = module.mask_tokens(ids, generator)
                    logits = module(masked, classes[start : start + _SAMPLE_BATCH].to(self.device_))
                    nll = torch.nn.functional.cross_entropy(logits[mask].float(), ids[mask], reduction="sum")
                    total += float(nll)
                    count += int(mask.sum())
        return -total / count

    def fit_resample(self, X, y) -> tuple[np.ndarray, np.ndarray]:
        """Fit on ``(X, y)`` and return it topped up with synthetic series (imbalanced-learn's
        sampler contract), so the sampler can be a step of an ``imblearn`` pipeline.

        ``sampling_strategy`` says how many series each class gets, ``resampling`` how they are
        made: edits of the class's own series (:meth:`edit`), or draws from the prior
        (:meth:`sample`).

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or list
            Training series; a list of arrays for unequal lengths.
        y : array-like of shape (n_series,)
            Their labels.

        Returns
        -------
        X_resampled : ndarray of shape (n + n_new, length) or (n + n_new, n_channels, length), or list
            ``X`` followed by the new series; a list of arrays when their lengths differ.
        y_resampled : ndarray of shape (n + n_new,)
        """
        self._check_sampling_params()
        if y is None:
            raise ValueError("fit_resample needs the class labels y; got None.")
        y = validate_labels(y, None)
        targets = resampling_targets(self.sampling_strategy, y)  # a bad strategy costs no training
        self.fit(X, y)
        self.sampling_strategy_ = {label: n for label, n in targets.items() if n > 0}
        own = as_series_set(X)
        if isinstance(own, list):
            own = [user_layout(s).astype(np.float32) for s in own]
        else:
            own = restore(own.astype(np.float32), None)
        new_X, new_y = [own], [y]
        rng = np.random.default_rng(draw_seed(self.random_state))
        for label, n_new in targets.items():
            if n_new <= 0:
                continue
            labels = np.full(n_new, label, dtype=y.dtype)
            seed = int(rng.integers(2**31))
            if self.resampling == "generate":
                new_X.append(self.sample(n_new, y=label, random_state=seed))
            else:
                # the class's series in turn, each in a new random order, until n_new are drawn
                mine = np.flatnonzero(y == label)
                rounds = -(-n_new // len(mine))
                order = np.concatenate([rng.permutation(mine) for _ in range(rounds)])[:n_new]
                picked = [own[i] for i in order] if isinstance(own, list) else own[order]
                new_X.append(self.edit(picked, y=labels, random_state=seed))
            new_y.append(labels)
        return _join(new_X), np.concatenate(new_y)


def _join(parts: list) -> np.ndarray | list[np.ndarray]:
    """Series sets one after the other: one array when all series have one shape, else a list."""
    series = [s for part in parts for s in part]
    if all(isinstance(p, np.ndarray) for p in parts) and len({p.shape[1:] for p in parts}) == 1:
        return np.concatenate(parts)
    if len({s.shape for s in series}) == 1:
        return np.stack(series)
    return series
