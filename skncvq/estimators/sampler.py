"""MaskGITSampler: class-conditional synthetic time series from a MaskGIT prior over tokens."""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._validation import check_device, check_min_length, validate_labels, validate_series_set
from ..nn import MaskGIT, MaskGITConfig
from ..training import TrainSettings, make_prior_net, train
from ._constraints import NON_NEGATIVE, POSITIVE, POSITIVE_INT, TRAINING, UNIT
from ._doc_link import DocLinkMixin
from ._fit_state import FitStateMixin, fit_transaction
from ._pickling import PicklingMixin
from ._prior_sizes import AUTO_PRIOR_LR, auto_prior_batch, auto_prior_lr_scale, auto_prior_width
from ._sampler_inference import SamplerInferenceMixin
from ._torch_utils import draw_seed, resolve_device, resolve_precision
from ._train_order import train_order
from .tokenizer import NCVQVAETransformer

__all__ = ["MaskGITSampler", "auto_prior_batch", "auto_prior_width"]


def _unfrozen(tokenizer):
    """The estimator inside a :class:`sklearn.frozen.FrozenEstimator`, or ``tokenizer`` itself."""
    return tokenizer.estimator if isinstance(tokenizer, FrozenEstimator) else tokenizer


class MaskGITSampler(DocLinkMixin, PicklingMixin, FitStateMixin, SamplerInferenceMixin, BaseEstimator):
    """Generate time series with a class-conditional MaskGIT prior over NC-VQVAE tokens.

    ``fit`` tokenizes the training series with a stage-1 :class:`NCVQVAETransformer` (fitted
    here unless it already is) and trains a bidirectional transformer to predict masked tokens
    from the others and the class (one prior type for every tokenizer configuration; by default
    one transformer position per latent time step, see ``positions``, and epochs that visit
    every class equally often, see ``class_balance``). ``sample``
    decodes new token grids iteratively (``n_steps`` steps, cosine schedule, Gumbel-noised
    confidence) and turns them into series with the tokenizer's decoder. With
    ``guidance_scale != 1`` the conditional and unconditional logits are mixed
    (classifier-free guidance). ``score`` is the prior's masked-token log-likelihood on given
    series (its validation loss, negated), so a search over prior parameters on one fitted
    tokenizer needs no scorer.

    Parameters
    ----------
    tokenizer : NCVQVAETransformer, FrozenEstimator of one, or None, default=None
        Stage-1 model. None fits ``NCVQVAETransformer(random_state=random_state)``; an unfitted
        one is cloned and fitted on ``X``; a fitted one is used as is. To share one fitted
        tokenizer between the candidates and folds of a search, wrap it:
        ``tokenizer=FrozenEstimator(fitted)`` (:class:`sklearn.frozen.FrozenEstimator`); a bare
        fitted tokenizer is unfitted by the ``clone`` every search makes, and fitted again.
    hidden_dim : int or "auto", default="auto"
        Transformer width (the reference's is 256). "auto": 128, or 64 when the training set
        holds more than 2**18 transformer positions (series x positions per series). The width
        used is ``config_.hidden_dim``. See :ref:`decision-stage-2-prior`.
    n_layers : int, default=4
        Transformer layers.
    n_heads : int, default=2
        Attention heads; must divide the width.
    dropout : float in [0, 1], default=0.0
        Dropout in the transformer.
    class_conditioning : {"token", "all"}, default="token"
        How the prior sees the class: "token" is the reference's class token in front of the
        grid; "all" also adds the class embedding at every position.
    positions : {"column", "token"}, default="column"
        What one transformer position holds: "column", one latent time step's column of
        ``n_freq`` tokens; "token", one token (the reference). Same objective and decoding, per
        token; "column" has ``n_freq`` times fewer positions. See :ref:`decision-prior-positions`.
    p_unconditional : float in [0, 1], default=0.2
        Probability of dropping the class during training; it trains the no-class logits that
        guidance and ``unconditional="null"`` use.
    class_balance : float in [0, 1], default=1.0
        How evenly a training epoch visits the classes: a series of a class of ``n_c`` series
        is drawn with weight ``n_c ** -class_balance``. 0 shuffles (the reference), 1 visits
        every class equally often. Ignored without labels. See :ref:`decision-class-balance`.
    guidance_scale : float >= 0, default=2.0
        Classifier-free guidance of class-conditional sampling: the logits are
        ``null + guidance_scale * (conditional - null)``; 1 is plain conditional sampling (the
        reference). Values other than 1 need ``p_unconditional > 0``. See :ref:`decision-guidance`.
    unconditional : {"class_prior", "null"}, default="class_prior"
        How ``sample(n)`` without labels draws: "class_prior" draws each series' label from the
        training class frequencies, then samples it conditionally; "null" feeds the no-class
        token (the reference). A sampler fitted without labels always uses the no-class token.
        See :ref:`decision-unconditional-sampling`.
    n_steps : int, default=10
        Iterative decoding steps.
    mask_schedule : {"cosine"}, default="cosine"
        Masking schedule of training and decoding.
    temperature : float > 0, default=1.0
        Softmax temperature of the token sampling.
    choice_temperature : float >= 0, default=4.0
        Scale of the Gumbel noise on the confidence that chooses which tokens to keep.
    max_epochs : int, default=300
        Prior training epochs (the reference's is 1000).
    max_time : float > 0 or None, default=None
        Optional wall-clock budget in seconds for the prior's training.
    batch_size : int or "auto", default="auto"
        Training batch size. "auto": about 5120 tokens per batch, the largest power of two up to
        ``5120 / n_tokens`` kept within [8, 64]. The batch used is ``batch_size_``. See
        :ref:`decision-prior-batch-size`.
    lr : float > 0 or "auto", default="auto"
        Peak learning rate of the cosine schedule. "auto": 1e-3, raised by
        ``1 / sqrt(reachable)`` up to 3x when ``max_time`` will stop the fit after the fraction
        ``reachable`` of ``max_epochs``, estimated from the first optimizer steps. The lr used is
        ``lr_``. See :ref:`decision-prior-learning-rate`.
    weight_decay : float >= 0, default=1e-3
        AdamW weight decay.
    sampling_strategy : str, dict or float, default="auto"
        Which classes :meth:`fit_resample` tops up, as in imbalanced-learn: "auto" /
        "not majority", "minority", "all", a dict ``{label: target count}``, or
        a float (binary problems: the desired minority / majority ratio).
    resampling : {"edit", "generate"}, default="edit"
        How :meth:`fit_resample` makes its new series. "edit": variations of the class's own
        series, drawn in turn (:meth:`edit`); "generate": new series drawn from the prior
        (:meth:`sample`). See :ref:`decision-resampling`.
    edit_ratio : float in (0, 1], default=0.5
        Share of a series' tokens that :meth:`edit` masks and draws again.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        "auto" trains in bfloat16 on GPUs that support it and in float32 on CPUs, and samples
        with a bfloat16 copy of the prior wherever the hardware runs bfloat16 natively; "fp32" /
        "bf16" fix both. See :ref:`decision-sampling-precision`.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        "auto" uses CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds the tokenizer (when fitted here), the prior, and sampling when ``sample`` gets no
        ``random_state`` of its own.
    verbose : int, default=0
        0 is silent; 1 shows one progress bar over the fit, with its remaining time, and a
        per-epoch summary.

    Attributes
    ----------
    tokenizer_ : NCVQVAETransformer
        The fitted stage-1 model.
    config_ : MaskGITConfig
        Sizes of the prior, with ``hidden_dim`` resolved.
    module_ : MaskGIT
        The fitted prior (a ``skncvq.nn.MaskGIT``), in eval mode.
    classes_ : ndarray or None
        Labels seen in ``fit`` (None when fitted without ``y``).
    class_prior_ : ndarray or None
        Training frequency of each class in ``classes_`` (None when fitted without ``y``).
    n_features_in_ : int
        Values per series: ``length_`` times its channels.
    length_ : int
        The length the model works at: the training series' length, or the longest training
        series' when their lengths differ (see :ref:`unequal lengths <decision-unequal-lengths>`).
    variable_length_ : bool
        Whether the training series had unequal lengths; then series of any length are
        interpolated onto ``length_``, otherwise other lengths are refused.
    train_lengths_ : ndarray of int of shape (n_train,)
        Each training series' length, from which ``sample`` draws lengths.
    train_classes_ : ndarray of int of shape (n_train,)
        Each training series' class, as an index into ``classes_`` (0 without labels).
    n_channels_ : int
        Channels per series (1 for 2-D input).
    history_ : list of dict
        Per-epoch ``train_loss`` and ``dur``.
    precision_, sample_precision_ : str
        Precision used for training and for sampling.
    lr_ : float
        Peak learning rate used (``lr``, resolved when "auto").
    batch_size_ : int
        Training batch size used (``batch_size``, resolved when "auto", at most the number of
        series).
    sampling_strategy_ : dict
        Set by :meth:`fit_resample`: the number of synthetic series it added per class label,
        as imbalanced-learn's samplers record it.

    Examples
    --------
    >>> from skncvq import MaskGITSampler, NCVQVAETransformer
    >>> from skncvq.datasets import make_synthetic
    >>> X, y = make_synthetic(40, 64, 2, random_state=0)
    >>> tok = NCVQVAETransformer(ssl=None, hidden_dim=8, codebook_dim=8, n_res_blocks=1, max_epochs=2)
    >>> sampler = MaskGITSampler(tokenizer=tok, hidden_dim=16, n_layers=1, max_epochs=2,
    ...                          random_state=0).fit(X, y)
    >>> sampler.sample(3, y=1).shape
    (3, 64)
    >>> sampler.score(X, y) < 0  # mean log-likelihood per masked token
    True
    """

    _inference_precisions = ("sample_precision_",)

    def __init__(
        self,
        tokenizer: NCVQVAETransformer | None = None,
        *,
        hidden_dim: int | str = "auto",
        n_layers: int = 4,
        n_heads: int = 2,
        dropout: float = 0.0,
        class_conditioning: str = "token",
        positions: str = "column",
        p_unconditional: float = 0.2,
        class_balance: float = 1.0,
        guidance_scale: float = 2.0,
        unconditional: str = "class_prior",
        n_steps: int = 10,
        mask_schedule: str = "cosine",
        temperature: float = 1.0,
        choice_temperature: float = 4.0,
        max_epochs: int = 300,
        max_time: float | None = None,
        batch_size: int | str = "auto",
        lr: float | str = "auto",
        weight_decay: float = 1e-3,
        sampling_strategy: str | dict | float = "auto",
        resampling: str = "edit",
        edit_ratio: float = 0.5,
        precision: str = "auto",
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.tokenizer = tokenizer
        self.hidden_dim = hidden_dim
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.dropout = dropout
        self.class_conditioning = class_conditioning
        self.positions = positions
        self.p_unconditional = p_unconditional
        self.class_balance = class_balance
        self.guidance_scale = guidance_scale
        self.unconditional = unconditional
        self.n_steps = n_steps
        self.mask_schedule = mask_schedule
        self.temperature = temperature
        self.choice_temperature = choice_temperature
        self.max_epochs = max_epochs
        self.max_time = max_time
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.sampling_strategy = sampling_strategy
        self.resampling = resampling
        self.edit_ratio = edit_ratio
        self.precision = precision
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    _parameter_constraints: dict = {
        "tokenizer": [HasMethods(["fit", "encode", "decode"]), None],
        "hidden_dim": [POSITIVE_INT, StrOptions({"auto"})],
        "n_layers": [POSITIVE_INT],
        "n_heads": [POSITIVE_INT],
        "dropout": [UNIT],
        "class_conditioning": [StrOptions({"token", "all"})],
        "positions": [StrOptions({"column", "token"})],
        "p_unconditional": [UNIT],
        "class_balance": [UNIT],
        "guidance_scale": [NON_NEGATIVE],
        "unconditional": [StrOptions({"class_prior", "null"})],
        "n_steps": [POSITIVE_INT],
        "mask_schedule": [StrOptions({"cosine"})],
        "temperature": [POSITIVE],
        "choice_temperature": [NON_NEGATIVE],
        "sampling_strategy": [
            StrOptions({"auto", "not majority", "minority", "all"}),
            dict,
            Interval(Real, 0, 1, closed="right"),
        ],
        "resampling": [StrOptions({"edit", "generate"})],
        "edit_ratio": [Interval(Real, 0, 1, closed="right")],
        **TRAINING,
        "batch_size": [POSITIVE_INT, StrOptions({"auto"})],
        "lr": [POSITIVE, StrOptions({"auto"})],
    }

    def _check_params(self) -> None:
        self._check_sampling_params()
        auto_width = self.hidden_dim == "auto"
        if (64 if auto_width else self.hidden_dim) % self.n_heads:
            width = "'auto' (64 or 128)" if auto_width else f"({self.hidden_dim})"
            raise ValueError(f"hidden_dim {width} must be divisible by n_heads ({self.n_heads}).")
        check_device(self.device)

    def _check_sampling_params(self) -> None:
        # parameters read at sampling time: checked there too, so set_params after fit is caught
        self._validate_params()
        if self.tokenizer is not None and not isinstance(_unfrozen(self.tokenizer), NCVQVAETransformer):
            raise TypeError(
                "tokenizer must be an NCVQVAETransformer, a FrozenEstimator of a fitted one, or None; "
                f"got {type(_unfrozen(self.tokenizer)).__name__}."
            )

    def _check_guidance(self, conditional: bool) -> None:
        # guidance mixes in the no-class logits, which only class dropout trains; a prior fitted
        # without labels has no class to guide, so there it is not an error
        if conditional and self.guidance_scale != 1 and self.p_unconditional == 0:
            raise ValueError(
                f"guidance_scale={self.guidance_scale} mixes in the prior's no-class logits, which "
                "p_unconditional=0 never trains; set p_unconditional > 0 or guidance_scale=1.0."
            )

    def _fit_tokenizer(self, X, seed: int) -> NCVQVAETransformer:
        """The fitted tokenizer: ``tokenizer`` itself when fitted, else fitted on ``X`` (the
        training series as given, so that it knows their lengths)."""
        if self.tokenizer is None:
            return NCVQVAETransformer(random_state=seed).fit(X)
        tokenizer = _unfrozen(self.tokenizer)
        try:
            check_is_fitted(tokenizer)
        except NotFittedError:
            if tokenizer is not self.tokenizer:
                raise ValueError(
                    "tokenizer is a FrozenEstimator of an unfitted tokenizer; freeze a fitted one, or "
                    "pass the unfitted tokenizer itself to have it fitted here."
                ) from None
            return clone(tokenizer).fit(X)
        if (tokenizer.n_channels_, tokenizer.length_) != (self.n_channels_, self.length_):
            raise ValueError(
                f"the tokenizer was fitted on series of length {tokenizer.length_} with "
                f"{tokenizer.n_channels_} channel(s), but X has length {self.length_} with "
                f"{self.n_channels_}; pass an unfitted tokenizer or series of the tokenizer's shape."
            )
        return tokenizer

    @fit_transaction
    def fit(self, X, y=None) -> MaskGITSampler:
        """Fit the tokenizer (unless already fitted) and the prior.

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or list
            Training series: univariate as 2-D arrays or DataFrames (or tslearn's
            ``(n_series, length, 1)``), multivariate channels first, of unequal lengths a list
            of ``(length_i,)`` or ``(n_channels, length_i)`` arrays.
        y : array-like of shape (n_series,) or None
            Class labels (any type) for class-conditional sampling; None trains an
            unconditional prior.

        Returns
        -------
        self : MaskGITSampler
        """
        self._check_params()
        self._check_guidance(conditional=y is not None)
        arr, lengths = validate_series_set(self, X, reset=True, min_samples=2)
        self.n_channels_ = arr.shape[1]
        self.train_lengths_ = np.full(len(arr), self.length_) if lengths is None else lengths
        if y is None:
            self.classes_ = None
            self.class_prior_ = None
            y_enc = np.zeros(len(arr), dtype=np.int64)
            n_classes = 0
        else:
            y = validate_labels(y, len(arr))
            encoder = LabelEncoder().fit(y)
            if len(encoder.classes_) < 2:
                raise ValueError(
                    f"y has a single class ({encoder.classes_[0]!r}); class-conditional sampling needs at "
                    "least 2 classes. Pass y=None to train an unconditional sampler."
                )
            self.classes_ = encoder.classes_
            y_enc = encoder.transform(y).astype(np.int64)
            n_classes = len(self.classes_)
            self.class_prior_ = np.bincount(y_enc, minlength=n_classes) / len(y_enc)
        self.train_classes_ = y_enc.copy()
        seed = draw_seed(self.random_state)
        self.tokenizer_ = self._fit_tokenizer(arr if lengths is None else X, seed)
        if lengths is not None:
            check_min_length(lengths, self.tokenizer_.n_fft)
        tokens = self.tokenizer_.encode(arr).reshape(len(arr), -1)  # (n, F, W') -> (n, N)
        self.token_shape_ = tuple(self.tokenizer_.token_shape_)
        self.device_ = resolve_device(self.device)
        # bf16 autocast does not speed up this small transformer's training on CPUs, so "auto"
        # keeps float32 there and uses bf16 on GPUs that support it
        auto_cpu = self.precision == "auto" and not self.device_.startswith("cuda")
        self.precision_ = "fp32" if auto_cpu else resolve_precision(self.precision, self.device_)
        # sampling is inference only: a bf16 copy of the prior is faster on bf16-native CPUs
        self.sample_precision_ = resolve_precision(self.precision, self.device_)
        column_height = self.token_shape_[0] if self.positions == "column" else 1
        self.config_ = MaskGITConfig(
            n_tokens=tokens.shape[1],
            codebook_size=self.tokenizer_.config_.codebook_size,
            n_classes=n_classes,
            hidden_dim=(
                auto_prior_width(len(tokens), tokens.shape[1] // column_height)
                if self.hidden_dim == "auto"
                else int(self.hidden_dim)
            ),
            n_layers=self.n_layers,
            n_heads=self.n_heads,
            dropout=float(self.dropout),
            class_conditioning=self.class_conditioning,
            column_height=column_height,
        )
        if y is None:
            y_enc[:] = n_classes  # every series is "no class"
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._new_module()
        batch_size = auto_prior_batch(tokens.shape[1]) if self.batch_size == "auto" else self.batch_size
        self.batch_size_ = min(int(batch_size), len(arr))
        lr = AUTO_PRIOR_LR if self.lr == "auto" else self.lr
        settings = TrainSettings(
            lr=lr, weight_decay=self.weight_decay, max_epochs=self.max_epochs, max_time=self.max_time,
            batch_size=self.batch_size_, precision=self.precision_, device=self.device_, verbose=self.verbose,
        )  # fmt: skip
        net = make_prior_net(
            module,
            settings,
            seed=seed,
            lr_scale=auto_prior_lr_scale if self.lr == "auto" else None,
            train_order=train_order(y_enc, n_classes, float(self.class_balance), seed + 1),
            p_unconditional=float(self.p_unconditional) if y is not None else 0.0,
        )
        trained = train(net, tokens.astype(np.int64), y_enc)
        self.module_ = trained.module
        self.lr_ = float(lr * trained.lr_scale)
        self.history_ = [
            {k: row[k] for k in ("epoch", "train_loss", "dur") if k in row} for row in trained.history
        ]
        return self

    def _new_module(self) -> MaskGIT:
        """An untrained network of the fitted architecture (under ``torch.device("meta")``, its
        layout without allocating it: :func:`skncvq.load` checks a file against it)."""
        return MaskGIT(self.config_)
