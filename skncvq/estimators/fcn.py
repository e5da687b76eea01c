"""FCNClassifier: the supervised fully convolutional network used to evaluate generated series."""

from __future__ import annotations

from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._validation import check_device, global_scale, validate_labels, validate_series
from ..nn import FCN
from ..training import TrainSettings, make_classifier_net, train
from ._constraints import POSITIVE_INT, TRAINING
from ._doc_link import DocLinkMixin
from ._fit_state import FitStateMixin, fit_transaction
from ._pickling import PicklingMixin
from ._torch_utils import batched, draw_seed, inference, resolve_device, resolve_precision

__all__ = ["FCNClassifier"]

_EVAL_BATCH = 512


class FCNClassifier(DocLinkMixin, PicklingMixin, FitStateMixin, ClassifierMixin, BaseEstimator):
    """Fully convolutional network classifier for univariate time series (Wang et al. 2017).

    Three Conv1d blocks (128, 256, 128 filters; kernels 8, 5, 3; "same" padding, BatchNorm,
    ReLU), global average pooling and a linear head, trained with AdamW and a cosine schedule.
    It is the evaluator of :func:`skncvq.metrics.fid_score` (pooled 128-d features, see
    :meth:`embed`), :func:`skncvq.metrics.inception_score` (class probabilities) and
    :func:`skncvq.metrics.cas_score`. The reference downloads one pretrained FCN per UCR
    dataset (1000 epochs, batch 256, lr 1e-3, weight decay 1e-5); this one is trained locally.

    Parameters
    ----------
    max_epochs : int, default=200
        Training epochs (the reference trains 1000).
    max_time : float or None, default=None
        Optional wall-clock budget in seconds; the cosine schedule ends with whichever budget
        runs out first.
    batch_size : int, default=32
        Batch size (the reference's is 256). See
        :ref:`decision-fcn-batch-size-evaluator-cas-classifier`.
    lr : float, default=1e-3
        AdamW learning rate.
    weight_decay : float, default=1e-5
        AdamW weight decay.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified) and keep the weights
        of the epoch with the lowest validation loss, stopping after ``patience`` epochs
        without improvement.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping`` is on.
    patience : int, default=30
        Epochs without improvement before early stopping.
    precision : {"auto", "fp32", "bf16"}, default="auto"
        Training precision (see :class:`NCVQVAETransformer`); prediction runs in float32.
    device : str, default="auto"
        "auto", "cpu" or "cuda".
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling and the validation split.
    verbose : int, default=0
        1 shows one progress bar over the fit, with its remaining time, and a per-epoch
        summary.

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in ``fit``.
    module_ : FCN
        The fitted network (an ``skncvq.nn.FCN``), in eval mode.
    n_features_in_ : int
        Values per series: ``length_`` times its channels.
    length_ : int
        The length the model works at: the training series' length, or the longest training
        series' when their lengths differ (see :ref:`unequal lengths <decision-unequal-lengths>`).
    variable_length_ : bool
        Whether the training series had unequal lengths; then series of any length are
        interpolated onto ``length_``, otherwise other lengths are refused.
    n_channels_ : int
        Channels per series (1 for 2-D input); the first convolution takes them all.
    mean_, scale_ : ndarray of shape (n_channels,)
        Per channel, the training mean and standard deviation used to scale inputs.
    history_ : list of dict
        Per-epoch ``train_loss`` (and ``valid_loss``, ``valid_acc`` with early stopping), ``dur``.

    Examples
    --------
    >>> from skncvq import FCNClassifier
    >>> from skncvq.datasets import make_synthetic
    >>> X, y = make_synthetic(60, 64, 3, random_state=0)
    >>> fcn = FCNClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> fcn.predict_proba(X[:2]).shape, fcn.embed(X[:2]).shape
    ((2, 3), (2, 128))
    """

    def __init__(
        self,
        *,
        max_epochs: int = 200,
        max_time: float | None = None,
        batch_size: int = 32,
        lr: float = 1e-3,
        weight_decay: float = 1e-5,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 30,
        precision: str = "auto",
        device: str = "auto",
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.max_epochs = max_epochs
        self.max_time = max_time
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.precision = precision
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    _parameter_constraints: dict = {
        **TRAINING,
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0.01, 0.9, closed="both")],
        "patience": [POSITIVE_INT],
    }

    def _check_params(self) -> None:
        self._validate_params()
        check_device(self.device)

    def _validate_X(self, X, *, reset: bool) -> np.ndarray:
        return validate_series(self, X, reset=reset, min_samples=2 if reset else 1)

    def _scale(self, arr: np.ndarray) -> np.ndarray:
        return ((arr - self.mean_[:, None]) / self.scale_[:, None]).astype(np.float32)  # (n, C, L)

    @fit_transaction
    def fit(self, X, y) -> FCNClassifier:
        """Train on series ``X`` with labels ``y`` (any hashable label type).

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or list
            Training series: univariate as 2-D arrays or DataFrames (or tslearn's
            ``(n_series, length, 1)``), multivariate channels first, of unequal lengths a list
            of ``(length_i,)`` or ``(n_channels, length_i)`` arrays.
        y : array-like of shape (n_series,)
            Class labels.

        Returns
        -------
        self : FCNClassifier
        """
        self._check_params()
        arr = self._validate_X(X, reset=True)
        y = validate_labels(y, len(arr))
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"FCNClassifier needs at least 2 classes; got 1 class ({self.classes_[0]!r}).")
        y_enc = encoder.transform(y).astype(np.int64)
        self.n_channels_ = arr.shape[1]
        self.mean_, self.scale_ = global_scale(arr)
        self.device_ = resolve_device(self.device)
        self.precision_ = resolve_precision(self.precision, self.device_)
        seed = draw_seed(self.random_state)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = self._new_module()
        settings = TrainSettings(
            lr=self.lr, weight_decay=self.weight_decay, max_epochs=self.max_epochs, max_time=self.max_time,
            batch_size=self.batch_size, precision=self.precision_, device=self.device_, verbose=self.verbose,
        )  # fmt: skip
        net = make_classifier_net(
            module,
            settings,
            n_series=len(arr),
            n_classes=len(self.classes_),
            seed=seed,
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            patience=self.patience,
        )
        trained = train(net, self._scale(arr), y_enc)
        self.module_ = trained.module
        keys = ("epoch", "train_loss", "valid_loss", "valid_acc", "dur")
        self.history_ = [{k: row[k] for k in keys if k in row} for row in trained.history]
        return self

    def _new_module(self) -> FCN:
        """An untrained network of the fitted architecture (under ``torch.device("meta")``, its
        layout without allocating it: :func:`skncvq.load` checks a file against it)."""
        return FCN(len(self.classes_), in_channels=self.n_channels_)

    def _forward(self, X, fn) -> np.ndarray:
        check_is_fitted(self)
        arr = self._validate_X(X, reset=False)
        module = self.module_
        with inference(module):
            return batched(lambda x: fn(module, x), self._scale(arr), self.device_, _EVAL_BATCH)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape ``(n_series, n_classes)``, columns in ``classes_`` order."""
        return self._forward(X, lambda m, x: torch.softmax(m(x).float(), dim=1)).astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """Most probable class label of each series."""
        proba = self.predict_proba(X)  # checks fitted state first
        return self.classes_[proba.argmax(1)]

    def score(self, X, y, sample_weight=None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_series, length)
        y : array-like of shape (n_series,)
        sample_weight : array-like of shape (n_series,) or None

        Returns
        -------
        float
        """
        return super().score(X, y, sample_weight=sample_weight)

    def embed(self, X) -> np.ndarray:
        """The 128-d globally average-pooled features (the FID feature), float64."""
        return self._forward(X, lambda m, x: m.features(x)).astype(np.float64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags
