"""The catalog page's query string: the words and facet choices a visitor made in the page's GET form.

The catalog works without JavaScript: its form sends ``q`` (words), one parameter per facet
(``org``, ``language``, ``modes``, ``start``, ``enrollment`` and the facets plugins declare; each
repeatable) and ``page``. The search area (:func:`kampus_lms.search.api.search_courses`) decides which
facets and values it knows; this module only reads the request safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Cards on one catalog page.
PAGE_SIZE = 12
#: Longest search text read from the query string.
MAX_QUERY = 200
#: Most facets and values per facet read from the query string.
MAX_FACETS = 20
MAX_VALUES = 50
#: Parameters of the form that are not facets.
NOT_FACETS = frozenset({"q", "page"})


@dataclass(frozen=True)
class CatalogQuery:
    """What the visitor asked for."""

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1

    @property
    def is_filtered(self) -> bool:
        """Whether any words or facet choices narrow the catalog."""
        return bool(self.text or any(self.filters.values()))


def parse_query(args: Any) -> CatalogQuery:
    """The :class:`CatalogQuery` of a request's query string (``request.args``, a MultiDict); values
    that are not text or numbers where expected are ignored, never an error."""
    text = " ".join(str(args.get("q", "") or "").split())[:MAX_QUERY]
    filters: dict[str, tuple[str, ...]] = {}
    for name in list(args.keys())[:MAX_FACETS + len(NOT_FACETS)]:
        if name in NOT_FACETS or not name.isidentifier():
            continue
        values = tuple(dict.fromkeys(v.strip()[:255] for v in args.getlist(name)[:MAX_VALUES] if v and v.strip()))
        if values:
            filters[name[:64]] = values
    try:
        page = max(1, min(int(args.get("page", "1") or 1), 10_000))
    except (TypeError, ValueError):
        page = 1
    return CatalogQuery(text=text, filters=filters, page=page)
