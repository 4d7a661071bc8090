"""The html block: HTML written by course authors (trusted, as in Open edX).

Before it reaches the page, the author's HTML is rewritten as Open edX's LMS does:
``/static/<file>`` to the course's asset URL, ``/jump_to_id/<block_id>`` and
``/course/`` to this course's pages, ``%%USER_ID%%`` to the learner's anonymous id,
and ``[mathjaxinline]``/``[mathjax]`` to MathJax's delimiters.

Authors' scripts run, as in Open edX, under the site's Content-Security-Policy:
each ``<script>`` element of the author's HTML gets this response's nonce, and the
author's inline event handlers (``onclick="..."``) are allowed by the hash of their
exact text (:func:`trust_author_scripts`). Only this block's HTML gets either:
what learners write is rendered by other blocks, escaped, and stays inert.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from typing import Any

from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from kampus.rendering.csp import allow_sources, csp_nonce
from kampus_content.author_html import rewrite_course_urls
from kampus_content.blocks.rendering import openedx_math_to_tex, render_block_template
from kampus_content.progress.completion import completion_from_browser

_MAY_HOLD_SCRIPT = re.compile(r"<script|[\s/]on[a-z]+\s*=", re.I)


class _AuthorScripts(HTMLParser):
    """Where the ``<script>`` start tags of an HTML text are, and its inline event handlers' code."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.line_starts = [0]
        self.line_starts.extend(index + 1 for index, char in enumerate(text) if char == "\n")
        self.script_tags: list[int] = []  # offsets of "<script"
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "nonce" for name, _value in attrs):
            line, column = self.getpos()
            self.script_tags.append(self.line_starts[line - 1] + column)
        self.handlers.extend(value for name, value in attrs if name.startswith("on") and value)

    handle_startendtag = handle_starttag


def trust_author_scripts(html: str) -> str:
    """``html`` (an author's) with this response's CSP nonce on each ``<script>``, its inline
    event handlers allowed by hash in this response's policy."""
    if not _MAY_HOLD_SCRIPT.search(html):
        return html
    parser = _AuthorScripts(html)
    parser.feed(html)
    parser.close()
    if parser.handlers:
        hashes = sorted({base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
                         for code in parser.handlers})
        allow_sources("script-src", "'unsafe-hashes'", *(f"'sha256-{digest}'" for digest in hashes))
    if not parser.script_tags:
        return html
    nonce = csp_nonce()
    parts: list[str] = []
    done = 0
    for offset in parser.script_tags:
        end = offset + len("<script")
        if html[offset:end].lower() != "<script":
            continue  # the parser's position is not a script tag: leave it alone
        parts.append(html[done:end])
        parts.append(f' nonce="{nonce}"')
        done = end
    parts.append(html[done:])
    return "".join(parts)


class HtmlBlock(XBlock):
    """Author HTML."""

    display_name = String(scope=Scope.settings, default="Text", help="Name shown to learners")
    data = String(scope=Scope.content, default="", help="The HTML of the component")
    editor = String(scope=Scope.settings, default="visual", help="Editor used in Studio: visual or raw")

    def rendered_html(self) -> str:
        """The author's HTML with its links, learner id and maths markers rewritten (no nonces: see
        :meth:`student_view`)."""
        course_key = str(self.scope_ids.usage_id.course_key)
        html = rewrite_course_urls(self.data or "", course_key)
        if "%%USER_ID%%" in html:  # the learner's anonymous id costs a query: only for HTML that shows it
            user_id = getattr(self.runtime, "anonymous_student_id", None)
            if user_id:
                html = html.replace("%%USER_ID%%", user_id)
        return openedx_math_to_tex(html)

    @XBlock.supports("multi_device")
    def student_view(self, context: Any = None) -> Fragment:
        html = trust_author_scripts(self.rendered_html())  # per response: the nonce changes each time
        frag = Fragment(render_block_template("html.html", html=Markup(html)))
        if not getattr(self.runtime, "authoring", False):
            frag.add_javascript_url(self.runtime.resource_url("completion.js"))
            frag.initialize_js("KampusCompletionOnView")  # posts publish_completion once the learner saw it
        return frag

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)

    def studio_view(self, context: Any = None) -> Fragment:
        frag = Fragment(render_block_template(
            "html_editor.html", ident=self.scope_ids.usage_id.block_id, display_name=self.display_name,
            data=self.data))
        frag.add_javascript_url(self.runtime.resource_url("studio_editor.js"))
        frag.initialize_js("KampusFieldsEditor")
        return frag

    @XBlock.json_handler
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the editor's fields (the runtime allows this in the draft, for authors only)."""
        if "display_name" in data:
            self.display_name = str(data["display_name"])
        if "data" in data:
            self.data = str(data["data"])
        return {"result": "success"}

    @XBlock.json_handler
    def publish_completion(self, data: Any, suffix: str = "") -> dict[str, str]:
        """Mark the block complete for the learner, who has seen it (``{"completion": 1.0}``)."""
        return completion_from_browser(self, data)
