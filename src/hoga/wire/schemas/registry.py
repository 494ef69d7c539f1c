"""Registries of the request/response structs and the tolerant request decoder.

Decoding follows the server's tolerance checklist (spec §1.8, §10.3):

* an empty body reads as ``{}``; a body that is not a JSON object → 1517 (파라미터=body);
* unknown keys are ignored;
* a JSON number where a string is documented is accepted and kept as its decimal text
  (``1`` → ``"1"``; ``70000.50`` → ``"70000.50"`` — JSON decimals decode as ``Decimal``, never
  ``float``); ``null`` reads as absent;
* a required field that is absent, ``null`` or blank → 1511 naming the field (OAuth uses its
  own documented codes: 8011 grant_type, 8020 appkey/secretkey, 8016 token);
* a value that is an array, an object or a boolean → 1517 naming the field.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import msgspec

from hoga.wire.errors import ApiError
from hoga.wire.schemas import (
    acnt,
    acnt_deposit,
    acnt_orders,
    chart,
    crdordr,
    mrkcond,
    oauth,
    ordr,
    stkinfo,
)
from hoga.wire.schemas.base import Request, Response

__all__ = [
    "REQUEST_SCHEMAS",
    "RESPONSE_SCHEMAS",
    "decode_request",
    "decode_response",
    "request_fields",
]

_MODULES = (oauth, stkinfo, mrkcond, chart, ordr, crdordr, acnt, acnt_deposit, acnt_orders)

REQUEST_SCHEMAS: Mapping[str, type[Request]] = MappingProxyType(
    {k: v for m in _MODULES for k, v in m.REQUESTS.items()}
)
RESPONSE_SCHEMAS: Mapping[str, type[Response]] = MappingProxyType(
    {k: v for m in _MODULES for k, v in m.RESPONSES.items()}
)

_MISSING_CODE: Mapping[tuple[str, str], int] = {
    ("au10001", "grant_type"): 8011,
    ("au10001", "appkey"): 8020,
    ("au10001", "secretkey"): 8020,
    ("au10002", "appkey"): 8020,
    ("au10002", "secretkey"): 8020,
    ("au10002", "token"): 8016,
}

_JSON = msgspec.json.Decoder(float_hook=Decimal)
#: ``msgspec.structs.fields`` re-reads class annotations on each call (~15 µs); once per class.
_fields = functools.cache(msgspec.structs.fields)


@functools.cache
def _typed(cls: type[Request]) -> msgspec.json.Decoder[Request]:
    return msgspec.json.Decoder(cls)


@functools.cache
def _required(cls: type[Request]) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, f.encode_name) for f in _fields(cls) if f.required)


def request_fields(api_id: str) -> tuple[tuple[str, bool], ...]:
    """``(wire name, required)`` of every request field of ``api_id``, in documented order."""
    return tuple(
        (f.encode_name, f.required) for f in msgspec.structs.fields(REQUEST_SCHEMAS[api_id])
    )


def _missing(api_id: str, name: str) -> ApiError:
    code = _MISSING_CODE.get((api_id, name), 1511)
    return ApiError.of(code, param=name)


def _text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def decode_request(api_id: str, data: bytes | str) -> Request | ApiError:
    """Decode the JSON body ``data`` of ``api_id`` into its request struct (see module doc).

    ``api_id`` must be in :data:`REQUEST_SCHEMAS` (``KeyError`` otherwise: routing answers
    1505 before decoding).
    """
    cls = REQUEST_SCHEMAS[api_id]
    typed = _typed(cls)
    try:  # the usual body: a JSON object of strings; one typed decode, then the blank check
        req = typed.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        pass  # numbers, nulls, wrong types, bad JSON: the general path says which
    else:
        for name, key in _required(cls):
            if not getattr(req, name).strip():
                return _missing(api_id, key)
        return req
    raw: Any
    if not data.strip():
        raw = {}
    else:
        try:
            raw = _JSON.decode(data)
        except msgspec.DecodeError:
            return ApiError.of(1517, param="body", reason="JSON 형식이 아닙니다")
    if not isinstance(raw, dict):
        return ApiError.of(1517, param="body", reason="JSON 객체가 아닙니다")
    kwargs: dict[str, str] = {}
    for f in _fields(cls):
        value = raw.get(f.encode_name)
        if value is None:
            if f.required:
                return _missing(api_id, f.encode_name)
            continue
        text = _text(value)
        if text is None:
            return ApiError.of(1517, param=f.encode_name, reason="문자열이어야 합니다")
        if f.required and not text.strip():
            return _missing(api_id, f.encode_name)
        kwargs[f.name] = text
    return cls(**kwargs)


def decode_response(api_id: str, data: bytes | str) -> Response:
    """Decode a response body of ``api_id`` (SDK side); envelope keys are ignored here."""
    return msgspec.json.decode(data, type=RESPONSE_SCHEMAS[api_id])
