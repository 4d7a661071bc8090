"""Is this request made by another site? The guard on XBlock handlers reached by GET.

XBlock handlers are not read-only by contract: many change learner state on
any method (Open edX's ``xmodule_handler`` dispatches actions by name). POSTs
carry the CSRF token. A GET carries none, and a top-level navigation from
another site (a link, a redirect) still sends the session cookie, which is
``SameSite=Lax``. So a handler reached by GET is refused when the browser says
the request comes from elsewhere:

* ``Sec-Fetch-Site`` (sent by every current browser): ``same-origin`` and
  ``none`` (the user typed the address or opened a bookmark) pass;
  ``same-site`` (a sibling subdomain) and ``cross-site`` are refused.
* Without it (an older browser), ``Origin``, else ``Referer``, must name one
  of the site's own origins.
* A request with neither header passes: it is not a browser following
  another site's link (command-line clients, tests, privacy proxies that strip
  both), and the session cookie is the user's own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

#: ``Sec-Fetch-Site`` values of requests that come from the site itself or from the user.
SAME_SITE_FETCH = frozenset({"same-origin", "none"})


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped (``""`` when it has none)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if port is None or (scheme, port) in (("http", 80), ("https", 443)):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def comes_from_another_site(headers: Mapping[str, str], own_origins: Iterable[str]) -> bool:
    """Whether a browser request with ``headers`` was started by a page of another site (see the module)."""
    fetch_site = headers.get("Sec-Fetch-Site")
    if fetch_site:
        return fetch_site.strip().lower() not in SAME_SITE_FETCH
    source = headers.get("Origin") or headers.get("Referer")
    if not source:
        return False
    if source.strip() == "null":  # an opaque origin: a sandboxed frame, a data: URL, a privacy redirect
        return True
    own = {origin_of(url) for url in own_origins} - {""}
    return origin_of(source) not in own
