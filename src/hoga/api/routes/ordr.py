"""주문 (``/api/dostk/ordr``) and 신용주문 (``/api/dostk/crdordr``) handlers.

kt10000/kt10001 buy and sell, kt10002 modify, kt10003 cancel: decode the wire values, call the
brokerage (``ctx.services["brokerage"]``), encode its answer (spec §4.7). New orders use
:meth:`~hoga.engine.brokerage.Brokerage.place_async`: the orders of one event-loop turn share
one commit (group commit), and each answer waits for the commit that holds its order.
Refusals map to the documented errors: input problems to 1517/1902 (the field named), exchange
rejections through :func:`hoga.wire.rejects.reject_order`, 주문가능금액 부족 to RC4025,
매도가능수량 부족 to 800033, unavailable venues to RC9000.

Credit orders kt10006–kt10009 are not simulated: they answer RC9000 (해당업무가 제공되지
않습니다, with the 모의투자 prefix on the mock) after authentication and decoding, and nothing is
stored.
"""

from __future__ import annotations

from collections.abc import Callable

from hoga.api.dispatch import Call, Reply, handler
from hoga.domain.model import Side
from hoga.engine.brokerage import Brokerage
from hoga.engine.brokerage_book import Placed, Refusal
from hoga.wire import format as fmt
from hoga.wire.envelope import success_message
from hoga.wire.errors import ApiError
from hoga.wire.rejects import REJECT_REASONS, business_error, reject_order
from hoga.wire.schemas.ordr import Kt10000Response, Kt10002Response, Kt10003Response

__all__ = ["refusal_error"]

_BUSINESS = {
    "insufficient_cash": "RC4025",
    "insufficient_shares": "800033",
    "not_supported": "RC9000",
    "no_account": "RC4091",
}


def refusal_error(r: Refusal, *, mock: bool, stk_cd: str = "") -> ApiError:
    """The wire error for a brokerage refusal."""
    if r.reason in _BUSINESS:
        return business_error(_BUSINESS[r.reason], mock=mock)
    if r.reason in REJECT_REASONS:
        return reject_order(
            r.reason,
            mock=mock,
            stk_cd=stk_cd,
            param=r.param,
            detail=r.detail,
            before_open=r.before_open,
        )
    return ApiError.of(1517, param=r.param or "body", reason=r.detail or r.reason)


def _broker(call: Call) -> Brokerage:
    broker: Brokerage | None = call.ctx.services.get("brokerage")
    if broker is None:
        raise ApiError.of(1999, reason="brokerage not running")
    return broker


def _account(call: Call) -> str:
    who = call.principal
    if who is None or not who.accounts:
        raise business_error("RC4091", mock=call.mock)
    return who.accounts[0]


def _int(value: str, param: str, *, blank: int | None = None) -> int:
    """A non-negative integer field; ``blank`` is the value of an empty string (None: required)."""
    try:
        n = fmt.parse_optional_int(value)
    except fmt.FormatError:
        raise ApiError.of(1517, param=param, reason="숫자가 아닙니다") from None
    if n is None:
        if blank is None:
            raise ApiError.of(1511, param=param)
        return blank
    if n < 0:
        raise ApiError.of(1517, param=param, reason="음수는 허용되지 않습니다")
    return n


def _ord_no(value: str) -> int:
    n = _int(value, "orig_ord_no")
    if n <= 0:
        raise ApiError.of(1517, param="orig_ord_no", reason="주문번호가 올바르지 않습니다")
    return n


def _code(call: Call) -> str:
    return fmt.plain_code(str(call.body.stk_cd).strip())


def _answer(
    out: Placed | Refusal, call: Call, payload: Callable[[Placed], Reply]
) -> Reply | ApiError:
    if isinstance(out, Refusal):
        return refusal_error(out, mock=call.mock, stk_cd=_code(call))
    return payload(out)


async def _order(call: Call, side: Side) -> Reply | ApiError:
    b = call.body
    who = call.principal
    out = await _broker(call).place_async(
        _account(call),
        code=_code(call),
        side=side,
        trde_tp=b.trde_tp.strip(),
        qty=_int(b.ord_qty, "ord_qty"),
        price=_int(b.ord_uv, "ord_uv", blank=0),
        stop_price=_int(b.cond_uv, "cond_uv", blank=0),
        exchange=b.dmst_stex_tp,
        env=call.env,
        owner=None if who is None else who.customer_id,
    )
    return _answer(
        out,
        call,
        lambda p: Reply(Kt10000Response(ord_no=fmt.ord_no(p.ord_no), dmst_stex_tp=p.exchange)),
    )


@handler("kt10000", kind="order")
async def buy(call: Call) -> Reply | ApiError:
    return await _order(call, Side.BUY)


@handler("kt10001", kind="order")
async def sell(call: Call) -> Reply | ApiError:
    return await _order(call, Side.SELL)


@handler("kt10002", kind="order")
def modify(call: Call) -> Reply | ApiError:
    b = call.body
    who = call.principal
    out = _broker(call).modify(
        _account(call),
        orig_ord_no=_ord_no(b.orig_ord_no),
        code=_code(call),
        qty=_int(b.mdfy_qty, "mdfy_qty"),
        price=_int(b.mdfy_uv, "mdfy_uv", blank=0) or None,
        exchange=b.dmst_stex_tp,
        env=call.env,
        owner=None if who is None else who.customer_id,
    )

    def reply(p: Placed) -> Reply:
        resp = Kt10002Response(
            ord_no=fmt.ord_no(p.ord_no),
            base_orig_ord_no=fmt.ord_no(p.base_orig_ord_no),
            mdfy_qty=fmt.padded(p.qty, 12),
            dmst_stex_tp=p.exchange,
        )
        return Reply(resp, msg=_msg(call, p))

    return _answer(out, call, reply)


@handler("kt10003", kind="order")
def cancel(call: Call) -> Reply | ApiError:
    b = call.body
    who = call.principal
    out = _broker(call).cancel(
        _account(call),
        orig_ord_no=_ord_no(b.orig_ord_no),
        code=_code(call),
        qty=_int(b.cncl_qty, "cncl_qty"),
        exchange=b.dmst_stex_tp,
        env=call.env,
        owner=None if who is None else who.customer_id,
    )

    def reply(p: Placed) -> Reply:
        resp = Kt10003Response(
            ord_no=fmt.ord_no(p.ord_no),
            base_orig_ord_no=fmt.ord_no(p.base_orig_ord_no),
            cncl_qty=fmt.padded(p.qty, 12),
        )
        return Reply(resp, msg=_msg(call, p))

    return _answer(out, call, reply)


def _msg(call: Call, p: Placed) -> str:
    return success_message(call.api_id, mock=call.mock, buy=p.side is Side.BUY)


def _credit(call: Call) -> ApiError:
    return business_error("RC9000", mock=call.mock)


for _api_id in ("kt10006", "kt10007", "kt10008", "kt10009"):
    handler(_api_id, kind="order")(_credit)
