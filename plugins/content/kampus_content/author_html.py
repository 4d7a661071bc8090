"""Course authors' HTML: Open edX's course-relative links, and a sanitiser for pages outside blocks.

* :func:`rewrite_course_urls` is Open edX's ``static_replace`` for one course: ``/static/<path>``
  becomes the course's asset URL ``/assets/<course_id>/<path>`` (``replace_static_urls``),
  ``/jump_to_id/<block_id>`` the course's ``/courses/<course_id>/jump_to_id/<block_id>``
  (``replace_jump_to_id_urls``) and ``/course/<rest>`` ``/courses/<course_id>/<rest>``
  (``replace_course_urls``). The html block, the ``replace_urls`` service and the LMS pages that show
  authors' files (about page, updates, handouts, custom pages) all use it.
* :func:`clean_author_html` makes an author's HTML safe for a page that is not a block (blocks run
  authors' scripts under the response's CSP; other pages run none): markup, media, tables and inline
  ``style`` kept; ``<script>``, ``<style>`` elements, event handlers, forms, objects and ``javascript:``
  URLs removed (nh3). ``strict`` (text shown to anonymous visitors, such as the about page's
  overview) drops ``style`` attributes as well.
* :func:`plain_text` is the visible text of authors' markup (HTML or OLX), for search indexes: tags and
  the content of :data:`ANSWER_ELEMENTS` or other given elements dropped, entities decoded, white space
  collapsed.
"""

from __future__ import annotations

import html as html_entities
import re
from urllib.parse import quote

import nh3

#: Tags kept in authors' pages: markup and media, never scripts, style sheets, forms or objects.
AUTHOR_TAGS: frozenset[str] = frozenset(nh3.ALLOWED_TAGS | {
    "section", "article", "header", "footer", "aside", "main", "figure", "figcaption", "img", "iframe", "video",
    "audio", "source", "track", "picture", "caption", "colgroup", "col", "details", "summary", "mark", "time",
    "span", "div", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
})
#: Attributes kept on any tag (``style`` apart: see :data:`AUTHOR_STYLE`).
_GLOBAL_ATTRIBUTES = frozenset({"class", "id", "lang", "dir", "title", "role", "aria-label", "aria-hidden",
                                "aria-describedby"})
