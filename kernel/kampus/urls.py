"""Absolute URLs of the site, for links that leave the page: e-mails, API answers, banners.

One rule, in one place: the ``base_url`` setting when the operator set it
(the public address behind a proxy or a CDN), else the scheme and host of
the current request (what the browser or client used, so ``kampus serve
--port 8765`` links to port 8765; behind a reverse proxy the scheme and
address come from ``X-Forwarded-*`` only when the ``trusted_proxies``
setting names the proxy, see :mod:`kampus.proxies`). Outside a request (a
command or a background task) with no ``base_url``, links fall back to
:data:`FALLBACK_BASE_URL`; set ``base_url`` for such links to be right.
"""

from __future__ import annotations

from flask import has_request_context, request

from kampus.current import current_kampus

#: The address links use outside a request when ``base_url`` is not set: `kampus serve`'s default.
FALLBACK_BASE_URL = "http://127.0.0.1:8000"


def site_base_url() -> str:
    """The site's public address, without a trailing slash (see the module's documentation)."""
    configured = current_kampus().settings.get("base_url") or ""
    if configured:
        return str(configured).rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return FALLBACK_BASE_URL


def absolute_url(path: str) -> str:
    """``path`` (a site-relative path such as ``url_for(...)`` returns) as an absolute URL."""
    if not path.startswith("/"):
        path = "/" + path
    return site_base_url() + path
