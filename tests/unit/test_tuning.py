"""The engine's GC policy (hoga.engine.tuning)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from hoga.engine.tuning import GC_THRESHOLDS, apply_gc_policy


@pytest.fixture
def restore_gc() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("restore_gc")
def test_policy_raises_thresholds_and_returns_the_previous_ones() -> None:
    gc.set_threshold(700, 10, 10)
    previous = apply_gc_policy(freeze=False)
    assert previous == (700, 10, 10)
    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700


@pytest.mark.usefixtures("restore_gc")
def test_policy_freezes_what_is_alive() -> None:
    gc.unfreeze()
    keep = [[i] for i in range(1000)]  # tracked objects alive at "start-up"
    apply_gc_policy()
    assert gc.get_freeze_count() >= len(keep)
    assert gc.get_threshold() == GC_THRESHOLDS


def test_switch_interval_is_set_and_the_previous_returned() -> None:
    import sys

    from hoga.engine.tuning import SWITCH_INTERVAL_S, apply_switch_interval

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        assert apply_switch_interval() == pytest.approx(0.005)
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S)
        assert SWITCH_INTERVAL_S < 0.005
    finally:
        sys.setswitchinterval(before)
