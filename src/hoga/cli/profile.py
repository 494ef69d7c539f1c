"""Customer profiles for the trader commands: ``hoga login``, ``hoga logout``, ``hoga profiles``.

A profile is a server (``host``, optionally ``ws_url``) with an app key and secret key, stored
once so that ``hoga quote``, ``hoga buy``… need no credentials on the command line. Profiles live
in ``config.toml`` under the config directory: ``--config-dir`` / ``HOGA_CONFIG_DIR`` if given
(tests, several setups), else the per-user application directory (``typer.get_app_dir("hoga")``,
e.g. ``~/.config/hoga`` on Linux). The directory is made 0700 and the file 0600, written to a
temporary file and renamed so a crash never leaves half a file. ``--profile`` /
``HOGA_PROFILE`` picks one (default ``default``).

This module also holds what every trader command shares: opening a :class:`hoga.client.Client`
for a profile, printing results (rich tables or ``--json``) and turning SDK errors into the
documented exit codes (:data:`EXIT_OK` 0, :data:`EXIT_API` 1, :data:`EXIT_USAGE` 2,
:data:`EXIT_TRANSPORT` 3).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.console import Console
from rich.markup import escape

from hoga.client import APIError, Client, HogaError, OrderUnconfirmedError, RealtimeError
from hoga.client import TransportError as SdkTransportError

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_PROFILE",
    "EXIT_API",
    "EXIT_OK",
    "EXIT_TRANSPORT",
    "EXIT_USAGE",
    "AsJson",
    "ConfigDir",
    "Profile",
    "ProfileName",
    "config_dir",
    "connect",
    "delete_profile",
    "emit_json",
    "fail",
    "jsonable",
    "kiwoom_ws_url",
    "load_profile",
    "load_profiles",
    "register",
    "save_profile",
    "sdk_errors",
]

EXIT_OK = 0
EXIT_API = 1
EXIT_USAGE = 2
EXIT_TRANSPORT = 3
CONFIG_FILE = "config.toml"
DEFAULT_PROFILE = "default"

ProfileName = Annotated[
    str, typer.Option("--profile", envvar="HOGA_PROFILE", help="login profile to use")
]
ConfigDir = Annotated[
    Path | None,
    typer.Option(
        "--config-dir",
        envvar="HOGA_CONFIG_DIR",
        help="where profiles are stored",
        show_default=False,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON for scripts")]


@dataclass(frozen=True, slots=True)
class Profile:
    """One stored login: the REST base URL, the keys, and the WebSocket URL if not derived."""

    name: str
    host: str
    appkey: str
    secretkey: str
    ws_url: str = ""


def config_dir(override: Path | None = None) -> Path:
    """The directory holding ``config.toml``."""
    return override if override is not None else Path(typer.get_app_dir("hoga"))


def load_profiles(directory: Path) -> dict[str, Profile]:
    """Every profile stored in ``directory`` (empty when there is no file yet)."""
    path = directory / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}", EXIT_USAGE)
    out: dict[str, Profile] = {}
    for name, row in dict(data.get("profiles", {})).items():
        try:
            out[name] = Profile(
                name=name,
                host=str(row["host"]),
                appkey=str(row["appkey"]),
                secretkey=str(row["secretkey"]),
                ws_url=str(row.get("ws_url", "")),
            )
        except (KeyError, TypeError) as exc:
            fail(f"profile {name!r} in {path} is incomplete ({exc})", EXIT_USAGE)
    return out


def _toml_str(value: str) -> str:
    # A JSON string with non-ASCII kept is a valid TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def _write(directory: Path, profiles: dict[str, Profile]) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    lines: list[str] = []
    for p in sorted(profiles.values(), key=lambda p: p.name):
        lines.append(f"[profiles.{_toml_str(p.name)}]")
        lines += [f"{k} = {_toml_str(v)}" for k, v in dataclasses.asdict(p).items() if k != "name"]
        lines.append("")
    path = directory / CONFIG_FILE
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".config-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def save_profile(directory: Path, profile: Profile) -> Path:
    """Add or replace ``profile``; returns the file written (0600, in a 0700 directory)."""
    profiles = load_profiles(directory)
    profiles[profile.name] = profile
    return _write(directory, profiles)


def delete_profile(directory: Path, name: str) -> bool:
    """Remove a profile; False when there was none of that name."""
    profiles = load_profiles(directory)
    if profiles.pop(name, None) is None:
        return False
    _write(directory, profiles)
    return True


def load_profile(name: str, directory: Path) -> Profile:
    """The named profile, or exit 2 with a hint to log in."""
    found = load_profiles(directory).get(name)
    if found is None:
        fail(
            f"no profile {name!r} in {directory / CONFIG_FILE}; "
            f"log in first: hoga login --host URL --appkey KEY --secretkey SECRET"
            + ("" if name == DEFAULT_PROFILE else f" --profile {name}"),
            EXIT_USAGE,
        )
    return found


def kiwoom_ws_url(host: str) -> str:
    """Kiwoom serves the WebSocket on port 10000 of the REST host; elsewhere '' (derived)."""
    url = httpx.URL(host)
    if url.host.endswith("kiwoom.com") and url.port is None:
        return str(url.copy_with(scheme="wss", port=10000, path="/api/dostk/websocket"))
    return ""


def connect(profile: Profile) -> Client:
    """A blocking SDK client for ``profile``.

    The token is not revoked on exit: a server such as Kiwoom gives every process of an app key
    the same token, and revoking it would disturb another program (a bot, ``hoga watch``).
    """
    return Client(
        base_url=profile.host,
        appkey=profile.appkey,
        secretkey=profile.secretkey,
        ws_url=profile.ws_url or kiwoom_ws_url(profile.host) or None,
        revoke_on_close=False,
    )


# --- output and errors ------------------------------------------------------------------------


def fail(message: str, code: int) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    console.print(f"[red]error:[/] {escape(message)}")
    raise typer.Exit(code)


@contextlib.contextmanager
def sdk_errors() -> Iterator[None]:
    """Map SDK exceptions to a clear message and the documented exit code."""
    try:
        yield
    except APIError as exc:
        code = f", code {exc.code}" if exc.code else ""
        fail(
            f"{exc.api_id} refused (HTTP {exc.status}, return_code={exc.return_code}{code}): "
            f"{exc.return_msg}",
            EXIT_API,
        )
    except OrderUnconfirmedError as exc:
        fail(
            f"order not confirmed: {exc}; it may still arrive — check `hoga orders` before "
            "sending it again",
            EXIT_TRANSPORT,
        )
    except SdkTransportError as exc:
        fail(f"cannot reach the server: {exc}", EXIT_TRANSPORT)
    except RealtimeError as exc:
        code = f" [{exc.code}]" if exc.code else ""
        fail(f"realtime session refused{code}: {exc}", EXIT_API)
    except HogaError as exc:
        fail(str(exc), EXIT_API)
    except httpx.TransportError as exc:
        fail(f"cannot reach the server: {exc}", EXIT_TRANSPORT)


def jsonable(value: Any) -> Any:
    """Dataclasses (without ``raw``), Decimals (as strings), dates and times for JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in ("raw", "values")
        }
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(jsonable(value), ensure_ascii=False, indent=2))


