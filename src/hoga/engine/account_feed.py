"""Account realtime rows: the brokerage's notes turned into ``00`` (주문체결) and ``04`` (잔고).

:class:`AccountFeed` is the brokerage's ``notify`` hook (see
:data:`hoga.engine.brokerage_book.Notify`). For each note it builds one row — values keyed by
FID in the documented order of :data:`hoga.wire.realtime.REALTIME_TYPES`, all strings — and hands
it to ``sink(account, type_code, values, item)`` (in a server: the realtime hub's
``push_account``). Notes arrive after the brokerage committed, in the order things happened, so
rows leave in that order: for a fill ``00`` (체결) then ``04``. A row's ``item`` is the code.

Rows are built only for an account someone listens to: ``listening(account)`` (when given) is
asked first, and a note of an account nobody listens to only moves the running totals below
(they must be right when a listener comes) — building the rows of every order and fill cost a
seventh of the order path's CPU with no WebSocket open. The predicate must say yes whenever a
row could go anywhere (a session of the account, or a relay to front ends).

Field decisions (the wire meaning of several FIDs is undocumented; spec §5.5):
- 9203/904 order numbers are 7 digits zero-padded (``0000018``), 904 ``0000000`` without an
  original; 9001 is the bare code (like ``item``); 908 the KST time ``HHMMSS`` of the event.
- 913 status: 접수 / 체결 / 확인 / 취소 / 거부 (see :class:`~hoga.engine.brokerage_book.OrderNote`).
  A modification sends 접수 then 확인 on its new order number (905 ``매수정정``/``매도정정``),
  a cancel request the same on the cancel's number (905 ``매수취소``/``매도취소``); an expiry
  (IOC/FOK remainder, session end) sends 취소 on the order itself with 902 = 0.
- 903 체결누계금액: the order number's cumulative filled value (kept in memory: a restart
  restarts it); 909/910/911 and 914/915 carry the fill (blank otherwise); 938/939 the account's
  commission and tax estimates of today's fills (KST day, in memory).
- 10/27/28 are the board's last trade and best quotes with their direction sign vs the base.
- 04: 930 quantity (reserved included), 931 average price, 932 cost, 933 orderable quantity,
  945 today's net bought quantity, 946 side of this fill (``1`` sell, ``2`` buy), 950/990 P&L
  realized today in the code, 991 its rate vs the cost sold, 951 the account's 예수금 (the
  legacy OpenAPI+ meaning; "Extra Item" in the REST list), 8019 the holding's unrealised rate
  at the current price. Credit fields are ``0``/``00``/``00000000``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from hoga.domain.kst import kst_date
from hoga.domain.model import TRDE_TP, Side
from hoga.engine.brokerage_book import BalanceNote, OrderNote
from hoga.engine.exchange import Exchange
from hoga.wire.format import change_rate, direction, hms, rate
from hoga.wire.realtime import REALTIME_TYPES

__all__ = ["AccountFeed", "Listening", "Sink", "balance_row", "order_row"]

#: ``sink(account, type_code, values, item)``
Sink = Callable[[str, str, dict[str, str], str], None]
#: ``listening(account)``: whether a row of ``account`` could reach anyone now
Listening = Callable[[str], bool]

_NAMES = {"61": "장전시간외", "81": "장후시간외"}
_ACTIONS = {"modify": "정정", "cancel": "취소"}


def _no(n: int) -> str:
    return f"{n:07d}"


@dataclass(frozen=True, slots=True)
class _Quote:
    base: int
    last: int
    bid: int | None
    ask: int | None
    name: str

    def px(self, price: int | None) -> str:
        return direction(price, self.base) if price else "0"


def order_row(
    note: OrderNote, quote: _Quote, filled_value: int, fee: int, tax: int
) -> dict[str, str]:
    """The ``00`` values of ``note`` (``filled_value``/``fee``/``tax``: the running totals)."""
    buy = note.side is Side.BUY
    word = "매수" if buy else "매도"
    action = _ACTIONS.get(note.action)
    kind = f"{word}{action}" if action else ("+매수" if buy else "-매도")
    otype = TRDE_TP.get(note.trde_tp)
    fill = note.exec_qty > 0
    ex = (str(note.exec_id), str(note.exec_price), str(note.exec_qty)) if fill else ("", "", "")
    values = (
        note.account,
        _no(note.ord_no),
        "",
        note.code,
        "JJ",
        note.status,
        quote.name,
        str(note.qty),
        str(note.price),
        str(note.open),
        str(filled_value),
        _no(note.orig_ord_no),
        kind,
        _NAMES.get(note.trde_tp, otype.name if otype else note.trde_tp),
        "2" if buy else "1",
        hms(note.at),
        *ex,
        quote.px(quote.last),
        quote.px(quote.ask),
        quote.px(quote.bid),
        ex[1],
        ex[2],
        str(fee),
        str(tax),
        note.reason,
        "",
        "",
        "00",
        "00000000",
        "",
        "1",
        "KRX",
        "N",
    )
    return dict(zip(REALTIME_TYPES["00"].fids, values, strict=True))


def balance_row(
    note: BalanceNote, quote: _Quote, net_bought: int, realized: int, sold_cost: int
) -> dict[str, str]:
    """The ``04`` values of ``note`` (``net_bought``/``realized``/``sold_cost``: today's, in
    the code)."""
    held = note.holding
    qty = held.qty if held else 0
    avg = held.avg_price if held else 0
    price = quote.last or note.price
    unrealised = change_rate(price, avg) if qty and avg else Decimal(0)
    values = (
        note.account,
        note.code,
        "00",
        "00000000",
        quote.name,
        quote.px(price),
        str(qty),
        str(avg),
        str(held.cost if held else 0),
        str(held.orderable_qty if held else 0),
        str(net_bought),
        "2" if note.side is Side.BUY else "1",
        str(realized),
        str(note.entr),
        quote.px(quote.ask),
        quote.px(quote.bid),
        str(quote.base),
        rate(unrealised),
        "0",
        "0",
        "00000000",
        str(realized),
        rate(Decimal(realized) * 100 / Decimal(sold_cost) if sold_cost else Decimal(0)),
        "0",
        "0.00",
        "0",
        "0",
    )
    return dict(zip(REALTIME_TYPES["04"].fids, values, strict=True))


class AccountFeed:
    """The brokerage's ``notify`` hook: notes → rows → ``sink`` (see the module docstring)."""

    def __init__(self, exchange: Exchange, sink: Sink, listening: Listening | None = None) -> None:
        self.exchange = exchange
        self.sink = sink
        #: None: every note becomes a row (see the module docstring)
        self.listening = listening
        self._value: dict[int, int] = {}  # ord_no -> cumulative filled value
        self._costs: dict[tuple[str, object], tuple[int, int]] = {}  # (account, day) -> fee, tax
        self._day: dict[tuple[str, str, object], tuple[int, int, int]] = {}  # net, realized, cost

    def _quote(self, code: str) -> _Quote:
        state = self.exchange.states.get(code)
        if state is None:
            return _Quote(0, 0, None, None, "")
        board = state.board
        stats = board.stats
        last = stats.last or board.base_price
        return _Quote(board.base_price, last, stats.best_bid, stats.best_ask, state.instrument.name)

    def notify(self, account: str, kind: str, note: OrderNote | BalanceNote) -> None:
        listening = self.listening
        wanted = listening is None or listening(account)
        day = kst_date(note.at)
        if isinstance(note, OrderNote):
            value = self._value.pop(note.ord_no, 0) + note.exec_price * note.exec_qty
            if value and note.open:
                self._value[note.ord_no] = value
            fee, tax = self._costs.get((account, day), (0, 0))
            if note.exec_qty:
                fee, tax = fee + note.fee, tax + note.tax
                self._costs[(account, day)] = (fee, tax)
            if wanted:
                row = order_row(note, self._quote(note.code), value, fee, tax)
                self.sink(account, "00", row, note.code)
            return
        net, realized, sold = self._day.get((account, note.code, day), (0, 0, 0))
        if note.side is Side.BUY:
            net += note.qty
        else:
            net -= note.qty
            realized += note.realized
            sold += note.qty * note.price - note.realized
        self._day[(account, note.code, day)] = (net, realized, sold)
        if wanted:
            row = balance_row(note, self._quote(note.code), net, realized, sold)
            self.sink(account, "04", row, note.code)
