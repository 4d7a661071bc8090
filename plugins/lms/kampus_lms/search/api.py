"""The search area's API for the other LMS areas: course discovery, search within a course, indexing.

Searches go through the site's search engine (``kampus.search`` driver, the app's ``Kampus.search``);
see :mod:`kampus.drivers.search` for the query language (whole words ANDed, ``"phrases"``,
``prefix*``, never a syntax error).

* :func:`search_courses` (the catalog): published courses matching words and facet filters, with
  facet counts — :class:`CourseSearchResult`. Facets: ``org``, ``language``, ``modes``, ``start``
  (``current``, ``upcoming``, ``ended``: decided at query time from ``start``/``end``; a course
  without a start is upcoming, Open edX's 2030 default), ``enrollment`` (``open``: the enrollment
  window is open now and the course is not invitation-only), then each facet a plugin declares
  through ``kampus_search_filters``. A facet's counts follow the words and the *other* facets'
  choices (every choice shown leads to courses). Several values of one facet are ORed, facets ANDed.
  Visibility: only ``catalog_visibility == "both"`` courses, and (setting
  ``lms_search_hide_invitation_only``, default on) no invitation-only course, except for global
  staff, who see every course.
* :func:`search_course_content` (the in-course search page): units' leaves of one course matching
  the words — :class:`ContentSearchResult`, for whoever may open the course's units
  (:func:`kampus_lms.access.course_access`: course staff, enrolled learners, holders of the
  ``learner`` / ``beta_tester`` course roles once the course started for them;
  :class:`SearchAccessError` 404/403 otherwise). Learners (and staff viewing as a learner) never
  get staff-only or unreleased content; beta testers get content ``days_early_for_beta`` early.
* Both run every result list through ``kampus_search_results(query, results, user)`` (a plugin may
  drop results or add fields to ``data``); ``access_denied_count`` says how many it dropped.
* :func:`reindex_course` / :func:`remove_course`: rebuild or drop a course's documents (the
  publish and delete hooks call them through a task).

Statements: a course search with no facet chosen runs 6 SQL statements on the SQL driver (page,
facet counts, three start buckets, enrollment open), plus 2 per facet with a choice; a content search
runs 1. Neither grows with the number of courses, documents or results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from babel import Locale, UnknownLocaleError
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from kampus_content.api import ContentStoreError, get_structure
from markupsafe import Markup
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey

from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.drivers.search import DateRange, SearchEngine, parse_query
from kampus.rendering.search_excerpts import excerpt, text_to_excerpt
from kampus_lms.catalog.api import course_overview, course_overviews, is_global_staff, list_overviews
from kampus_lms.courseware.api import CourseAccess, ViewerNav, course_access, viewed_as, viewer_nav
from kampus_lms.search.documents import (
    COURSE_INFO_INDEX,
    COURSEWARE_INDEX,
    course_info_document,
    courseware_documents,
    mode_slugs,
    plugin_documents,
)

#: The facets of course discovery, in the order pages show them (plugin facets follow).
EXACT_FACETS = ("org", "language", "modes")
START_VALUES = ("current", "upcoming", "ended")
ENROLLMENT_VALUES = ("open",)
FACET_LABELS = {"org": _l("Organization"), "language": _l("Language"), "modes": _l("Course type"),
                "start": _l("Start"), "enrollment": _l("Enrollment")}
VALUE_LABELS = {"start": {"current": _l("Started"), "upcoming": _l("Upcoming"), "ended": _l("Ended")},
                "enrollment": {"open": _l("Enrollment open")},
                "modes": {"audit": _l("Audit"), "honor": _l("Honor"), "verified": _l("Verified")}}
MAX_PAGE_SIZE = 100
#: Characters of text shown around the first match of a content result.
EXCERPT_CHARS = 160
_TICK = timedelta(microseconds=1)


class SearchAccessError(Exception):
    """The user may not search this course: ``status`` 404 (no such published course) or 403."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class FacetTerm:
    """One value of a facet with the number of courses it leads to."""

    value: str
    label: str
    count: int
    chosen: bool = False


