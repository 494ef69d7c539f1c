"""hoga.client — the Python SDK for hoga and other Kiwoom-compatible REST APIs.

Sync and async clients in the style of httpx::

    from hoga.client import Client

    with Client(base_url="http://127.0.0.1:8000", appkey=KEY, secretkey=SECRET) as client:
        print(client.quote("005930").price)

Depends on :mod:`hoga.wire` (the wire format), httpx and websockets only. See docs/sdk.md.
"""

from hoga.client.aio import CHART_IDS, AsyncClient, Page, Stats, ws_url_for
from hoga.client.errors import (
    APIError,
    AuthError,
    HogaError,
    OrderUnconfirmedError,
    RateLimitError,
    RealtimeError,
    RejectedError,
    TransportError,
)
from hoga.client.inprocess import asgi_websocket
from hoga.client.models import (
    AccountEvaluation,
    Balance,
    Bar,
    CancelAck,
    Deposit,
    EvaluationRow,
    Fill,
    Level,
    ModifyAck,
    OpenOrder,
    OrderAck,
    OrderBook,
    Position,
    Quote,
    Trade,
)
from hoga.client.pacing import Pacer, Pacing
from hoga.client.realtime import (
    ConditionEvent,
    RealBook,
    RealMessage,
    RealOrder,
    Realtime,
    RealTrade,
)
from hoga.client.sync import Client, SyncRealtime

__all__ = [
    "CHART_IDS",
    "APIError",
    "AccountEvaluation",
    "AsyncClient",
    "AuthError",
    "Balance",
    "Bar",
    "CancelAck",
    "Client",
    "ConditionEvent",
    "Deposit",
    "EvaluationRow",
    "Fill",
    "HogaError",
    "Level",
    "ModifyAck",
    "OpenOrder",
    "OrderAck",
    "OrderBook",
    "OrderUnconfirmedError",
    "Pacer",
    "Pacing",
    "Page",
    "Position",
    "Quote",
    "RateLimitError",
    "RealBook",
    "RealMessage",
    "RealOrder",
    "RealTrade",
    "Realtime",
    "RealtimeError",
    "RejectedError",
    "Stats",
    "SyncRealtime",
    "Trade",
    "TransportError",
    "asgi_websocket",
    "ws_url_for",
]
