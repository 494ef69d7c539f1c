"""hoga.wire.ws and hoga.wire.realtime: frames per spec §5, tolerant decoding."""

from __future__ import annotations

import json

import msgspec
import pytest

from hoga.wire import ws
from hoga.wire.realtime import FID_NAMES, REALTIME_TYPES, realtime_type


def compact(text: str) -> bytes:
    return msgspec.json.encode(json.loads(text))


def test_login_round_trip() -> None:
    msg = ws.decode_client(b'{"trnm": "LOGIN", "token": "WQJCwyqInphKnR3bSRtB9NE1lv..."}')
    assert isinstance(msg, ws.Login)
    assert msg.bare_token == "WQJCwyqInphKnR3bSRtB9NE1lv..."
    assert ws.Login(token="Bearer abc").bare_token == "abc"
    ack = ws.encode(ws.LoginAck(return_code=0, return_msg=""))
    assert ack == compact('{"trnm":"LOGIN","return_code":0,"return_msg":""}')
    with_sor = ws.encode(ws.LoginAck(return_code=0, return_msg="", sor_yn="Y"))
    assert with_sor == compact(
        '{"trnm": "LOGIN", "return_code": 0, "return_msg": "", "sor_yn": "Y"}'
    )
    fail = ws.decode_server(ws.encode(ws.login_failure()))
    assert isinstance(fail, ws.LoginAck)
    assert fail.return_code == 805004
    assert "CODE=8005" in fail.return_msg


def test_ping_echo_variants() -> None:
    assert ws.encode(ws.Ping()) == b'{"trnm":"PING"}'
    echoed = b'{"trnm":"PING","return_code":0,"return_msg":"","sor_yn":"N"}'
    assert isinstance(ws.decode_client(echoed), ws.Ping)
    assert isinstance(ws.decode_server(b'{"trnm":"PING","extra":1}'), ws.Ping)


def test_reg_request_and_ack() -> None:
    msg = ws.decode_client(
        b'{"trnm": "REG", "grp_no": "1", "refresh": "1", '
        b'"data": [{"item": ["005930", "000660_NX"], "type": ["0B", "0D"]}]}'
    )
    assert isinstance(msg, ws.Reg)
    assert msg.keep_existing
    assert msg.data[0].items == ["005930", "000660_NX"]
    assert msg.data[0].types == ["0B", "0D"]
    assert ws.encode(ws.RegAck(return_code=0, return_msg="")) == compact(
        '{"trnm": "REG", "return_code": 0, "return_msg": ""}'
    )
    assert ws.encode(ws.RemoveAck(return_code=1, return_msg="등록 종목수 초과")) == compact(
        '{"trnm": "REMOVE", "return_code": 1, "return_msg": "등록 종목수 초과"}'
    )


@pytest.mark.parametrize(
    ("frame", "items", "types"),
    [
        (b'{"trnm":"REG","grp_no":1,"refresh":0,"data":[{"item":[],"type":["00"]}]}', [""], ["00"]),
        (
            b'{"trnm":"REG","grp_no":"2","refresh":"1","data":[{"item":[""],"type":"04"}]}',
            [""],
            ["04"],
        ),
        (
            b'{"trnm":"REG","grp_no":"1","data":[{"item":"005930","type":["0B"]}]}',
            ["005930"],
            ["0B"],
        ),
    ],
)
def test_reg_tolerance(frame: bytes, items: list[str], types: list[str]) -> None:
    msg = ws.decode_client(frame)
    assert isinstance(msg, ws.Reg)
    assert msg.data[0].items == items
    assert msg.data[0].types == types


def test_reg_without_data_and_remove_without_refresh() -> None:
    clear = ws.decode_client(b'{"trnm":"REG","grp_no":"1","refresh":"0"}')
    assert isinstance(clear, ws.Reg)
    assert clear.data == []
    assert clear.group == "1"
    assert not clear.keep_existing
    rm = ws.decode_client(
        b'{"trnm":"REMOVE","grp_no":"1","refresh":"","data":[{"item":["005930"],"type":["0B"]}]}'
    )
    assert isinstance(rm, ws.Remove)
    assert rm.data[0].items == ["005930"]
    assert rm.group == "1"


