"""WebSocket messages (spec §5): two tagged unions on ``trnm``, with encode/decode.

Every frame is one flat JSON object whose ``trnm`` names its kind. The same ``trnm`` travels
both ways with different shapes (a ``LOGIN`` request carries ``token``, its ack
``return_code``), so there are two unions: :data:`ClientMessage` (what a server decodes) and
:data:`ServerMessage` (what the SDK decodes). ``PING`` belongs to both.

Tolerance (§1.8, §5): unknown keys are ignored (a .NET client echoes PING with extra keys);
``grp_no``/``refresh``/``seq`` may arrive as JSON numbers; ``REG``/``REMOVE`` ``item`` and
``type`` may be a list or a single string, ``item`` may be ``[]`` or ``[""]``; ``refresh`` may be
absent or ``""``; a ``REG`` without ``data`` (clear a group) is accepted. Encoding omits unset
optional keys; acks declare ``return_code``/``return_msg`` required, so the LOGIN ack is exactly
``{"trnm":"LOGIN","return_code":0,"return_msg":""}``. The ``data`` of ``CNSRLST``/``CNSRREQ``
answers defaults to ``None`` rather than ``[]``: a refusal leaves the key out, while an answer with
no rows still says ``"data":[]`` (clients index ``data`` on success; an empty default would be
omitted).
"""

from __future__ import annotations

import msgspec

from hoga.wire.realtime import REALTIME_TYPES

__all__ = [
    "ClientMessage",
    "CnsrClr",
    "CnsrClrResult",
    "CnsrLst",
    "CnsrLstResult",
    "CnsrReq",
    "CnsrReqResult",
    "Login",
    "LoginAck",
    "Ping",
    "Real",
    "RealItem",
    "Reg",
    "RegAck",
    "RegItem",
    "Remove",
    "RemoveAck",
    "ServerMessage",
    "System",
    "WsDecodeError",
    "decode_client",
    "decode_server",
    "encode",
    "login_failure",
    "real_item",
]

# A scalar that clients may send as a number: normalised to str by the accessors.
Scalar = str | int


class _Msg(msgspec.Struct, tag_field="trnm", omit_defaults=True, kw_only=True):
    """Base of every frame."""


class RegItem(msgspec.Struct, kw_only=True):
    """One ``data[]`` entry of REG/REMOVE: every item × every type is (un)registered."""

    item: list[str] | str = msgspec.field(default_factory=list)
    type: list[str] | str = msgspec.field(default_factory=list)

    @property
    def items(self) -> list[str]:
        """Item codes; ``""`` (account/market-wide types) is kept as ``""``; ``[]`` → ``[""]``."""
        values = [self.item] if isinstance(self.item, str) else list(self.item)
        return values or [""]

    @property
    def types(self) -> list[str]:
        return [self.type] if isinstance(self.type, str) else list(self.type)


# --- client → server -----------------------------------------------------------------------


class Login(_Msg, tag="LOGIN", kw_only=True):
    token: str = ""  # without the "Bearer " prefix (a prefix is tolerated by `bare_token`)

    @property
    def bare_token(self) -> str:
        t = self.token.strip()
        return t[7:].strip() if t[:7].lower() == "bearer " else t


class Ping(_Msg, tag="PING", kw_only=True):
    """Keep-alive; the server sends it and the client echoes it (verbatim or minimal)."""


class Reg(_Msg, tag="REG", kw_only=True):
    grp_no: Scalar = "1"
    refresh: Scalar = "1"  # "1" keep existing registrations, "0" replace them
    data: list[RegItem] = msgspec.field(default_factory=list)

    @property
    def group(self) -> str:
        return str(self.grp_no).strip()

    @property
    def keep_existing(self) -> bool:
        return str(self.refresh).strip() != "0"


class Remove(_Msg, tag="REMOVE", kw_only=True):
    grp_no: Scalar = "1"
    refresh: Scalar = ""
    data: list[RegItem] = msgspec.field(default_factory=list)

    @property
    def group(self) -> str:
        return str(self.grp_no).strip()


class CnsrLst(_Msg, tag="CNSRLST", kw_only=True):
    """ka10171: list the stored condition formulas."""


