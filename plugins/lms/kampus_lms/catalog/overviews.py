"""Course overviews: what the catalog, the about page and the other LMS areas know of a published course.

An overview is read from the published structure's course block (Open edX's field names and defaults,
``xmodule/course_block.py``) and the OLX ``about/`` files an import kept (``overview.html``,
``short_description.html``, ``effort.html``, ``video.html``, ``duration.html``, ``subtitle.html``), as
Open edX's ``CourseOverview`` does (``openedx/core/djangoapps/content/course_overviews/models.py``).

Overviews are stored in ``lms_course_overviews`` when a course is published and read from there
(one query for one course or for all of them). A course published while the LMS was not installed,
or whose row is older than its published version, is brought up to date when the catalog lists it.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import nh3
import sqlalchemy as sa
from flask import g, has_app_context
from kampus_content.api import (
    DEFAULT_GRADING_POLICY,
    ContentStoreError,
    Structure,
    asset_url,
    clean_author_html,
    content_store,
    find_asset,
    parse_date,
    read_course_file,
)
from opaque_keys.edx.keys import CourseKey
from sqlalchemy.exc import DBAPIError, IntegrityError

from kampus import db
from kampus.course_keys import parse_course_key
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus_lms.catalog.models import CourseOverviewRow

log = logging.getLogger(__name__)

#: Open edX's catalog visibility values (``xmodule/course_block.py``): listed and about page, about page only, none.
CATALOG_VISIBILITIES = ("both", "about", "none")
#: Open edX's ``certificates_display_behavior`` values.
CERTIFICATE_DISPLAY_BEHAVIORS = ("early_no_info", "end", "end_with_date")
#: Open edX's default course start: a course without a start has not started.
DEFAULT_START = datetime(2030, 1, 1, tzinfo=UTC)
#: ``mobile_available`` of a course that does not set it. Open edX's default is false; Kampus's is true, because
#: every course of a Kampus site was served to the mobile apps before the flag existed (a false default would
#: take every existing course out of its learners' apps on upgrade), and Kampus's pages are made for phones.
#: A course leaves the apps by setting ``mobile_available`` to false (Studio's advanced settings, OLX).
MOBILE_AVAILABLE_DEFAULT = True
#: The image shown for a course that names none, or names one it does not hold.
DEFAULT_COURSE_IMAGE = "/static/lms/catalog/course-default.svg"

_YOUTUBE_ID = re.compile(r"(?:youtube(?:-nocookie)?\.com/(?:embed/|v/|watch\?v=)|youtu\.be/)([A-Za-z0-9_-]{6,32})")
_BARE_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,32}$")


@dataclass(frozen=True)
class Instructor:
    """One member of the course staff shown on the about page (Open edX's ``instructor_info``)."""

    name: str
    title: str = ""
    organization: str = ""
    image: str = ""
    bio: str = ""


@dataclass(frozen=True)
class CourseOverview:
    """The catalog facts of one published course, frozen (the contract of :mod:`kampus_lms.catalog.api`).

    Dates are aware UTC datetimes or ``None``; ``start`` is ``None`` when the course sets none (Open edX's
    default start, 2030-01-01, applies then: the course has not started).
    """

    id: str
    org: str
    number: str
    run: str
    display_name: str
    display_org: str
    display_number: str
    short_description: str
    overview_html: str
    effort: str
    language: str
    start: datetime | None
    end: datetime | None
    enrollment_start: datetime | None
    enrollment_end: datetime | None
    invitation_only: bool
    max_student_enrollments_allowed: int | None
    catalog_visibility: str
    course_image_url: str
    intro_video: str
    pre_requisite_courses: list[str]
    self_paced: bool
    certificates_display_behavior: str
    lowest_passing_grade: float | None
    version: str
    # Beyond the contract: more of what an about page shows.
    subtitle: str = ""
    duration: str = ""
    advertised_start: str = ""
    instructors: tuple[Instructor, ...] = field(default_factory=tuple)
    #: Open edX's ``certificate_available_date`` (kept only with ``certificates_display_behavior``
    #: ``end_with_date``, see :func:`certificate_display_settings`) and the deprecated ``certificates_show_before_end``.
    certificate_available_date: datetime | None = None
    certificates_show_before_end: bool = False
    #: Open edX's ``mobile_available``: whether the mobile apps list the course (:data:`MOBILE_AVAILABLE_DEFAULT`
    #: when the course does not say).
    mobile_available: bool = True

    def has_started(self, now: datetime | None = None) -> bool:
        """Whether the course has started (Open edX: ``start <= now``; no start means 2030-01-01)."""
        return (self.start or DEFAULT_START) <= (now or datetime.now(UTC))

    def has_ended(self, now: datetime | None = None) -> bool:
        """Whether the course has an end that has passed."""
        return self.end is not None and self.end < (now or datetime.now(UTC))

    def is_enrollment_open(self, now: datetime | None = None) -> bool:
        """Open edX's rule: ``enrollment_start < now < enrollment_end``, an unset bound being open."""
        moment = now or datetime.now(UTC)
        if self.enrollment_start is not None and not self.enrollment_start < moment:
            return False
        return self.enrollment_end is None or moment < self.enrollment_end

    def is_enrollment_upcoming(self, now: datetime | None = None) -> bool:
        """Whether enrollment has a start still to come."""
        return self.enrollment_start is not None and (now or datetime.now(UTC)) <= self.enrollment_start

    @property
    def listed(self) -> bool:
        """Whether the catalog and the front page list the course (``catalog_visibility == 'both'``)."""
        return self.catalog_visibility == "both"

    @property
    def has_about_page(self) -> bool:
        """Whether visitors may open the about page (``catalog_visibility`` 'both' or 'about')."""
        return self.catalog_visibility in ("both", "about")

    @property
    def start_display(self) -> str:
        """Open edX's ``advertised_start`` when the author set one, else ``''`` (show :attr:`start`)."""
        return self.advertised_start


# -- reading the course block and the about files ------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _bool(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().strip('"').lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
    return default


def _json_value(value: Any) -> Any:
    """An OLX attribute that holds JSON (``pre_requisite_courses="[...]"``), decoded; policy values as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _positive_int(value: Any) -> int | None:
    value = _json_value(value)
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = int(float(value))
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _about_file(structure: Structure, name: str) -> str:
    try:
        data = read_course_file(structure, f"about/{name}")
    except (OSError, ContentStoreError):
        log.warning("could not read about/%s of %s", name, structure.course_key)
        return ""
    return data.decode("utf-8", errors="replace").strip() if data else ""


def youtube_id(text: str) -> str:
    """The YouTube video id of an about page ``video.html`` (an embed iframe) or of a bare id, else ``''``."""
    text = text.strip()
    if not text:
        return ""
    if _BARE_YOUTUBE_ID.match(text):
        return text
    match = _YOUTUBE_ID.search(text)
    return match.group(1) if match else ""


def course_image_url(structure: Structure, course_id: str, course_image: Any) -> str:
    """The URL of the course's card image: its asset when the course holds it, else the default image."""
    name = _text(course_image)
    if name.startswith(("https://", "http://")):
        return name
    for prefix in ("/static/", "static/", "/"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if not name:
        return DEFAULT_COURSE_IMAGE
    asset = find_asset(structure, name)
    return asset_url(course_id, quote(asset.path, safe="/")) if asset is not None else DEFAULT_COURSE_IMAGE


def _instructors(value: Any) -> tuple[Instructor, ...]:
    value = _json_value(value)
    people = value.get("instructors") if isinstance(value, dict) else None
    found = []
    for person in people if isinstance(people, list) else []:
        if isinstance(person, dict) and _text(person.get("name")):
            found.append(Instructor(
                name=_text(person.get("name")), title=_text(person.get("title")),
                organization=_text(person.get("organization")), image=_text(person.get("image")),
                bio=_text(person.get("bio")),
            ))
    return tuple(found)


def _lowest_passing_grade(value: Any) -> float | None:
    policy = _json_value(value)
    cutoffs = policy.get("GRADE_CUTOFFS") if isinstance(policy, dict) else None
    if not isinstance(cutoffs, dict):
        cutoffs = DEFAULT_GRADING_POLICY["GRADE_CUTOFFS"]
    grades = [float(v) for v in cutoffs.values() if isinstance(v, int | float) and not isinstance(v, bool)]
    return min(grades) if grades else None


def certificate_display_settings(available_date: Any, behavior: Any) -> tuple[datetime | None, str]:
    """Open edX's ``CourseDetails.validate_certificate_settings``: ``early_no_info`` drops the date; a
    date makes the behaviour ``end_with_date``; otherwise ``end``."""
    if _text(behavior) == "early_no_info":
        return None, "early_no_info"
    date = parse_date(available_date)
    if date is not None:
        return date, "end_with_date"
    return None, "end"


def build_overview(structure: Structure) -> CourseOverview:
    """The overview of the course whose published structure is ``structure`` (reads its ``about/`` files)."""
    course_id = structure.course_key
    key = CourseKey.from_string(course_id)
    root = structure.blocks[structure.root]
    f = root.fields
    visibility = _text(f.get("catalog_visibility")) or "both"
    available_date, behavior = certificate_display_settings(f.get("certificate_available_date"),
                                                            f.get("certificates_display_behavior"))
    prerequisites = _json_value(f.get("pre_requisite_courses"))
    short_description = _about_file(structure, "short_description.html")
    return CourseOverview(
        id=course_id,
        org=key.org,
        number=key.course,
        run=key.run,
        display_name=_text(f.get("display_name")) or _about_file(structure, "title.html") or key.course,
        display_org=_text(f.get("display_organization")) or key.org,
        display_number=_text(f.get("display_coursenumber")) or key.course,
        short_description=nh3.clean(short_description, tags=set()).strip() if short_description else "",
        overview_html=clean_author_html(_about_file(structure, "overview.html"), course_id, strict=True),
        effort=nh3.clean(_about_file(structure, "effort.html"), tags=set()).strip(),
        language=_text(f.get("language")),
        start=parse_date(f.get("start")),
        end=parse_date(f.get("end")),
        enrollment_start=parse_date(f.get("enrollment_start")),
        enrollment_end=parse_date(f.get("enrollment_end")),
        invitation_only=_bool(f.get("invitation_only")),
        max_student_enrollments_allowed=_positive_int(f.get("max_student_enrollments_allowed")),
        catalog_visibility=visibility if visibility in CATALOG_VISIBILITIES else "both",
        course_image_url=course_image_url(structure, course_id, f.get("course_image")),
        intro_video=youtube_id(_about_file(structure, "video.html")),
        pre_requisite_courses=[c for c in prerequisites if isinstance(c, str) and parse_course_key(c)]
        if isinstance(prerequisites, list) else [],
        self_paced=_bool(f.get("self_paced")),
        certificates_display_behavior=behavior,
        lowest_passing_grade=_lowest_passing_grade(f.get("grading_policy")),
        version=structure.version,
        subtitle=nh3.clean(_about_file(structure, "subtitle.html"), tags=set()).strip(),
        duration=nh3.clean(_about_file(structure, "duration.html"), tags=set()).strip(),
        advertised_start=_text(f.get("advertised_start")),
        instructors=_instructors(f.get("instructor_info")),
        certificate_available_date=available_date,
        certificates_show_before_end=_bool(f.get("certificates_show_before_end")),
        mobile_available=_bool(f.get("mobile_available"), MOBILE_AVAILABLE_DEFAULT),
    )


# -- storing and reading rows --------------------------------------------------------------------------------------

_COLUMNS = ("org", "display_name", "language", "start", "end", "enrollment_start", "enrollment_end",
            "catalog_visibility", "invitation_only", "version")


def _to_row_values(overview: CourseOverview) -> dict[str, Any]:
    data = asdict(overview)
    for name in ("start", "end", "enrollment_start", "enrollment_end"):
        data.pop(name)
    available = overview.certificate_available_date
    data["certificate_available_date"] = available.isoformat() if available is not None else None
    data.pop("id")
    values = {name: getattr(overview, name) for name in _COLUMNS}
    values["display_name"] = overview.display_name[:255]
    values["language"] = overview.language[:32]
    values["data"] = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return values


_FIELD_NAMES = {f.name for f in fields(CourseOverview)}
#: Fields read from the course after overviews were first stored: a row without one of them is read as stale
#: (no version), so that it is rebuilt from the published course rather than showing the field's default.
_LATER_FIELDS = ("mobile_available",)


#: What :func:`_from_row` reads of a row; the reads of one, several and every overview, built once (course pages
#: and the enrollment and course list APIs run them on every call).
_ALL_OVERVIEWS = sa.select(CourseOverviewRow.course_id, CourseOverviewRow.data, CourseOverviewRow.start,
                           CourseOverviewRow.end, CourseOverviewRow.enrollment_start, CourseOverviewRow.enrollment_end,
                           CourseOverviewRow.version)
_OVERVIEW_OF = _ALL_OVERVIEWS.where(CourseOverviewRow.course_id == sa.bindparam("course_id"))
_OVERVIEWS_OF = _ALL_OVERVIEWS.where(CourseOverviewRow.course_id.in_(sa.bindparam("ids", expanding=True)))


def _from_row(row: Any) -> CourseOverview:
    return _overview_of(row.course_id, row.data, row.start, row.end, row.enrollment_start, row.enrollment_end,
                        row.version)


@lru_cache(maxsize=2048)
def _overview_of(course_id: str, text: str, start: datetime | None, end: datetime | None,
                 enrollment_start: datetime | None, enrollment_end: datetime | None, version: str) -> CourseOverview:
    """The overview a row holds: a pure function of the row's values, memoized (the overview is frozen), since
    the enrollment and course list APIs read a row per course on every call and decoding it cost more than
    reading it."""
    data = json.loads(text)
    stale = any(name not in data for name in _LATER_FIELDS)
    data = {name: value for name, value in data.items() if name in _FIELD_NAMES}
    data["instructors"] = tuple(Instructor(**person) for person in data.get("instructors") or ())
    data["certificate_available_date"] = parse_date(data.get("certificate_available_date"))
    data.update(id=course_id, start=start, end=end, enrollment_start=enrollment_start,
                enrollment_end=enrollment_end, version="" if stale else version)
    return CourseOverview(**data)


def _request_cache() -> dict[str, CourseOverview | None]:
    cache = g.get("_lms_course_overviews")
    if cache is None:
        cache = g._lms_course_overviews = {}
    return cache


def _forget_in_request(course_id: str) -> None:
    if has_app_context():
        _request_cache().pop(course_id, None)


def save_overview(overview: CourseOverview) -> None:
    """Write ``overview`` (insert or update its row) in a transaction of its own."""
    values = _to_row_values(overview)
    for attempt in (1, 2):
        try:
            with current_kampus().db.session_scope() as db_session:
                row = db_session.get(CourseOverviewRow, overview.id)
                if row is None:
                    db_session.add(CourseOverviewRow(course_id=overview.id, modified=utcnow(), **values))
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.modified = utcnow()
            break
        except IntegrityError:
            if attempt == 2:
                raise
    _forget_in_request(overview.id)


def delete_overview(course_id: str) -> None:
    """Forget the overview of a deleted or unpublished course."""
    with current_kampus().db.session_scope() as db_session:
        db_session.execute(sa.delete(CourseOverviewRow).where(CourseOverviewRow.course_id == course_id))
    _forget_in_request(course_id)


def refresh_overview(course_id: str) -> CourseOverview | None:
    """Rebuild the course's overview from its published version and store it (``None``: not published)."""
    try:
        structure = content_store().get_branch(course_id, "published")
    except ContentStoreError:
        structure = None
    if structure is None:
        delete_overview(course_id)
        return None
    overview = build_overview(structure)
    save_overview(overview)
    return overview


def refresh_after_publish(course_id: str) -> None:
    """The ``kampus_content_published`` answer: refresh the overview, never failing the publish that already
    committed (a failure is logged; the catalog rebuilds a missing or stale overview when it lists courses)."""
    try:
        refresh_overview(course_id)
    except Exception:
        log.exception("could not refresh the course overview of %s", course_id)


def forget_after_delete(course_id: str) -> None:
    """The ``kampus_content_deleted`` answer: the course leaves the catalog."""
    try:
        delete_overview(course_id)
    except Exception:
        log.exception("could not delete the course overview of %s", course_id)


def _fresh_or_stored(course_id: str, stored: CourseOverview | None, published: str | None) -> CourseOverview | None:
    """The stored overview when it matches the published version, else a rebuilt one (stored when possible)."""
    if published is None:
        return None
    if stored is not None and stored.version == published:
        return stored
    try:
        structure = content_store().get_structure(course_id, published)
    except ContentStoreError:
        return stored
    overview = build_overview(structure)
    try:
        save_overview(overview)
    except DBAPIError:
        log.warning("could not store the rebuilt course overview of %s", course_id, exc_info=True)
    return overview


def get_overview(course_id: str) -> CourseOverview | None:
    """The overview of a published course, or ``None`` (unknown, unpublished or malformed id).

    The row (cached for the rest of the request) checked against the course index's published
    version: a missing or stale row (a publish whose refresh failed) is rebuilt from the store. The
    index is the content store's per-request read (``request_course_index``), which course pages make
    anyway to load the structure: two queries on a page that reads nothing else of the course, no more
    on the others.
    """
    if parse_course_key(course_id) is None:
        return None
    cache = _request_cache()
    if course_id in cache:
        return cache[course_id]
    row = db.session().execute(_OVERVIEW_OF, {"course_id": course_id}).first()
    stored = _from_row(row) if row is not None else None
    try:
        published = content_store().request_course_index(course_id).published_version
    except ContentStoreError:
        published = None
    overview = _fresh_or_stored(course_id, stored, published)
    cache[course_id] = overview
    return overview


def get_overviews(course_ids: Iterable[str]) -> dict[str, CourseOverview]:
    """The overviews of the published courses among ``course_ids``, by id (one query for those not
    yet read in this request; others are left out)."""
    cache = _request_cache()
    wanted = [c for c in dict.fromkeys(course_ids) if c not in cache and parse_course_key(c) is not None]
    if wanted:
        rows = db.session().execute(_OVERVIEWS_OF, {"ids": wanted})
        for row in rows:
            overview = _from_row(row)
            if overview.version:  # a stale row is rebuilt just below
                cache[row.course_id] = overview
        for course_id in wanted:
            if course_id not in cache:
                get_overview(course_id)
    return {c: cache[c] for c in dict.fromkeys(course_ids) if cache.get(c) is not None}  # type: ignore[misc]


def all_overviews() -> list[CourseOverview]:
    """Every published course's overview, sorted by start date (newest first), then name.

    Two queries whatever the number of courses: the overview rows and the course index (which brings
    missing or stale overviews up to date and drops those of courses no longer published).
    """
    stored = {row.course_id: _from_row(row) for row in db.session().execute(_ALL_OVERVIEWS)}
    published = {index.course_key: index.published_version for index in content_store().list_courses()}
    result: list[CourseOverview] = []
    for course_id, version in published.items():
        overview = _fresh_or_stored(course_id, stored.get(course_id), version)
        if overview is not None:
            result.append(overview)
    for course_id in set(stored) - {c for c, v in published.items() if v is not None}:
        forget_after_delete(course_id)
    cache = _request_cache()
    for overview in result:
        cache[overview.id] = overview
    return sort_overviews(result)


def sort_overviews(overviews: Iterable[CourseOverview]) -> list[CourseOverview]:
    """Overviews by start date, newest first (courses without a start last), then by name."""
    return sorted(overviews, key=lambda o: (-o.start.timestamp() if o.start else float("inf"),
                                             o.display_name.lower(), o.id))


def lock_course_overview(db_session: Any, course_id: str) -> None:
    """Take the course's lock for the rest of ``db_session``'s transaction, on its overview row:
    ``SELECT ... FOR UPDATE`` on PostgreSQL and MariaDB; on SQLite a write to the row, which takes the
    database's write lock. Make it the transaction's first statement: SQLite then waits for the lock
    rather than failing on a stale snapshot, and MariaDB's snapshot is taken after it (enrollment's
    limit check counts under this lock)."""
    if db_session.get_bind().dialect.name == "sqlite":
        db_session.execute(sa.update(CourseOverviewRow).where(CourseOverviewRow.course_id == course_id)
                           .values(course_id=CourseOverviewRow.course_id)
                           .execution_options(synchronize_session=False))
    else:
        db_session.execute(sa.select(CourseOverviewRow.course_id)
                           .where(CourseOverviewRow.course_id == course_id).with_for_update())
