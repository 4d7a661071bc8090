"""The courseware area's API for the other LMS areas (and, through :mod:`kampus_lms.api`, other plugins).

* access: :func:`course_access` (:class:`CourseAccess`), :func:`checked_course_access` (the access, or the
  404 / redirect a course page answers), :func:`viewed_as` (masquerade) and :func:`masquerade_groups`
  (the content group a staff member views the course as), from :mod:`kampus_lms.access`;
  :func:`staff_toolbar` for the "View this course as" control of course pages
  (template ``lms/courseware/_staff_toolbar.html``);
* URLs: :func:`unit_url` (the unit page), :func:`jump_to_url` (Open edX's ``jump_to``);
* :func:`resume_block`: the unit the learner viewed last; :func:`resume_blocks`: the same in several courses;
* :func:`bookmarks_of`: the learner's bookmarks in Open edX's API fields (:class:`BookmarkInfo`);
  :func:`bookmark_unit` / :func:`unbookmark` add and remove one (the bookmarks REST API);
* :func:`viewer_nav`: the units a viewer may reach in a course, in order (:class:`ViewerNav`), with the
  learner's due-date extensions applied (``hide_after_due``, :meth:`ViewerNav.due`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import has_request_context
from flask_login import current_user
from kampus_content.api import CourseNotFound, Structure, VersionNotFound, get_structure, release_info
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey

from kampus.db import utcnow
from kampus.identity.permissions import course_roles
from kampus.identity.roles import BETA_TESTER
from kampus_lms.access import (
    CourseAccess,
    checked_course_access,
    course_access,
    masquerade_groups,
    staff_toolbar,
    viewed_as,
)
from kampus_lms.cohorts.api import user_partition_groups
from kampus_lms.courseware.bookmarks import BookmarkInfo, PathItem, add_bookmark, bookmarks_of, remove_bookmark
from kampus_lms.courseware.navigation import (
    CourseNav,
    UnitRef,
    ViewerNav,
    course_nav,
    viewer_cache_key,
    visibility_rule,
)
from kampus_lms.courseware.position import last_visited_unit, last_visited_units
from kampus_lms.grades.due_dates import extended_due_dates

__all__ = [
    "BookmarkInfo",
    "CourseAccess",
    "CourseNav",
    "PathItem",
    "UnitRef",
    "ViewerNav",
    "bookmark_unit",
    "bookmarks_of",
    "checked_course_access",
    "course_access",
    "jump_to_url",
    "resume_block",
    "resume_blocks",
    "staff_toolbar",
    "unbookmark",
    "unit_url",
    "masquerade_groups",
    "viewed_as",
    "viewer_nav",
]


def _quoted(course_id: str) -> str:
    return quote(course_id, safe=":+@")


def jump_to_url(course_id: str, usage_id: str) -> str:
    """The path of Open edX's ``/courses/<course_id>/jump_to/<usage_id>`` (any block of the course)."""
    return f"/courses/{_quoted(course_id)}/jump_to/{quote(str(usage_id), safe=':+@')}"


def courseware_url(course_id: str, chapter_id: str, sequential_id: str, position: int | None = None) -> str:
    """The path of a unit page: ``/courses/<course_id>/courseware/<chapter>/<sequential>/<position>``
    (block ids; the position is 1-based among the units the viewer sees)."""
    path = f"/courses/{_quoted(course_id)}/courseware/{quote(chapter_id)}/{quote(sequential_id)}/"
    return f"{path}{position}" if position else path


def viewer_nav(user: Any, course_id: str, *, structure: Structure | None = None,
               now: datetime | None = None) -> ViewerNav | None:
    """The units ``user`` (masquerade applied) may reach in the published course, or ``None`` when the
    course is not published."""
    if structure is None:
        try:
            structure = get_structure(course_id)
        except (CourseNotFound, VersionNotFound):
            return None
    data_user, staff_view = viewed_as(user, course_id)
    beta = False
    if not staff_view and getattr(data_user, "is_authenticated", False):
        access = course_access(data_user, course_id) if data_user is user else None
        beta = access.is_beta_tester if access is not None else BETA_TESTER in course_roles(data_user, course_id)
    groups = None
    extended: dict[Any, datetime] = {}
    if not staff_view and getattr(data_user, "is_authenticated", False):
        # the learner's content groups matter only in a course that restricts some block to groups; staff
        # viewing the course as a learner of a content group take that group instead of their own
        viewed_groups = masquerade_groups(user, course_id)
        if viewed_groups is not None:
            groups = viewed_groups
        else:
            groups = user_partition_groups(data_user.id, course_id) if release_info(structure).groups else {}
        extended = _block_keyed(extended_due_dates(course_id, data_user.id))
    now = now or utcnow()
    visible = visibility_rule(structure, staff_view=staff_view, beta=beta, now=now, groups=groups,
                              extended=extended)
    return ViewerNav(course_nav(structure), visible, cache_key=viewer_cache_key(structure, visible, now))


