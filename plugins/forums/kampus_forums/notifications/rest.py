"""Open edX's notifications REST API (``openedx/core/djangoapps/notifications/urls.py``) for the discussions'
notifications, at its paths and in its shapes where they apply:

* ``GET /api/notifications/`` (``NotificationListAPIView``): the requesting user's notifications, newest
  first, paged (``page``, ``page_size`` up to 100; DRF's ``count``, ``next``, ``previous`` plus
  ``num_pages``, ``current_page``, ``start``); ``app_name`` filters (only ``discussion`` has any);
  Kampus adds ``unread=true``. Each has ``id``, ``app_name``, ``notification_type`` (Open edX's names:
  ``new_response``, ``new_comment_on_response``, ``response_endorsed``, ``response_on_followed_post``,
  ``comment_on_followed_post``, ``content_reported``), ``content`` (HTML sentence), ``content_context``,
  ``content_url``, ``course_id``, ``last_read``, ``last_seen``, ``created``; and Kampus's ``kind``.
* ``GET /api/notifications/count/`` (``NotificationCountView``): ``{"show_notifications_tray", "count",
  "count_by_app_name", "notification_expiry_days"}``: the notifications not seen yet (``last_seen`` null).
* ``PUT`` (or ``PATCH``) ``/api/notifications/mark-seen/<app_name>/`` (``MarkNotificationsSeenAPIView``): the
  tray was opened; every unseen notification of the app is seen: ``{"message": "Notifications marked as
  seen."}``. Reading a notification sees it too.
* ``PATCH /api/notifications/read/`` (``NotificationReadAPIView``): ``{"notification_id"}`` marks one read
  (404 when it is not the user's), ``{"app_name": "discussion"}`` all of them; else 400
  ``{"error": "Invalid app_name or notification_id."}``.
* ``GET`` / ``PUT /api/notifications/v3/configurations/`` (``NotificationPreferencesViewV3``): the account's
  preferences, ``data.discussion.notification_types[type] = {"web": true, "email", "push": false,
  "email_cadence": "Daily"|"Weekly"|"Immediately"}`` (types are Kampus's kinds; Open edX's type names are
  accepted on PUT). PUT ``{"notification_app": "discussion", "notification_type", "notification_channel":
  "email", "value": bool}`` turns a kind's e-mail off or on (on: its default cadence), ``{"notification_app",
  "notification_type", "email_cadence"}`` sets the cadence (``Never`` turns it off); ``notification_type``
  ``grouped_notification`` changes every kind. Web notifications cannot be turned off here (``non_editable``):
  they can in a course.
* ``GET`` / ``PATCH /api/notifications/configurations/<course_key_string>`` (``UserNotificationPreferenceView``):
  the preferences in one course (:mod:`kampus_forums.notifications.course_preferences`), ``{"id",
  "course_name", "course_id", "notification_preference_config": {"discussion": {"enabled",
  "core_notification_types", "notification_types": {"core", "content_reported" (moderators)}: {"web",
  "email", "push", "email_cadence", "info"}, "non_editable"}}}``; PATCH takes Open edX's
  ``{"notification_app", "value", "notification_type", "notification_channel", "email_cadence"}`` and
  answers the new configuration, or 400 ``{"non_field_errors": [...]}``. 404 for a course the user is not in.
* ``GET /api/notifications/enrollments/`` (``CourseEnrollmentListView``): the user's active enrollments,
  paged, ``{"results": [{"course": {"id", "display_name"}}], "show_preferences", ...}``.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, request
from kampus_lms import api as lms
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.current import current_kampus
from kampus_forums.access import forum_user
from kampus_forums.notifications import course_preferences, preferences, service
from kampus_forums.notifications.models import (
    COMMENT_ON_MY_RESPONSE,
    CONTENT_REPORTED,
    ENDORSEMENT,
    FOLLOWED_THREAD_POST,
    KINDS,
    OFF,
    RESPONSE_ON_MY_THREAD,
    Notification,
)
from kampus_forums.threads.bodies import valid_unicode

bp = Blueprint("forums_notifications_api", __name__)
lms.install_error_handler(bp)

notifications_api = ApiSection(
    "notifications", "In-app notifications of the discussions and their e-mail preferences (Open edX's "
    "notifications API, openedx/core/djangoapps/notifications).", errors="openedx")

APP_NAME = service.APP_NAME
#: Open edX's ``EmailCadence`` values.
OPENEDX_CADENCES = course_preferences.OPENEDX_CADENCES
FROM_OPENEDX_CADENCE = course_preferences.FROM_OPENEDX_CADENCE
#: Open edX's notification types, for PUT.
TYPE_ALIASES = {
    "new_response": RESPONSE_ON_MY_THREAD, "new_comment_on_response": COMMENT_ON_MY_RESPONSE,
    "new_comment": COMMENT_ON_MY_RESPONSE, "response_endorsed": ENDORSEMENT,
    "response_on_followed_post": FOLLOWED_THREAD_POST, "comment_on_followed_post": FOLLOWED_THREAD_POST,
    "content_reported": CONTENT_REPORTED,
}
GROUPED = "grouped_notification"


class ListQuery(BaseModel):
    app_name: str | None = Field(None, description="Only this app's notifications (discussion).")
    unread: str | None = Field(None, description="Kampus: true for the unread ones only.")
    page: str | None = Field(None, description="The page (1 first).")
    page_size: str | None = Field(None, description="Notifications per page (default 10, at most 100).")


class NotificationOut(BaseModel):
    id: int
    app_name: str
    notification_type: str
    kind: str
    content: str
    content_context: dict[str, Any]
    content_url: str
    course_id: str
    last_read: str | None
    last_seen: str | None
    created: str


class NotificationPage(BaseModel):
    count: int
    num_pages: int
    current_page: int
    start: int
    next: str | None
    previous: str | None
    results: list[NotificationOut]


class CountOut(BaseModel):
    show_notifications_tray: bool
    count: int
    count_by_app_name: dict[str, int]
    notification_expiry_days: int


class ReadIn(BaseModel):
    notification_id: int | None = Field(None, description="Mark this notification read.")
    app_name: str | None = Field(None, description="Mark every notification of this app read (discussion).")


class Message(BaseModel):
    message: str


class ErrorOut(BaseModel):
    error: str | None = None
    detail: str | None = None
    developer_message: str | None = None


class PreferencesOut(BaseModel):
    status: str
    message: str
    show_preferences: bool
    show_email_preferences: bool
    data: dict[str, Any]


class PreferenceIn(BaseModel):
    notification_app: str = Field(description="discussion")
    notification_type: str = Field(description="A kind (or Open edX's type name), or grouped_notification.")
    notification_channel: str | None = Field(None, description="email (with value) or email_cadence.")
    value: bool | None = Field(None, description="E-mail on or off (channel email).")
    email_cadence: str | None = Field(None, description="Daily, Weekly, Immediately or Never.")


class PreferenceUpdated(BaseModel):
    status: str
    message: str
    show_preferences: bool
    data: dict[str, Any]


def _user() -> Any:
    return lms.requesting_user()


def notification_json(row: Notification) -> dict[str, Any]:
    """Open edX's ``NotificationSerializer`` of a row (plus Kampus's ``kind``)."""
    data = dict(row.data or {})
    read = lms.drf_datetime(row.read_at)
    seen = lms.drf_datetime(row.seen_at)
    return {"id": row.id, "app_name": APP_NAME, "notification_type": service.openedx_type(row.kind, data),
            "kind": row.kind, "content": service.content_html(row.kind, data),
            "content_context": {key: data.get(key) for key in (
                "thread_title", "commentable_id", "content_type", "preview", "author", "anonymous", "is_question")}
            | {"thread_id": row.thread_id, "comment_id": row.comment_id},
            "content_url": lms.absolute(data.get("thread_url") or "/notifications/"),
            "course_id": row.course_id, "last_read": read, "last_seen": seen,
            "created": lms.drf_datetime(row.created_at)}


@bp.get("/api/notifications/")
@notifications_api.doc(query=ListQuery, validate=False, resp={200: NotificationPage, 401: ErrorOut, 404: ErrorOut})
def notification_list() -> Response:
    """The requesting user's notifications, newest first."""
    user = _user()
    app_name = request.args.get("app_name")
    unread = request.args.get("unread") in ("true", "True", "1")
    session = db.session()
    if app_name and app_name != APP_NAME:
        total = 0
    else:
        total = service.count_notifications(session, user.id, unread_only=unread)
    window = lms.page_window(total, request.args.get("page"), request.args.get("page_size"), default_size=10,
                             max_size=100, error=lambda message: lms.RestError(404, {"detail": message}))
    rows: list[Notification] = []
    if total:
        rows, _count = service.list_notifications(session, user.id, unread_only=unread, offset=window.offset,
                                                  limit=window.page_size)
    return lms.json_answer({"count": window.count, "num_pages": window.num_pages, "current_page": window.page,
                            "start": window.offset, "next": window.next_url, "previous": window.previous_url,
                            "results": [notification_json(row) for row in rows]})


