"""The operator control surface of the simulated market (JSON over HTTP, operator token only).

All routes need ``Authorization: Bearer <operator token>`` (printed by ``hoga serve`` and stored
for ``hoga sim``). Times are ISO-8601 (KST when no offset is given) or epoch microseconds.

Routes (under ``/operator/sim``; ``{code}`` is an instrument code):

- ``GET status``: clock, speed, mode, seed, trading day, counts.
- ``POST clock`` with ``{"set": time}``, ``{"advance": seconds}`` or ``{"speed": n}``: move or pace
  the clock (speed 0 freezes it; the clock never goes backwards).
- ``POST mode`` with ``{"mode": "always" | "calendar"}``: switch the market mode.
- ``POST reset`` with ``{"seed": n}``: rebuild every book from the snapshot with a seed.
- ``GET instruments/{code}``: board phase, statistics and 10-level depth.
- ``POST instruments/{code}/participants`` with ``{"paused": bool}``: pause or resume the
  simulated flow of one instrument.
- ``POST instruments/{code}/base-price`` with ``{"price": won}``: restart the day at a base price.
- ``POST instruments/{code}/halt`` and ``.../resume``: halt and resume trading.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hoga.api.audit import is_operator, record_operator_post
from hoga.api.context import AppContext
from hoga.domain.kst import KST, kst_datetime
from hoga.engine.exchange import MarketMode

__all__ = ["parse_time", "routes"]

Endpoint = Callable[[Request], Awaitable[Response]]


class OperatorError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_time(value: Any) -> int:
    """Epoch µs from an int, or an ISO-8601 string (KST when it has no offset)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise OperatorError(400, f"not an ISO-8601 time: {value!r}") from exc
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=KST)
        return int(dt.timestamp()) * 1_000_000 + dt.microsecond
    raise OperatorError(400, "time must be an ISO-8601 string or epoch microseconds")


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
        raise OperatorError(400, f"{what} must be a number")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise OperatorError(400, f"{what} must be a number") from exc


def status_of(ctx: AppContext) -> dict[str, Any]:
    ex = ctx.exchange
    now = ctx.clock.now()
    return {
        "time": kst_datetime(now).isoformat(),
        "time_us": now,
        "speed": str(ctx.clock.speed),
        "frozen": ctx.clock.frozen,
        "mode": ex.mode.value,
        "seed": ex.seed,
        "trading_day": ex.day.isoformat(),
        "instruments": len(ex.states),
        "next_timer_us": ex.next_timer(),
    }


def board_of(ctx: AppContext, code: str) -> dict[str, Any]:
    state = ctx.exchange.state(code)
    if state is None:
        raise OperatorError(404, f"unknown instrument {code}")
    board = state.board
    stats = board.stats
    depth = board.depth(10, public=False)
    return {
        "code": code,
        "name": state.instrument.name,
        "phase": board.phase.value,
        "halted": state.halted,
        "participants_paused": bool(state.participant and state.participant.paused),
        "base_price": stats.base_price,
        "limits": {"lower": stats.limits.lower, "upper": stats.limits.upper},
        "last": stats.last,
        "open": stats.open,
        "high": stats.high,
        "low": stats.low,
        "close": stats.close,
        "volume": stats.volume,
        "turnover": stats.turnover,
        "vi_until": board.vi_until,
        "bids": [[lv.price, lv.qty, lv.count] for lv in depth.bids],
        "asks": [[lv.price, lv.qty, lv.count] for lv in depth.asks],
    }


