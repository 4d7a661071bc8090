"""The site's Content-Security-Policy, built for each response.

Every page gets :data:`BASE_POLICY`: scripts only from the site itself (no inline
script, no ``eval``), so that text a learner wrote can never run even if a template
forgot to escape it. A view may widen the policy *for its own response* only:

* :func:`csp_nonce` gives the response's nonce (made on first use, 128 random bits);
  a ``<script nonce="...">`` carrying it runs. Course authors' scripts get it at render
  time (authors are trusted, as in Open edX); learners' text never does. Templates call
  ``{{ csp_nonce() }}``.
* :func:`allow_sources` adds sources to one directive (``script-src 'unsafe-eval'`` for
  third-party XBlocks, ``'unsafe-hashes' 'sha256-...'`` for an author's exact inline
  event handlers, ``style-src https:`` for a course's web fonts).

:func:`content_security_policy` is what the kernel's ``after_request`` sends: the
policy a view set on its response (or :data:`BASE_POLICY`) with the sources allowed
during the request added to it.
"""

from __future__ import annotations

import secrets

from flask import g, has_request_context

#: Each directive's sources on every page.
BASE_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),  # scripts, fonts and connections: from the site itself
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:", "https:"),
    "media-src": ("'self'", "https:"),
    "frame-src": ("'self'", "https:"),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'self'",),
}


def _render(directives: dict[str, tuple[str, ...]] | dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


#: The policy of a response that widened nothing.
BASE_POLICY = _render(BASE_DIRECTIVES)


def _additions() -> dict[str, list[str]]:
    additions: dict[str, list[str]] | None = g.get("_kampus_csp_additions")
    if additions is None:
        additions = {}
        g._kampus_csp_additions = additions
    return additions


def allow_sources(directive: str, *sources: str) -> None:
    """Add ``sources`` to ``directive`` in this response's policy (no effect outside a request)."""
    if not has_request_context():
        return
    known = _additions().setdefault(directive, [])
    known.extend(source for source in sources if source not in known)


def csp_nonce() -> str:
    """This response's script nonce (the policy allows it from the first call on); ``""`` outside a request."""
    if not has_request_context():
        return ""
    nonce: str | None = g.get("_kampus_csp_nonce")
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        g._kampus_csp_nonce = nonce
        allow_sources("script-src", f"'nonce-{nonce}'")
    return nonce


def _parse(policy: str) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), []).extend(words[1:])
    return directives


def content_security_policy(policy: str | None = None) -> str:
    """The policy of the current response: ``policy`` (a view's own, else :data:`BASE_POLICY`) with
    the sources its views allowed (:func:`csp_nonce`, :func:`allow_sources`) added."""
    additions = g.get("_kampus_csp_additions") if has_request_context() else None
    if not additions:
        return policy or BASE_POLICY
    directives = _parse(policy) if policy else {name: list(sources) for name, sources in BASE_DIRECTIVES.items()}
    fallback = directives.get("default-src", ["'self'"])
    for name, sources in additions.items():
        if name not in directives:  # a directive absent from the policy falls back to default-src
            directives[name] = list(fallback)
        if directives[name] == ["'none'"]:
            directives[name] = []
        directives[name].extend(source for source in sources if source not in directives[name])
    return _render(directives)