@bp.get("/api/notifications/count/")
@notifications_api.doc(resp={200: CountOut, 401: ErrorOut})
def notification_count() -> Response:
    """How many notifications the requesting user has not seen yet (the tray's badge)."""
    user = _user()
    count = service.unseen_count(db.session(), user.id)
    return lms.json_answer({"show_notifications_tray": True, "count": count,
                            "count_by_app_name": {APP_NAME: count},
                            "notification_expiry_days": int(current_kampus().settings.forums_notification_expiry_days)})


def _body() -> dict[str, Any]:
    if request.is_json:
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError:
            raise lms.RestError(400, {"error": "The body is not valid JSON."}) from None
        if not isinstance(body, dict):
            raise lms.RestError(400, {"error": "The body must be a JSON object."})
        if not valid_unicode(json.dumps(body, ensure_ascii=False)):
            raise lms.RestError(400, {"error": "The body holds text that is not valid Unicode."})
        return body
    return request.form.to_dict()


@bp.patch("/api/notifications/read/")
@notifications_api.doc(json=ReadIn, validate=False, resp={200: Message, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut})
def notification_read() -> Response:
    """Mark one notification (``notification_id``) or all of an app's (``app_name``) read."""
    user = _user()
    body = _body()
    session = db.session()
    raw_id = body.get("notification_id")
    if raw_id not in (None, ""):
        try:
            notification_id = int(raw_id)
        except (TypeError, ValueError):
            raise lms.RestError(400, {"error": "Invalid app_name or notification_id."}) from None
        if not service.mark_read(session, user.id, notification_id):
            raise lms.RestError(404, {"detail": "No Notification matches the given query."})
        session.commit()
        return lms.json_answer({"message": "Notification marked read."})
    if body.get("app_name") == APP_NAME:
        service.mark_all_read(session, user.id)
        session.commit()
        return lms.json_answer({"message": "Notifications marked read."})
    raise lms.RestError(400, {"error": "Invalid app_name or notification_id."})


