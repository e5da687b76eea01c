import math
from types import SimpleNamespace

import pytest

import skncvq.training.callbacks as callbacks
from skncvq.training import CosineBudget
from skncvq.training.interrupt import StopTraining


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _net(lr: float = 1e-3) -> SimpleNamespace:
    batches = []
    history = SimpleNamespace(record_batch=lambda key, value: batches.append(value), batches=batches)
    return SimpleNamespace(
        max_epochs=1000, batch_size=10, optimizer_=SimpleNamespace(param_groups=[{"lr": lr}]), history=history
    )


def _train(budget: CosineBudget, net, clock: _Clock, n_steps: int, step_s: float = 1.0) -> None:
    budget.on_train_begin(net, X=list(range(10)))  # one step per epoch: 1000 steps in all
    for _ in range(n_steps):
        budget.on_batch_begin(net, training=True)
        clock.now += step_s
        budget.on_batch_end(net, training=True)


@pytest.mark.parametrize("max_time, scale", [(250.0, 2.0), (100.0, 3.0), (2000.0, 1.0)])
def test_lr_scale_is_chosen_from_the_speed_of_the_timed_steps(monkeypatch, max_time, scale):
    clock = _Clock()
    monkeypatch.setattr(callbacks, "time", SimpleNamespace(perf_counter=clock))
    seen = []

    def rule(reachable: float) -> float:
        seen.append(reachable)
        return min(3.0, max(1.0, reachable**-0.5))

    net = _net()
    budget = CosineBudget(max_time, lr_scale=rule)
    _train(budget, net, clock, n_steps=12)
    # 1 step/s over the 8 timed steps (2..9), 9 done: 9 + (max_time - 9) steps reachable of 1000
    assert seen == [pytest.approx(min(1.0, max_time / 1000))]
    assert budget.scale_ == pytest.approx(scale)
    lrs = net.history.batches
    progress = [max(s / 1000, s / max_time) for s in range(12)]
    expected = [
        1e-3 * (scale if s > 8 else 1.0) * 0.5 * (1 + math.cos(math.pi * p)) for s, p in enumerate(progress)
    ]
    assert lrs == pytest.approx(expected)


def test_lr_scale_without_a_time_budget_or_enough_steps(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr(callbacks, "time", SimpleNamespace(perf_counter=clock))
    # no time budget: the whole epoch budget is reachable, decided before the first step
    net = _net()
    budget = CosineBudget(None, lr_scale=lambda reachable: 4.0 * reachable)
    _train(budget, net, clock, n_steps=1)
    assert budget.scale_ == 4.0 and net.history.batches == [pytest.approx(4e-3)]
    # a time budget that ends the fit before the probe's steps are timed keeps the base lr
    net = _net()
    budget = CosineBudget(5.0, lr_scale=lambda reachable: 3.0)
    with pytest.raises(StopTraining):  # the budget ends training by its own exception, not Ctrl+C
        _train(budget, net, clock, n_steps=9)
    assert budget.scale_ == 1.0 and len(net.history.batches) == 5
    # without lr_scale nothing is scaled
    net = _net()
    budget = CosineBudget(100.0)
    _train(budget, net, clock, n_steps=12)
    assert budget.scale_ == 1.0 and max(net.history.batches) <= 1e-3
