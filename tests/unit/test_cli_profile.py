"""Login profiles on disk, JSON conversion and the exit codes of the trader commands."""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from hoga.cli import profile as prof
from hoga.cli.main import app as cli
from hoga.client import (
    APIError,
    AuthError,
    HogaError,
    OrderUnconfirmedError,
    RealtimeError,
    RejectedError,
    TransportError,
)

ODD = 'sk "quoted" \\ back\tslash 한글'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_save_load_replace_delete(tmp_path: Path) -> None:
    d = tmp_path / "nested" / "hoga"
    assert prof.load_profiles(d) == {}
    a = prof.Profile("default", "http://127.0.0.1:8000", "key-a", ODD)
    b = prof.Profile("kiwoom mock", "https://mockapi.kiwoom.com", "key-b", "s", "wss://x:1/ws")
    path = prof.save_profile(d, a)
    assert path == d / "config.toml"
    prof.save_profile(d, b)
    assert prof.load_profiles(d) == {"default": a, "kiwoom mock": b}
    assert mode(d) == 0o700 and mode(path) == 0o600
    assert [p.name for p in d.iterdir()] == ["config.toml"]  # no temporary file left

    a2 = prof.Profile("default", "http://h:1", "key-c", "s2")
    prof.save_profile(d, a2)
    assert prof.load_profile("default", d) == a2
    assert prof.delete_profile(d, "default") is True
    assert prof.delete_profile(d, "default") is False
    assert prof.load_profiles(d) == {"kiwoom mock": b}


def test_permissions_are_tightened_on_an_existing_dir_and_file(tmp_path: Path) -> None:
    d = tmp_path / "cfg"
    d.mkdir(mode=0o755)
    (d / "config.toml").write_text("")
    (d / "config.toml").chmod(0o644)
    prof.save_profile(d, prof.Profile("default", "http://h", "k", "s"))
    assert mode(d) == 0o700 and mode(d / "config.toml") == 0o600


def test_missing_or_damaged_profiles_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit) as e:
        prof.load_profile("work", tmp_path)
    assert e.value.exit_code == prof.EXIT_USAGE
    assert "hoga login --host URL" in capsys.readouterr().err
    (tmp_path / "config.toml").write_text("[profiles.x]\nhost = 'h'\n")
    with pytest.raises(typer.Exit) as e:
        prof.load_profiles(tmp_path)
    assert e.value.exit_code == 2 and "incomplete" in capsys.readouterr().err
    (tmp_path / "config.toml").write_text("[profiles.x\n")
    with pytest.raises(typer.Exit) as e:
        prof.load_profiles(tmp_path)
    assert e.value.exit_code == 2 and "cannot read" in capsys.readouterr().err


def test_missing_profile_message_names_the_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(typer.Exit):
        prof.load_profile("work", tmp_path)
    err = capsys.readouterr().err
    assert "no profile 'work'" in err and "--profile work" in err


def test_config_dir_default_and_override(tmp_path: Path) -> None:
    assert prof.config_dir(tmp_path) == tmp_path
    assert prof.config_dir() == Path(typer.get_app_dir("hoga"))


def test_kiwoom_websocket_is_on_port_10000() -> None:
    assert prof.kiwoom_ws_url("https://api.kiwoom.com") == (
        "wss://api.kiwoom.com:10000/api/dostk/websocket"
    )
    assert prof.kiwoom_ws_url("https://mockapi.kiwoom.com/") == (
        "wss://mockapi.kiwoom.com:10000/api/dostk/websocket"
    )
    assert prof.kiwoom_ws_url("http://127.0.0.1:8000") == ""
    assert prof.kiwoom_ws_url("https://api.kiwoom.com:8443") == ""


@dataclass(frozen=True)
class _Row:
    when: date
    at: time
    stamp: datetime
    rate: Decimal
    levels: tuple[int, ...]
    raw: object


def test_jsonable_drops_raw_and_keeps_precision() -> None:
    row = _Row(date(2025, 1, 2), time(9, 0, 1), datetime(2025, 1, 2, 9), Decimal("0.10"), (1, 2), 9)
    assert prof.jsonable([row]) == [
        {
            "when": "2025-01-02",
            "at": "09:00:01",
            "stamp": "2025-01-02T09:00:00",
            "rate": "0.10",
            "levels": [1, 2],
        }
    ]
    assert prof.jsonable({1: _Row}) == {"1": _Row}  # a class is not an instance


def _exit_of(exc: BaseException, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(typer.Exit) as e, prof.sdk_errors():
        raise exc
    return e.value.exit_code, capsys.readouterr().err


def test_sdk_errors_map_to_documented_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    msg = "[2000](RC4003:주문가격이 호가단위에 맞지 않습니다)"
    code, err = _exit_of(
        RejectedError(api_id="kt10000", status=200, return_code=20, return_msg=msg), capsys
    )
    assert code == 1
    assert "kt10000 refused" in err and "return_code=20" in err and "code RC4003" in err
    assert "호가단위" in err
    auth = AuthError(api_id="au10001", status=200, return_code=3, return_msg="[8001:bad key]")
    assert _exit_of(auth, capsys)[0] == 1
    plain = APIError(api_id="ka10001", status=200, return_code=2, return_msg="no code here")
    code, err = _exit_of(plain, capsys)
    assert code == 1 and "code" not in err.split("return_code=2")[1].split(")")[0]
    assert _exit_of(TransportError("refused", connect_failed=True), capsys) == (
        3,
        "error: cannot reach the server: refused\n",
    )
    lost = OrderUnconfirmedError("timed out", api_id="kt10000", body={})
    code, err = _exit_of(lost, capsys)
    assert code == 3 and "hoga orders" in err
    code, err = _exit_of(RealtimeError("login refused", code="8005"), capsys)
    assert code == 1 and "[8005]" in err
    assert _exit_of(HogaError("odd"), capsys)[0] == 1


def test_profiles_and_logout_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOGA_CONFIG_DIR", str(tmp_path))
    prof.save_profile(tmp_path, prof.Profile("default", "http://a", "ka", "secret-a"))
    prof.save_profile(tmp_path, prof.Profile("b", "http://b", "kb", "secret-b"))
    runner = CliRunner()
    r = runner.invoke(cli, ["profiles"])
    assert r.exit_code == 0 and r.stdout.splitlines() == [
        "b\thttp://b\tkb",
        "default\thttp://a\tka",
    ]
    assert "secret" not in r.stdout
    listed = json.loads(runner.invoke(cli, ["profiles", "--json"]).stdout)
    assert [p["profile"] for p in listed] == ["b", "default"]
    r = runner.invoke(cli, ["logout", "--profile", "b"])
    assert r.exit_code == 0 and "removed profile 'b'" in r.stdout
    r = runner.invoke(cli, ["logout", "--profile", "b"])
    assert r.exit_code == 2
    r = runner.invoke(cli, ["quote", "005930"], env={"HOGA_PROFILE": "b"})
    assert r.exit_code == 2 and "no profile 'b'" in r.stderr


def test_conditions_without_token_or_profile_exit_2(tmp_path: Path) -> None:
    args = ["conditions", "list", "--url", "http://x", "--config-dir", str(tmp_path)]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2 and "access token" in r.stderr and "hoga login" in r.stderr


def test_conditions_report_transport_failure_of_the_profile(tmp_path: Path) -> None:
    prof.save_profile(tmp_path, prof.Profile("default", "http://127.0.0.1:9", "k", "s"))
    r = CliRunner().invoke(cli, ["conditions", "list", "--config-dir", str(tmp_path)])
    assert r.exit_code == 3 and "cannot reach the server" in r.stderr
