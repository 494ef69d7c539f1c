"""The baseline of the API benchmarks: a trivial raw-ASGI JSON POST handler (no framework).

Like perf-ceilings §1 ``raw-asgi``: it reads the request body, parses it with :func:`json.loads`
and answers a 17-field JSON object (about 290 bytes) made with :func:`json.dumps`, whatever the
path. The body ends with ``"return_code": 0`` so the load script's success check counts it the
same way as hoga's answers. Served by uvicorn exactly like the full stack
(``python -m bench.api_server --baseline``).
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["app"]

_HEADERS = [(b"content-type", b"application/json;charset=UTF-8")]


def _answer(req: Any) -> bytes:
    code = req.get("stk_cd", "005930") if isinstance(req, dict) else "005930"
    out = {
        "stk_cd": code,
        "stk_nm": "삼성전자",
        "setl_mm": "12",
        "fav": "5000",
        "cap": "1311",
        "flo_stk": "25527",
        "cur_prc": "+78000",
        "pred_pre": "+1200",
        "flu_rt": "+1.56",
        "trde_qty": "12345678",
        "open_pric": "+77000",
        "high_pric": "+78500",
        "low_pric": "-76800",
        "upl_pric": "+99800",
        "lst_pric": "-53800",
        "return_msg": "정상적으로 처리되었습니다",
        "return_code": 0,
    }
    return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode()


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    raw = b"".join(chunks)
    try:
        req = json.loads(raw) if raw else {}
    except ValueError:
        req = {}
    data = _answer(req)
    headers = [*_HEADERS, (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": data})
