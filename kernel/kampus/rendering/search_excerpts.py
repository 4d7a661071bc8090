"""Excerpts of search results: the text around the words a query found, safe to put in a page."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from kampus.drivers.search import parse_query

#: Characters of text an excerpt shows by default.
EXCERPT_CHARS = 160


@functools.lru_cache(maxsize=256)
def _words_pattern(query: str) -> re.Pattern[str] | None:
    """What the engine matches of ``query``, in text: its whole words, and a prefix term's word as the start of
    a word (``algeb*``: ``algebra``). Made once per query string: a result page asks it for every hit."""
    parts: set[str] = set()
    for term in parse_query(query):
        for position, word in enumerate(term.words):
            prefix = term.prefix and position == len(term.words) - 1
            parts.add(rf"\b{re.escape(word)}\w*" if prefix else rf"\b{re.escape(word)}\b")
    if not parts:
        return None
    return re.compile("|".join(sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def excerpt(text: str, query: str, length: int = EXCERPT_CHARS) -> Markup:
    """About ``length`` characters of ``text`` around the first word of ``query`` found, HTML-escaped,
    each word found in ``<b>`` (edx-search's excerpt, made safe to insert as HTML). Words are matched whole, as
    the search engine matches them (``the`` is not marked in ``other``)."""
    pattern = _words_pattern(query)
    first = pattern.search(text) if pattern else None
    start = max(0, (first.start() if first else 0) - length // 3)
    piece = text[start:start + length]
    if start > 0 and " " in piece:
        piece = "\u2026" + piece.split(" ", 1)[1]
    if start + length < len(text) and " " in piece:
        piece = piece.rsplit(" ", 1)[0] + "\u2026"
    if pattern is None:
        return escape(piece)
    out = Markup("")
    position = 0
    for match in pattern.finditer(piece):
        out += escape(piece[position:match.start()]) + Markup("<b>") + escape(match.group()) + Markup("</b>")
        position = match.end()
    return out + escape(piece[position:])


def text_to_excerpt(texts: Sequence[str], query: str) -> str:
    """Of a result's ``texts`` (in order of preference), the first that holds a word of ``query``, else the
    first that is not empty (``""`` when all are)."""
    pattern = _words_pattern(query)
    if pattern is not None:
        for text in texts:
            if text and pattern.search(text):
                return text
    return next((text for text in texts if text), "")


__all__ = ["EXCERPT_CHARS", "excerpt", "text_to_excerpt"]
