"""IP allow-lists, token binding and the client address (hoga.policy.access)."""

from __future__ import annotations

import pytest

from hoga.policy.access import (
    ALLOW,
    MAX_ALLOWED,
    AccessRefusal,
    check_call,
    check_issue,
    client_address,
    ip_allowed,
    normalize_allow_list,
    parse_address,
)


def test_normalize_sorts_dedups_and_writes_cidr() -> None:
    out = normalize_allow_list(
        [" 203.0.113.7 ", "2001:db8::/48", "198.51.100.0/24", "203.0.113.7/32", "", "::1"]
    )
    assert out == ("198.51.100.0/24", "203.0.113.7/32", "::1/128", "2001:db8::/48")


def test_normalize_unwraps_ipv4_mapped_networks() -> None:
    assert normalize_allow_list(["::ffff:203.0.113.0/120"]) == ("203.0.113.0/24",)
    assert normalize_allow_list(["::ffff:203.0.113.7"]) == ("203.0.113.7/32",)


@pytest.mark.parametrize(
    ("entries", "words"),
    [
        (["not-an-ip"], "not an IP"),
        (["10.0.0.1/8"], "not an IP"),  # host bits set: a typo, refused rather than widened
        (["300.1.1.1"], "not an IP"),
        ([f"10.0.0.{i}" for i in range(MAX_ALLOWED + 1)], "at most 10"),
    ],
)
def test_normalize_refuses_bad_lists(entries: list[str], words: str) -> None:
    out = normalize_allow_list(entries)
    assert isinstance(out, str) and words in out


def test_ten_entries_are_fine() -> None:
    out = normalize_allow_list([f"10.0.0.{i}" for i in range(MAX_ALLOWED)])
    assert isinstance(out, tuple) and len(out) == MAX_ALLOWED


def test_parse_address() -> None:
    assert str(parse_address("::ffff:198.51.100.9")) == "198.51.100.9"
    assert str(parse_address("fe80::1%eth0")) == "fe80::1"
    assert parse_address("testclient") is None
    assert parse_address("") is None


@pytest.mark.parametrize(
    ("ip", "ok"),
    [
        ("198.51.100.200", True),
        ("198.51.101.1", False),
        ("203.0.113.7", True),
        ("203.0.113.8", False),
        ("2001:db8:0:ffff::1", True),
        ("2001:db8:1::1", False),
        ("::ffff:198.51.100.1", True),  # IPv4-mapped peer counts as IPv4
        ("testclient", False),
        ("", False),
    ],
)
def test_ip_allowed_ipv4_and_ipv6_networks(ip: str, ok: bool) -> None:
    allowed = ("198.51.100.0/24", "203.0.113.7/32", "2001:db8::/48")
    assert ip_allowed(allowed, ip) is ok


def test_empty_list_admits_everyone_and_bad_stored_entries_admit_nobody() -> None:
    assert ip_allowed((), "anything") is True
    assert ip_allowed(("garbage",), "203.0.113.7") is False


def test_check_issue_and_call() -> None:
    allowed = ("203.0.113.0/24",)
    assert check_issue(allowed, "203.0.113.5") is ALLOW
    refused = check_issue(allowed, "192.0.2.1")
    assert refused.refusal is AccessRefusal.IP_NOT_ALLOWED and "192.0.2.1" in refused.detail
    assert check_call(allowed, None, "203.0.113.5") is ALLOW
    assert check_call(allowed, "203.0.113.5", "203.0.113.5") is ALLOW
    moved = check_call(allowed, "203.0.113.5", "203.0.113.6")
    assert moved.refusal is AccessRefusal.TOKEN_IP_MISMATCH
    # outside the allow-list is reported first, even for a bound token
    assert check_call(allowed, "203.0.113.5", "192.0.2.1").refusal is AccessRefusal.IP_NOT_ALLOWED
    # binding compares addresses, not spellings
    assert check_call((), "2001:db8::1", "2001:0db8:0::1") is ALLOW
    assert check_call((), "::ffff:192.0.2.1", "192.0.2.1") is ALLOW
    assert check_call((), "testclient", "testclient") is ALLOW
    assert not check_call((), "testclient", "other").allowed


def test_client_address_ignores_forwarded_for_without_trusted_proxies() -> None:
    assert client_address("198.51.100.1", "203.0.113.9", ()) == "198.51.100.1"
    assert client_address("198.51.100.1", "203.0.113.9", ("10.0.0.0/8",)) == "198.51.100.1"


def test_client_address_behind_trusted_proxies() -> None:
    trusted = ("10.0.0.0/8", "fd00::/8")
    # one proxy: the client is the last hop it saw
    assert client_address("10.0.0.2", "203.0.113.9", trusted) == "203.0.113.9"
    # two proxies of ours, a spoofed left-most entry is ignored
    chain = "6.6.6.6, 203.0.113.9, 10.1.1.1"
    assert client_address("10.0.0.2", chain, trusted) == "203.0.113.9"
    assert client_address("fd00::2", "2001:db8::7", trusted) == "2001:db8::7"
    # every hop trusted: the left-most is the best we know
    assert client_address("10.0.0.2", "10.9.9.9, 10.1.1.1", trusted) == "10.9.9.9"
    # no header, or a malformed hop: stop at the last good address
    assert client_address("10.0.0.2", None, trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", "203.0.113.9, bogus", trusted) == "10.0.0.2"
    assert client_address("10.0.0.2", "bogus, 10.1.1.1", trusted) == "10.1.1.1"