@bp.route("/api/notifications/mark-seen/<app_name>/", methods=["PUT", "PATCH"])
@notifications_api.doc(resp={200: Message, 401: ErrorOut})
def notification_mark_seen(app_name: str) -> Response:
    """Mark every unseen notification of ``app_name`` seen (the tray was opened); other apps have none."""
    user = _user()
    if app_name == APP_NAME:
        session = db.session()
        service.mark_all_seen(session, user.id)
        session.commit()
    return lms.json_answer({"message": "Notifications marked as seen."})


def configuration(user_id: int) -> dict[str, Any]:
    """The ``data`` of the v3 configuration: the discussion app's types with their channels."""
    chosen = preferences.preferences_of(db.session(), user_id)
    types = {}
    for kind in KINDS:
        cadence = chosen[kind]
        shown = cadence if cadence != OFF else preferences.DEFAULT_CADENCES[kind]
        types[kind] = {"web": True, "email": cadence != OFF, "push": False,
                       "email_cadence": OPENEDX_CADENCES.get(shown, "Daily"),
                       "info": str(preferences.KIND_LABELS[kind])}
    return {APP_NAME: {"enabled": True, "notification_types": types,
                       "non_editable": {kind: ["web", "push"] for kind in KINDS}}}


@bp.get("/api/notifications/v3/configurations/")
@notifications_api.doc(resp={200: PreferencesOut, 401: ErrorOut})
def configurations() -> Response:
    """The requesting user's notification preferences."""
    user = _user()
    return lms.json_answer({"status": "success", "message": "Notification preferences retrieved successfully.",
                            "show_preferences": True, "show_email_preferences": True,
                            "data": configuration(user.id)})


def _bad(message: str) -> lms.RestError:
    return lms.RestError(400, {"status": "error", "message": message})


@bp.put("/api/notifications/v3/configurations/")
@notifications_api.doc(json=PreferenceIn, validate=False, resp={200: PreferenceUpdated, 400: ErrorOut, 401: ErrorOut})
def configurations_update() -> Response:
    """Change the e-mail of one kind (or every kind, ``grouped_notification``)."""
    user = _user()
    body = _body()
    if body.get("notification_app") != APP_NAME:
        raise _bad(f"{body.get('notification_app')} is not a valid notification app.")
    raw_type = str(body.get("notification_type") or "")
    if raw_type == GROUPED:
        kinds = list(KINDS)
    elif raw_type in KINDS or raw_type in TYPE_ALIASES:
        kinds = [TYPE_ALIASES.get(raw_type, raw_type)]
    else:
        raise _bad(f"{raw_type} is not a valid notification type.")
    channel = body.get("notification_channel")
    raw_cadence = body.get("email_cadence")
    if raw_cadence not in (None, ""):
        cadence = FROM_OPENEDX_CADENCE.get(str(raw_cadence).lower())
        if cadence is None:
            raise _bad(f"{raw_cadence} is not a valid email cadence.")
        changes = dict.fromkeys(kinds, cadence)
        channel, updated = "email_cadence", raw_cadence
    elif channel == "email":
        value = body.get("value")
        if not isinstance(value, bool):
            raise _bad("value must be true or false for the email channel.")
        current = preferences.preferences_of(db.session(), user.id)
        changes = {kind: (current[kind] if current[kind] != OFF else preferences.DEFAULT_CADENCES[kind])
                   if value else OFF for kind in kinds}
        updated = value
    elif channel in ("web", "push"):
        raise _bad(f"{channel} is not editable for notification type {raw_type}.")
    else:
        raise _bad("notification_channel is required for notification_type.")
    session = db.session()
    preferences.set_cadences(session, user.id, changes)
    session.commit()
    return lms.json_answer({"status": "success", "message": "Notification preferences update completed",
                            "show_preferences": True,
                            "data": {"updated_value": updated, "notification_type": raw_type, "channel": channel,
                                     "app": APP_NAME}})


