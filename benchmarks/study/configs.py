"""The study's configurations: the thesis' seven stage-1 configurations by name and the split of
one cell's time budget between the two stages."""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["CONFIGS", "Budget", "config_params", "MAX_EPOCHS"]

#: Epoch cap of every model a cell trains; the time budget ends training first.
MAX_EPOCHS = 1000

#: The thesis' seven stage-1 configurations.
CONFIGS = (
    "naive",
    "barlowtwins-warp",
    "barlowtwins-slice",
    "barlowtwins-gauss",
    "vibcreg-warp",
    "vibcreg-slice",
    "vibcreg-gauss",
)


def config_params(config: str) -> dict:
    """Tokenizer parameters of a configuration name: ``"naive"`` (plain VQ-VAE) or
    ``"<ssl>-<augmentation set>"`` such as ``"vibcreg-warp"``; ``"default"`` is the package's
    defaults.

    The thesis' seven configurations keep the reference code's latent width 8 whatever the
    series length, its batch of 128, its SSL branch to the end of training (``ssl_until=1.0``)
    and gradients through both views (``ssl_view_grad=True``), so the grid reproduces the study;
    ``"default"`` uses ``latent_width="auto"``, ``batch_size="auto"``, ``ssl_until=0.75`` and
    ``ssl_view_grad="auto"``.
    """
    if config == "default":
        return {}
    if config == "naive":
        return {"ssl": None, "latent_width": 8, "batch_size": 128}
    ssl, _, aug = config.partition("-")
    if ssl not in ("barlowtwins", "vibcreg") or aug not in ("warp", "slice", "gauss"):
        raise ValueError(
            f"unknown configuration {config!r}; expected 'default', 'naive' or '<ssl>-<augmentations>' with "
            "ssl in barlowtwins/vibcreg and augmentations in warp/slice/gauss, e.g. 'barlowtwins-slice'."
        )
    return {
        "ssl": ssl,
        "augmentations": aug,
        "latent_width": 8,
        "batch_size": 128,
        "ssl_until": 1.0,
        "ssl_view_grad": True,
    }


@dataclass(frozen=True)
class Budget:
    """Split of one cell's training budget (seconds for both stages) between the two fits.

    Parameters
    ----------
    seconds : float > 0
        The cell's budget for both fits.
    stage1 : float in (0, 1), default=0.48
        Share of ``seconds`` for stage 1 (the tokenizer's ``max_time``).
    prior : float in (0, 1), default=0.47
        Share of ``seconds`` for the prior (the sampler's ``max_time``). The rest covers what the
        fits do besides training. Evaluation comes on top. See :ref:`decision-budget-split`.
    """

    seconds: float
    stage1: float = 0.48
    prior: float = 0.47

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise ValueError(f"the budget must be a positive number of seconds; got {self.seconds!r}.")
        if not (0 < self.stage1 < 1 and 0 < self.prior < 1):
            raise ValueError(
                f"the budget fractions stage1 and prior must lie in (0, 1); got {self.stage1!r} and {self.prior!r}."
            )
        if self.stage1 + self.prior > 1:
            raise ValueError("the budget fractions stage1 + prior must not exceed 1.")

    def with_stage1(self, share: float) -> Budget:
        """The same budget with ``share`` of it for stage 1 and the prior's fraction changed by
        the opposite amount (the overhead share stays)."""
        return replace(self, stage1=share, prior=self.stage1 + self.prior - share)
