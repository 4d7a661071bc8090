"""The catalog area's API for the other LMS areas: course overviews and who may see them.

* :func:`course_overview` / :func:`course_overviews` / :func:`list_overviews`: the frozen
  :class:`CourseOverview` of published courses (Open edX's ``CourseOverview``), kept in
  ``lms_course_overviews`` and refreshed on publish; one query for one course (then cached for the
  request), one for several, two for all courses.
* :func:`about_url`: the path of a course's about page.
* :func:`lock_course_overview`: the course's lock in a transaction (enrollment's limit check).
* :func:`can_see_in_catalog` / :func:`can_see_about_page`: Open edX's ``see_in_catalog`` and
  ``see_about_page`` rules (``catalog_visibility``; staff see everything); :func:`is_global_staff`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from kampus.current import current_kampus
from kampus.identity.permissions import has_permission
from kampus_lms.catalog.overviews import (
    DEFAULT_COURSE_IMAGE,
    CourseOverview,
    Instructor,
    all_overviews,
    get_overview,
    get_overviews,
    lock_course_overview,
    refresh_overview,
)

__all__ = [
    "DEFAULT_COURSE_IMAGE",
    "CourseOverview",
    "Instructor",
    "about_url",
    "can_see_about_page",
    "can_see_in_catalog",
    "course_overview",
    "course_overviews",
    "is_global_staff",
    "list_overviews",
    "lock_course_overview",
    "refresh_overview",
]


def course_overview(course_id: str) -> CourseOverview | None:
    """The overview of the published course ``course_id``; ``None`` when the id is malformed, unknown or
    the course is not published. Cached for the rest of the request."""
    return get_overview(course_id)


def course_overviews(course_ids: Iterable[str]) -> dict[str, CourseOverview]:
    """The overviews of the published courses among ``course_ids``, by id (unknown or unpublished ones
    left out): one query for all of them (those already read in this request cost none)."""
    return get_overviews(course_ids)


def list_overviews() -> list[CourseOverview]:
    """Every published course's overview (whatever its catalog visibility), newest start first.

    A constant number of queries whatever the number of courses; filter with :func:`can_see_in_catalog`.
    """
    return all_overviews()


def about_url(course_id: str) -> str:
    """The path of the course's about page, ``/courses/<course_id>/about``."""
    return f"/courses/{quote(course_id, safe=':+@')}/about"


def is_global_staff(user: Any) -> bool:
    """Whether ``user`` is logged in as global staff (``is_staff`` or ``is_superuser``): the LMS's one
    test of it (catalog, search, courseware access)."""
    return bool(getattr(user, "is_authenticated", False)
                and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)))


def can_see_in_catalog(user: Any, overview: CourseOverview) -> bool:
    """Whether the front page and the catalog list the course for ``user``: ``catalog_visibility``
    'both' and, with the setting ``lms_search_hide_invitation_only`` (course discovery's same rule), not
    invitation-only; global staff see every course (no query: safe to call for every course of a listing)."""
    if is_global_staff(user):
        return True
    if overview.invitation_only and current_kampus().settings.lms_search_hide_invitation_only:
        return False
    return overview.listed


def can_see_about_page(user: Any, overview: CourseOverview) -> bool:
    """Whether ``user`` may open the course's about page: ``catalog_visibility`` 'both' or 'about', or
    course staff (global staff, instructor, staff, TA) of that course."""
    if overview.has_about_page or is_global_staff(user):
        return True
    return has_permission(user, "course.view_staff", overview.id)
