"""The groups a course's discussions are divided among, by its division scheme (Open edX's
``get_group_id_for_user``, ``get_group_names_by_id`` and ``_verify_group_exists``): cohorts (their ids), or
enrollment tracks (negated mode ids, :mod:`kampus_forums.topics.tracks`)."""

from __future__ import annotations

from collections.abc import Iterable

from kampus_lms import api as lms

from kampus_forums.topics.models import ENROLLMENT_TRACK
from kampus_forums.topics.service import division
from kampus_forums.topics.tracks import track_group_of, track_groups, track_groups_of


def group_of(user_id: int, course_id: str) -> int | None:
    """The user's group in the course: their track when the course is divided by enrollment track, else
    their cohort when the course is cohorted (``None``: in no group). Whether it is cohorted comes from the
    request's :func:`division`, which has read it already."""
    settings = division(course_id)
    if settings.scheme == ENROLLMENT_TRACK:
        return track_group_of(user_id, course_id)
    if not settings.cohorted:
        return None
    cohort = lms.cohort_of(int(user_id), str(course_id))
    return cohort.id if cohort is not None else None


def group_names(course_id: str) -> dict[int, str]:
    """``{group id: name}`` of the groups of the course's scheme (the cohorts unless divided by track)."""
    if division(course_id).scheme == ENROLLMENT_TRACK:
        return track_groups(course_id)
    return {cohort.id: cohort.name for cohort in lms.list_cohorts(course_id)}


def group_names_of(course_id: str, user_ids: Iterable[int]) -> dict[int, str]:
    """The name of each user's group under the course's scheme (users in no group are left out)."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if division(course_id).scheme == ENROLLMENT_TRACK:
        names = track_groups(course_id)
        return {user_id: names[group] for user_id, group in track_groups_of(ids, course_id).items()
                if group in names}
    return lms.cohort_names_of(course_id, ids)


def group_exists(course_id: str, group_id: int) -> bool:
    """Whether ``group_id`` names a group of the course's scheme."""
    if division(course_id).scheme == ENROLLMENT_TRACK:
        return group_id in track_groups(course_id)
    return lms.get_cohort(course_id, group_id) is not None
