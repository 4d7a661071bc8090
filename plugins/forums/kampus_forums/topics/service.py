"""A course's discussion topics, blackout periods and division rules, read from the published course.

* Course-wide topics: the course policy's ``discussion_topics`` (``{name: {"id": topic_id}}``; Open edX's
  default ``{"General": {"id": "course"}}`` when the course sets none).
* In-context topics: the course's ``discussion`` blocks (topic id = ``discussion_id`` or the block id,
  name = ``discussion_target``, category = ``discussion_category``, else the section they sit in).
* Blackouts: the policy's ``discussion_blackouts`` (a list of ``[start, end]`` pairs).

What is derived from the published structure alone is kept per structure version
(:func:`kampus_content.api.app_version_cache`); the course's division settings are read once per request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from kampus_content import api as content
from kampus_lms import api as lms
from opaque_keys.edx.keys import CourseKey

from kampus import db
from kampus_forums.topics.models import COHORT, ENROLLMENT_TRACK, NONE, DiscussionSettings
from kampus_forums.topics.tracks import track_groups

#: Open edX's course-wide topics of a course that sets none (``CourseBlock.discussion_topics``).
DEFAULT_TOPICS: dict[str, dict[str, str]] = {"General": {"id": "course"}}


@dataclass(frozen=True)
class Topic:
    """One discussion topic of a course.

    ``category`` is the course-wide topics' empty string, and an in-context topic's
    ``discussion_category`` (else the name of its section); ``usage_key`` is the discussion block's
    usage key (``None`` for a course-wide topic). The ``section_*``, ``subsection_*`` and ``unit_*``
    fields locate an in-context topic in the course outline; ``block_key`` is its block."""

    id: str
    name: str
    category: str
    usage_key: str | None
    section_id: str | None = None
    section_name: str = ""
    subsection_id: str | None = None
    subsection_name: str = ""
    unit_id: str | None = None
    unit_name: str = ""
    block_key: tuple[str, str] | None = None


@dataclass(frozen=True)
class CourseDiscussions:
    """What the published course says about its discussions (one structure version)."""

    version: str
    course_wide: tuple[Topic, ...]
    inline: tuple[Topic, ...]
    blackouts: tuple[tuple[datetime, datetime], ...]
    allow_anonymous: bool
    allow_anonymous_to_peers: bool
    sort_alpha: bool

    @property
    def topic_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.course_wide) | frozenset(t.id for t in self.inline)

    @property
    def course_wide_ids(self) -> frozenset[str]:
        return frozenset(t.id for t in self.course_wide)


def _json_value(value: Any) -> Any:
    """An OLX attribute that holds JSON, decoded; policy values as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _bool(value: Any, default: bool) -> bool:
    value = _json_value(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
    return default


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _course_wide(raw: Any) -> tuple[Topic, ...]:
    topics = _json_value(raw)
    if not isinstance(topics, dict) or not topics:
        topics = DEFAULT_TOPICS
    found: list[Topic] = []
    for name, entry in topics.items():
        topic_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(topic_id, str) and topic_id:
            found.append(Topic(id=topic_id, name=str(name), category="", usage_key=None))
    return tuple(found)


def _blackouts(raw: Any) -> tuple[tuple[datetime, datetime], ...]:
    """Open edX's ``get_discussion_blackout_datetimes``: well-formed ``[start, end]`` pairs only."""
    pairs = _json_value(raw)
    found: list[tuple[datetime, datetime]] = []
    for pair in pairs if isinstance(pairs, list) else []:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        start, end = content.parse_date(pair[0]), content.parse_date(pair[1])
        if start is not None and end is not None:
            found.append((start, end))
    return tuple(found)


def _display_name(block: Any) -> str:
    return _text(block.fields.get("display_name")) if block is not None else ""


def _inline(structure: content.Structure) -> tuple[Topic, ...]:
    """The discussion blocks reachable from the course, in course order, each with its unit,
    subsection and section."""
    course_key = CourseKey.from_string(structure.course_key)
    parents = structure.parents()

    def usage(key: tuple[str, str] | None) -> str | None:
        return str(course_key.make_usage_key(key[0], key[1])) if key else None

    found: list[Topic] = []
    seen: set[str] = set()
    for block in structure.walk():
        if block.type != "discussion":
            continue
        ancestors: dict[str, Any] = {}
        key = parents.get(block.key)
        while key is not None and key != structure.root:
            ancestors.setdefault(key[0], structure.get(key))
            key = parents.get(key)
        section, subsection = ancestors.get("chapter"), ancestors.get("sequential")
        unit = ancestors.get("vertical")
        topic_id = _text(block.fields.get("discussion_id")) or block.id
        if topic_id in seen:  # Open edX keeps the first block of a duplicated id
            continue
        seen.add(topic_id)
        name = (_text(block.fields.get("discussion_target")) or _display_name(unit)
                or _display_name(block) or topic_id)
        category = _text(block.fields.get("discussion_category")) or _display_name(section) or name
        found.append(Topic(
            id=topic_id, name=name, category=category, usage_key=usage(block.key),
            section_id=usage(section.key) if section else None, section_name=_display_name(section),
            subsection_id=usage(subsection.key) if subsection else None,
            subsection_name=_display_name(subsection),
            unit_id=usage(unit.key) if unit else None, unit_name=_display_name(unit),
            block_key=(block.key[0], block.key[1])))
    return tuple(found)


def _discussions_of(structure: content.Structure) -> CourseDiscussions:
    fields = structure.blocks[structure.root].fields
    return CourseDiscussions(
        version=structure.version,
        course_wide=_course_wide(fields.get("discussion_topics")),
        inline=_inline(structure),
        blackouts=_blackouts(fields.get("discussion_blackouts")),
        allow_anonymous=_bool(fields.get("allow_anonymous"), True),
        allow_anonymous_to_peers=_bool(fields.get("allow_anonymous_to_peers"), False),
        sort_alpha=_bool(fields.get("discussion_sort_alpha"), False),
    )


_EMPTY = CourseDiscussions(version="", course_wide=(), inline=(), blackouts=(), allow_anonymous=False,
                           allow_anonymous_to_peers=False, sort_alpha=False)


def is_published(course_id: str) -> bool:
    """Whether the course exists and is published: its index as the content store reads it once per request
    (the course's topics, when a request wants them, start from the same read)."""
    try:
        return content.content_store().request_course_index(str(course_id)).published_version is not None
    except content.ContentStoreError:
        return False


def published_structure(course_id: str) -> content.Structure | None:
    """The course's published structure (read once per request by the content store), or ``None``."""
    try:
        return content.get_structure(str(course_id))
    except content.ContentStoreError:
        return None


def course_discussions(course_id: str) -> CourseDiscussions:
    """The published course's topics, blackouts and anonymity policy (kept per published version; an
    unpublished or unknown course has no topics)."""
    structure = published_structure(course_id)
    if structure is None:
        return _EMPTY
    return content.app_version_cache("forums_discussions").get_or_compute(
        structure.version, lambda: _discussions_of(structure))


def course_wide_topics(course_id: str) -> list[Topic]:
    """The course-wide topics, in policy order."""
    return list(course_discussions(course_id).course_wide)


def inline_topics(course_id: str) -> list[Topic]:
    """The in-context topics (discussion blocks), in course order."""
    return list(course_discussions(course_id).inline)


def topic_exists(course_id: str, commentable_id: str) -> bool:
    """Whether ``commentable_id`` is a course-wide or in-context topic of the published course."""
    return str(commentable_id) in course_discussions(course_id).topic_ids


def blackouts(course_id: str) -> list[tuple[datetime, datetime]]:
    """The course's blackout periods ``(start, end)``."""
    return list(course_discussions(course_id).blackouts)


def blackout_active(course_id: str, now: datetime | None = None) -> bool:
    """Whether ``now`` falls in one of the course's blackout periods (Open edX's
    ``CourseBlock.forum_posts_allowed`` negated: ``start <= now <= end``)."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return any(start <= now <= end for start, end in course_discussions(course_id).blackouts)


# -- division ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Division:
    """A course's discussion division settings as they apply now."""

    course_id: str
    #: the stored scheme (``none`` / ``cohort`` / ``enrollment_track``), or the default when the course
    #: stores none
    division_scheme: str
    always_divide_inline_discussions: bool
    divided_discussions: tuple[str, ...]
    reported_content_email_notifications: bool
    cohorted: bool
    #: how many enrollment tracks the course has (counted only when the stored scheme is enrollment_track)
    tracks: int = 0

    @property
    def scheme(self) -> str:
        """Open edX's ``get_course_division_scheme``: the stored scheme when it applies, else ``none`` (a
        cohort scheme needs a cohorted course, an enrollment-track scheme more than one track)."""
        if self.division_scheme == COHORT and self.cohorted:
            return COHORT
        if self.division_scheme == ENROLLMENT_TRACK and self.tracks > 1:
            return ENROLLMENT_TRACK
        return NONE

    @property
    def enabled(self) -> bool:
        """Open edX's ``course_discussion_division_enabled``: a scheme other than none that applies."""
        return self.scheme != NONE


def _request_cache() -> dict[str, Division] | None:
    return g.setdefault("_kampus_forum_divisions", {}) if has_request_context() else None


#: :func:`division`'s read, built once (every course page asks it, for the Discussion tab).
_SETTINGS_OF = sa.select(DiscussionSettings.division_scheme, DiscussionSettings.always_divide_inline_discussions,
                         DiscussionSettings.divided_discussions,
                         DiscussionSettings.reported_content_email_notifications).where(
    DiscussionSettings.course_id == sa.bindparam("course_id"))


def division(course_id: str) -> Division:
    """The course's division settings (read once per request). A course that stores none divides by
    cohort when it is cohorted (as Open edX's ``set_course_cohorted`` sets), by nothing otherwise."""
    course_id = str(course_id)
    cache = _request_cache()
    if cache is not None and course_id in cache:
        return cache[course_id]
    cohorted = lms.is_cohorted(course_id)
    row = db.session().execute(_SETTINGS_OF, {"course_id": course_id}).first()
    if row is None:
        found = Division(course_id, COHORT if cohorted else NONE, False, (), False, cohorted)
    else:
        divided = row.divided_discussions if isinstance(row.divided_discussions, list) else []
        scheme = row.division_scheme or NONE
        found = Division(course_id, scheme, bool(row.always_divide_inline_discussions),
                         tuple(str(i) for i in divided), bool(row.reported_content_email_notifications), cohorted,
                         len(track_groups(course_id)) if scheme == ENROLLMENT_TRACK else 0)
    if cache is not None:
        cache[course_id] = found
    return found


def forget_division(course_id: str) -> None:
    """Drop the request's cached :func:`division` of the course (after the settings change)."""
    cache = _request_cache()
    if cache is not None:
        cache.pop(str(course_id), None)


def is_divided(course_id: str, commentable_id: str) -> bool:
    """Whether posts in the topic take their author's cohort as ``group_id`` (Open edX's
    ``is_commentable_divided``): never when division is off; an in-context topic when
    ``always_divide_inline_discussions``; otherwise when the topic is listed in ``divided_discussions``."""
    settings = division(course_id)
    if not settings.enabled:
        return False
    commentable_id = str(commentable_id)
    discussions = course_discussions(course_id)
    if commentable_id in discussions.course_wide_ids or not settings.always_divide_inline_discussions:
        return commentable_id in settings.divided_discussions
    return True
