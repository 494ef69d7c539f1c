"""hoga.wire — the Kiwoom wire format, shared by the server and the Python SDK.

No server imports (checked by import-linter) and no domain imports (the SDK depends on wire
only). Modules:

* :mod:`~hoga.wire.envelope` — ``return_code``/``return_msg``, success texts, response headers;
* :mod:`~hoga.wire.errors` — the documented error-code table and :class:`ApiError`;
* :mod:`~hoga.wire.rejects` — business (category 20) rejections and the order-reject mapping;
* :mod:`~hoga.wire.format` — signs, padding, rates, KST dates/times, tolerant parsing;
* :mod:`~hoga.wire.catalog` — every domestic api-id → path, name, paging;
* :mod:`~hoga.wire.schemas` — request/response structs per api-id and request decoding;
* :mod:`~hoga.wire.ws` / :mod:`~hoga.wire.realtime` — WebSocket frames and realtime FIDs;
* :mod:`~hoga.wire.openapi` — the OpenAPI 3.1 document.
"""
