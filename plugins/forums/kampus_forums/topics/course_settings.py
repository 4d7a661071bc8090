"""A course's discussion settings (Open edX's ``CourseDiscussionSettings`` and its REST view): read as
Open edX's ``settings_to_dict`` shows them, changed with its validation.

``division_scheme`` is ``none``, ``cohort`` (a cohorted course) or ``enrollment_track`` (a course with more
than one enrollment track: :mod:`kampus_forums.topics.tracks`), as Open edX's ``available_division_schemes``.
"""

from __future__ import annotations

import zlib
from typing import Any

from kampus import db
from kampus.db import utcnow
from kampus_forums.moderation import audit
from kampus_forums.topics.models import COHORT, ENROLLMENT_TRACK, NONE, DiscussionSettings
from kampus_forums.topics.service import course_discussions, division, forget_division
from kampus_forums.topics.tracks import track_groups

#: Fields a PATCH may change.
EDITABLE = ("divided_inline_discussions", "divided_course_wide_discussions", "always_divide_inline_discussions",
            "division_scheme", "reported_content_email_notifications")


class SettingsInvalid(ValueError):
    """A change that cannot be made: ``errors`` maps field names to messages (``""``: the whole body)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


def available_division_schemes(course_id: str) -> list[str]:
    """The schemes the course may use besides ``none`` (Open edX's ``available_division_schemes``):
    ``cohort`` when the course is cohorted, ``enrollment_track`` when it has more than one track."""
    schemes = [COHORT] if division(course_id).cohorted else []
    if len(track_groups(course_id)) > 1:
        schemes.append(ENROLLMENT_TRACK)
    return schemes


def settings_dict(course_id: str) -> dict[str, Any]:
    """Open edX's ``CourseDiscussionSettingsAPIView`` answer. ``id`` is a stable number derived from the
    course id (Kampus keys the settings by course)."""
    current = division(course_id)
    course_wide = course_discussions(course_id).course_wide_ids
    divided = list(current.divided_discussions)
    return {
        "id": zlib.crc32(str(course_id).encode()),
        "divided_inline_discussions": [t for t in divided if t not in course_wide],
        "divided_course_wide_discussions": [t for t in divided if t in course_wide],
        "always_divide_inline_discussions": current.always_divide_inline_discussions,
        "division_scheme": current.division_scheme,
        "available_division_schemes": available_division_schemes(course_id),
        "reported_content_email_notifications": current.reported_content_email_notifications,
        "reported_content_email_notifications_flag": False,
    }


def _id_list(name: str, value: Any, errors: dict[str, str]) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors[name] = "A list of topic ids is required."
        return None
    return list(dict.fromkeys(value))


def _boolean(name: str, value: Any, errors: dict[str, str]) -> bool | None:
    if not isinstance(value, bool):
        errors[name] = "Must be a valid boolean."
        return None
    return value


def update_settings(course_id: str, changes: dict[str, Any], *, moderator: Any) -> dict[str, Any]:
    """Apply ``changes`` (any of :data:`EDITABLE`; the others are ignored) to the course's settings, with an
    audit entry, and commit; returns the new :func:`settings_dict`. Raises :class:`SettingsInvalid`."""
    known = {name: changes[name] for name in EDITABLE if name in changes}
    if not known:
        raise SettingsInvalid({"": "Bad request"})
    errors: dict[str, str] = {}
    current = division(course_id)
    course_wide = course_discussions(course_id).course_wide_ids
    divided = list(current.divided_discussions)
    inline = [t for t in divided if t not in course_wide]
    wide = [t for t in divided if t in course_wide]
    if "divided_inline_discussions" in known:
        inline = _id_list("divided_inline_discussions", known["divided_inline_discussions"], errors) or []
    if "divided_course_wide_discussions" in known:
        wide = _id_list("divided_course_wide_discussions", known["divided_course_wide_discussions"], errors) or []
    always = current.always_divide_inline_discussions
    if "always_divide_inline_discussions" in known:
        value = _boolean("always_divide_inline_discussions", known["always_divide_inline_discussions"], errors)
        always = always if value is None else value
    reported = current.reported_content_email_notifications
    if "reported_content_email_notifications" in known:
        value = _boolean("reported_content_email_notifications", known["reported_content_email_notifications"],
                         errors)
        reported = reported if value is None else value
    scheme = current.division_scheme
    if "division_scheme" in known:
        asked = known["division_scheme"]
        if asked == ENROLLMENT_TRACK and ENROLLMENT_TRACK not in available_division_schemes(course_id):
            errors["division_scheme"] = ("The course has fewer than two enrollment tracks: the "
                                         "enrollment_track scheme needs a second mode.")
        elif asked == COHORT and COHORT not in available_division_schemes(course_id):
            errors["division_scheme"] = "The course is not cohorted: enable cohorts before dividing by cohort."
        elif asked not in (NONE, COHORT, ENROLLMENT_TRACK):
            errors["division_scheme"] = f'"{asked}" is not a valid choice.'
        else:
            scheme = asked
    if errors:
        raise SettingsInvalid(errors)
    session = db.session()
    row = session.get(DiscussionSettings, str(course_id))
    if row is None:
        row = DiscussionSettings(course_id=str(course_id))
        session.add(row)
    row.division_scheme = scheme
    row.always_divide_inline_discussions = always
    row.divided_discussions = list(dict.fromkeys([*wide, *inline]))
    row.reported_content_email_notifications = reported
    row.updated_at = utcnow()
    audit.record(course_id, moderator, audit.SETTINGS_CHANGED, target_type="course", target_id="",
                 details={"changes": known})
    session.commit()
    forget_division(course_id)
    return settings_dict(course_id)
