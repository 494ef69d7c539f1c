"""The market runner writes market data from a worker thread; batches reach storage in the order
they were taken, also when another caller flushes meanwhile (charts, indices, the operator)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from _exchange_kit import BUY, DAY, SELL, at, make, order, pick

from hoga.adapters import open_storage
from hoga.engine.marketdata import MarketDataRecorder
from hoga.engine.runtime import MarketRunner
from hoga.ports.storage import Storage

CODE = "005930"


@pytest.fixture
def storage() -> Iterator[Storage]:
    s = open_storage("memory://")
    yield s
    s.close()


def stored_close(storage: Storage) -> int | None:
    with storage.unit_of_work() as uow:
        bars = uow.bars.daily(CODE, DAY, DAY)
    return bars[-1].close if bars else None


def test_a_batch_taken_first_is_written_first(storage: Storage) -> None:
    ex, _clock, _ = make(pick(CODE), participants=False, start=at(10))
    ex.sync()
    recorder = MarketDataRecorder()
    ex.add_listener(recorder)
    base = ex.states[CODE].board.base_price
    tick = 500 if base >= 200_000 else 100
    ex.submit(order(1, CODE, SELL, "0", 1, base + tick))
    ex.submit(order(2, CODE, BUY, "0", 1, base + tick))
    older = recorder.flush_begin()  # the runner took the first second's data
    ex.submit(order(3, CODE, SELL, "0", 1, base - tick))
    ex.submit(order(4, CODE, BUY, "0", 1, base - tick))
    assert not recorder._write_lock.acquire(blocking=False)  # a chart's flush would wait
    assert recorder.flush_end(storage, older) > 0
    assert recorder.flush(storage) > 0  # what came since, after the older batch
    assert stored_close(storage) == base - tick  # the newer bar won


def test_the_runner_writes_while_running_and_on_stop(storage: Storage) -> None:
    ex, clock, _ = make(pick(CODE), participants=False, start=at(10))
    ex.sync()
    recorder = MarketDataRecorder()
    ex.add_listener(recorder)
    runner = MarketRunner(ex, clock, recorder=recorder, storage=storage, max_sleep_s=0.01)
    base = ex.states[CODE].board.base_price

    async def scenario() -> tuple[int | None, int | None]:
        runner.start()
        ex.submit(order(1, CODE, SELL, "0", 2, base))
        ex.submit(order(2, CODE, BUY, "0", 2, base))
        clock.advance(2_000_000)
        runner.poke()
        while runner._writing is None:  # the loop takes the data, a worker thread writes it
            await asyncio.sleep(0)
        await runner._writing
        during = stored_close(storage)
        await runner.stop()
        return during, stored_close(storage)

    during, after = asyncio.run(scenario())
    assert during == base and after == base
