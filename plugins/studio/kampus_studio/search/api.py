"""The search area's API: index a course's draft, and search the blocks of the courses a user authors.

Open edX's Studio content search (``openedx/core/djangoapps/content/search``) indexes every block of every
course and library into one index and lets an author find blocks by words, block type, problem type and
tags, in one course or in all the courses they may edit (its ``access_id`` filter). Kampus does the same
through the site's search engine (the ``kampus.search`` driver: SQL full text by default, Elasticsearch with
``kampus-elasticsearch``), so the query language is :mod:`kampus.drivers.search`'s (whole words ANDed,
``"phrases"``, ``prefix*``, never a syntax error).

* :func:`reindex_course` / :func:`remove_course`: a course's documents (:mod:`.documents`), rebuilt from
  its draft; the content hooks call them through the ``studio.search.reindex_course`` task
  (:mod:`.tasks`), ``kampus reindex-studio`` for existing courses.
* :func:`search_blocks`: one page of blocks matching the words and the filters (block types, problem
  types; several values of one filter are ORed, filters ANDed), in one course or in every course ``user``
  may author (global staff: every course), with facet counts. A facet's counts follow the words and the
  *other* filter's choices, so every value shown leads to blocks. :class:`StudioSearchError` (403) when
  the user may not author the course asked for.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from kampus_content.api import DRAFT, CourseNotFound, VersionNotFound, content_store, get_structure
from markupsafe import Markup

from kampus.current import current_kampus
from kampus.drivers.search import SearchEngine, SearchError
from kampus.rendering.search_excerpts import excerpt, text_to_excerpt
from kampus_studio.access import can_author
from kampus_studio.courses.api import authored_course_ids
from kampus_studio.search.documents import COURSE_BLOCK, SECTION, STUDIO_INDEX, SUBSECTION, studio_documents

MAX_PAGE_SIZE = 100
#: The last page one may ask for (as the LMS's searches).
MAX_PAGE = 10_000
#: Documents read a page at a time when the index's copy of a course is compared with its draft, and the most
#: of one block type compared (Elasticsearch pages through 10,000 at most); a course with more is written whole.
COMPARE_PAGE = 1000
MAX_COMPARED = 10_000
#: The filters, in the order pages show them.
FACETS = ("block_type", "problem_types")
FACET_LABELS = {"block_type": _l("Type"), "problem_types": _l("Problem type")}
#: Names of the block types shown to authors (Studio's names); other types show their type name.
BLOCK_TYPE_LABELS = {
    "chapter": _l("Section"), "sequential": _l("Subsection"), "vertical": _l("Unit"), "html": _l("Text"),
    "problem": _l("Problem"), "video": _l("Video"), "discussion": _l("Discussion"),
    "library_content": _l("Randomized content"), "split_test": _l("Content experiment"),
}
#: Names of the response types of problems (CAPA's tags).
PROBLEM_TYPE_LABELS = {
    "multiplechoiceresponse": _l("Multiple choice"), "choiceresponse": _l("Checkboxes"),
    "optionresponse": _l("Dropdown"), "numericalresponse": _l("Numerical input"),
    "stringresponse": _l("Text input"), "formularesponse": _l("Math expression"),
    "customresponse": _l("Custom Python-evaluated input"), "coderesponse": _l("Code (external grader)"),
    "schematicresponse": _l("Circuit schematic"), "imageresponse": _l("Image mapped input"),
    "symbolicresponse": _l("Symbolic math"), "jsinputresponse": _l("JavaScript input"),
    "annotationresponse": _l("Annotation"), "choicetextresponse": _l("Choice with text input"),
}


class StudioSearchError(Exception):
    """The search cannot be made: ``status`` 403 (the user may not author that course) or 400."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class StudioHit:
    """One block found: the indexed document (``data``) and what a result list shows."""

    usage_id: str
    block_type: str
    display_name: str
    course_id: str
    breadcrumbs: list[str]
    url: str
    excerpt: Markup
    problem_types: list[str]
    score: float
    data: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The hit as the REST API answers it: Open edX's document fields, ``url`` and ``excerpt`` (HTML)."""
        return {**{name: self.data.get(name) for name in (
            "id", "usage_key", "type", "block_id", "block_type", "context_key", "org", "breadcrumbs",
            "problem_types")}, "display_name": self.display_name, "url": self.url, "excerpt": str(self.excerpt)}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    chosen: bool = False