#: Attributes kept per tag.
AUTHOR_ATTRIBUTES: dict[str, frozenset[str]] = {
    **{tag: frozenset(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "iframe": frozenset({"src", "width", "height", "title", "allowfullscreen", "frameborder", "allow"}),
    "video": frozenset({"src", "controls", "width", "height", "poster", "preload"}),
    "audio": frozenset({"src", "controls", "preload"}),
    "source": frozenset({"src", "type"}),
    "track": frozenset({"src", "kind", "srclang", "label", "default"}),
    "a": frozenset({"href", "title", "target", "hreflang"}),
    "td": frozenset({"colspan", "rowspan", "align", "headers"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope", "headers"}),
    "time": frozenset({"datetime"}),
    "ol": frozenset({"start", "type"}),
}
#: The inline style attribute authors lay their pages out with (the site's CSP allows inline styles).
AUTHOR_STYLE = "style"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_STATIC_URL = re.compile(r"""(?P<quote>["'(])/static/(?P<path>[^"'()\s?#>]+)""")
_JUMP_TO_ID = re.compile(r"""(?P<quote>["'])/jump_to_id/(?P<block_id>[^"'?#/\s]+)""")
_COURSE_URL = re.compile(r"""(?P<quote>["'])/course/(?P<rest>[^"']*)""")


def course_url_prefix(course_id: str) -> str:
    """``/courses/<course_id>/``: the root of a course's LMS pages."""
    return f"/courses/{quote(str(course_id), safe=':+@')}/"


def asset_url(course_id: str, path: str) -> str:
    """The URL of the course's asset ``path`` (``/assets/<course_id>/<path>``)."""
    return f"/assets/{quote(str(course_id), safe=':+@')}/{path}"


def rewrite_static_urls(html: str, course_id: str) -> str:
    """``/static/<path>`` in ``html`` (in quotes or ``url(...)``) -> the course's asset URL; a query or
    fragment after the path stays as it is."""
    if "/static/" not in html:
        return html
    return _STATIC_URL.sub(lambda m: m.group("quote") + asset_url(course_id, m.group("path")), html)


def rewrite_course_urls(html: str, course_id: str, *, static_only: bool = False) -> str:
    """Open edX's link rewriting of author HTML for ``course_id``: ``/static/``, ``/jump_to_id/<block_id>``
    and ``/course/`` (see the module's documentation); ``static_only`` rewrites ``/static/`` alone."""
    html = rewrite_static_urls(html, course_id)
    if static_only:
        return html
    prefix = course_url_prefix(course_id)
    if "/jump_to_id/" in html:
        html = _JUMP_TO_ID.sub(lambda m: f"{m.group('quote')}{prefix}jump_to_id/{m.group('block_id')}", html)
    if "/course/" in html:
        html = _COURSE_URL.sub(lambda m: f"{m.group('quote')}{prefix}{m.group('rest')}", html)
    return html


def clean_author_html(html: str, course_id: str | None = None, *, strict: bool = False) -> str:
    """An author's HTML made safe for a page outside blocks (see the module's documentation), its
    course-relative links rewritten first when ``course_id`` is given. ``strict`` also drops inline
    styles (text shown to anonymous visitors). Empty or blank input gives ``""``."""
    if not html or not html.strip():
        return ""
    if course_id is not None:
        html = rewrite_course_urls(html, course_id)
    everywhere = set(_GLOBAL_ATTRIBUTES) if strict else {*_GLOBAL_ATTRIBUTES, AUTHOR_STYLE}
    attributes = {tag: set(names) for tag, names in AUTHOR_ATTRIBUTES.items()}
    attributes["*"] = everywhere
    return nh3.clean(html, tags=set(AUTHOR_TAGS), attributes=attributes, clean_content_tags={"script", "style"},
                     url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer").strip()


#: Elements whose content is never text a reader sees: code, styles.
CODE_ELEMENTS: frozenset[str] = frozenset({"script", "style", "head"})
#: Elements of a problem whose content would give its answers away (solutions, hints, answer scripts).
ANSWER_ELEMENTS: frozenset[str] = CODE_ELEMENTS | frozenset({
    "solution", "answer", "hint", "hintgroup", "demandhint", "choicehint", "optionhint", "correcthint",
    "additional_answer", "stringequalhint", "responseparam",
})


#: Elements inside a run of text: their tags part no words (``<b>light</b>s`` is one word); every other
#: element's tags do (``<choice>Yes</choice><choice>No</choice>`` is two words, not ``YesNo``).
INLINE_ELEMENTS: frozenset[str] = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "del", "dfn", "em", "font", "i", "ins", "kbd", "mark", "q", "s",
    "samp", "small", "span", "strong", "sub", "sup", "tt", "u", "var", "wbr",
})
_ELEMENT_START = re.compile(r"<\s*/?\s*([A-Za-z][\w:.-]*)")


def plain_text(markup: str | None, hidden: frozenset[str] = CODE_ELEMENTS) -> str:
    """The visible text of HTML or OLX ``markup``: tags and the content of the ``hidden`` elements dropped
    (code and styles by default; :data:`ANSWER_ELEMENTS` for text a learner may see), entities decoded,
    runs of white space made one space."""
    if not markup:
        return ""
    spaced = _ELEMENT_START.sub(lambda tag: tag.group(0) if tag.group(1).lower() in INLINE_ELEMENTS
                                else " " + tag.group(0), markup)
    cleaned = nh3.clean(spaced, tags=set(), clean_content_tags=set(hidden))
    return " ".join(html_entities.unescape(cleaned).split())
