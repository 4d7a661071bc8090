"""Enrollment-track groups of a course (Open edX's ``EnrollmentTrackPartitionScheme``), as discussions use them.

Each mode the course offers (expired ones too; not ``credit``, which is not selectable) is a group whose id
is the mode's id in Open edX's ``COURSE_ENROLLMENT_MODES`` (audit 1, verified 2, ...). Discussions negate
it (audit -1, verified -2, ...) so that it cannot be taken for a cohort id (``get_group_id_for_user``,
``get_group_names_by_id``). A learner is in the group of their active enrollment's mode; a ``credit``
learner in the verified group; a learner whose mode the course does not offer in the default (audit)
group. A mode Open edX does not know (a custom slug) has no group: its learners see undivided posts only.
"""

from __future__ import annotations

from kampus_lms import api as lms

#: Open edX's ``COURSE_ENROLLMENT_MODES`` ids (``lms/envs/common.py``).
ENROLLMENT_GROUP_IDS: dict[str, int] = {
    "audit": 1, "verified": 2, "professional": 3, "no-id-professional": 4, "credit": 5, "honor": 6,
    "masters": 7, "executive-education": 8, "unpaid-executive-education": 9, "paid-executive-education": 10,
    "unpaid-bootcamp": 11, "paid-bootcamp": 12,
}
CREDIT = "credit"
VERIFIED = "verified"
DEFAULT_MODE = "audit"


def discussion_group_id(slug: str) -> int | None:
    """The discussions' group id of a mode (negated Open edX mode id), ``None`` for an unknown mode."""
    mode_id = ENROLLMENT_GROUP_IDS.get(slug)
    return -mode_id if mode_id is not None else None


def track_groups(course_id: str) -> dict[int, str]:
    """``{group id: mode name}`` of the course's tracks, in the course's mode order (one query)."""
    groups: dict[int, str] = {}
    for mode in lms.course_modes(str(course_id), include_expired=True):
        group_id = discussion_group_id(mode.slug) if mode.slug != CREDIT else None
        if group_id is not None:
            groups.setdefault(group_id, mode.name or mode.slug)
    return groups


def _track_slug(mode: str, offered: set[str]) -> str:
    """The track a learner enrolled in ``mode`` reads with, among the ``offered`` modes."""
    if mode == CREDIT:
        return VERIFIED if VERIFIED in offered else DEFAULT_MODE
    return mode if mode in offered else DEFAULT_MODE


def _offered(course_id: str) -> set[str]:
    return {mode.slug for mode in lms.course_modes(str(course_id), include_expired=True)}


def track_group_of(user_id: int, course_id: str) -> int | None:
    """The track group of the user's active enrollment in the course (``None``: not enrolled, or a mode
    Open edX does not know)."""
    enrollment = lms.get_enrollment(int(user_id), str(course_id))
    if enrollment is None or not enrollment.is_active:
        return None
    return discussion_group_id(_track_slug(enrollment.mode, _offered(course_id)))


def track_groups_of(user_ids: list[int], course_id: str) -> dict[int, int]:
    """:func:`track_group_of` for several users (those with a group only): two queries, the course's modes and
    the users' enrollments, whatever the number of users."""
    ids = sorted({int(user_id) for user_id in user_ids})
    if not ids:
        return {}
    offered = _offered(course_id)
    found: dict[int, int] = {}
    for _row_id, enrollment in lms.list_enrollments(course_ids=[str(course_id)], user_ids=ids, limit=len(ids)):
        group_id = discussion_group_id(_track_slug(enrollment.mode, offered)) if enrollment.is_active else None
        if group_id is not None:
            found[enrollment.user_id] = group_id
    return found