@dataclass(frozen=True)
class Facet:
    """One facet: its name, label and values (ordered by count, then label; ``start`` in its own order)."""

    name: str
    label: str
    terms: list[FacetTerm]


@dataclass(frozen=True)
class CourseHit:
    """One course found: its id, score, indexed document (``data``) and catalog overview."""

    course_id: str
    score: float
    data: dict[str, Any]
    overview: Any = None


class _ResultPage:
    """What both kinds of result pages share: ``total`` results, ``page_size`` a page."""

    total: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the results fill (at least 1)."""
        return max(1, math.ceil(self.total / self.page_size)) if self.page_size else 1


@dataclass(frozen=True)
class CourseSearchResult(_ResultPage):
    """One page of course discovery. ``page`` is 1-based; ``facets`` in display order."""

    query: str
    filters: dict[str, tuple[str, ...]]
    total: int
    page: int
    page_size: int
    hits: list[CourseHit]
    facets: list[Facet]
    took: int = 0
    max_score: float | None = None
    access_denied_count: int = 0

    def as_edx_json(self) -> dict[str, Any]:
        """edx-search's ``/search/course_discovery/`` answer."""
        return {
            "took": self.took,
            "total": self.total,
            "max_score": self.max_score,
            "results": [{"_id": hit.course_id, "_index": COURSE_INFO_INDEX, "score": hit.score, "data": hit.data}
                        for hit in self.hits],
            "facets": {facet.name: {"terms": {term.value: term.count for term in facet.terms},
                                    "total": sum(term.count for term in facet.terms), "other": 0}
                       for facet in self.facets},
            "access_denied_count": self.access_denied_count,
        }


@dataclass(frozen=True)
class ContentHit:
    """One block found in a course: where it is and a short excerpt with the matched words in bold."""

    usage_id: str
    display_name: str
    location: list[str]
    url: str
    excerpt: Markup
    content_type: str
    score: float
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContentSearchResult(_ResultPage):
    """One page of an in-course search. ``page`` is 1-based."""

    course_id: str
    query: str
    total: int
    page: int
    page_size: int
    hits: list[ContentHit]
    took: int = 0
    max_score: float | None = None
    access_denied_count: int = 0

    def as_edx_json(self) -> dict[str, Any]:
        """edx-search's ``/search/<course_id>`` answer (each ``data`` with ``url`` and ``excerpt``)."""
        return {
            "took": self.took,
            "total": self.total,
            "max_score": self.max_score,
            "results": [{"_id": hit.usage_id, "_index": COURSEWARE_INDEX, "score": hit.score,
                         "data": {**hit.data, "url": hit.url, "excerpt": str(hit.excerpt)}} for hit in self.hits],
            "access_denied_count": self.access_denied_count,
        }


def engine() -> SearchEngine:
    """The site's search engine."""
    return current_kampus().search


# -- indexing -----------------------------------------------------------------------------------------------------


def reindex_course(course_id: str) -> int:
    """Rebuild the course's documents in both indexes from its published version (idempotent); a course
    that is not published (or no longer exists) is removed. Returns the number of documents indexed."""
    overview = course_overview(course_id)
    try:
        structure = get_structure(course_id) if overview is not None else None
    except ContentStoreError:
        structure = None
    if overview is None or structure is None:
        remove_course(course_id)
        return 0
    extra_documents, extra_fields = plugin_documents(course_id)
    documents = courseware_documents(course_id, structure) + extra_documents
    search = engine()
    search.replace_matching(COURSEWARE_INDEX, {"course": course_id}, documents)
    search.index(COURSE_INFO_INDEX, [course_info_document(overview, mode_slugs(course_id), extra_fields)])
    return len(documents) + 1


def remove_course(course_id: str) -> None:
    """Drop every document of the course from both indexes."""
    search = engine()
    search.remove(COURSE_INFO_INDEX, [course_id])
    search.remove_matching(COURSEWARE_INDEX, {"course": course_id})


