"""One exception tree for the SDK.

```
HogaError
├── TransportError            the request may or may not have reached the server
│   └── OrderUnconfirmedError an order whose fate is unknown after a transport failure
├── APIError                  the server answered with a non-zero ``return_code``
│   ├── AuthError             category 3 (8005 bad token, 8001 bad keys, …)
│   ├── RateLimitError        category 5 / HTTP 429 (1700); the request was NOT processed
│   └── RejectedError         category 20 business rejection (``[2000](RC4003:…)``)
└── RealtimeError             a WebSocket LOGIN/REG refusal or a session the server ended
```

``APIError.code`` is the documented code found inside ``return_msg`` (``"8005"``, ``"1700"``,
``"RC4003"``) — Kiwoom puts only a category in ``return_code`` (spec §6.1).
"""

from __future__ import annotations

from hoga.wire.envelope import parse_code

__all__ = [
    "APIError",
    "AuthError",
    "HogaError",
    "OrderUnconfirmedError",
    "RateLimitError",
    "RealtimeError",
    "RejectedError",
    "TransportError",
    "api_error",
]


class HogaError(Exception):
    """Base of every error the SDK raises."""


class TransportError(HogaError):
    """The HTTP exchange failed (connect, timeout, dropped connection).

    ``connect_failed`` is True when the request provably never left (connection refused or
    connect timeout), so resending it cannot double anything.
    """

    def __init__(self, message: str, *, connect_failed: bool = False) -> None:
        super().__init__(message)
        self.connect_failed = connect_failed


class OrderUnconfirmedError(TransportError):
    """A new order failed in transport and no matching order was found afterwards.

    The order may still reach the server (a slow network path) or may never have. The SDK does
    not resend it: check ``open_orders()`` / ``fills()`` later and decide. ``body`` is the
    request body that was sent.
    """

    def __init__(self, message: str, *, api_id: str, body: dict[str, str]) -> None:
        super().__init__(message)
        self.api_id = api_id
        self.body = body


class APIError(HogaError):
    """A refusal from the server: HTTP ``status``, ``return_code`` category and ``return_msg``."""

    def __init__(self, *, api_id: str, status: int, return_code: int, return_msg: str) -> None:
        super().__init__(f"{api_id}: return_code={return_code} {return_msg}")
        self.api_id = api_id
        self.status = status
        self.return_code = return_code
        self.return_msg = return_msg
        self.code = parse_code(return_msg)


class AuthError(APIError):
    """Authentication failed (category 3: 8005 invalid token, 8001 bad app key/secret, …)."""


class RateLimitError(APIError):
    """Over the rate limit (1700). Not processed; ``retry_after`` seconds until it would be."""

    def __init__(
        self, *, api_id: str, status: int, return_code: int, return_msg: str, retry_after: float
    ) -> None:
        super().__init__(
            api_id=api_id, status=status, return_code=return_code, return_msg=return_msg
        )
        self.retry_after = retry_after


class RejectedError(APIError):
    """A business rejection (category 20): off-tick price, market closed, insufficient cash…"""


class RealtimeError(HogaError):
    """The WebSocket refused a LOGIN/REG, or the server ended the session for good."""

    def __init__(self, message: str, *, return_code: int | str = "", code: str = "") -> None:
        super().__init__(message)
        self.return_code = return_code
        self.code = code


def api_error(
    api_id: str, status: int, return_code: int, return_msg: str, retry_after: float = 1.0
) -> APIError:
    """The most specific :class:`APIError` subclass for a refusal."""
    code = parse_code(return_msg)
    if status == 429 or code == "1700":
        return RateLimitError(
            api_id=api_id,
            status=status,
            return_code=return_code,
            return_msg=return_msg,
            retry_after=retry_after,
        )
    if return_code == 3 or (code is not None and code.startswith("8")):
        return AuthError(
            api_id=api_id, status=status, return_code=return_code, return_msg=return_msg
        )
    if return_code == 20:
        return RejectedError(
            api_id=api_id, status=status, return_code=return_code, return_msg=return_msg
        )
    return APIError(api_id=api_id, status=status, return_code=return_code, return_msg=return_msg)
