"""Request/response structs per api-id, their registries, and tolerant request decoding.

``REQUEST_SCHEMAS``/``RESPONSE_SCHEMAS`` map an api-id to its struct type (one module per
category path; the account path is split in three to keep modules small).
:func:`decode_request` turns a JSON body into the request struct, or an
:class:`~hoga.wire.errors.ApiError` naming the bad or missing parameter.
"""

from hoga.wire.schemas.base import Request, Response
from hoga.wire.schemas.registry import (
    REQUEST_SCHEMAS,
    RESPONSE_SCHEMAS,
    decode_request,
    decode_response,
    request_fields,
)

__all__ = [
    "REQUEST_SCHEMAS",
    "RESPONSE_SCHEMAS",
    "Request",
    "Response",
    "decode_request",
    "decode_response",
    "request_fields",
]
