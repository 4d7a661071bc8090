"""Course updates, handouts and custom pages: the author's HTML files an OLX import kept.

* Updates (``info/updates.html``, Open edX's ``course_info`` "updates"): when the
  course has ``info/updates.items.json`` (Open edX's newer format: ``[{"id", "date",
  "content", "status"}]``, oldest first) its visible items, newest first; else the
  HTML, parsed as Open edX's ``get_course_update_items`` does: an ``<ol>`` whose
  ``<li>`` each start with ``<h2>date</h2>`` (the first is the newest); Kampus also
  reads ``<section><article><h2>date</h2>...</article></section>``. Anything else is
  one update without a date.
* Handouts: ``info/handouts.html`` as written.
* Custom pages: ``tabs/<url_slug>.html`` of the policy's ``static_tab`` entries.

Authors are trusted with markup and styles, but these pages are not blocks: the
rendering area runs author scripts inside blocks only, so scripts, event handlers
and ``javascript:`` URLs are removed (the content plugin's one sanitiser,
:func:`kampus_content.api.clean_author_html`), and Open edX's ``/static/``,
``/jump_to_id/`` and ``/course/`` links point to this course. Each file is parsed
once per published version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import nh3
from kampus_content.api import Structure, app_version_cache, clean_author_html, parse_date, read_course_file
from lxml import etree
from lxml import html as lxml_html

_MEDIA = re.compile(r"<(img|iframe|video|audio|object|svg)\b", re.IGNORECASE)


@dataclass(frozen=True)
class CourseUpdate:
    """One course update, newest first in lists."""

    id: int
    date_text: str  #: the date as the author wrote it ("February 13, 2014")
    date: datetime | None  #: the parsed date when the text is a date, else ``None``
    content: str  #: sanitised HTML


def has_content(html: str) -> bool:
    """Whether sanitised HTML shows anything: text, or an image or embedded media (``<ol></ol>`` does not)."""
    return bool(nh3.clean(html, tags=set()).strip()) or bool(_MEDIA.search(html))


def _text_file(structure: Structure, path: str) -> str:
    data = read_course_file(structure, path)
    return data.decode("utf-8", errors="replace") if data else ""


def _inner_html(element: lxml_html.HtmlElement, skip_first: bool) -> str:
    children = list(element)
    parts: list[str] = []
    if skip_first and children:
        parts.append(children[0].tail or "")
        children = children[1:]
    else:
        parts.append(element.text or "")
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in children)
    return "".join(parts)


def _update(course_id: str, number: int, date_text: str, content: str) -> CourseUpdate:
    date_text = " ".join(date_text.split())
    return CourseUpdate(number, date_text, parse_date(date_text) if date_text else None,
                        clean_author_html(content, course_id))


def parse_updates_html(course_id: str, text: str) -> list[CourseUpdate]:
    """Updates from Open edX's ``updates.html``, newest first (see the module's documentation)."""
    if not text.strip():
        return []
    try:
        fragments = lxml_html.fragments_fromstring(text)
    except (etree.ParserError, ValueError):
        return [_update(course_id, 1, "", text)]
    items: list[tuple[str, str]] = []
    elements = [fragment for fragment in fragments if isinstance(fragment, lxml_html.HtmlElement)]
    if elements and all(element.tag in ("ol", "section") for element in elements):
        for container in elements:
            for item in container:
                if not isinstance(item.tag, str) or item.tag not in ("li", "article") or len(item) == 0:
                    continue
                first = item[0]
                if first.tag in ("h1", "h2", "h3"):
                    items.append((first.text_content(), _inner_html(item, True)))
                else:
                    items.append(("", _inner_html(item, False)))
    else:
        items.append(("", text))
    count = len(items)
    return [_update(course_id, count - index, date, content) for index, (date, content) in enumerate(items)]


def parse_updates_items(course_id: str, text: str) -> list[CourseUpdate] | None:
    """Updates from Open edX's ``updates.items.json`` (oldest first there), newest first; ``None`` when
    the file is not such a list."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    found: list[CourseUpdate] = []
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict) or item.get("status", "visible") == "deleted":
            continue
        number = item.get("id") if isinstance(item.get("id"), int) else position
        found.append(_update(course_id, number, str(item.get("date") or ""), str(item.get("content") or "")))
    return list(reversed(found))


@dataclass(frozen=True)
class CourseInfo:
    """A course's updates (newest first) and handouts (sanitised HTML)."""

    updates: list[CourseUpdate]
    handouts: str


def _course_info(structure: Structure) -> CourseInfo:
    course_id = structure.course_key
    updates: list[CourseUpdate] | None = None
    items = _text_file(structure, "info/updates.items.json")
    if items.strip():
        updates = parse_updates_items(course_id, items)
    if updates is None:
        updates = parse_updates_html(course_id, _text_file(structure, "info/updates.html"))
    handouts = clean_author_html(_text_file(structure, "info/handouts.html"), course_id)
    return CourseInfo(updates, handouts if has_content(handouts) else "")


def course_info(structure: Structure) -> CourseInfo:
    """The updates and handouts of ``structure``, parsed once per version."""
    return app_version_cache("lms_course_info", 32).get_or_compute(structure.version,
                                                                   lambda: _course_info(structure))


def static_tab_html(structure: Structure, url_slug: str) -> str | None:
    """The sanitised HTML of the custom page ``tabs/<url_slug>.html`` (``None`` when the course has no such
    file); parsed once per version."""
    def make() -> dict[str, str | None]:
        return {}

    pages: dict[str, str | None] = app_version_cache("lms_static_tabs", 32).get_or_compute(structure.version, make)
    if url_slug not in pages:
        data = read_course_file(structure, f"tabs/{url_slug}.html")
        pages[url_slug] = None if data is None else clean_author_html(data.decode("utf-8", errors="replace"),
                                                                      structure.course_key)
    return pages[url_slug]