class CnsrReq(_Msg, tag="CNSRREQ", kw_only=True):
    """ka10172 (``search_type`` 0, one-shot, paged by ``cont_yn``/``next_key``) / ka10173 (1)."""

    seq: Scalar = ""
    search_type: Scalar = "0"
    stex_tp: str = "K"
    cont_yn: str = "N"
    next_key: str = ""

    @property
    def seq_str(self) -> str:
        return str(self.seq).strip()


class CnsrClr(_Msg, tag="CNSRCLR", kw_only=True):
    """ka10174: stop a realtime condition search."""

    seq: Scalar = ""


ClientMessage = Login | Ping | Reg | Remove | CnsrLst | CnsrReq | CnsrClr

# --- server → client -----------------------------------------------------------------------


class LoginAck(_Msg, tag="LOGIN", kw_only=True):
    return_code: int | str
    return_msg: str
    sor_yn: str | None = None  # reported by one client only (UNCONFIRMED); off by default


class RegAck(_Msg, tag="REG", kw_only=True):
    return_code: int | str
    return_msg: str
    data: list[RegItem] | None = None  # echo of the request (only pykiwoom wants it)


class RemoveAck(_Msg, tag="REMOVE", kw_only=True):
    return_code: int | str
    return_msg: str
    data: list[RegItem] | None = None


class RealItem(msgspec.Struct, kw_only=True):
    """One realtime push: type code, type name, item code, values keyed by FID."""

    type: str
    name: str
    item: str
    values: dict[str, str]


class Real(_Msg, tag="REAL", kw_only=True):
    data: list[RealItem] = msgspec.field(default_factory=list)


class System(_Msg, tag="SYSTEM", kw_only=True):
    """Server notice (R10001 duplicate session, R10002 heartbeat timeout, …); never echoed."""

    code: str | None = None
    message: str | None = None
    return_code: int | str | None = None
    return_msg: str | None = None


class CnsrLstResult(_Msg, tag="CNSRLST", kw_only=True):
    return_code: int | str
    return_msg: str
    # None (a refusal) is left out; a list, even an empty one, is always sent (see below).
    data: list[list[str]] | None = None  # [[seq, name], …]


class CnsrReqResult(_Msg, tag="CNSRREQ", kw_only=True):
    seq: str
    cont_yn: str | None = None
    next_key: str | None = None
    return_code: int | str
    return_msg: str | None = None
    data: list[dict[str, str]] | None = None  # rows; ``[]`` when nothing matches


class CnsrClrResult(_Msg, tag="CNSRCLR", kw_only=True):
    seq: str
    return_code: int | str
    return_msg: str


ServerMessage = (
    LoginAck | Ping | RegAck | RemoveAck | Real | System | CnsrLstResult | CnsrReqResult
) | CnsrClrResult


class WsDecodeError(ValueError):
    """A frame that is not JSON, not an object, or has an unknown/invalid ``trnm`` shape."""


_client: msgspec.json.Decoder[ClientMessage] = msgspec.json.Decoder(ClientMessage)
_server: msgspec.json.Decoder[ServerMessage] = msgspec.json.Decoder(ServerMessage)
_encoder = msgspec.json.Encoder()


def decode_client(frame: bytes | str) -> ClientMessage:
    """Decode a client frame; raises :class:`WsDecodeError`."""
    try:
        return _client.decode(frame)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise WsDecodeError(str(exc)) from exc


def decode_server(frame: bytes | str) -> ServerMessage:
    """Decode a server frame (SDK side); raises :class:`WsDecodeError`."""
    try:
        return _server.decode(frame)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise WsDecodeError(str(exc)) from exc


def encode(msg: ClientMessage | ServerMessage) -> bytes:
    """Encode a frame compactly (unset optional keys are left out)."""
    return _encoder.encode(msg)


def login_failure() -> LoginAck:
    """The recommended bad-token LOGIN answer (§5.2; the exact real pair is UNCONFIRMED)."""
    return LoginAck(
        return_code=805004,
        return_msg="토큰 인증에 실패했습니다 [CODE=8005, MESSAGE=Token이 유효하지 않습니다]",
    )


def real_item(type_code: str, item: str, values: dict[str, str]) -> RealItem:
    """A ``REAL`` entry named from the realtime table (``04`` is pushed as ``현물잔고``)."""
    return RealItem(
        type=type_code, name=REALTIME_TYPES[type_code].frame_name, item=item, values=values
    )