def routes(ctx: AppContext) -> list[Route]:
    def guarded(fn: Callable[[Request, dict[str, Any]], Any]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            if not is_operator(ctx, request):
                return JSONResponse({"error": "operator token required"}, status_code=401)
            payload: dict[str, Any] = {}
            if request.method == "POST":
                raw = await request.body()
                if raw.strip():
                    try:
                        decoded = msgspec.json.decode(raw)
                    except msgspec.DecodeError:
                        return JSONResponse({"error": "body is not JSON"}, status_code=400)
                    if not isinstance(decoded, dict):
                        return JSONResponse({"error": "body must be an object"}, status_code=400)
                    payload = decoded
            payload.update(request.path_params)
            try:
                response: Response = JSONResponse(fn(request, payload))
            except OperatorError as err:
                response = JSONResponse({"error": err.message}, status_code=err.status)
            except ValueError as err:
                response = JSONResponse({"error": str(err)}, status_code=400)
            record_operator_post(ctx, request, payload, response.status_code)
            return response

        return endpoint

    def status(_: Request, __: dict[str, Any]) -> dict[str, Any]:
        return status_of(ctx)

    def clock(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        if "set" in body:
            ctx.clock.set(parse_time(body["set"]))
        if "advance" in body:
            seconds = _number(body["advance"], "advance")
            if seconds < 0:
                raise OperatorError(400, "the clock cannot go backwards")
            ctx.clock.advance(int(seconds * 1_000_000))
        if "speed" in body:
            speed = _number(body["speed"], "speed")
            if speed < 0:
                raise OperatorError(400, "speed cannot be negative")
            ctx.clock.set_speed(Fraction(speed))
        if not {"set", "advance", "speed"} & body.keys():
            raise OperatorError(400, "give one of: set, advance, speed")
        ctx.runner.step()
        ctx.runner.poke()
        return status_of(ctx)

    def mode(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        value = body.get("mode")
        if value not in ("always", "calendar"):
            raise OperatorError(400, "mode must be 'always' or 'calendar'")
        ctx.exchange.set_mode(MarketMode(value))
        ctx.runner.poke()
        return status_of(ctx)

    def reset(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        seed = body.get("seed", ctx.exchange.seed)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise OperatorError(400, "seed must be an integer")
        ctx.exchange.reset(seed)
        ctx.runner.poke()
        return status_of(ctx)

    def instrument(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        return board_of(ctx, str(body["code"]))

    def participants(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        code = str(body["code"])
        board_of(ctx, code)
        paused = body.get("paused")
        if not isinstance(paused, bool):
            raise OperatorError(400, "paused must be true or false")
        ctx.exchange.pause_participants(code, paused)
        return board_of(ctx, code)

    def base_price(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        code = str(body["code"])
        board_of(ctx, code)
        price = body.get("price")
        if isinstance(price, bool) or not isinstance(price, int) or price <= 0:
            raise OperatorError(400, "price must be a positive integer (won)")
        state = ctx.exchange.states[code]
        ticks = ctx.exchange.ticks
        if not ticks.is_on_grid(price, state.instrument.market, state.board.day):
            raise OperatorError(400, f"{price} is not on the tick grid")
        ctx.exchange.set_base_price(code, price)
        return board_of(ctx, code)

    def halt(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        code = str(body["code"])
        board_of(ctx, code)
        ctx.exchange.halt(code)
        return board_of(ctx, code)

    def resume(_: Request, body: dict[str, Any]) -> dict[str, Any]:
        code = str(body["code"])
        board_of(ctx, code)
        ctx.exchange.resume(code)
        return board_of(ctx, code)

    base = "/operator/sim"
    return [
        Route(f"{base}/status", guarded(status), methods=["GET"]),
        Route(f"{base}/clock", guarded(clock), methods=["POST"]),
        Route(f"{base}/mode", guarded(mode), methods=["POST"]),
        Route(f"{base}/reset", guarded(reset), methods=["POST"]),
        Route(f"{base}/instruments/{{code}}", guarded(instrument), methods=["GET"]),
        Route(f"{base}/instruments/{{code}}/participants", guarded(participants), methods=["POST"]),
        Route(f"{base}/instruments/{{code}}/base-price", guarded(base_price), methods=["POST"]),
        Route(f"{base}/instruments/{{code}}/halt", guarded(halt), methods=["POST"]),
        Route(f"{base}/instruments/{{code}}/resume", guarded(resume), methods=["POST"]),
    ]