def indexed_course_ids() -> list[str]:
    """Ids of the published courses (what ``kampus reindex-courses`` goes through)."""
    return [overview.id for overview in list_overviews()]


# -- course discovery -----------------------------------------------------------------------------------------------


def plugin_facets() -> dict[str, list[str]]:
    """Facets plugins declare through ``kampus_search_filters``: name -> allowed values (``[]``: any)."""
    declared: dict[str, list[str]] = {}
    for answer in current_kampus().hook.kampus_search_filters():
        for name, values in (answer or {}).items():
            if name not in (*EXACT_FACETS, "start", "enrollment"):
                declared.setdefault(str(name), []).extend(str(value) for value in values or [])
    return declared


@dataclass
class _Conditions:
    """The three dictionaries of one engine search."""

    must: dict[str, Any] = field(default_factory=dict)
    unless_missing: dict[str, Any] = field(default_factory=dict)
    exclude: dict[str, Any] = field(default_factory=dict)

    def plus(self, other: _Conditions) -> _Conditions:
        return _Conditions({**self.must, **other.must}, {**self.unless_missing, **other.unless_missing},
                           {**self.exclude, **other.exclude})


def _start_alternatives(values: Iterable[str], now: datetime) -> list[_Conditions]:
    """Conditions for a choice of start buckets: a list of alternatives (ORed), ``[]`` for no filter."""
    chosen = set(values) & set(START_VALUES)
    upcoming = _Conditions(unless_missing={"start": DateRange(now + _TICK, None)})
    current = _Conditions(must={"start": DateRange(None, now)}, unless_missing={"end": DateRange(now, None)})
    ended = _Conditions(must={"end": DateRange(None, now - _TICK)})
    if not chosen or chosen == set(START_VALUES):
        return []
    if chosen == {"upcoming", "current"}:
        return [_Conditions(unless_missing={"end": DateRange(now, None)})]
    if chosen == {"current", "ended"}:
        return [_Conditions(must={"start": DateRange(None, now)})]
    if chosen == {"upcoming", "ended"}:
        return [upcoming, ended]
    return [{"upcoming": upcoming, "current": current, "ended": ended}[chosen.pop()]]


def _enrollment_open(now: datetime) -> _Conditions:
    return _Conditions(unless_missing={"enrollment_start": DateRange(None, now),
                                       "enrollment_end": DateRange(now, None)},
                       exclude={"invitation_only": True})


def _visibility(user: Any) -> _Conditions:
    if is_global_staff(user):
        return _Conditions()
    hide_invitation_only = current_kampus().settings.lms_search_hide_invitation_only
    return _Conditions(must={"catalog_visibility": "both"},
                       exclude={"invitation_only": True} if hide_invitation_only else {})


