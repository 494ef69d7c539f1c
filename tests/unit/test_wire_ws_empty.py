"""Empty condition-search answers keep ``"data": []``; refusals and other frames do not."""

from __future__ import annotations

import json

from hoga.wire import ws


def test_an_empty_condition_list_is_sent_as_an_empty_data_list() -> None:
    frame = ws.encode(ws.CnsrLstResult(return_code=0, return_msg="", data=[]))
    assert frame == b'{"trnm":"CNSRLST","return_code":0,"return_msg":"","data":[]}'
    back = ws.decode_server(frame)
    assert isinstance(back, ws.CnsrLstResult) and back.data == []


def test_an_empty_one_shot_page_and_realtime_list_keep_data() -> None:
    page = ws.CnsrReqResult(
        seq="3", cont_yn="N", next_key="", return_code=0, return_msg="", data=[]
    )
    assert json.loads(ws.encode(page)) == {
        "trnm": "CNSRREQ", "seq": "3", "cont_yn": "N", "next_key": "",
        "return_code": 0, "return_msg": "", "data": [],
    }  # fmt: skip
    live = ws.CnsrReqResult(seq="3", return_code=0, return_msg="", data=[])
    assert ws.encode(live) == (
        b'{"trnm":"CNSRREQ","seq":"3","return_code":0,"return_msg":"","data":[]}'
    )
    back = ws.decode_server(ws.encode(live))
    assert isinstance(back, ws.CnsrReqResult) and back.data == []


def test_refusals_leave_data_out_and_decode_without_it() -> None:
    refused = ws.CnsrReqResult(seq="3", return_code=1, return_msg="no")
    assert ws.encode(refused) == b'{"trnm":"CNSRREQ","seq":"3","return_code":1,"return_msg":"no"}'
    assert ws.encode(ws.CnsrLstResult(return_code=1, return_msg="no")) == (
        b'{"trnm":"CNSRLST","return_code":1,"return_msg":"no"}'
    )
    back = ws.decode_server(b'{"trnm":"CNSRREQ","seq":"3","return_code":0}')
    assert isinstance(back, ws.CnsrReqResult) and back.data is None
    back = ws.decode_server(b'{"trnm":"CNSRLST","return_code":0,"return_msg":"","data":null}')
    assert isinstance(back, ws.CnsrLstResult) and back.data is None


def test_other_frames_keep_their_shapes() -> None:
    assert ws.encode(ws.Real()) == b'{"trnm":"REAL"}'
    assert ws.encode(ws.Reg()) == b'{"trnm":"REG"}'
    assert ws.encode(ws.RegAck(return_code=0, return_msg="")) == (
        b'{"trnm":"REG","return_code":0,"return_msg":""}'
    )
    assert ws.encode(ws.CnsrClrResult(seq="1", return_code=0, return_msg="")) == (
        b'{"trnm":"CNSRCLR","seq":"1","return_code":0,"return_msg":""}'
    )
    assert ws.encode(ws.CnsrReq(seq="1")) == b'{"trnm":"CNSRREQ","seq":"1"}'
