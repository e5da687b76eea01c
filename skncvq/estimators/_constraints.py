"""Parameter constraints shared by the estimators, in scikit-learn's ``_parameter_constraints``
vocabulary: ``set_params``, ``fit`` and the methods that read a parameter at use all validate
through ``BaseEstimator._validate_params``."""

from __future__ import annotations

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

POSITIVE_INT = Interval(Integral, 1, None, closed="left")
NON_NEGATIVE_INT = Interval(Integral, 0, None, closed="left")
POSITIVE = Interval(Real, 0, None, closed="neither")
NON_NEGATIVE = Interval(Real, 0, None, closed="left")
UNIT = Interval(Real, 0, 1, closed="both")
PRECISION = StrOptions({"auto", "fp32", "bf16"})

#: The training parameters every estimator shares.
TRAINING = {
    "max_epochs": [POSITIVE_INT],
    "max_time": [POSITIVE, None],
    "batch_size": [POSITIVE_INT],
    "lr": [POSITIVE],
    "weight_decay": [NON_NEGATIVE],
    "precision": [PRECISION],
    "device": [str],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}