def clean_filters(filters: Mapping[str, str | Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    """The facet choices of ``filters`` that :func:`search_courses` knows (others dropped), values
    de-duplicated; a facet with allowed values keeps only those."""
    allowed = plugin_facets()
    known = {*EXACT_FACETS, "start", "enrollment", *allowed}
    cleaned: dict[str, tuple[str, ...]] = {}
    for name, raw in (filters or {}).items():
        if name not in known:
            continue
        values = [raw] if isinstance(raw, str) else list(raw or [])
        kept = tuple(dict.fromkeys(str(value).strip()[:255] for value in values if str(value).strip()))
        if name == "start":
            kept = tuple(value for value in kept if value in START_VALUES)
        elif name == "enrollment":
            kept = tuple(value for value in kept if value in ENROLLMENT_VALUES)
        elif allowed.get(name):
            kept = tuple(value for value in kept if value in allowed[name])
        if kept:
            cleaned[name] = kept
    return cleaned


def _choice_alternatives(name: str, values: tuple[str, ...], now: datetime) -> list[_Conditions]:
    if name == "start":
        return _start_alternatives(values, now)
    if name == "enrollment":
        return [_enrollment_open(now)] if "open" in values else []
    return [_Conditions(must={name: list(values)})]


def _alternatives(base: _Conditions, filters: Mapping[str, tuple[str, ...]], now: datetime,
                  skip: str = "") -> list[_Conditions]:
    """Every facet choice but ``skip`` applied to ``base``: a list of ORed condition sets (one, or two
    for the ``upcoming`` + ``ended`` choice)."""
    result = [base]
    for name, values in filters.items():
        if name == skip:
            continue
        options = _choice_alternatives(name, values, now)
        if options:
            result = [conditions.plus(option) for conditions in result for option in options]
    return result


def _run(search: SearchEngine, index: str, query: str, alternatives: list[_Conditions], *, size: int,
         from_: int, facet_terms: list[str] | None = None) -> dict[str, Any]:
    """One search, or the union of disjoint ones (merged by score; totals and facet counts added)."""
    answers = [search.search(index, query, field_dictionary=c.must, filter_dictionary=c.unless_missing,
                             exclude_dictionary=c.exclude, facet_terms=facet_terms,
                             size=size if len(alternatives) == 1 else size + from_,
                             from_=from_ if len(alternatives) == 1 else 0) for c in alternatives]
    if len(answers) == 1:
        return answers[0]
    hits = sorted((hit for answer in answers for hit in answer["results"]), key=lambda h: (-h["score"], h["_id"]))
    facets: dict[str, Any] = {}
    for answer in answers:
        for name, facet in answer["facets"].items():
            merged = facets.setdefault(name, {"terms": {}, "total": 0, "other": 0})
            for value, count in facet["terms"].items():
                merged["terms"][value] = merged["terms"].get(value, 0) + count
            merged["total"] += facet["total"]
    scores = [answer["max_score"] for answer in answers if answer["max_score"] is not None]
    return {"took": sum(answer["took"] for answer in answers), "total": sum(answer["total"] for answer in answers),
            "max_score": max(scores) if scores else None, "results": hits[from_:from_ + size], "facets": facets}


def _post_process(query: str, results: list[dict[str, Any]], user: Any) -> int:
    """Hand the results to ``kampus_search_results``; returns how many it removed."""
    before = len(results)
    current_kampus().hook.kampus_search_results(query=query, results=results, user=user)
    return before - len(results)


def search_courses(query: str | None, filters: Mapping[str, str | Sequence[str]] | None = None, *, user: Any,
                   page: int = 1, page_size: int = 20, now: datetime | None = None) -> CourseSearchResult:
    """Course discovery: a page of the published courses ``user`` may find (see the module's doc).

    ``filters`` maps a facet to a value or values (``{"org": ["MITx"], "start": "upcoming"}``); unknown
    facets and values are ignored. ``page`` is 1-based; ``page_size`` 1 to 100.
    """
    moment = now or utcnow()
    text = " ".join(str(query or "").split())[:1000]
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    chosen = clean_filters(filters)
    declared = plugin_facets()
    exact = [*EXACT_FACETS, *declared]
    base = _visibility(user)
    search = engine()

    main = _alternatives(base, chosen, moment)
    # Facets without a choice count over the main search; one with a choice over the others' choices.
    free = [name for name in exact if name not in chosen]
    answer = _run(search, COURSE_INFO_INDEX, text, main, size=page_size, from_=(page - 1) * page_size,
                  facet_terms=free)
    counts: dict[str, dict[str, int]] = {name: dict(answer["facets"].get(name, {}).get("terms", {}))
                                         for name in free}
    for name in exact:
        if name in chosen:
            other = _run(search, COURSE_INFO_INDEX, text, _alternatives(base, chosen, moment, skip=name), size=0,
                         from_=0, facet_terms=[name])
            counts[name] = dict(other["facets"].get(name, {}).get("terms", {}))
    for value in START_VALUES:
        alternatives = [c.plus(option) for c in _alternatives(base, chosen, moment, skip="start")
                        for option in _start_alternatives([value], moment)]
        counts.setdefault("start", {})[value] = _run(search, COURSE_INFO_INDEX, text, alternatives, size=0,
                                                     from_=0)["total"]
    alternatives = [c.plus(_enrollment_open(moment)) for c in _alternatives(base, chosen, moment, skip="enrollment")]
    counts["enrollment"] = {"open": _run(search, COURSE_INFO_INDEX, text, alternatives, size=0, from_=0)["total"]}

    results = list(answer["results"])
    denied = _post_process(text, results, user)
    overviews = course_overviews([hit["_id"] for hit in results])
    hits = [CourseHit(hit["_id"], float(hit["score"]), hit["data"], overviews.get(hit["_id"])) for hit in results]
    org_names = {hit.data.get("org"): hit.data.get("display_org") or hit.data.get("org") for hit in hits}
    facets = [_facet(name, counts.get(name, {}), chosen.get(name, ()), declared, org_names)
              for name in ("org", "language", "modes", "start", "enrollment", *declared)]
    return CourseSearchResult(query=text, filters=chosen, total=max(0, answer["total"] - denied), page=page,
                              page_size=page_size, hits=hits, facets=facets, took=answer["took"],
                              max_score=answer["max_score"], access_denied_count=denied)


def _facet(name: str, counts: Mapping[str, int], chosen: tuple[str, ...], declared: Mapping[str, list[str]],
           org_names: Mapping[Any, Any]) -> Facet:
    values = dict(counts)
    for value in chosen:
        values.setdefault(value, 0)
    if declared.get(name):
        values = {value: count for value, count in values.items() if value in declared[name]}

    def label(value: str) -> str:
        if name == "org":
            return str(org_names.get(value) or value)
        if name == "language":
            return language_label(value)
        return str(VALUE_LABELS.get(name, {}).get(value, value))

    if name == "start":
        order = [value for value in START_VALUES if values.get(value) or value in chosen]
    elif name == "enrollment":
        order = [value for value in ENROLLMENT_VALUES if values.get(value) or value in chosen]
    else:
        order = sorted(values, key=lambda value: (-values[value], label(value).casefold()))
    label_text = FACET_LABELS.get(name)
    return Facet(name, str(label_text) if label_text else name.replace("_", " ").capitalize(),
                 [FacetTerm(value, label(value), values.get(value, 0), value in chosen) for value in order])


def language_label(code: str) -> str:
    """The language's name in the page's locale (``fr`` -> "French"), else the code."""
    if not code:
        return ""
    try:
        name = Locale.parse(code.replace("_", "-"), sep="-").get_display_name(get_locale() or "en")
    except (UnknownLocaleError, ValueError, TypeError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


# -- search within a course -----------------------------------------------------------------------------------------


def search_course_content(course_id: str, query: str | None, *, user: Any, page: int = 1, page_size: int = 20,
                          now: datetime | None = None) -> ContentSearchResult:
    """Blocks of ``course_id`` matching ``query`` that ``user`` may see (see the module's doc).

    Raises :class:`SearchAccessError`: 404 when there is no such published course, 403 when ``user``
    is neither enrolled nor course staff. An empty query finds nothing (there is nothing to search).
    """
    access = course_access(user, course_id)
    if access is None:
        raise SearchAccessError(404, _("There is no such course."))
    if not access.can_view_courseware:  # the courseware's rule: staff, enrolled, learner and beta tester roles
        raise SearchAccessError(403, access.reason or _("Enroll in this course to search it."))
    moment = now or utcnow()
    text = " ".join(str(query or "").split())[:1000]
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    if not parse_query(text):
        return ContentSearchResult(course_id, text, 0, page, page_size, [])
    viewer, staff_view = viewed_as(user, course_id)
    field_dictionary: dict[str, Any] = {"course": course_id}
    filter_dictionary: dict[str, Any] = {}
    exclude_dictionary: dict[str, Any] = {}
    if not staff_view:
        if _is_beta_tester(user, viewer, access):  # released days_early_for_beta early for them
            # a filter, as start_date: plugins' documents (no release dates) stay found
            filter_dictionary["beta_start_date"] = DateRange(None, moment)
        else:
            filter_dictionary["start_date"] = DateRange(None, moment)
        exclude_dictionary["staff_only"] = True
    answer = engine().search(COURSEWARE_INDEX, text, field_dictionary=field_dictionary,
                             filter_dictionary=filter_dictionary, exclude_dictionary=exclude_dictionary,
                             size=page_size, from_=(page - 1) * page_size)
    results = list(answer["results"])
    stale = 0 if staff_view else _drop_unreachable(results, viewer_nav(user, course_id, now=moment))
    denied = stale + _post_process(text, results, user)
    hits = [_content_hit(hit, text) for hit in results]
    return ContentSearchResult(course_id, text, max(0, answer["total"] - denied), page, page_size, hits,
                               answer["took"], answer["max_score"], denied)


def _drop_unreachable(results: list[dict[str, Any]], nav: ViewerNav | None) -> int:
    """Drop, in place, the hits on blocks the viewer may not open in the course as published now (the
    index may lag behind a publish: content made staff-only, moved later or hidden after its due date is
    not found); documents that are not blocks (plugins') stay. Returns how many were dropped."""
    if nav is None:
        return 0
    before = len(results)
    results[:] = [hit for hit in results if _reachable(hit, nav)]
    return before - len(results)


def _reachable(hit: Mapping[str, Any], nav: ViewerNav) -> bool:
    keys = []
    for usage_id in (hit.get("_id"), (hit.get("data") or {}).get("unit")):
        try:
            usage_key = UsageKey.from_string(str(usage_id))
        except InvalidKeyError:
            continue
        keys.append((usage_key.block_type, usage_key.block_id))
    if not keys:
        return True  # not a block of the course: a plugin's document
    return all((key in nav.nav.parents or key == nav.nav.root) and nav.can_see(key) for key in keys)


def _is_beta_tester(user: Any, viewer: Any, access: CourseAccess) -> bool:
    """Whether the user whose view a search takes (``viewer``: the masquerade applied) is a beta tester."""
    if viewer is user:
        return access.is_beta_tester and not access.is_staff
    viewer_access = course_access(viewer, access.course_id) if viewer is not None else None
    return bool(viewer_access and viewer_access.is_beta_tester)


def _content_hit(hit: Mapping[str, Any], query: str) -> ContentHit:
    data = dict(hit["data"])
    content = data.get("content") or {}
    return ContentHit(
        usage_id=str(hit["_id"]),
        display_name=str(content.get("display_name") or ""),
        location=[str(part) for part in data.get("location") or []],
        url=str(data.get("url") or ""),
        excerpt=excerpt(_excerpt_source(content, query), query, EXCERPT_CHARS),
        content_type=str(data.get("content_type") or ""),
        score=float(hit["score"]),
        data=data,
    )


def _excerpt_source(content: Mapping[str, Any], query: str) -> str:
    """The text of a hit to take its excerpt from: the first of its text, its transcripts (a video's) and its
    name that holds a word of ``query``, else its text or name."""
    texts = [str(content.get("text") or "")]
    texts += [str(content[name]) for name in sorted(content) if name.startswith("transcript_") and content[name]]
    texts.append(str(content.get("display_name") or ""))
    return text_to_excerpt(texts, query)


__all__ = [
    "COURSEWARE_INDEX",
    "COURSE_INFO_INDEX",
    "ContentHit",
    "ContentSearchResult",
    "CourseHit",
    "CourseSearchResult",
    "Facet",
    "FacetTerm",
    "SearchAccessError",
    "clean_filters",
    "excerpt",
    "indexed_course_ids",
    "reindex_course",
    "remove_course",
    "search_course_content",
    "search_courses",
]
