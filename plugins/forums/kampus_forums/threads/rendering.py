"""Posts' Markdown with math, rendered to safe HTML.

Bodies are stored as typed (Open edX stores the raw Markdown); they are rendered when shown:

* Markdown is CommonMark with tables and strikethrough (markdown-it-py); raw HTML in a post is not
  passed through, it shows as text;
* math spans (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) are taken out before Markdown can
  change them and kept as escaped text between MathJax's default delimiters (``\\(...\\)`` inline,
  ``\\[...\\]`` display) in ``<span class="math ...">`` / ``<div class="math ...">``: the page's MathJax
  typesets them, the HTML itself never runs them;
* the HTML then goes through nh3 with an allow-list: no script, style, iframe or event attributes,
  links only to http, https and mailto (with ``rel="nofollow noopener"``), images only from http, https
  or relative URLs.

Rendered HTML is kept per app in a small LRU (``app.extensions``), as rendering a page of posts is
most of the cost of a thread's page.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict
from typing import Any

import nh3
from flask import current_app, has_app_context
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

try:  # Open edX's bodies write math with dollars too; the plugin keeps Markdown from touching it
    from mdit_py_plugins.dollarmath import dollarmath_plugin
except ImportError:  # pragma: no cover - mdit-py-plugins is a dependency; without it dollars stay text
    dollarmath_plugin = None

#: Tags a rendered post may hold.
ALLOWED_TAGS = frozenset({
    "a", "b", "blockquote", "br", "code", "del", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
})
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
    "code": {"class"},
}
ALLOWED_CLASSES = {"span": {"math", "math-inline", "math-display"}, "div": {"math", "math-display"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = ("http:", "https:")
_CODE_CLASS = re.compile(r"^language-[A-Za-z0-9_+-]{1,40}$")
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):")
CACHE_SIZE = 4096
#: longer bodies are rendered each time rather than kept (the cache stays a few tens of MB at most)
CACHE_MAX_BODY = 10_000
_CACHE_KEY = "kampus_forums_rendered"


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    """Images only from http(s) or relative URLs; code classes only ``language-x``."""
    if tag == "img" and attribute == "src":
        match = _SCHEME.match(value)
        if match and f"{match.group(1).lower()}:" not in IMAGE_SCHEMES:
            return None
    if tag == "code" and attribute == "class" and not _CODE_CLASS.match(value):
        return None
    return value


def sanitize(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed (see the module's documentation)."""
    return nh3.clean(fragment, tags=set(ALLOWED_TAGS), clean_content_tags={"script", "style"},
                     attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
                     attribute_filter=_attribute_filter, link_rel="nofollow noopener",
                     url_schemes=set(URL_SCHEMES), allowed_classes={k: set(v) for k, v in ALLOWED_CLASSES.items()},
                     filter_style_properties={"text-align"}, strip_comments=True)


def _bracket_math(state: StateInline, silent: bool) -> bool:
    """``\\(...\\)`` and ``\\[...\\]`` in a paragraph: math, before Markdown's escapes eat the backslashes."""
    src, pos = state.src, state.pos
    if pos + 1 >= state.posMax or src[pos] != "\\" or src[pos + 1] not in "([":
        return False
    opener = src[pos + 1]
    closer = "\\)" if opener == "(" else "\\]"
    end = src.find(closer, pos + 2, state.posMax)
    if end < 0:
        return False
    if not silent:
        token = state.push("math_inline" if opener == "(" else "math_inline_double", "", 0)
        token.content = src[pos + 2:end]
        token.markup = "\\" + opener
    state.pos = end + 2
    return True


def _inline_math(_renderer: Any, tokens: Any, idx: int, *_args: Any) -> str:
    return f'<span class="math math-inline">\\({html.escape(tokens[idx].content)}\\)</span>'


def _display_math_inline(_renderer: Any, tokens: Any, idx: int, *_args: Any) -> str:
    return f'<span class="math math-display">\\[{html.escape(tokens[idx].content)}\\]</span>'


def _display_math_block(_renderer: Any, tokens: Any, idx: int, *_args: Any) -> str:
    return f'<div class="math math-display">\\[{html.escape(tokens[idx].content.strip())}\\]</div>\n'


def parser() -> MarkdownIt:
    """The Markdown parser of posts: CommonMark, tables, strikethrough, math spans; raw HTML off."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    if dollarmath_plugin is not None:
        md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.inline.ruler.before("escape", "bracket_math", _bracket_math)
    md.add_render_rule("math_inline", _inline_math)
    md.add_render_rule("math_inline_double", _display_math_inline)
    md.add_render_rule("math_block", _display_math_block)
    md.add_render_rule("math_block_label", _display_math_block)
    return md


def render_uncached(body: str) -> str:
    """Safe HTML of a post's Markdown body (no cache)."""
    return sanitize(parser().render(body or ""))


class _RenderCache:
    """A bounded LRU of rendered bodies and the app's parser (one per app)."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self.items: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()
        self.md = parser()

    def render(self, body: str) -> str:
        if len(body) > CACHE_MAX_BODY:
            return sanitize(self.md.render(body))
        with self.lock:
            hit = self.items.get(body)
            if hit is not None:
                self.items.move_to_end(body)
                return hit
        out = sanitize(self.md.render(body))
        with self.lock:
            self.items[body] = out
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return out


def rendered(body: str) -> str:
    """Safe HTML of a post's Markdown body, math left as escaped text for MathJax (cached per app)."""
    body = body or ""
    if not has_app_context():
        return render_uncached(body)
    cache = current_app.extensions.get(_CACHE_KEY)
    if cache is None:
        cache = current_app.extensions.setdefault(_CACHE_KEY, _RenderCache())
    return cache.render(body)


def preview(rendered_html: str) -> str:
    """Open edX's ``preview_body``: the rendered body's text (tags stripped, entities kept escaped), one line."""
    text = re.sub(r"<[^>]*>", "", rendered_html)
    return text.replace("\n", " ").replace("&nbsp;", " ")
