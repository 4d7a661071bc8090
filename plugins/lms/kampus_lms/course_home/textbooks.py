"""PDF textbooks for learners (Open edX's ``staticbook`` app and its ``PDFTextbookTabs``).

The course policy's ``pdf_textbooks`` (what Studio's Textbooks page saves) is a list of books
``{"tab_title", "id", "chapters": [{"title", "url"}]}``, or a book with one ``url`` and no chapters.
Each book is a course tab named by its ``tab_title`` (for signed-in users, as Open edX) whose page,
``/courses/<course_id>/pdfbook/<book_index>/`` (a chapter: ``.../chapter/<n>/``, a page of it:
``.../chapter/<n>/<page>``), lists the chapters and shows one in the browser's own PDF viewer.

A chapter's URL is resolved as Open edX does: ``/static/<name>`` is the course's file (its
``/assets/`` URL, which keeps a locked file to the course's learners), ``/c4x/<org>/<course>/asset/<name>``
and ``/asset-v1:...`` name course files too, and ``http(s)://`` addresses are used as they are; any other
URL is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from flask_babel import gettext as _
from kampus_content.api import Structure, asset_url
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import AssetKey

#: The default place of the textbook tabs (after Updates & handouts, before Discussion, as Open edX).
TEXTBOOK_ORDER = 50


@dataclass(frozen=True)
class Chapter:
    title: str
    url: str  #: where the browser loads the PDF from


@dataclass(frozen=True)
class Textbook:
    index: int  #: the book's place in ``pdf_textbooks`` (the URL's ``book_index``)
    tab_title: str
    chapters: tuple[Chapter, ...]

    @property
    def tab_id(self) -> str:
        """The book's tab id (Open edX's ``pdftextbook/<index>``)."""
        return f"pdftextbook/{self.index}"


def chapter_url(course_id: str, url: str) -> str | None:
    """Where the browser loads a chapter's PDF from (see the module's documentation), or ``None``."""
    url = url.strip()
    if url.startswith(("https://", "http://")):
        return url
    if url.startswith("/static/") and len(url) > len("/static/"):
        return asset_url(course_id, url[len("/static/"):])
    parts = url.split("/")
    if url.startswith("/c4x/") and len(parts) >= 6 and parts[4] == "asset" and parts[5]:
        return asset_url(course_id, "/".join(parts[5:]))
    if url.startswith("/asset-v1:"):
        try:
            return asset_url(course_id, unquote(AssetKey.from_string(url[1:]).path))
        except InvalidKeyError:
            return None
    return None


def _chapters(course_id: str, book: dict) -> tuple[Chapter, ...]:
    raw = book.get("chapters")
    if not isinstance(raw, list) or not raw:
        raw = [{"title": book.get("tab_title"), "url": book.get("url")}] if isinstance(book.get("url"), str) else []
    chapters = []
    for number, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        url = chapter_url(course_id, entry["url"])
        if url is not None:
            title = entry.get("title")
            named = isinstance(title, str) and title.strip()
            chapters.append(Chapter(title if named else _("Chapter %(number)s", number=number), url))
    return tuple(chapters)


def pdf_textbooks(course_id: str, structure: Structure) -> list[Textbook]:
    """The course's PDF textbooks that have at least one chapter to show, by their place in the policy."""
    raw = structure.blocks[structure.root].fields.get("pdf_textbooks")
    books = []
    for index, book in enumerate(raw if isinstance(raw, list) else []):
        if not isinstance(book, dict):
            continue
        chapters = _chapters(course_id, book)
        title = book.get("tab_title")
        if chapters:
            named = isinstance(title, str) and title.strip()
            books.append(Textbook(index, title if named else _("Textbook"), chapters))
    return books


def textbook(course_id: str, structure: Structure, book_index: int) -> Textbook | None:
    """The book at ``book_index`` of the policy, or ``None``."""
    return next((book for book in pdf_textbooks(course_id, structure) if book.index == book_index), None)


__all__ = ["TEXTBOOK_ORDER", "Chapter", "Textbook", "chapter_url", "pdf_textbooks", "textbook"]
