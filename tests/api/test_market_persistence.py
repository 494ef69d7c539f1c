"""Intraday ticks and bars survive a restart; the next day's base price is the recorded close."""

from __future__ import annotations

from pathlib import Path

from _apikit import START, make_settings

from hoga.api.context import AppContext
from hoga.bootstrap import build_context
from hoga.domain.kst import US_PER_DAY, kst_date


def _run(ctx: AppContext, seconds: int) -> None:
    for _ in range(seconds):
        ctx.clock.advance(1_000_000)
        ctx.runner.step()


def test_ticks_and_bars_survive_a_restart(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, universe_limit=10)
    ctx = build_context(settings)
    _run(ctx, 180)
    ctx.runner.flush()
    code = max(ctx.exchange.states, key=lambda c: ctx.exchange.states[c].board.stats.volume)
    volume = ctx.exchange.states[code].board.stats.volume
    assert volume > 0
    minutes = ctx.recorder.minute_bars(ctx.storage, code, START, START + 600_000_000)
    assert sum(b.volume for b in minutes) == volume
    with ctx.storage.unit_of_work() as uow:
        ticks = uow.ticks.range(code, START, START + 600_000_000)
    assert sum(t.qty for t in ticks) == volume
    last_price = ctx.exchange.states[code].board.stats.last
    ctx.storage.close()

    again = build_context(settings)  # same database, same clock start: a restart mid-day
    stored = again.recorder.minute_bars(again.storage, code, START, START + 600_000_000)
    assert stored == minutes
    day = kst_date(START)
    bars = again.recorder.daily_bars(again.storage, code, day, day)
    assert len(bars) == 1 and bars[0].volume == volume and bars[0].close == last_price
    # mid-day restart: the base price is still the previous day's (snapshot) price
    assert again.exchange.states[code].board.base_price == again.universe[code].base_price
    again.storage.close()

    tomorrow = build_context(
        make_settings(tmp_path, universe_limit=10, clock_start=START + US_PER_DAY)
    )
    assert tomorrow.exchange.states[code].board.base_price == last_price
    tomorrow.storage.close()