@dataclass
class StudioSearchResult:
    """One page of blocks found, with the facet counts."""

    query: str
    course_id: str | None
    hits: list[StudioHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    chosen: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


def engine() -> SearchEngine:
    """The site's search engine."""
    return current_kampus().search


# -- indexing -------------------------------------------------------------------------------------------------


def indexed_documents(course_id: str) -> dict[str, dict[str, Any]] | None:
    """The course's documents as the index holds them now, by id, read a block type at a time; ``None`` when
    one type has more than :data:`MAX_COMPARED` documents (more than a search engine pages through:
    Elasticsearch's window)."""
    search = engine()
    course = {"context_key": course_id}
    counts = search.search(STUDIO_INDEX, None, field_dictionary=course, facet_terms=["block_type"], size=1)
    types = (counts.get("facets") or {}).get("block_type", {}).get("terms", {})
    if any(count > MAX_COMPARED for count in types.values()) or counts["total"] > sum(types.values()):
        return None
    found: dict[str, dict[str, Any]] = {}
    for block_type in types:
        offset = 0
        while offset < MAX_COMPARED:
            answer = search.search(STUDIO_INDEX, None, field_dictionary={**course, "block_type": block_type},
                                   size=min(COMPARE_PAGE, MAX_COMPARED - offset), from_=offset)
            found.update((str(hit["_id"]), hit["data"]) for hit in answer["results"])
            offset += COMPARE_PAGE
            if offset >= answer["total"] or not answer["results"]:
                break
    return found


def reindex_course(course_id: str, *, full: bool = False) -> int:
    """Make the course's documents those of its current draft (a course that no longer exists is removed);
    returns how many blocks the course has now.

    Only the documents that differ from those the index holds are written, and those of blocks that are gone
    removed (an edit of a 10,000-block course rewrites a few documents, not all): whatever an earlier run left
    (an older draft, a run that died half-way), the index ends equal to the draft read here. With ``full``, or
    for a course too big to compare, every document is written again."""
    try:
        structure = get_structure(course_id, DRAFT)
    except (CourseNotFound, VersionNotFound):
        remove_course(course_id)
        return 0
    documents = studio_documents(course_id, structure)
    indexed = None if full else indexed_documents(course_id)
    if indexed is None:
        engine().replace_matching(STUDIO_INDEX, {"context_key": course_id}, documents)
        return len(documents)
    changed = [document for document in documents if indexed.get(document["id"]) != document]
    gone = set(indexed) - {document["id"] for document in documents}
    search = engine()
    if changed:
        search.index(STUDIO_INDEX, changed)
    if gone:
        search.remove(STUDIO_INDEX, gone)
    return len(documents)


def remove_course(course_id: str) -> None:
    """Drop the course's documents from the index."""
    engine().remove_matching(STUDIO_INDEX, {"context_key": course_id})


def all_course_ids() -> list[str]:
    """Every course of the content store (what ``kampus reindex-studio`` indexes)."""
    return sorted(index.course_key for index in content_store().list_courses())


# -- searching ------------------------------------------------------------------------------------------------


def clean_values(raw: str | Sequence[str] | None) -> tuple[str, ...]:
    """A filter's values from a query parameter: comma-separated or repeated, blanks dropped, each once."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else list(raw)
    values: list[str] = []
    for item in items:
        for value in str(item).split(","):
            value = value.strip()
            if any(ord(char) < 32 for char in value):  # no block type holds a control character (NUL breaks SQL)
                continue
            if value and value not in values:
                values.append(value[:100])
    return tuple(values[:20])


def _scope(user: Any, course_id: str | None) -> list[str] | None:
    """The courses to search: ``[course_id]``, the user's courses, or ``None`` for every course."""
    if course_id:
        if not can_author(course_id, user):
            raise StudioSearchError(403, "You may not edit this course, so you may not search it.")
        return [course_id]
    allowed = authored_course_ids(user)
    return None if allowed is None else sorted(allowed)


def _label(name: str, value: str) -> str:
    labels = BLOCK_TYPE_LABELS if name == "block_type" else PROBLEM_TYPE_LABELS
    return str(labels.get(value, value))


def _facet(name: str, counts: Mapping[str, int], chosen: Collection[str]) -> list[FacetValue]:
    values = [FacetValue(value, _label(name, value), count, value in chosen) for value, count in counts.items()]
    values += [FacetValue(value, _label(name, value), 0, True) for value in chosen if value not in counts]
    return sorted(values, key=lambda v: (-v.count, v.label.casefold(), v.value))


def edit_url(data: Mapping[str, Any]) -> str:
    """Where an author edits a found block: its unit's editor, or the outline for sections and subsections."""
    course_id = str(data.get("context_key") or "")
    unit = data.get("unit")
    if unit and data.get("block_type") not in (SECTION, SUBSECTION):
        return url_for("studio_unit.unit_page", course_id=course_id, usage_id=str(unit))
    return url_for("studio_outline.outline_page", course_id=course_id)


def _hit(hit: Mapping[str, Any], query: str) -> StudioHit:
    data = dict(hit["data"])
    content = data.get("content") or {}
    name = str(content.get("display_name") or "")
    texts = [str(value) for key, value in sorted(content.items()) if key != "display_name" and value]
    text = text_to_excerpt([*texts, name], query)
    crumbs = [str(crumb.get("display_name") or "") for crumb in data.get("breadcrumbs") or []
              if isinstance(crumb, Mapping)]
    return StudioHit(
        usage_id=str(hit["_id"]), block_type=str(data.get("block_type") or ""), display_name=name,
        course_id=str(data.get("context_key") or ""), breadcrumbs=crumbs, url=edit_url(data),
        excerpt=excerpt(text, query), problem_types=[str(t) for t in data.get("problem_types") or []],
        score=float(hit["score"]), data=data)


def search_blocks(user: Any, query: str | None, *, course_id: str | None = None,
                  block_types: Sequence[str] = (), problem_types: Sequence[str] = (),
                  page: int = 1, page_size: int = 20) -> StudioSearchResult:
    """One page of the blocks ``user`` may edit that match ``query`` and the filters, best first."""
    if not 1 <= page <= MAX_PAGE or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise StudioSearchError(400, f"page must be between 1 and {MAX_PAGE} and page_size between 1 and "
                                     f"{MAX_PAGE_SIZE}.")
    text = (query or "").strip()
    chosen = {"block_type": tuple(block_types), "problem_types": tuple(problem_types)}
    scope = _scope(user, course_id)
    result = StudioSearchResult(text, course_id, [], 0, page, page_size, chosen=chosen)
    if scope is not None and not scope:
        result.facets = {name: _facet(name, {}, chosen[name]) for name in FACETS}
        return result
    base: dict[str, Any] = {"type": COURSE_BLOCK} if scope is None else {"type": COURSE_BLOCK, "context_key": scope}
    search = engine()

    def run(skip: str | None, size: int, offset: int) -> dict[str, Any]:
        filters = dict(base)
        filters.update({name: values for name, values in chosen.items() if values and name != skip})
        facets = [name for name in FACETS if skip is None and not chosen[name] or name == skip]
        return search.search(STUDIO_INDEX, text, field_dictionary=filters, facet_terms=facets,
                             size=size, from_=offset)

    try:
        answer = run(None, page_size, (page - 1) * page_size)
        counts = {name: (answer.get("facets") or {}).get(name, {}).get("terms", {}) for name in FACETS}
        for name in FACETS:
            if chosen[name]:
                counts[name] = (run(name, 1, 0).get("facets") or {}).get(name, {}).get("terms", {})
    except SearchError as error:  # a page the engine cannot reach (Elasticsearch stops at the 10,000th result)
        raise StudioSearchError(400, f"This page cannot be shown: {error}") from None
    result.total = int(answer["total"])
    result.hits = [_hit(hit, text) for hit in answer["results"]]
    result.facets = {name: _facet(name, counts[name], chosen[name]) for name in FACETS}
    return result


__all__ = [
    "BLOCK_TYPE_LABELS",
    "FACETS",
    "FACET_LABELS",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "STUDIO_INDEX",
    "FacetValue",
    "StudioHit",
    "StudioSearchError",
    "StudioSearchResult",
    "all_course_ids",
    "clean_values",
    "edit_url",
    "reindex_course",
    "remove_course",
    "search_blocks",
]
