"""Access policy (terms art. 5 ②, 17): IP allow-lists per app key, token IP binding, and which
address a request comes from.

- **Allow-list.** An app key may name up to :data:`MAX_ALLOWED` addresses or networks, IPv4 or
  IPv6 (``203.0.113.7``, ``198.51.100.0/24``, ``2001:db8::/48``), parsed by :mod:`ipaddress` and
  stored normalized (``203.0.113.7/32``). An empty list admits every address (the default, as
  for a key whose holder registered nothing). A request from elsewhere is refused with 8050
  (지정단말기 인증에 실패했습니다) — at token issue (before the secret is even checked, so a
  stranger cannot guess secrets of a fenced key) and on every call with a token of the key.
  IPv4-mapped IPv6 peers (``::ffff:203.0.113.7``) count as their IPv4 address.
- **Token binding.** With ``bind_token_ip`` on, a token issued afterwards only works from the
  address it was issued to; a call from another is refused with 8010 (Token을 발급받은 IP와
  서비스를 요청한 IP가 동일하지 않습니다). Tokens issued before binding was switched on are not
  bound; switching it off releases every token of the key at once.
- **Client address.** The peer address of the connection, unless the peer is a *trusted proxy*
  (``Settings.trusted_proxies``: addresses / networks, empty by default = trust nobody): then the
  ``X-Forwarded-For`` chain is walked from the right, skipping trusted hops, and the first
  untrusted address is the client. A malformed hop stops the walk at the last good address.

Decisions are values (:class:`AccessDecision`); nothing here raises for a refusal.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "ALLOW",
    "MAX_ALLOWED",
    "AccessDecision",
    "AccessRefusal",
    "Network",
    "check_call",
    "check_issue",
    "client_address",
    "ip_allowed",
    "normalize_allow_list",
    "parse_address",
    "parse_networks",
]

MAX_ALLOWED = 10

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AccessRefusal(enum.StrEnum):
    IP_NOT_ALLOWED = "ip_not_allowed"  # 8050
    TOKEN_IP_MISMATCH = "token_ip_mismatch"  # 8010


@dataclass(frozen=True, slots=True)
class AccessDecision:
    allowed: bool
    refusal: AccessRefusal | None = None
    detail: str = ""


ALLOW = AccessDecision(True)


def parse_address(text: str) -> Address | None:
    """The address in ``text`` (IPv4-mapped IPv6 unwrapped; a zone id dropped), or None."""
    try:
        addr = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def normalize_allow_list(entries: Iterable[str]) -> tuple[str, ...] | str:
    """The entries as sorted, de-duplicated CIDR strings, or a message saying what is wrong
    (not an address or network, host bits set, or more than :data:`MAX_ALLOWED`)."""
    nets: list[Network] = []
    for raw in entries:
        text = raw.strip()
        if not text:
            continue
        try:
            net = ipaddress.ip_network(text, strict=True)
        except ValueError:
            return f"not an IP address or network: {text!r}"
        if isinstance(net, ipaddress.IPv6Network):
            mapped = net.network_address.ipv4_mapped
            if mapped is not None and net.prefixlen >= 96:
                net = ipaddress.IPv4Network((mapped, net.prefixlen - 96))
        if net not in nets:
            nets.append(net)
    if len(nets) > MAX_ALLOWED:
        return f"at most {MAX_ALLOWED} addresses or networks per key, got {len(nets)}"
    nets.sort(key=lambda n: (n.version, n.network_address, n.prefixlen))
    return tuple(str(n) for n in nets)


@lru_cache(maxsize=4096)
def parse_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Stored CIDR strings as networks (malformed ones are left out: they admit nobody)."""
    out: list[Network] = []
    for text in entries:
        try:
            out.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            continue
    return tuple(out)


def ip_allowed(allowed: tuple[str, ...], client_ip: str) -> bool:
    """Whether ``client_ip`` is inside one of ``allowed`` (True when the list is empty)."""
    if not allowed:
        return True
    addr = parse_address(client_ip)
    if addr is None:
        return False
    return any(addr.version == net.version and addr in net for net in parse_networks(allowed))


def check_issue(allowed: tuple[str, ...], client_ip: str) -> AccessDecision:
    """May a token be issued to ``client_ip`` for a key with this allow-list?"""
    if ip_allowed(allowed, client_ip):
        return ALLOW
    return AccessDecision(False, AccessRefusal.IP_NOT_ALLOWED, f"{client_ip or '?'} not allowed")


def check_call(allowed: tuple[str, ...], bound_ip: str | None, client_ip: str) -> AccessDecision:
    """May ``client_ip`` use a token of a key with this allow-list, bound to ``bound_ip``
    (None: not bound)? The allow-list is checked first (8050), then the binding (8010)."""
    decision = check_issue(allowed, client_ip)
    if not decision.allowed:
        return decision
    if bound_ip is None or _same(bound_ip, client_ip):
        return ALLOW
    return AccessDecision(
        False, AccessRefusal.TOKEN_IP_MISMATCH, f"token of {bound_ip}, call from {client_ip}"
    )


def _same(a: str, b: str) -> bool:
    pa, pb = parse_address(a), parse_address(b)
    if pa is None or pb is None:
        return a == b
    return pa == pb


def client_address(peer: str, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address (see the module docstring): ``peer`` unless it is a trusted proxy."""
    nets = parse_networks(tuple(trusted))
    if not nets or not _in_any(peer, nets):
        return peer
    client = peer
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if parse_address(hop) is None:
            break
        client = str(parse_address(hop))
        if not _in_any(hop, nets):
            break
    return client


def _in_any(text: str, nets: tuple[Network, ...]) -> bool:
    addr = parse_address(text)
    return addr is not None and any(addr.version == n.version and addr in n for n in nets)
