import math
from types import SimpleNamespace

import pytest

import skncvq.training.callbacks as callbacks
from skncvq.training import budget_callbacks
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


def _train(cbs: list, net, clock: _Clock, n_steps: int, step_s: float = 1.0) -> None:
    """Run the callbacks as skorch does, in their order, for ``n_steps`` one-second steps."""
    cbs = [cb for _, cb in cbs if not isinstance(cb, callbacks.CutEpochTimer)]
    for cb in cbs:
        cb.on_train_begin(net, X=list(range(10)))  # one step per epoch: 1000 steps in all
    for _ in range(n_steps):
        for cb in cbs:
            cb.on_batch_begin(net, training=True)
        clock.now += step_s
        for cb in cbs:
            cb.on_batch_end(net, training=True)


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    clock = _Clock()
    monkeypatch.setattr(callbacks, "time", SimpleNamespace(perf_counter=clock))
    return clock


@pytest.mark.parametrize("max_time, scale", [(250.0, 2.0), (100.0, 3.0), (2000.0, 1.0)])
def test_lr_scale_is_chosen_from_the_speed_of_the_timed_steps(clock, max_time, scale):
    seen = []

    def rule(reachable: float) -> float:
        seen.append(reachable)
        return min(3.0, max(1.0, reachable**-0.5))

    net = _net()
    _train(budget_callbacks(max_time, lr_scale=rule), net, clock, n_steps=12)
    # 1 step/s over the 8 timed steps (2..9), 9 done: 9 + (max_time - 9) steps reachable of 1000
    assert seen == [pytest.approx(min(1.0, max_time / 1000))]
    assert net.lr_scale_ == pytest.approx(scale)
    lrs = net.history.batches
    progress = [max(s / 1000, s / max_time) for s in range(12)]
    expected = [
        1e-3 * (scale if s > 8 else 1.0) * 0.5 * (1 + math.cos(math.pi * p)) for s, p in enumerate(progress)
    ]
    assert lrs == pytest.approx(expected)


def test_lr_scale_without_a_time_budget_or_enough_steps(clock):
    # no time budget: the whole epoch budget is reachable, decided before the first step
    net = _net()
    _train(budget_callbacks(None, lr_scale=lambda reachable: 4.0 * reachable), net, clock, n_steps=1)
    assert net.lr_scale_ == 4.0 and net.history.batches == [pytest.approx(4e-3)]
    # a time budget that ends the fit before the probe's steps are timed keeps the base lr
    net = _net()
    with pytest.raises(StopTraining):  # the budget ends training by its own exception, not Ctrl+C
        _train(budget_callbacks(5.0, lr_scale=lambda reachable: 3.0), net, clock, n_steps=9)
    assert net.lr_scale_ == 1.0 and len(net.history.batches) == 5
    # without lr_scale nothing is scaled
    net = _net()
    _train(budget_callbacks(100.0), net, clock, n_steps=12)
    assert net.lr_scale_ == 1.0 and max(net.history.batches) <= 1e-3


def test_each_budget_callback_does_one_job(clock):
    names = [name for name, _ in budget_callbacks(10.0, lr_scale=lambda r: 1.0)]
    assert names == ["training_progress", "schedule", "lr_probe", "time_limit", "cut_epoch_timer"]
    net = _net()
    _train(budget_callbacks(None), net, clock, n_steps=500)  # no time limit: runs on
    assert net.progress_ == pytest.approx(0.5)  # 500 of 1000 steps
    net = _net()
    with pytest.raises(StopTraining):
        _train([("time_limit", callbacks.TimeLimit(3.0))], net, clock, n_steps=10)
