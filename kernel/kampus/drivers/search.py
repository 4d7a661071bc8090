"""The search driver family (``kampus.search``): full-text search with exact filters and facets.

The interface is :class:`SearchEngine`, shaped after edx-search's ``SearchEngine``
(``search/search_engine_base.py``) and the result shape of its Elasticsearch engine
(``search/elastic.py``), so that an Elasticsearch driver stays a thin translation. The kernel
ships the SQL driver :class:`kampus.drivers.search_sql.SqlSearchEngine` (setting
``search = "sql"``: SQLite FTS5, PostgreSQL ``tsvector``, MariaDB/MySQL ``FULLTEXT``). Every
driver passes :class:`kampus.testing.contracts.search.SearchEngineContract`.

Documents
    JSON-like dicts, each with a string ``id`` unique within its index (an index is a name
    such as ``course_info`` or ``courseware_content``; edx-search's index names). Indexing a
    document whose id exists replaces it. Values may be strings, numbers, booleans, ``None``,
    ``datetime``/``date`` objects (stored as ISO 8601 strings), lists and nested dicts.

Text and exact fields (as edx-search maps them in Elasticsearch)
    Every string anywhere under the top-level ``content`` dict is *text*: searched by the query
    string. Every other leaf value is an *exact* field, named by its dotted path
    (``{"a": {"b": 1}}`` is field ``a.b``); a list holds several values of one field. Exact
    fields filter, exclude, sort and facet. Strings longer than :data:`MAX_EXACT_CHARS` are kept
    in the document but are not exact fields. Strings in ISO 8601 form (``2026-03-01``,
    ``2026-03-01T10:00:00+02:00``) and ``datetime`` values are dates: normalised to UTC (naive
    ones are taken as UTC) and compared as dates; a facet shows them in the normal form
    ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (:func:`normal_value`).

The query string (:func:`parse_query`)
    Words are runs of letters and digits (Unicode), matched whole and case-insensitively,
    without stemming or stop words (``learn`` does not find ``learning``; ``été`` does not find
    ``ete``). All terms must match (AND). ``"two words"`` in double quotes is a phrase: the words
    next to each other in that order. A word ending in ``*`` is a prefix (``algeb*`` finds
    ``algebra``). Every other character (operators, brackets, ``-``, ``:``, ``AND``/``OR`` are
    words like any other) is plain text: no query string is a syntax error. A query string
    with no word (``None``, ``""``, ``"*"``, ``"(("``) matches every document (browsing), each
    with score 1.0. At most :data:`MAX_QUERY_TERMS` terms are used.

Filters (the dictionaries of :meth:`SearchEngine.search`)
    A value is a scalar (the field has that value, or a list containing it), a list/tuple/set
    (any of these values), or a :class:`ValueRange`/:class:`DateRange` (some value of the field
    lies within the bounds, both inclusive, ``None`` for open). ``field_dictionary``: the field
    must match. ``filter_dictionary``: the field must match *or be missing* (edx-search's
    filter: "show when enrollment end is not set or not reached"). ``exclude_dictionary``:
    documents whose field matches are left out.

Results (a dict, edx-search's shape)
    ``{"took": ms, "total": n, "max_score": float | None, "results": [{"_id", "_index",
    "score", "data"}], "facets": {name: {"terms": {value: count}, "total": n, "other": n}}}``.
    ``data`` is the document as indexed (dates as ISO strings). Results are sorted by score,
    highest first, then by id; with ``sort`` by the given exact fields (``"-start"`` for
    descending; documents without the field last). ``total`` counts every match, not the page.
    Facet counts cover every match of the query and filters: one count per document and
    value, terms ordered by count (highest first) then value; ``size`` in a facet's spec keeps
    that many terms and counts the rest in ``other``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

#: Strings longer than this are not exact fields (too long to filter or facet on).
#: The document field whose strings are searched as text (edx-search's ``content``); every other field is exact.
TEXT_FIELD = "content"
MAX_EXACT_CHARS = 255
#: Index names and document ids are at most this long.
MAX_INDEX_NAME_CHARS = 64
MAX_ID_CHARS = 255
#: Field names (dotted paths) are at most this long; longer ones are not exact fields.
MAX_FIELD_CHARS = 128
#: Terms of a query string beyond this many are ignored.
MAX_QUERY_TERMS = 32
#: Characters of a query string beyond this many are ignored.
MAX_QUERY_CHARS = 1000
#: The largest page.
MAX_PAGE_SIZE = 1000

_WORD = re.compile(r"[^\W_]+")
_QUERY_PART = re.compile(r'"([^"]*)"?|([^\s"]+)')
_ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


class SearchError(Exception):
    """A search request the engine cannot serve (a bad index name, size or sort field)."""


@dataclass(frozen=True)
class ValueRange:
    """Bounds of a range filter, both inclusive; ``None`` leaves that side open."""

    lower: Any = None
    upper: Any = None


class DateRange(ValueRange):
    """A :class:`ValueRange` of dates (``datetime``, ``date`` or ISO strings)."""


@dataclass(frozen=True)
class QueryTerm:
    """One term of a parsed query string: one word, or a phrase of words next to each other.

    ``prefix``: the last word matches any word it begins.
    """

    words: tuple[str, ...]
    prefix: bool = False


def normalize_text(text: str) -> str:
    """``text`` in the form the index compares words in: NFC, case-folded."""
    return unicodedata.normalize("NFC", text).casefold()


def tokenize(text: str) -> list[str]:
    """The words of ``text`` (runs of letters and digits), normalised."""
    return _WORD.findall(normalize_text(text))


def parse_query(query_string: str | None) -> list[QueryTerm]:
    """The terms of a query string (see the module's doc); ``[]`` means "match everything"."""
    terms: list[QueryTerm] = []
    for match in _QUERY_PART.finditer((query_string or "")[:MAX_QUERY_CHARS]):
        phrase, word = match.groups()
        if phrase is not None:
            words = tokenize(phrase)
            prefix = False
        else:
            words = tokenize(word)
            prefix = word.endswith("*")
        if words:
            terms.append(QueryTerm(tuple(words), prefix))
        if len(terms) >= MAX_QUERY_TERMS:
            break
    return terms


def document_text(document: Mapping[str, Any]) -> str:
    """The words of every string under the document's ``content``, normalised, space-separated."""
    return " ".join(tokenize(" ".join(_strings(document.get(TEXT_FIELD)))))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def normal_date(value: datetime | date | str) -> str | None:
    """A date in the normal form ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (UTC), or ``None`` when
    ``value`` is not a date."""
    if isinstance(value, str):
        if not _ISO_DATE.match(value):
            return None
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    else:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normal_value(value: Any) -> tuple[str | None, float | None]:
    """The exact-field form of a scalar: ``(text, number)``; ``(None, None)`` when it cannot be one.

    Booleans are ``"true"``/``"false"``; numbers keep their number for ranges (``5`` and ``5.0``
    are both ``"5"``); dates take :func:`normal_date`'s form; other strings stay as they are.
    """
    if value is None:
        return None, None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, int | float):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return None, None
        text = str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
        return text, number
    if isinstance(value, datetime | date):
        return normal_date(value), None
    if isinstance(value, str):
        if len(value) > MAX_EXACT_CHARS:
            return None, None
        return (normal_date(value) or value), None
    return None, None


