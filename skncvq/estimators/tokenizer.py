"""NCVQVAETransformer: the stage-1 tokenizer as a scikit-learn transformer."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from .._lengths import restore
from .._validation import check_device, check_min_length, global_scale, validate_series_set
from ..augment import resolve_augmentations
from ..nn import NCVQVAE, NCVQVAEConfig
from ..nn.config import auto_latent_width
from ..training import LOSS_KEYS, TrainSettings, make_tokenizer_net, train
from ._constraints import NON_NEGATIVE, NON_NEGATIVE_INT, POSITIVE_INT, TRAINING, UNIT
from ._doc_link import DocLinkMixin
from ._feature_projection import fit_projection, resolve_projection
from ._fit_state import FitStateMixin, fit_transaction
from ._pickling import PicklingMixin
from ._tokenizer_inference import OUTPUTS as _OUTPUTS
from ._tokenizer_inference import TokenizerInferenceMixin
from ._tokenizer_sizes import auto_tokenizer_batch, auto_tokenizer_epochs
from ._torch_utils import draw_seed, resolve_device, resolve_precision

__all__ = ["NCVQVAETransformer"]

_GRAD_CLIP = 10.0  # total-norm safety net (design decisions: training robustness)
_SSL_WEIGHTS = {"barlowtwins": 1.0, "vibcreg": 0.01}
# ssl_weight=None under the stop-gradient view (design decisions: SSL weight)
_STOPGRAD_SSL_WEIGHTS = {"barlowtwins": 0.5, "vibcreg": 0.01}
# ssl_view_grad="auto": the stop-gradient view from this many training series on (see the docstring)
STOPGRAD_MIN_SERIES = 256


class NCVQVAETransformer(
    DocLinkMixin,
    PicklingMixin,
    FitStateMixin,
    TokenizerInferenceMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    """NC-VQVAE tokenizer: discrete (VQ) representations of univariate time series.

    A series is mapped by an STFT (``n_fft``, Hann window) to a real/imaginary image, encoded by
    a convolutional encoder that downsamples time only, quantized against an EMA codebook and
    decoded back through an inverse STFT. With ``ssl`` set, an augmented view of each series
    goes through the same encoder and a Barlow Twins or VIbCReg loss ties the two views'
    projected latents together (the "non-contrastive" VQ-VAE); ``ssl=None`` is the plain VQ-VAE.

    Parameters
    ----------
    ssl : {"barlowtwins", "vibcreg"} or None, default="barlowtwins"
        Non-contrastive objective between a series and its augmented view, or None for the
        plain VQ-VAE.
    augmentations : str or tuple of str, default="slice"
        Second-view augmentations: a set name ("warp", "slice", "gauss") or a tuple of names from
        "amplitude_resize", "window_warp", "slice_shuffle", "gaussian_noise" applied in order.
    ssl_weight : float >= 0 or None, default=None
        Multiplier of the SSL loss. None: 1.0 for Barlow Twins and 0.01 for VIbCReg with
        gradients through both views, 0.5 and 0.01 under the stop-gradient view
        (``ssl_view_grad``). The value used is ``config_.ssl_weight``. See
        :ref:`decision-ssl-weight`.
    aug_recon_weight : float >= 0, default=0.1
        Weight of the augmented view's reconstruction loss; 0 skips decoding that view. Ignored
        under the stop-gradient view, which is never decoded.
    ssl_until : float in [0, 1], default=0.75
        Fraction of training (the progress the learning-rate schedule follows) during which the
        second view and its losses run; the rest trains the plain reconstruction objective. 1.0
        keeps the SSL branch to the end, as the reference does. See :ref:`decision-ssl-phase`.
    ssl_view_grad : bool or "auto", default="auto"
        Whether gradients flow through the augmented view's encoder pass (True, the reference)
        or the view is a fixed stop-gradient target (False: no graph, not decoded, a cheaper
        step). "auto": False when ``X`` holds at least 256 series, True below. The value used is
        ``config_.ssl_view_grad``. See :ref:`decision-ssl-view-grad`.
    n_fft : int, default=8
        STFT size, a multiple of 4 (hop ``n_fft // 4``).
    hidden_dim : int, default=64
        Channels of the encoder and decoder.
    latent_width : int >= 1 or "auto", default="auto"
        Target width of the latent time axis; the actual width lies in
        ``[latent_width, 2 * latent_width)``. "auto" targets ``length // 16`` kept within
        [8, 32], about one latent step per 16 samples. The width used is
        ``config_.latent_width``. See :ref:`decision-latent-width`.
    n_res_blocks : int >= 0, default=4
        Residual blocks in the encoder and in the decoder.
    codebook_size : int, default=32
        Number of codes.
    codebook_dim : int, default=64
        Code dimension; must equal ``hidden_dim``.
    ema_decay : float in [0, 1), default=0.9
        Decay of the codebook's exponential moving average (1 would never move the codes).
    commitment_weight : float >= 0, default=1.0
        Weight of the commitment loss.
    projector_dim : int, default=512
        Width of the SSL projector (the reference's is 4096). See
        :ref:`decision-projector-width`.
    max_epochs : int >= 1 or "auto", default="auto"
        Training epochs; the cosine learning-rate schedule decays to 0 at the end of the budget.
        "auto": 100 up to 50,000 training samples (``n_series * length``), then
        ``100 * (50,000 / samples) ** (2/3)`` rounded, at least 2, so that the cost of a fit grows
        as the cube root of the data. The value used is ``max_epochs_``. See
        :ref:`decision-auto-epochs`.
    max_time : float > 0 or None, default=None
        Optional wall-clock budget in seconds; training stops when either budget is spent and
        the cosine schedule follows whichever runs out first. See :ref:`decision-budget`.
    batch_size : int >= 1 or "auto", default="auto"
        Training batch size (at most the number of series). "auto": 128, or a quarter of the
        training series (rounded up) when that is smaller, at least 16, so that a small training
        set gets about four optimizer steps per epoch. The value used is ``batch_size_``. See
        :ref:`decision-auto-batch`.
    lr : float > 0, default=1e-3
        AdamW learning rate.
    weight_decay : float >= 0, default=1e-3
        AdamW weight decay.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        Training precision of the convolutions and projector. "auto" uses bfloat16 autocast
        where the processor or GPU runs it natively, float32 elsewhere. The STFT, quantizer,
        losses and all inference run in float32. See :ref:`decision-precision`.
    output : {"multiscale", "pooled", "pooled_continuous", "latent", "tokens", "histogram", \
"continuous"}, default="multiscale"
        What ``transform`` returns. "multiscale": global mean and max of the pre-quantization
        latent, the mean of each frequency bin and of 2 and 4 time segments
        (``codebook_dim * (2 + n_freq + 6)`` columns). "pooled": the mean of the quantized
        latent (the reference's probe feature). The others: the pre-quantization latent's mean,
        the flattened quantized latent, the token ids, the per-series code histogram, the
        flattened pre-quantization latent. See :ref:`decision-tokenizer-outputs-beyond-the-reference`.
    projection : {"auto", "standardize", "discriminant"} or None, default="auto"
        What ``transform`` does to the "multiscale", "pooled" and "pooled_continuous" features,
        fitted on the training series at ``fit``. "standardize": zero mean and unit variance per
        feature. "discriminant": standardized, then projected onto the ``n_classes - 1`` axes of a
        shrinkage linear discriminant analysis of ``y`` (needs class labels). "auto":
        "discriminant" when ``fit`` gets class labels of at least two classes, as in a pipeline
        with a classifier, "standardize" otherwise. None: the features unprojected. The kind used
        is ``projection_kind_``. See :ref:`decision-projection`.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        "auto" uses CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and augmentations. Pass an int for identical
        fits and transforms on a CPU across calls.
    verbose : int, default=0
        0 is silent; 1 shows one progress bar over the fit, with its remaining time, and a
        per-epoch summary.

    Attributes
    ----------
    module_ : NCVQVAE
        The fitted network (a ``skncvq.nn.NCVQVAE``), in eval mode.
    config_ : NCVQVAEConfig
        Model sizes used.
    n_features_in_ : int
        Values per series seen in ``fit``: ``length_`` times its channels.
    length_ : int
        The length the model works at: the training series' length, or the longest training
        series' when their lengths differ (see :ref:`unequal lengths <decision-unequal-lengths>`).
    variable_length_ : bool
        Whether the training series had unequal lengths; then series of any length are
        interpolated onto ``length_``, otherwise other lengths are refused.
    n_channels_ : int
        Channels per series seen in ``fit`` (1 for 2-D input); they are tokenized jointly, all
        channels' spectra into one encoder and one token grid.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.
    mean_, scale_ : ndarray of shape (n_channels,)
        Per channel, the mean and standard deviation of the training data used to scale inputs.
    history_ : list of dict
        One entry per epoch: ``train_loss``, ``recon_time``, ``recon_stft``, ``vq``, ``ssl``,
        ``aug_recon``, ``perplexity``, ``dead_codes``, ``lr`` and ``dur`` (seconds).
    codebook_ : ndarray of shape (codebook_size, codebook_dim)
        The learned codes. A code no training series uses is retired after training: ``encode``
        never gives it, the sampler never draws it, and it holds the vector of its nearest used
        code, so decoding it gives that code's series. See :ref:`decision-retired-codes`.
    code_counts_ : ndarray of shape (codebook_size,)
        How many of the training series' tokens each code is; 0 marks a retired code.
    token_shape_ : tuple of int
        ``(n_freq, latent_frames)``, the shape of one series' token grid.
    projection_kind_ : {"standardize", "discriminant"} or None
        The projection fitted for ``output`` (None for outputs it does not apply to).
    feature_mean_, feature_scale_ : ndarray of shape (n_features,) or None
        Training mean and standard deviation of the unprojected features.
    projection_ : ndarray of shape (n_features, n_classes - 1) or None
        The discriminant axes, for ``projection_kind_="discriminant"``.
    max_epochs_ : int
        The epoch budget used (``max_epochs`` resolved).
    batch_size_ : int
        The training batch size used (``batch_size`` resolved).
    n_epochs_ : int
        Epochs run (fewer than ``max_epochs_`` when ``max_time`` stopped training).
    precision_, device_ : str
        The resolved precision and device.

    See Also
    --------
    MaskGITSampler : class-conditional generation over this tokenizer's tokens.
    skncvq.metrics.probe_scores : the reference KNN / linear-SVM probes.

    Examples
    --------
    >>> from skncvq import NCVQVAETransformer
    >>> from skncvq.datasets import make_synthetic
    >>> X, y = make_synthetic(32, 64, 2, random_state=0)
    >>> tok = NCVQVAETransformer(hidden_dim=16, codebook_dim=16, n_res_blocks=1, projector_dim=32,
    ...                          max_epochs=2, random_state=0).fit(X)
    >>> tok.transform(X).shape          # "multiscale": 16 * (2 + 5 frequency bins + 6 segments)
    (32, 208)
    >>> tok.encode(X).shape
    (32, 5, 8)
    >>> tok.reconstruct(X).shape
    (32, 64)
    """

    # convolutions in channels-last layout: faster on CPUs, same results (design decisions: precision)
    _channels_last = True

    def __init__(
        self,
        *,
        ssl: str | None = "barlowtwins",
        augmentations: str | Sequence[str] = "slice",
        ssl_weight: float | None = None,
        aug_recon_weight: float = 0.1,
        ssl_until: float = 0.75,
        ssl_view_grad: bool | str = "auto",
        n_fft: int = 8,
        hidden_dim: int = 64,
        latent_width: int | str = "auto",
        n_res_blocks: int = 4,
        codebook_size: int = 32,
        codebook_dim: int = 64,
        ema_decay: float = 0.9,
        commitment_weight: float = 1.0,
        projector_dim: int = 512,
        max_epochs: int | str = "auto",
        max_time: float | None = None,
        batch_size: int | str = "auto",
        lr: float = 1e-3,
        weight_decay: float = 1e-3,
        precision: str = "auto",
        output: str = "multiscale",
        projection: str | None = "auto",
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.ssl = ssl
        self.augmentations = augmentations
        self.ssl_weight = ssl_weight
        self.aug_recon_weight = aug_recon_weight
        self.ssl_until = ssl_until
        self.ssl_view_grad = ssl_view_grad
        self.n_fft = n_fft
        self.hidden_dim = hidden_dim
        self.latent_width = latent_width
        self.n_res_blocks = n_res_blocks
        self.codebook_size = codebook_size
        self.codebook_dim = codebook_dim
        self.ema_decay = ema_decay
        self.commitment_weight = commitment_weight
        self.projector_dim = projector_dim
        self.max_epochs = max_epochs
        self.max_time = max_time
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.precision = precision
        self.output = output
        self.projection = projection
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ validation
    _parameter_constraints: dict = {
        "ssl": [StrOptions({"barlowtwins", "vibcreg"}), None],
        "augmentations": [str, list, tuple],
        "ssl_weight": [NON_NEGATIVE, None],
        "aug_recon_weight": [NON_NEGATIVE],
        "ssl_until": [UNIT],
        "ssl_view_grad": ["boolean", StrOptions({"auto"})],
        "n_fft": [Interval(Integral, 4, None, closed="left")],
        "hidden_dim": [POSITIVE_INT],
        "latent_width": [POSITIVE_INT, StrOptions({"auto"})],
        "n_res_blocks": [NON_NEGATIVE_INT],
        "codebook_size": [POSITIVE_INT],
        "codebook_dim": [POSITIVE_INT],
        "ema_decay": [Interval(Real, 0, 1, closed="left")],
        "commitment_weight": [NON_NEGATIVE],
        "projector_dim": [POSITIVE_INT],
        "output": [StrOptions(set(_OUTPUTS))],
        "projection": [StrOptions({"auto", "standardize", "discriminant"}), None],
        **TRAINING,
        "max_epochs": [POSITIVE_INT, StrOptions({"auto"})],
        "batch_size": [POSITIVE_INT, StrOptions({"auto"})],
    }

    def _check_params(self) -> None:
        self._validate_params()
        resolve_augmentations(self.augmentations)
        if self.n_fft % 4:
            raise ValueError(f"n_fft must be a multiple of 4 (hop is n_fft // 4); got {self.n_fft}.")
        if self.codebook_dim != self.hidden_dim:
            raise ValueError(f"codebook_dim ({self.codebook_dim}) must equal hidden_dim ({self.hidden_dim}).")
        if self.ssl is not None and self.batch_size != "auto" and self.batch_size < 2:
            raise ValueError(
                f"batch_size={self.batch_size} with ssl={self.ssl!r}: the SSL projector's batch norm needs "
                "at least 2 series per batch; use batch_size >= 2 or ssl=None."
            )
        check_device(self.device)

    def _validate_X(self, X, *, reset: bool) -> np.ndarray:
        return self._validate_set(X, reset=reset)[0]

    def _validate_set(self, X, *, reset: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """The series at the working length ``length_``, and their own lengths when any differs."""
        arr, lengths = validate_series_set(self, X, reset=reset, min_samples=2 if reset else 1)
        check_min_length(arr.shape[2] if lengths is None else lengths, self.n_fft)
        return arr, lengths

    def _scale(self, arr: np.ndarray) -> np.ndarray:
        return ((arr - self.mean_[:, None]) / self.scale_[:, None]).astype(np.float32)  # (n, C, L)

    def _unscale(self, x: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray | list[np.ndarray]:
        """(n, C, L) model output -> series in input units and the user's layout, at ``lengths``
        (see :func:`skncvq._lengths.restore`)."""
        return restore((x * self.scale_[:, None] + self.mean_[:, None]).astype(np.float32), lengths)

    # ------------------------------------------------------------------ fit
    def _make_config(self, length: int, n_channels: int, n_series: int) -> NCVQVAEConfig:
        view_grad = self.ssl_view_grad
        if view_grad == "auto":
            view_grad = n_series < STOPGRAD_MIN_SERIES
        weight = self.ssl_weight
        if weight is None:
            weight = (_SSL_WEIGHTS if view_grad else _STOPGRAD_SSL_WEIGHTS).get(self.ssl, 1.0)
        return NCVQVAEConfig(
            length=length,
            n_channels=n_channels,
            n_fft=self.n_fft,
            hidden_dim=self.hidden_dim,
            latent_width=auto_latent_width(length) if self.latent_width == "auto" else self.latent_width,
            n_res_blocks=self.n_res_blocks,
            codebook_size=self.codebook_size,
            codebook_dim=self.codebook_dim,
            ema_decay=float(self.ema_decay),
            commitment_weight=float(self.commitment_weight),
            ssl=self.ssl,
            projector_dim=self.projector_dim,
            ssl_weight=float(weight),
            aug_recon_weight=float(self.aug_recon_weight),
            ssl_view_grad=view_grad,
        )

    def fit(self, X, y=None) -> NCVQVAETransformer:
        """Train the tokenizer on series ``X``, then fit ``projection`` on its features.

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or list
            Training series, at least 2: univariate as 2-D arrays or DataFrames (or tslearn's
            ``(n_series, length, 1)``), multivariate channels first, of unequal lengths a list
            of ``(length_i,)`` or ``(n_channels, length_i)`` arrays.
        y : array-like of shape (n_series,) or None, default=None
            Class labels, used only by ``projection`` ("auto" or "discriminant"); training the
            tokenizer never sees them.

        Returns
        -------
        self : NCVQVAETransformer
        """
        self._fit(X, y)
        return self

    @fit_transaction
    def _fit(self, X, y) -> np.ndarray | None:
        """The body of ``fit``; returns the training series' unprojected features when fitting
        the projection encoded them (None otherwise), for ``fit_transform``."""
        self._check_params()
        arr = self._validate_X(X, reset=True)
        self.n_channels_ = arr.shape[1]
        self.mean_, self.scale_ = global_scale(arr)
        x = self._scale(arr)
        self.device_ = resolve_device(self.device)
        self.precision_ = resolve_precision(self.precision, self.device_)
        self.config_ = self._make_config(arr.shape[2], arr.shape[1], len(arr))
        self.max_epochs_ = (
            auto_tokenizer_epochs(len(arr), arr.shape[2])
            if self.max_epochs == "auto"
            else int(self.max_epochs)
        )
        self.batch_size_ = (
            auto_tokenizer_batch(len(arr)) if self.batch_size == "auto" else int(self.batch_size)
        )
        seed = draw_seed(self.random_state)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._new_module()
        settings = TrainSettings(
            lr=self.lr, weight_decay=self.weight_decay, max_epochs=self.max_epochs_, max_time=self.max_time,
            batch_size=self.batch_size_, precision=self.precision_, device=self.device_, verbose=self.verbose,
        )  # fmt: skip
        net = make_tokenizer_net(
            module,
            settings,
            n_series=len(x),
            seed=seed,
            augmentations=resolve_augmentations(self.augmentations),
            grad_clip=_GRAD_CLIP,
            ssl_until=float(self.ssl_until),
        )
        trained = train(net, x)
        self.module_ = trained.module
        keys = ("epoch", "train_loss", *LOSS_KEYS, "dur")
        self.history_ = [{k: row[k] for k in keys if k in row} for row in trained.history]
        for row, epoch in zip(self.history_, trained.history):
            row["lr"] = epoch["batches"][-1].get("lr", float("nan")) if epoch["batches"] else float("nan")
        self.n_epochs_ = len(self.history_)
        tokens = self._apply(self._encode_fn(), arr)
        self.code_counts_ = np.bincount(tokens.ravel(), minlength=self.config_.codebook_size)
        self.module_.quantizer.retire(torch.from_numpy(self.code_counts_))
        self.codebook_ = self.module_.quantizer.embed.detach().cpu().numpy().copy()
        self.token_shape_ = self.config_.token_shape
        return self._fit_projection(arr, y)

    def fit_transform(self, X, y=None) -> np.ndarray:
        """Fit, then return ``transform`` of the training series, reusing the features the
        projection was fitted on instead of encoding the series again.

        Parameters
        ----------
        X, y
            As in :meth:`fit`.

        Returns
        -------
        Xt : ndarray or DataFrame of shape (n_series, n_features_out)
            As :meth:`transform` returns.
        """
        features = self._fit(X, y)
        return self._transform(X) if features is None else self._project(features)

    def _fit_projection(self, arr: np.ndarray, y) -> np.ndarray | None:
        """Fit ``projection`` on the training series; returns their unprojected features when
        it encoded them (None otherwise)."""
        if y is not None:
            y = column_or_1d(y, warn=True)
            check_consistent_length(arr, y)
        self.projection_kind_ = resolve_projection(self.projection, self.output, y)
        self.projected_output_ = self.output
        self.feature_mean_ = self.feature_scale_ = self.projection_ = None
        if self.projection_kind_ is None:
            return None
        features = self._features(arr, validated=True)
        self.feature_mean_, self.feature_scale_, self.projection_ = fit_projection(
            features, y, self.projection_kind_
        )
        return features

    def _new_module(self) -> NCVQVAE:
        """An untrained network of the fitted architecture (under ``torch.device("meta")``, its
        layout without allocating it: :func:`skncvq.load` checks a file against it)."""
        module = NCVQVAE(self.config_)
        return module.to(memory_format=torch.channels_last) if self._channels_last else module

    def transform(self, X) -> np.ndarray:
        """Encode series into the representation chosen by ``output``, then apply the
        ``projection`` fitted at ``fit`` (to the "multiscale", "pooled" and "pooled_continuous"
        outputs).

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or list
            Series of the channels seen in ``fit`` and of ``length_``; of any lengths (a list of
            arrays) when the tokenizer was fitted on unequal lengths.

        Returns
        -------
        Xt : ndarray or DataFrame of shape (n_series, n_features_out)
            float32 features (int64 token ids for ``output="tokens"``); a DataFrame under
            ``set_output(transform="pandas")``.
        """
        return self._transform(X)

    @property
    def _n_features_out(self) -> int:
        """Width of ``transform``'s output (follows ``output`` when it is changed after fit)."""
        check_is_fitted(self)
        return self._output_width()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.input_tags.allow_nan = False
        return tags