# -- per course ------------------------------------------------------------------------------------------------


class CoursePreferencesOut(BaseModel):
    id: int
    course_name: str
    course_id: str
    notification_preference_config: dict[str, Any]


class CoursePreferenceIn(BaseModel):
    notification_app: str = Field(description="discussion")
    value: bool | str | None = Field(None, description="On or off (the app, or a channel); a cadence for the "
                                                       "email_cadence channel.")
    notification_type: str | None = Field(None, description="core or content_reported (moderators).")
    notification_channel: str | None = Field(None, description="web, email or email_cadence.")
    email_cadence: str | None = Field(None, description="Daily, Weekly, Immediately or Never.")


class ValidationOut(BaseModel):
    non_field_errors: list[str]


class EnrollmentsOut(BaseModel):
    count: int
    num_pages: int
    current_page: int
    start: int
    next: str | None
    previous: str | None
    show_preferences: bool
    results: list[dict[str, Any]]


def _course_of(user: Any, course_key_string: str) -> tuple[str, str, bool]:
    """``(course id, course name, receives reports)`` of a course the user is in; 404 otherwise."""
    key = lms.course_key_or_none(course_key_string)
    overview = lms.course_overview(str(key)) if key is not None else None
    who = forum_user(user, str(key)) if overview is not None else None
    if who is None or not who.can_read:
        raise lms.RestError(404, {"detail": "Not found."})
    return who.course_id, getattr(overview, "display_name", "") or who.course_id, (
        who.is_moderator or who.is_group_moderator)


@bp.get("/api/notifications/configurations/<course_key_string>")
@notifications_api.doc(resp={200: CoursePreferencesOut, 401: ErrorOut, 404: ErrorOut})
def course_configuration(course_key_string: str) -> Response:
    """The requesting user's notification preferences in one course."""
    user = _user()
    course_id, name, reports = _course_of(user, course_key_string)
    return lms.json_answer(course_preferences.configuration(db.session(), user.id, course_id, name, reports))


@bp.patch("/api/notifications/configurations/<course_key_string>")
@notifications_api.doc(json=CoursePreferenceIn, validate=False,
                       resp={200: CoursePreferencesOut, 400: ValidationOut, 401: ErrorOut, 404: ErrorOut})
def course_configuration_update(course_key_string: str) -> Response:
    """Change the app, one channel of one group, or one channel of every group, in one course."""
    user = _user()
    course_id, name, reports = _course_of(user, course_key_string)
    body = _body()
    session = db.session()
    try:
        course_preferences.apply_update(session, user.id, course_id, body, reports)
    except course_preferences.UpdateInvalid as exc:
        session.rollback()
        raise lms.RestError(400, {"non_field_errors": [str(exc)]}) from None
    session.commit()
    return lms.json_answer(course_preferences.configuration(session, user.id, course_id, name, reports))


@bp.get("/api/notifications/enrollments/")
@notifications_api.doc(query=ListQuery, validate=False, resp={200: EnrollmentsOut, 401: ErrorOut, 404: ErrorOut})
def enrollment_list() -> Response:
    """The requesting user's active enrollments (the courses whose preferences they may change)."""
    user = _user()
    enrollments = lms.enrollments_of(user.id)
    window = lms.page_window(len(enrollments), request.args.get("page"), request.args.get("page_size"),
                             default_size=10, max_size=100,
                             error=lambda message: lms.RestError(404, {"detail": message}))
    results = []
    for enrollment in enrollments[window.offset:window.offset + window.page_size]:
        overview = lms.course_overview(enrollment.course_id)
        results.append({"course": {"id": enrollment.course_id,
                                   "display_name": getattr(overview, "display_name", "") or enrollment.course_id}})
    return lms.json_answer({"count": window.count, "num_pages": window.num_pages, "current_page": window.page,
                            "start": window.offset, "next": window.next_url, "previous": window.previous_url,
                            "show_preferences": True, "results": results})
