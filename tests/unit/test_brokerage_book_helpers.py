"""Small helpers of hoga.engine.brokerage_book that stand in for slower generic code."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from hoga.domain.ledger import AccountKind, EntryKind, LedgerAccount, Posting
from hoga.domain.ledger import JournalEntry as LedgerEntry
from hoga.domain.model import Market, Side
from hoga.engine.brokerage_book import LiveOrder, journal_lines, progressed


def test_progressed_is_replace_of_filled_and_open() -> None:
    lo = LiveOrder(3, 5, "5000000001", "005930", Market.KOSPI, Side.BUY, "0", 7, 0, 10, 2, 8, 99)
    assert progressed(lo, 6, 4) == replace(lo, filled=6, open=4)
    assert [f.name for f in fields(LiveOrder)][10:12] == ["filled", "open"]


def test_journal_lines_name_books_like_str_of_the_ledger_account() -> None:
    dated = LedgerAccount(AccountKind.CASH_PAYABLE, date(2026, 11, 30))
    plain = LedgerAccount(AccountKind.CLEARING)
    entry = LedgerEntry(EntryKind.FILL, (Posting(dated, "KRW", -5), Posting(plain, "KRW", 5)))
    for _ in range(2):  # the second time from the remembered strings
        lines = journal_lines(entry)
        assert [line.book for line in lines] == [str(dated), str(plain)]
        assert [line.book for line in lines] == ["cash_payable:2026-11-30", "clearing"]