def _block_keyed(dues: Mapping[str, datetime]) -> dict[Any, datetime]:
    """``{usage id: due}`` as ``{block key: due}`` (ids that do not parse are left out)."""
    found = {}
    for usage_id, due in dues.items():
        try:
            usage_key = UsageKey.from_string(usage_id)
        except InvalidKeyError:
            continue
        found[(usage_key.block_type, usage_key.block_id)] = due
    return found


def unit_url(course_id: str, unit_usage_id: str, *, nav: ViewerNav | None = None) -> str:
    """The path of the unit page showing ``unit_usage_id`` to the current user (their position in its
    subsection); the ``jump_to`` path when the unit is unknown or the user may not see it."""
    try:
        usage_key = UsageKey.from_string(str(unit_usage_id))
    except InvalidKeyError:
        return jump_to_url(course_id, unit_usage_id)
    if nav is None:
        user = current_user if has_request_context() else None
        nav = viewer_nav(user, course_id)
    key = (usage_key.block_type, usage_key.block_id)
    if nav is None or key not in nav.nav.unit_index:
        return jump_to_url(course_id, unit_usage_id)
    unit = nav.nav.units[nav.nav.unit_index[key]]
    siblings = [sibling.key for sibling in nav.units_in(unit.sequential)]
    if key not in siblings:
        return jump_to_url(course_id, unit_usage_id)
    return courseware_url(course_id, unit.chapter[1], unit.sequential[1], siblings.index(key) + 1)


def _published_unit(usage_id: str, structure: Structure) -> bool:
    """Whether ``usage_id`` names a unit of the course ``structure``."""
    try:
        usage_key = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        return False
    return (usage_key.block_type, usage_key.block_id) in course_nav(structure).unit_index


def resume_block(user_id: int, course_id: str) -> str | None:
    """The usage id of the unit the learner viewed last in the course, or ``None`` (never visited, or
    the unit is no longer in the published course)."""
    usage_id = last_visited_unit(user_id, course_id)
    if usage_id is None:
        return None
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        return None
    return usage_id if _published_unit(usage_id, structure) else None


def resume_blocks(user_id: int, course_ids: Iterable[str], *,
                  structures: Mapping[str, Structure] | None = None) -> dict[str, str]:
    """:func:`resume_block` for several courses in one query: ``{course id: usage id}`` of the courses
    the learner visited whose last unit is still published. ``structures`` (published structures by
    course id, as the caller already holds them) saves reading them again."""
    found = {}
    for course_id, usage_id in last_visited_units(user_id, course_ids).items():
        structure = (structures or {}).get(course_id)
        if structure is None:
            try:
                structure = get_structure(course_id)
            except (CourseNotFound, VersionNotFound):
                continue
        if _published_unit(usage_id, structure):
            found[course_id] = usage_id
    return found


def bookmark_unit(user: Any, usage_id: str) -> bool | None:
    """Bookmark the unit ``usage_id`` for ``user`` when they may open the course's units and see that unit
    (the caller commits): True when added, False when it was bookmarked already, ``None`` when it is not a
    unit ``user`` may reach (unknown, another block type, not released, no access)."""
    try:
        usage_key = UsageKey.from_string(str(usage_id))
    except InvalidKeyError:
        return None
    course_id = str(usage_key.course_key)
    access = course_access(user, course_id)
    if access is None or not access.can_view_courseware:
        return None
    nav = viewer_nav(user, course_id)
    key = (usage_key.block_type, usage_key.block_id)
    if nav is None or key not in nav.nav.unit_index or not nav.can_see(key):
        return None
    return add_bookmark(user, nav.nav, nav.nav.units[nav.nav.unit_index[key]])


def unbookmark(user: Any, usage_id: str) -> bool:
    """Remove ``user``'s bookmark on ``usage_id`` (the caller commits); False when there was none."""
    try:
        course_id = str(UsageKey.from_string(str(usage_id)).course_key)
    except InvalidKeyError:
        return False
    return remove_bookmark(user, course_id, str(usage_id))