# --- commands ---------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    """Add ``login``, ``logout`` and ``profiles`` to ``app``."""

    @app.command(rich_help_panel="Trading")
    def login(
        host: Annotated[
            str,
            typer.Option(
                help="REST base URL, e.g. http://127.0.0.1:8000 or https://api.kiwoom.com"
            ),
        ],
        appkey: Annotated[str, typer.Option(help="app key")],
        secretkey: Annotated[str, typer.Option(help="secret key", prompt=True, hide_input=True)],
        ws_url: Annotated[
            str, typer.Option(help="WebSocket URL when not derivable from the host")
        ] = "",
        profile: ProfileName = DEFAULT_PROFILE,
        config: ConfigDir = None,
        as_json: AsJson = False,
    ) -> None:
        """Check the keys (by getting a token) and store them as a profile."""
        prof = Profile(profile, host.rstrip("/"), appkey, secretkey, ws_url)
        with sdk_errors(), connect(prof) as client:
            client.token()
            account = client.account_number()
        path = save_profile(config_dir(config), prof)
        if as_json:
            emit_json(
                {"profile": profile, "host": prof.host, "account": account, "file": str(path)}
            )
            return
        typer.echo(
            f"logged in: profile {profile!r}, {prof.host}, account {account} (saved to {path})"
        )

    @app.command(rich_help_panel="Trading")
    def logout(profile: ProfileName = DEFAULT_PROFILE, config: ConfigDir = None) -> None:
        """Forget a stored profile (its keys stay valid on the server)."""
        if not delete_profile(config_dir(config), profile):
            fail(f"no profile {profile!r}", EXIT_USAGE)
        typer.echo(f"removed profile {profile!r}")

    @app.command(rich_help_panel="Trading")
    def profiles(config: ConfigDir = None, as_json: AsJson = False) -> None:
        """The stored profiles (secret keys are not shown)."""
        found = load_profiles(config_dir(config))
        rows = [
            {"profile": p.name, "host": p.host, "appkey": p.appkey, "ws_url": p.ws_url}
            for p in sorted(found.values(), key=lambda p: p.name)
        ]
        if as_json:
            emit_json(rows)
            return
        for r in rows:
            typer.echo(f"{r['profile']}\t{r['host']}\t{r['appkey']}")
