"""Base classes of every wire struct.

Requests are frozen, keyword-only structs whose fields are all ``str``: Kiwoom documents every
request value as a string. Unknown fields are ignored (msgspec's default, kept on purpose: real
clients send extra keys). Responses are keyword-only structs whose scalar fields are ``str`` with
``""`` as the empty value, matching the wire (numbers are strings; absent is ``""``, never
``null``).
"""

import msgspec

__all__ = ["Request", "Response"]


class Request(msgspec.Struct, kw_only=True, frozen=True):
    """A decoded request body; build one with :func:`hoga.wire.schemas.decode_request`."""


class Response(msgspec.Struct, kw_only=True):
    """A response body without ``return_code``/``return_msg`` (see :mod:`hoga.wire.envelope`)."""
