"""Account snapshots (hoga.engine.brokerage_snapshot): the encoding keeps a whole ledger state,
recovery starts from the latest snapshot and replays only the entries after it, and what it
rebuilds equals replaying the whole journal; a snapshot never fails a commit."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from test_brokerage import CASH, World, placed, price, world
from test_brokerage_group_commit import PEOPLE, buy, sell
from test_brokerage_group_commit import world as gc_world

from hoga.domain.kst import US_PER_DAY
from hoga.domain.ledger import AccountKind, AccountState
from hoga.domain.model import TRDE_TP, NewOrder, Side
from hoga.engine.brokerage_book import replay
from hoga.engine.brokerage_snapshot import VERSION, decode, encode
from hoga.ports.storage import AccountSnapshot, Storage


def _trade(w: World, rounds: int = 3) -> None:
    """Bob buys from a participant and sells part to alice, alice keeps a resting buy, over a
    few days: positions with cost and realized P&L, reservations, unsettled and settled fills,
    dated balances."""
    for n in range(rounds):
        p = price(w)
        cheap = price(w, 2)  # bob buys below the price he sells at
        w.ex.submit(NewOrder(2_000_000_000 + n, w.code, Side.SELL, TRDE_TP["0"], 300, price=cheap))
        placed(w.b.place("acct-bob", code=w.code, side=Side.BUY, trde_tp="3", qty=300))
        placed(w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=120, price=p))
        placed(w.b.place("acct-bob", code=w.code, side=Side.SELL, trde_tp="0", qty=100, price=p))
        placed(
            w.b.place(
                "acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=7, price=price(w, 3)
            )
        )
        w.clock.advance(US_PER_DAY)
        w.ex.sync()  # a new day: what fell due settles, yesterday's open orders expire
    placed(
        w.b.place("acct-alice", code=w.code, side=Side.BUY, trde_tp="0", qty=9, price=price(w, 3))
    )


def _full_replay(w: World, account: str) -> AccountState:
    with w.storage.unit_of_work() as uow:
        state, problems = replay(w.b.ledger, account, uow.journal.entries(account))
    assert problems == []
    return state


def _snapshot(storage: Storage, account: str) -> AccountSnapshot | None:
    with storage.unit_of_work() as uow:
        return uow.journal.snapshot(account)


def test_encoding_keeps_every_part_of_a_state() -> None:
    w = world()
    _trade(w)
    for account in ("acct-alice", "acct-bob"):
        state = w.b.state(account)
        text = encode(state)
        back = decode(account, text)
        assert back == state
        assert back is not None and encode(back) == text
    bob = w.b.state("acct-bob")
    alice = w.b.state("acct-alice")
    # the scenario reaches every part the encoding has to carry
    assert bob.positions[w.code].realized_pnl != 0 and bob.positions[w.code].cost > 0
    assert alice.reservations and len(bob.pending) > 0
    assert any(acct.settles is not None for acct, _ in bob.balances)
    assert bob.balance(AccountKind.SHARES, w.code) > 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[1, 2]",
        json.dumps({"v": VERSION + 1, "balances": [], "reservations": [], "positions": []}),
        json.dumps({"v": VERSION, "balances": [["cash", "KRW", 1]]}),  # parts missing
        json.dumps(
            {
                "v": VERSION,
                "balances": [["no_such_kind", "KRW", 1]],
                "reservations": [],
                "positions": [],
                "pending": [],
            }
        ),
        json.dumps(
            {
                "v": VERSION,
                "balances": [],
                "reservations": [[1, "buy", "005930", "KOSPI", 100]],  # a short row
                "positions": [],
                "pending": [],
            }
        ),
    ],
)
def test_what_is_not_a_snapshot_of_this_format_decodes_to_none(text: str) -> None:
    assert decode("acct-alice", text) is None


def test_restart_starts_from_the_snapshot_and_equals_a_full_replay() -> None:
    w = world()
    w.b._group.snapshot_every = 5
    _trade(w, rounds=4)
    before = {a: w.b.state(a) for a in ("acct-alice", "acct-bob")}
    with w.storage.unit_of_work() as uow:
        for account in before:
            snap = uow.journal.snapshot(account)
            assert snap is not None
            every = uow.journal.entries(account)
            after = uow.journal.entries(account, after=snap.entry_id)
            assert 0 < snap.entry_id <= every[-1].entry_id and len(after) < len(every)
            # a snapshot is the state the journal gives up to its entry
            upto = [e for e in every if e.entry_id <= snap.entry_id]
            assert decode(account, snap.state) == replay(w.b.ledger, account, upto)[0]
    r = w.restart()
    for account, state in before.items():
        assert r.b.state(account) == state == _full_replay(r, account)
    # the restarted brokerage trades on from there, and takes snapshots again
    r.b._group.snapshot_every = 5
    _trade(r, rounds=2)
    assert r.b.state("acct-bob") == _full_replay(r, "acct-bob")


def test_recovery_trusts_the_snapshot_and_replays_only_what_follows() -> None:
    """Proof that recovery does not replay from the first entry: a snapshot whose realized
    P&L was changed by hand comes back changed (snapshots are the storage's, as trusted as
    the journal; a damaged one is fixed by deleting it)."""
    w = world()
    w.b._group.snapshot_every = 3
    _trade(w, rounds=3)
    snap = _snapshot(w.storage, "acct-bob")
    assert snap is not None
    body = json.loads(snap.state)
    body["positions"][0][3] += 1_000_000
    engine = w.storage.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE account_snapshots SET state = ? WHERE account = ?",
            (json.dumps(body), "acct-bob"),
        )
    expected = w.b.state("acct-bob").positions[w.code].realized_pnl + 1_000_000
    r = w.restart()
    assert r.b.state("acct-bob").positions[w.code].realized_pnl == expected
    with engine.begin() as conn:  # deleting snapshots costs start-up time only
        conn.exec_driver_sql("DELETE FROM account_snapshots")
    again = r.restart()
    assert again.b.state("acct-bob") == w.b.state("acct-bob") == _full_replay(again, "acct-bob")


def test_a_snapshot_of_another_format_is_ignored() -> None:
    w = world()
    w.b._group.snapshot_every = 4
    _trade(w, rounds=3)
    engine = w.storage.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE account_snapshots SET state = '{\"v\": 999}'")
    r = w.restart()
    for account in ("acct-alice", "acct-bob"):
        assert r.b.state(account) == w.b.state(account) == _full_replay(r, account)


def test_a_long_replay_at_first_use_leaves_a_snapshot() -> None:
    w = world()
    _trade(w, rounds=3)  # the default threshold: no snapshot yet
    assert _snapshot(w.storage, "acct-bob") is None
    with w.storage.unit_of_work() as uow:
        last = uow.journal.entries("acct-bob")[-1].entry_id
    state = w.b.state("acct-bob")
    w.b._group.snapshot_every = 5
    w.b._states.clear()  # as after a start: loaded from the journal at first use
    assert w.b.state("acct-bob") == state
    w.b.flush()  # no event loop runs: written by the next flush, batch or not
    snap = _snapshot(w.storage, "acct-bob")
    assert snap is not None and snap.entry_id == last
    assert decode("acct-bob", snap.state) == state


def test_group_commit_takes_snapshots_that_match_the_journal(tmp_path: Path) -> None:
    w = gc_world(tmp_path)
    w.b._group.snapshot_every = 6

    async def trade() -> None:
        for _ in range(8):
            await asyncio.gather(*(buy(w, who, qty=2) for who in PEOPLE))
            await asyncio.gather(*(sell(w, who, qty=1) for who in PEOPLE[:2]))

    w.ex.submit(NewOrder(2_000_000_000, w.code, Side.SELL, TRDE_TP["0"], 10_000, price=w.price()))
    asyncio.run(trade())
    w.b.flush()
    taken = 0
    with w.storage.unit_of_work() as uow:
        for who in PEOPLE:
            account = f"acct-{who}"
            snap = uow.journal.snapshot(account)
            if snap is None:
                continue
            taken += 1
            upto = [e for e in uow.journal.entries(account) if e.entry_id <= snap.entry_id]
            assert upto[-1].entry_id == snap.entry_id  # the account's own entry
            assert decode(account, snap.state) == replay(w.b.ledger, account, upto)[0]
    assert taken == len(PEOPLE)


def test_a_failing_snapshot_write_never_fails_a_commit(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    w = gc_world(tmp_path)
    w.b._group.snapshot_every = 2
    engine = w.storage.engine  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE account_snapshots")

    async def trade() -> list[object]:
        got = []
        for _ in range(4):
            got += await asyncio.gather(*(buy(w, who) for who in PEOPLE))
        return got

    with caplog.at_level(logging.ERROR, logger="hoga.engine.brokerage_commit"):
        got = asyncio.run(trade())
        w.b.flush()
    assert all(hasattr(g, "ord_no") for g in got)
    orders, _, entries = w.rows()
    assert len(orders) == 4 * len(PEOPLE) and entries > 0
    assert "account snapshots not written" in caplog.text
    for who in PEOPLE:
        assert w.b.state(f"acct-{who}").balance(AccountKind.CASH) < CASH