def test_real_frame_shape() -> None:
    item = ws.real_item("0B", "005930", {"20": "165208", "10": "-20800"})
    frame = ws.encode(ws.Real(data=[item]))
    assert frame == compact(
        '{"trnm": "REAL", "data": [{"type": "0B", "name": "주식체결", "item": "005930", '
        '"values": {"20": "165208", "10": "-20800"}}]}'
    )
    assert ws.real_item("04", "", {}).name == "현물잔고"
    back = ws.decode_server(frame)
    assert isinstance(back, ws.Real)
    assert back.data[0].values["10"] == "-20800"


def test_condition_search_messages() -> None:
    assert isinstance(ws.decode_client(b'{"trnm":"CNSRLST"}'), ws.CnsrLst)
    req = ws.decode_client(
        b'{"trnm":"CNSRREQ","seq":4,"search_type":"0","stex_tp":"K","cont_yn":"N","next_key":""}'
    )
    assert isinstance(req, ws.CnsrReq)
    assert req.seq_str == "4"
    clr = ws.decode_client(b'{"trnm":"CNSRCLR","seq":"1"}')
    assert isinstance(clr, ws.CnsrClr)
    lst = ws.CnsrLstResult(return_code=0, return_msg="", data=[["0", "조건1"], ["1", "조건2"]])
    assert ws.encode(lst) == compact(
        '{"trnm": "CNSRLST", "return_code": 0, "return_msg": "", '
        '"data": [["0", "조건1"], ["1", "조건2"]]}'
    )
    res = ws.CnsrReqResult(seq="4", return_code=0, data=[{"jmcode": "A005930"}])
    assert ws.encode(res) == compact(
        '{"trnm":"CNSRREQ","seq":"4","return_code":0,"data":[{"jmcode":"A005930"}]}'
    )
    done = ws.CnsrClrResult(seq="1", return_code=0, return_msg="")
    assert ws.encode(done) == compact(
        '{"trnm": "CNSRCLR", "seq": "1", "return_code": 0, "return_msg": ""}'
    )


def test_system_messages() -> None:
    frame = ws.encode(
        ws.System(
            code="R10001", message="동일한 App key로 접속이 되었습니다. 기존 세션은 종료가 됩니다"
        )
    )
    assert frame.startswith(b'{"trnm":"SYSTEM","code":"R10001","message":')
    other = ws.decode_server(b'{"trnm":"SYSTEM","return_code":"0","return_msg":"notice"}')
    assert isinstance(other, ws.System)
    assert other.return_msg == "notice"


@pytest.mark.parametrize(
    "frame", [b"PING", b"{}", b'{"trnm":"NOPE"}', b'{"trnm":"REG","data":5}', b"[1]"]
)
def test_bad_frames(frame: bytes) -> None:
    with pytest.raises(ws.WsDecodeError):
        ws.decode_client(frame)
    with pytest.raises(ws.WsDecodeError):
        ws.decode_server(frame)


def test_realtime_table() -> None:
    registrable = {c for c, t in REALTIME_TYPES.items() if t.registrable}
    assert registrable == {
        "00",
        "04",
        "0A",
        "0B",
        "0C",
        "0D",
        "0E",
        "0F",
        "0G",
        "0H",
        "0I",
        "0J",
        "0U",
        "0g",
        "0m",
        "0s",
        "0u",
        "0w",
        "1h",
    }
    assert realtime_type("02") is not None
    assert realtime_type("0b") is None
    book = REALTIME_TYPES["0D"]
    assert book.fids[0] == "21"
    assert {"41", "50", "51", "60", "61", "100", "6115"} <= set(book.fids)
    assert FID_NAMES["41"] == "매도호가1" and FID_NAMES["51"] == "매수호가1"
    assert FID_NAMES["6053"] == "KRX 매수호가잔량10" or FID_NAMES["6054"] == "KRX 매수호가잔량1"
    assert FID_NAMES["6054"] == "KRX 매수호가잔량1"
    assert FID_NAMES["146"] == "매도거래원코드1"
    assert REALTIME_TYPES["00"].fids[:3] == ("9201", "9203", "9205")
    for t in REALTIME_TYPES.values():
        assert len(set(t.fids)) == len(t.fids)
        assert all(f in FID_NAMES for f in t.fids)
