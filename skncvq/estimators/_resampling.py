"""How many synthetic series ``MaskGITSampler.fit_resample`` adds per class."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["resampling_targets"]


def resampling_targets(strategy, y: np.ndarray) -> dict:
    """Synthetic series to add per label so that ``y`` meets ``strategy``, imbalanced-learn's
    ``sampling_strategy``: "auto" / "not majority", "minority", "all", a dict
    ``{label: target count}`` or a float (binary targets: minority / majority ratio).

    Examples
    --------
    >>> import numpy as np
    >>> resampling_targets("auto", np.array([0, 0, 0, 1]))
    {1: 2}
    """
    labels, counts = np.unique(y, return_counts=True)
    count = dict(zip(labels.tolist(), counts.tolist()))
    majority = max(count, key=count.get)
    minority = min(count, key=count.get)
    if isinstance(strategy, str):
        if strategy in ("auto", "not majority"):
            return {c: count[majority] - n for c, n in count.items() if c != majority}
        if strategy == "minority":
            return {minority: count[majority] - count[minority]}
        if strategy == "all":
            return {c: count[majority] - n for c, n in count.items()}
        raise ValueError(
            f"sampling_strategy={strategy!r} is not one of 'auto', 'not majority', 'minority', 'all', "
            "a dict or a float."
        )
    if isinstance(strategy, dict):
        out = {}
        for c, target in strategy.items():
            if c not in count:
                raise ValueError(f"sampling_strategy names label {c!r}, which is not in y.")
            if not isinstance(target, numbers.Integral) or isinstance(target, bool):
                raise TypeError(
                    f"sampling_strategy asks for {target!r} series of {c!r}; a count must be an integer."
                )
            if target < count[c]:
                raise ValueError(
                    f"sampling_strategy asks for {target} series of {c!r}, fewer than its {count[c]}."
                )
            out[c] = target - count[c]
        return out
    if isinstance(strategy, numbers.Real):
        if len(count) != 2:
            raise ValueError("a float sampling_strategy is only defined for binary targets.")
        target = int(round(strategy * count[majority]))
        if not 0 < strategy <= 1 or target < count[minority]:
            raise ValueError(
                f"sampling_strategy={strategy} must lie in (0, 1] and not shrink the minority class."
            )
        return {minority: target - count[minority]}
    raise ValueError(f"sampling_strategy must be a string, dict or float; got {strategy!r}.")