def exact_fields(document: Mapping[str, Any]) -> dict[str, list[tuple[str, float | None]]]:
    """The exact fields of a document: dotted name -> its distinct normal values."""
    fields: dict[str, list[tuple[str, float | None]]] = {}

    def walk(name: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                walk(f"{name}.{key}" if name else str(key), item)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                walk(name, item)
        elif name and len(name) <= MAX_FIELD_CHARS:
            text, number = normal_value(value)
            if text is not None:
                values = fields.setdefault(name, [])
                if (text, number) not in values:
                    values.append((text, number))

    for key, value in document.items():
        if key != TEXT_FIELD:
            walk(str(key), value)
    return fields


def json_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready copy of ``document`` (dates as ISO strings); ``ValueError`` when it is not JSON."""
    try:
        return json.loads(json.dumps(document, default=_json_default))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"search document is not JSON: {exc}") from None


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON")


def check_index_name(index_name: str) -> str:
    """``index_name`` when it is a valid index name, else :class:`SearchError`."""
    if not isinstance(index_name, str) or not re.fullmatch(r"[a-z0-9_][a-z0-9_.-]*", index_name or "") \
            or len(index_name) > MAX_INDEX_NAME_CHARS:
        raise SearchError(f"bad index name {index_name!r} (lower-case letters, digits, _ . -; at most 64)")
    return index_name


def document_id(document: Mapping[str, Any]) -> str:
    """The id of a document to index; :class:`ValueError` when it has none or a bad one."""
    if not isinstance(document, Mapping):
        raise ValueError(f"a search document is a dict, not {type(document).__name__}")
    doc_id = document.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    if not isinstance(doc_id, str) or not doc_id or len(doc_id) > MAX_ID_CHARS:
        raise ValueError(f"a search document needs an 'id' string of 1 to {MAX_ID_CHARS} characters")
    return doc_id


def facet_specs(facet_terms: Mapping[str, Any] | Iterable[str] | None) -> dict[str, int | None]:
    """Facet names -> how many terms to keep (``None``: all), from edx-search's
    ``{"org": {}, "language": {"size": 5}}`` or a list of names."""
    if not facet_terms:
        return {}
    if isinstance(facet_terms, Mapping):
        specs: dict[str, int | None] = {}
        for name, spec in facet_terms.items():
            size = spec.get("size") if isinstance(spec, Mapping) else None
            specs[str(name)] = int(size) if size is not None else None
        return specs
    return {str(name): None for name in facet_terms}


def sort_fields(sort: str | Iterable[str] | None) -> list[tuple[str, bool]]:
    """``[(field, descending)]`` from ``"-start"`` / ``["org", "-start"]``."""
    if not sort:
        return []
    items = [sort] if isinstance(sort, str) else list(sort)
    result = []
    for item in items:
        name = str(item)
        descending = name.startswith("-")
        name = name.lstrip("-+")
        if not name or len(name) > MAX_FIELD_CHARS:
            raise SearchError(f"bad sort field {item!r}")
        result.append((name, descending))
    return result


def check_page(size: int, from_: int) -> tuple[int, int]:
    """``(size, from_)`` when they make a page, else :class:`SearchError`."""
    if not isinstance(size, int) or not isinstance(from_, int) or size < 0 or from_ < 0 \
            or size > MAX_PAGE_SIZE:
        raise SearchError(f"bad page: size must be 0 to {MAX_PAGE_SIZE} and from_ at least 0")
    return size, from_


def filter_values(value: Any) -> ValueRange | list[tuple[str | None, float | None]]:
    """A filter's value: a :class:`ValueRange`, or the normal forms of its values."""
    if isinstance(value, ValueRange):
        return value
    values = value if isinstance(value, list | tuple | set | frozenset) else [value]
    return [normal_value(item) for item in values]


def range_bound(value: Any) -> tuple[str | None, float | None]:
    """A range bound in normal form: dates as their normal text, numbers as numbers."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        raise SearchError("a range bound cannot be a boolean")
    text, number = normal_value(value)
    if number is not None:
        return None, number
    if text is None:
        raise SearchError(f"bad range bound {value!r}")
    return text, None


def empty_results() -> dict[str, Any]:
    """The answer to a search that matches nothing."""
    return {"took": 0, "total": 0, "max_score": None, "results": [], "facets": {}}


class SearchEngine(ABC):
    """Interface of the ``kampus.search`` drivers; built with the app's settings.

    Drivers take keyword arguments they do not know (the kernel passes ``owner=``, the app's
    :class:`~kampus.app.Kampus`) and ignore them.
    """

    def __init__(self, settings: Any, **context: Any):
        self.settings = settings

    @abstractmethod
    def index(self, index_name: str, documents: Iterable[Mapping[str, Any]]) -> int:
        """Add or replace ``documents`` (each with an ``id``) in ``index_name``, all or none;
        returns how many. A document without a valid ``id`` or not JSON: :class:`ValueError`."""

    @abstractmethod
    def remove(self, index_name: str, doc_ids: Iterable[str]) -> int:
        """Remove the documents with these ids; returns how many existed."""

    @abstractmethod
    def remove_matching(self, index_name: str, field_dictionary: Mapping[str, Any],
                        *, keep_ids: Collection[str] = ()) -> int:
        """Remove the documents whose exact fields match ``field_dictionary`` (as in
        :meth:`search`) but whose id is not in ``keep_ids``; returns how many."""

    def replace_matching(self, index_name: str, field_dictionary: Mapping[str, Any],
                         documents: Iterable[Mapping[str, Any]]) -> int:
        """Make ``documents`` the only documents matching ``field_dictionary`` (re-indexing a
        course: ``{"course": course_id}``): index them, then remove the other matches.
        Drivers that can do both in one transaction do."""
        documents = list(documents)
        count = self.index(index_name, documents)
        self.remove_matching(index_name, field_dictionary, keep_ids={document_id(d) for d in documents})
        return count

    @abstractmethod
    def search(
        self,
        index_name: str,
        query_string: str | None = None,
        *,
        field_dictionary: Mapping[str, Any] | None = None,
        filter_dictionary: Mapping[str, Any] | None = None,
        exclude_dictionary: Mapping[str, Any] | None = None,
        facet_terms: Mapping[str, Any] | Iterable[str] | None = None,
        size: int = 20,
        from_: int = 0,
        sort: str | Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Search ``index_name`` (see the module's doc for the query string, the dictionaries
        and the result). A bad index name, page or sort: :class:`SearchError`; a query string is
        never an error."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; the default does nothing."""


__all__ = [
    "MAX_EXACT_CHARS",
    "DateRange",
    "QueryTerm",
    "SearchEngine",
    "SearchError",
    "ValueRange",
    "document_text",
    "exact_fields",
    "normal_date",
    "normal_value",
    "parse_query",
    "tokenize",
]
