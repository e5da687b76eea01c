"""A fit never returns a model that diverged in its last steps."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from skncvq import NCVQVAETransformer
from skncvq.nn import Encoder

from ..conftest import TINY


def test_a_non_finite_last_step_raises_and_leaves_the_estimator_unfitted(data, nan_on_training_call):
    X, _ = data
    nan_on_training_call(Encoder, n=5)  # two encoder passes a step (two views): the third step is the last
    tok = NCVQVAETransformer(**{**TINY, "max_epochs": 3, "batch_size": len(X)})  # one step an epoch
    with pytest.raises(RuntimeError, match="diverged at the end"):
        tok.fit(X)
    with pytest.raises(NotFittedError):
        tok.transform(X)


def test_a_skipped_step_before_the_end_is_survived(data, nan_on_training_call):
    X, _ = data
    nan_on_training_call(Encoder, n=3)
    tok = NCVQVAETransformer(**{**TINY, "max_epochs": 3, "batch_size": len(X)}).fit(X)
    assert sum(row["skipped_steps"] for row in tok.history_) == 1
    assert np.isfinite(tok.reconstruct(X)).all()


def test_non_finite_weights_after_training_are_reported_by_name(data, nets):
    X, _ = data
    tok = NCVQVAETransformer(**TINY).fit(X)
    with torch.no_grad():
        next(tok.module_.parameters()).fill_(float("inf"))
    with pytest.raises(RuntimeError, match="non-finite values in"):
        nets[-1].check_finite_end()  # the net that trained tok.module_
