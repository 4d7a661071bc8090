"""Client address and scheme from X-Forwarded-* only behind the proxies named in ``trusted_proxies``."""

from __future__ import annotations

import pytest

from kampus.errors import StartupError
from kampus.proxies import parse_networks, resolve_client
from kampus.testing import make_user

PROXY = "10.0.0.7"
TRUSTED = {"trusted_proxies": "10.0.0.0/8, 192.168.1.1"}


def from_peer(peer, forwarded_for=None, proto=None):
    headers = {}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    if proto is not None:
        headers["X-Forwarded-Proto"] = proto
    return {"headers": headers, "environ_base": {"REMOTE_ADDR": peer}}


def event_ip(client, events, **request):
    assert client.post("/event", data={"event_type": "ping", "event": "{}"}, **request).status_code == 200
    return events.of_type("ping")[-1]["ip"]


@pytest.mark.parametrize(("peer", "chain", "proto", "expected"), [
    ("203.0.113.5", ["6.6.6.6"], ["https"], ("203.0.113.5", None)),  # not a proxy: headers ignored
    (PROXY, [], ["https"], (PROXY, "https")),
    (PROXY, ["198.51.100.2"], ["https"], ("198.51.100.2", "https")),
    # the client wrote the leftmost entries itself: only the one the proxy appended counts
    (PROXY, ["6.6.6.6", "198.51.100.2"], [], ("198.51.100.2", None)),
    # two trusted proxies: skip both; the scheme is the outer proxy's
    (PROXY, ["6.6.6.6", "198.51.100.2", "192.168.1.1"], ["https", "http"], ("198.51.100.2", "https")),
    (PROXY, ["198.51.100.2:5555"], ["HTTP"], ("198.51.100.2", "http")),
    (PROXY, ["[2001:db8::1]:443"], ["gopher"], ("2001:db8::1", None)),
    (PROXY, ["not-an-address"], [], (PROXY, None)),
])
def test_resolve_client(peer, chain, proto, expected):
    assert resolve_client(peer, chain, proto, parse_networks(["10.0.0.0/8", "192.168.1.1"])) == expected


def test_a_bad_setting_stops_start_up(make_app):
    with pytest.raises(StartupError, match="trusted_proxies.*'10.0.0.300'"):
        make_app(settings={"trusted_proxies": "10.0.0.300"})


def test_spoofed_headers_are_ignored_without_a_trusted_proxy(client, events):
    assert event_ip(client, events, **from_peer("203.0.113.5", "6.6.6.6", "https")) == "203.0.113.5"


def test_spoofed_headers_from_an_untrusted_peer_are_ignored(make_app):
    app = make_app(settings=TRUSTED)
    client = app.test_client()
    assert event_ip(client, app.kampus_events, **from_peer("203.0.113.5", "6.6.6.6")) == "203.0.113.5"


def test_client_address_and_scheme_behind_a_trusted_proxy(make_app):
    app = make_app(settings={**TRUSTED, "base_url": ""})
    client = app.test_client()
    assert event_ip(client, app.kampus_events, **from_peer(PROXY, "6.6.6.6, 198.51.100.2")) == "198.51.100.2"
    # the scheme reaches the links built from the request
    user = make_user(app)
    response = client.post("/password/reset", data={"email": user.email}, **from_peer(PROXY, "198.51.100.2", "https"))
    assert response.status_code == 200, response.get_data(as_text=True)
    text = app.extensions["kampus"].mailer.outbox[-1].get_body(("plain",)).get_content()
    assert "https://localhost/password/reset/" in text


def _failed_login(client, username, **request):
    return client.post("/login", data={"username": username, "password": "wrong"}, **request).status_code


def test_login_throttling_keys_on_the_real_client(make_app):
    app = make_app(settings={**TRUSTED, "login_failure_limit": 2})
    client = app.test_client()
    alice = from_peer(PROXY, "198.51.100.2")
    assert _failed_login(client, "nobody1", **alice) == 400
    assert _failed_login(client, "nobody2", **alice) == 400
    assert _failed_login(client, "nobody3", **alice) == 429  # alice's address is throttled...
    # ...not everybody behind the same proxy
    assert _failed_login(client, "nobody4", **from_peer(PROXY, "198.51.100.3")) == 400


def test_without_a_trusted_proxy_forged_addresses_do_not_escape_throttling(make_app):
    app = make_app(settings={"login_failure_limit": 2})
    client = app.test_client()
    for number in range(2):
        assert _failed_login(client, f"nobody{number}", **from_peer("203.0.113.5", f"1.1.1.{number}")) == 400
    assert _failed_login(client, "nobody9", **from_peer("203.0.113.5", "1.1.1.9")) == 429


def test_a_forged_scheme_does_not_reach_links_without_a_trusted_proxy(make_app):
    app = make_app(settings={"base_url": ""})
    user = make_user(app)
    client = app.test_client()
    response = client.post("/password/reset", data={"email": user.email},
                           **from_peer("203.0.113.5", "198.51.100.2", "https"))
    assert response.status_code == 200
    text = app.extensions["kampus"].mailer.outbox[-1].get_body(("plain",)).get_content()
    assert "http://localhost/password/reset/" in text and "https://" not in text
