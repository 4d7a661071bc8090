"""The client's address and scheme behind reverse proxies named in the ``trusted_proxies`` setting.

Behind nginx or a load balancer every request comes from the proxy's
address, so login throttling would lock everybody out together and the
tracking log would record the proxy. The proxy tells the real client in
``X-Forwarded-For`` (each proxy appends the address it was connected from)
and the scheme in ``X-Forwarded-Proto``. Anyone can send those headers, so
they are believed only when the direct peer is a trusted proxy, and then
only as far as the chain of trusted proxies goes: the ``X-Forwarded-For``
list is walked from the right, skipping trusted proxies; the first address
that is not one is the client. Everything left of it was written by the
client and is ignored. The scheme is the ``X-Forwarded-Proto`` entry the
outermost trusted proxy appended.

With ``trusted_proxies`` empty (the default) the headers are ignored and
the direct peer is the client. The resolution happens in a WSGI middleware,
before Flask builds the request, so ``request.remote_addr``,
``request.scheme`` and gunicorn's access log all see the client. The host
name is the request's ``Host`` header: have the proxy pass it on (nginx:
``proxy_set_header Host $host``), or set ``base_url``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from kampus.errors import SettingsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Where the middleware keeps the address of the direct peer when it replaced ``REMOTE_ADDR``.
PEER_ENVIRON_KEY = "kampus.proxy_peer"


def parse_networks(values: Iterable[str]) -> list[Network]:
    """The networks of the ``trusted_proxies`` setting (addresses and CIDR blocks); raises
    :class:`~kampus.errors.SettingsError` naming a value that is neither."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise SettingsError(
                f"setting 'trusted_proxies': {value!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return networks


def _address(text: str) -> IPAddress | None:
    """An address from a header entry (``1.2.3.4``, ``1.2.3.4:5678``, ``[::1]:80``, ``::1``), else ``None``."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _header_list(environ: dict[str, Any], name: str) -> list[str]:
    return [item.strip() for item in environ.get(name, "").split(",") if item.strip()]


def resolve_client(
    peer: str, forwarded_for: list[str], forwarded_proto: list[str], trusted: list[Network]
) -> tuple[str, str | None]:
    """``(client address, scheme or None)`` of a request from ``peer`` (see the module's documentation)."""
    current = _address(peer)

    def is_trusted(address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in trusted)

    if not is_trusted(current):
        return peer, None
    client, hops = peer, 1
    for entry in reversed(forwarded_for):
        address = _address(entry)
        if address is None:
            break  # not an address: written by the client, not by a proxy
        client = str(address)
        if not is_trusted(address):
            break
        hops += 1
    scheme = None
    if forwarded_proto:
        value = forwarded_proto[-min(hops, len(forwarded_proto))].lower()
        scheme = value if value in ("http", "https") else None
    return client, scheme


class TrustedProxyMiddleware:
    """WSGI middleware that puts the client's address and scheme in the environ (behind trusted proxies)."""

    def __init__(self, wsgi_app: Callable[..., Any], trusted: list[Network]):
        self.wsgi_app = wsgi_app
        self.trusted = trusted

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if self.trusted:
            peer = environ.get("REMOTE_ADDR", "")
            client, scheme = resolve_client(
                peer,
                _header_list(environ, "HTTP_X_FORWARDED_FOR"),
                _header_list(environ, "HTTP_X_FORWARDED_PROTO"),
                self.trusted,
            )
            if client != peer:
                environ[PEER_ENVIRON_KEY] = peer
                environ["REMOTE_ADDR"] = client
            if scheme is not None:
                environ["wsgi.url_scheme"] = scheme
        return self.wsgi_app(environ, start_response)
