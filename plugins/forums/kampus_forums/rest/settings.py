"""Open edX's course discussion settings: ``GET`` / ``PATCH /api/discussion/v1/courses/<course_id>/settings``
(``CourseDiscussionSettingsAPIView``).

GET answers ``{"id", "divided_inline_discussions", "divided_course_wide_discussions",
"always_divide_inline_discussions", "division_scheme", "available_division_schemes",
"reported_content_email_notifications", "reported_content_email_notifications_flag"}``. PATCH
(``application/merge-patch+json`` only, else 415) changes any of the editable fields and answers 204; a
body with none of them is a 400 ``Bad request``, a wrong value a 400 field error. Global staff, course
staff, instructors and forum administrators may read and change; forum moderators and community TAs
may read. An invalid course key is a 400 field error, an unknown course a 404.
"""

from __future__ import annotations

from flask import Blueprint, current_app
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.identity.permissions import has_permission
from kampus_forums.access import ForumUser, forum_user
from kampus_forums.rest.common import COURSE_NOT_FOUND, discussion_api, error, field_error, merge_patch_body
from kampus_forums.topics.course_settings import SettingsInvalid, settings_dict, update_settings

bp = Blueprint("forums_rest_settings", __name__)
lms.install_error_handler(bp)

FORBIDDEN = "You do not have permission to perform this action."


class DiscussionSettingsBody(BaseModel):
    id: int
    divided_inline_discussions: list[str]
    divided_course_wide_discussions: list[str]
    always_divide_inline_discussions: bool
    division_scheme: str
    available_division_schemes: list[str]
    reported_content_email_notifications: bool
    reported_content_email_notifications_flag: bool


class SettingsPatch(BaseModel):
    divided_inline_discussions: list[str] | None = Field(None, description="Divided in-context topic ids.")
    divided_course_wide_discussions: list[str] | None = Field(None, description="Divided course-wide topic ids.")
    always_divide_inline_discussions: bool | None = None
    division_scheme: str | None = Field(
        None, description="none, cohort (a cohorted course) or enrollment_track (more than one enrollment track).")
    reported_content_email_notifications: bool | None = None


class ErrorBody(BaseModel):
    developer_message: str | None = None
    field_errors: dict[str, dict[str, str]] | None = None


def settings_user(course_id: str, *, change: bool) -> ForumUser:
    """The requesting user who may read (or ``change``) the course's discussion settings: 401 without
    credentials, 400 for an invalid course key, 404 for an unknown course, 403 without the right."""
    user = lms.requesting_user(body="developer")
    key = lms.course_key_or_none(course_id)
    if key is None:
        raise field_error({"course_id": f"'{course_id}' is not a valid course key"})
    if lms.course_overview(str(key)) is None:
        raise error(404, COURSE_NOT_FOUND)
    who = forum_user(user, str(key))
    if who is None:
        raise error(404, COURSE_NOT_FOUND)
    allowed = has_permission(user, "forums.settings", who.course_id) or (
        not change and (who.is_moderator or who.is_community_ta))
    if not allowed:
        raise error(403, FORBIDDEN)
    return who


@bp.get("/api/discussion/v1/courses/<course_id>/settings")
@discussion_api.doc(resp={200: DiscussionSettingsBody, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody,
                          404: ErrorBody})
def settings_get(course_id: str) -> Response:
    """The course's discussion division settings."""
    who = settings_user(course_id, change=False)
    return lms.json_answer(settings_dict(who.course_id))


@bp.patch("/api/discussion/v1/courses/<course_id>/settings")
@discussion_api.doc(json=SettingsPatch, validate=False,
                    resp={204: None, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody,
                          415: ErrorBody})
def settings_patch(course_id: str) -> Response:
    """Change the course's discussion division settings (merge-patch)."""
    who = settings_user(course_id, change=True)
    changes = merge_patch_body()
    try:
        update_settings(who.course_id, changes, moderator=who)
    except SettingsInvalid as exc:
        if "" in exc.errors:
            raise error(400, exc.errors[""]) from None
        raise field_error(exc.errors) from None
    return current_app.response_class(status=204)
