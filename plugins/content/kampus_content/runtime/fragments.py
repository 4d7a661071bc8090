"""Fragments into pages: wrapping a block's fragment, and its CSS and JavaScript as tags.

The site's Content-Security-Policy forbids inline scripts, so the inline
JavaScript of a fragment is stored by the SHA-256 of its text (in the app's
memory and in ``content_xblock_resource``, so every web process can serve it)
and included as ``<script src="/xblock/resource/<hash>.js">``. Inline CSS stays
inline (the policy allows inline styles).

:func:`resource_tags` also gives every page of course content what Open edX pages
give it (``templates/content/page_resources.html``): the content stylesheet that
keeps images, tables, code and maths inside the page's width, Font Awesome 4.7,
the maths loader, and MathJax itself when the page holds maths. Course HTML may
load stylesheets and web fonts from other sites (Google Fonts in Open edX's demo
course), so such pages allow ``https:`` styles and fonts.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from web_fragments.fragment import Fragment

from kampus.current import current_kampus
from kampus.rendering.csp import allow_sources
from kampus_content.blocks.rendering import contains_math
from kampus_content.runtime.javascript_libraries import FONT_AWESOME_CSS, MATHJAX_SCRIPT
from kampus_content.runtime.user_state import FragmentResource

_MAX_MEMORY = 2000


class ScriptStore:
    """The inline scripts of one app: a bounded memory in front of its ``content_xblock_resource`` table.

    One per app (in ``kampus.cache``): two apps in one process have two databases, and a script
    known to be stored in one is not stored in the other.
    """

    def __init__(self, database: Any) -> None:
        self.database = database
        self.memory: dict[str, str] = {}
        self.persisted: set[str] = set()
        self.lock = threading.Lock()

    def store(self, body: str) -> str:
        """Keep ``body``; returns its hash (the name it is served under)."""
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        if digest in self.persisted and digest in self.memory:
            return digest
        with self.lock:
            if len(self.memory) >= _MAX_MEMORY:
                self.memory.clear()
            self.memory[digest] = body
        if digest not in self.persisted:
            try:
                with self.database.session_scope() as db_session:
                    exists = db_session.scalar(sa.select(FragmentResource.hash).where(FragmentResource.hash == digest))
                    if exists is None:
                        db_session.add(FragmentResource(hash=digest, body=body))
            except IntegrityError:
                pass  # another process stored it first
            self.persisted.add(digest)
        return digest

    def load(self, digest: str) -> str | None:
        """The script stored under ``digest``, or ``None``."""
        body = self.memory.get(digest)
        if body is not None:
            return body
        with self.database.session_scope() as db_session:
            body = db_session.scalar(sa.select(FragmentResource.body).where(FragmentResource.hash == digest))
        if body is not None:
            with self.lock:
                self.memory[digest] = body
        return body


def script_store() -> ScriptStore:
    """The :class:`ScriptStore` of the current app."""
    kampus = current_kampus()
    return kampus.kept("kampus_content.scripts", lambda: ScriptStore(kampus.db))


def store_script(body: str) -> str:
    """Keep an inline script of the current app; returns its hash (the name it is served under)."""
    return script_store().store(body)


def load_script(digest: str) -> str | None:
    """The inline script of the current app stored under ``digest``, or ``None``."""
    return script_store().load(digest)


#: Text that an inline event handler attribute (``onsubmit=``) needs; without it there is none.
_MAY_HOLD_HANDLER = re.compile(r"[\s/]on[a-z]+\s*=", re.I)


class _EventHandlerAttributes(HTMLParser):
    """Collects the values of inline event handler attributes (``onsubmit="return false;"``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers.extend(value for name, value in attrs if name.startswith("on") and value)


def third_party_script_policy(body_html: str) -> str:
    """The CSP ``script-src`` of a page holding third-party XBlocks.

    Such blocks compile templates in the browser (xblock-poll's Handlebars),
    so ``'unsafe-eval'``; and some were written for Open edX, which sets no
    CSP, with inline event handlers in their HTML (feedback-xblock's
    ``<form onsubmit="return false;">``). Those exact handlers are allowed by
    their hash (``'unsafe-hashes'``); inline ``<script>`` elements and any
    other handler stay forbidden.
    """
    handlers: list[str] = []
    if _MAY_HOLD_HANDLER.search(body_html):  # parsing costs a millisecond a page: only when it may find one
        parser = _EventHandlerAttributes()
        parser.feed(body_html)
        parser.close()
        handlers = parser.handlers
    sources = ["'self'", "'unsafe-eval'"]
    hashes = sorted({base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
                     for code in handlers})
    if hashes:
        sources.append("'unsafe-hashes'")
        sources.extend(f"'sha256-{digest}'" for digest in hashes)
    return "script-src " + " ".join(sources)


def allow_third_party_scripts(body_html: str) -> None:
    """Widen this response's policy as :func:`third_party_script_policy` says, for a page holding
    third-party XBlocks (the kernel adds it to whatever policy the response sends)."""
    sources = third_party_script_policy(body_html).split()[2:]  # past "script-src 'self'"
    allow_sources("script-src", *sources)


def script_url(digest: str) -> str:
    return f"/xblock/resource/{digest}.js"


def json_for_script(data: Any) -> str:
    """JSON safe inside a ``<script type="json/...">`` element."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def wrap_block(block: Any, view: str, frag: Fragment, *, handler_prefix: str, usage_id: str,
               extra_classes: tuple[str, ...] = ()) -> Fragment:
    """A fragment wrapping ``frag`` in Open edX's ``div.xblock`` with the data its JavaScript runtime reads."""
    block_type = block.scope_ids.block_type
    classes = ["xblock", f"xblock-{view}", f"xblock-{view}-{block_type}", *extra_classes]
    attrs = {
        "class": " ".join(classes),
        "data-usage-id": usage_id,
        "data-block-type": block_type,
        "data-handler-prefix": handler_prefix,
        "data-runtime-class": "KampusRuntime",
        "data-runtime-version": "1",
    }
    course_key = getattr(block.scope_ids.usage_id, "course_key", None)
    if course_key is not None:
        attrs["data-course-id"] = str(course_key)  # as Open edX's wrapper; LMS-style blocks read it
    name = getattr(block, "name", None)
    if name:
        attrs["data-name"] = name  # the JS runtime's childMap(element, name) finds children by it
    if frag.js_init_fn:
        attrs["data-init"] = frag.js_init_fn
        attrs["data-js-version"] = str(frag.js_init_version or 1)
    args = ""
    if frag.js_init_fn and frag.json_init_args is not None:
        args = ('<script type="json/xblock-args" class="xblock-json-init-args">'
                f"{json_for_script(frag.json_init_args)}</script>")
    properties = "".join(f' {name}="{escape(value)}"' for name, value in attrs.items())
    wrapped = Fragment()
    wrapped.add_content(f"<div{properties}>{frag.body_html()}{args}</div>")
    wrapped.add_fragment_resources(frag)
    return wrapped


def content_page_tags(*, math: bool) -> Markup:
    """The ``<head>`` tags every page of course content gets (see the module's docstring); MathJax
    itself with ``math``. Allows ``https:`` styles and fonts in this response's policy."""
    allow_sources("style-src", "https:")
    allow_sources("font-src", "'self'", "https:", "data:")
    template = current_app.jinja_env.get_template("content/page_resources.html")
    return Markup(template.render(math=math, mathjax=MATHJAX_SCRIPT, font_awesome=FONT_AWESOME_CSS))


def resource_tags(frag: Fragment) -> tuple[Markup, Markup]:
    """(head tags, foot tags) for the fragment's resources, de-duplicated, inline scripts served by URL;
    the head starts with what every page of course content loads (:func:`content_page_tags`), MathJax
    included when the fragment holds maths."""
    head: list[str] = [content_page_tags(math=contains_math(frag.body_html()))]
    foot: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for resource in frag.resources:
        marker = (resource.kind, resource.mimetype, resource.data)
        if marker in seen:
            continue
        seen.add(marker)
        tag = _tag(resource)
        if tag:
            (head if resource.placement == "head" else foot).append(tag)
    return Markup("\n".join(head)), Markup("\n".join(foot))


def _tag(resource: Any) -> str:
    kind, mimetype, data = resource.kind, resource.mimetype, resource.data
    if mimetype == "text/css":
        if kind == "url":
            return f'<link rel="stylesheet" href="{escape(data)}">'
        return f"<style>{data}</style>"
    if mimetype == "application/javascript":
        if kind == "url":
            return f'<script src="{escape(data)}"></script>'
        return f'<script src="{script_url(store_script(data))}"></script>'
    if mimetype == "text/html" and kind == "text":
        return data
    return ""
