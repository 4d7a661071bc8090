"""The notifications' pages: the list behind the bell, the e-mail preferences and the unsubscribe link.

* ``GET /notifications/``: the user's notifications, newest first (``?unread=1``: unread only), 20 a page;
  ``POST /notifications/<id>/read`` and ``POST /notifications/read-all`` mark them read (forms; the page's
  script does the same through the REST API without reloading).
* ``GET`` / ``POST /notifications/preferences``: a cadence per kind (off, immediately, daily, weekly), and
  the user's courses, each with a link to:
* ``GET`` / ``POST /notifications/preferences/<course_id>``: the preferences in one course (the discussion
  notifications at all; per group, in-app and e-mail), over the account's
  (:mod:`kampus_forums.notifications.course_preferences`).
* ``GET /notifications/unsubscribe/<token>``: asks to confirm; ``POST`` on the same URL turns the e-mail of
  the token's kinds off: the page's button, or a mail provider's RFC 8058 one-click request
  (``List-Unsubscribe=One-Click``; no CSRF token, the signed token is the credential).
* ``GET /static/forums/notifications.js``: the page's script (the site's policy allows no inline script).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from kampus_lms import api as lms
from werkzeug.wrappers import Response

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus_forums.access import forum_user
from kampus_forums.notifications import course_preferences, preferences, service
from kampus_forums.notifications.models import CADENCES, KINDS, OFF, Notification

STATIC = Path(__file__).resolve().parent.parent / "static" / "forums"
PAGE_SIZE = 20

bp = Blueprint("forums_notifications", __name__)


@bp.get("/static/forums/notifications.js")
def script() -> Response:
    """The script of the notifications' pages."""
    return send_from_directory(STATIC, "notifications.js", max_age=3600)


def _course_names(course_ids: set[str]) -> dict[str, str]:
    names = {}
    for course_id in course_ids:
        overview = lms.course_overview(course_id)
        names[course_id] = getattr(overview, "display_name", "") or course_id
    return names


@bp.get("/notifications/")
@login_required
def notification_list() -> str:
    """The list behind the bell."""
    unread_only = request.args.get("unread") in ("1", "true")
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    session = db.session()
    listed_at = utcnow()
    rows, total = service.list_notifications(session, current_user.id, unread_only=unread_only,
                                             offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    items = [{"row": row, "sentence": service.describe(row.kind, row.data or {}),
              "preview": (row.data or {}).get("preview", ""),
              "url": (row.data or {}).get("thread_url") or url_for("forums_notifications.notification_list")}
             for row in rows]
    page_html = render_template("forums/notifications/list.html", items=items, total=total, page=page,
                                pages=max(1, -(-total // PAGE_SIZE)), unread_only=unread_only,
                                unread=service.unread_count(session, current_user.id),
                                course_names=_course_names({row.course_id for row in rows}))
    # the list was shown: the tray's badge is cleared (of what the list could show, not of newer ones)
    if service.mark_all_seen(session, current_user.id, created_by=listed_at):
        session.commit()
    return page_html


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_one(notification_id: int) -> Response:
    """Mark one notification read, then go back to the list (or to its thread with ``open=1``)."""
    session = db.session()
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    service.mark_read(session, current_user.id, notification_id)
    session.commit()
    if request.form.get("open") == "1":
        return redirect((row.data or {}).get("thread_url") or url_for("forums_notifications.notification_list"))
    return redirect(url_for("forums_notifications.notification_list"))


@bp.post("/notifications/read-all")
@login_required
def read_all() -> Response:
    """Mark every notification read."""
    session = db.session()
    service.mark_all_read(session, current_user.id)
    session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("forums_notifications.notification_list"))


def _preference_rows(chosen: dict[str, str]) -> list[dict[str, Any]]:
    return [{"kind": kind, "label": preferences.KIND_LABELS[kind], "cadence": chosen[kind],
             "default": preferences.DEFAULT_CADENCES[kind]} for kind in KINDS]


def _my_courses() -> list[dict[str, str]]:
    enrolled = [enrollment.course_id for enrollment in lms.enrollments_of(current_user.id)]
    names = _course_names(set(enrolled))
    return [{"id": course_id, "name": names[course_id]} for course_id in enrolled]


def _account_page(session: Any, status: int = 200) -> tuple[str, int]:
    return render_template("forums/notifications/preferences.html",
                           rows=_preference_rows(preferences.preferences_of(session, current_user.id)),
                           cadences=preferences.CADENCE_LABELS, courses=_my_courses()), status


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preference_page() -> Any:
    """The e-mail cadence of each kind of notification, and the links to each course's preferences."""
    session = db.session()
    if request.method == "POST":
        changes = {kind: request.form.get(kind) for kind in KINDS if request.form.get(kind) is not None}
        bad = [kind for kind, cadence in changes.items() if cadence not in CADENCES]
        if bad:
            flash(_("Choose one of the offered e-mail settings."), "error")
            return _account_page(session, 400)
        preferences.set_cadences(session, current_user.id, changes)  # type: ignore[arg-type]
        session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("forums_notifications.preference_page"))
    return _account_page(session)


def _course_page(session: Any, course_id: str, name: str, reports: bool, status: int = 200) -> tuple[str, int]:
    state = course_preferences.group_state(session, current_user.id, course_id, reports)
    groups = [{"name": group, "info": course_preferences.GROUP_INFO[group], **values}
              for group, values in state["groups"].items()]
    return render_template("forums/notifications/course_preferences.html", course_id=course_id, course_name=name,
                           enabled=state["enabled"], groups=groups, cadences=preferences.CADENCE_LABELS), status


@bp.route("/notifications/preferences/<course_id>", methods=["GET", "POST"])
@login_required
def course_preference_page(course_id: str) -> Any:
    """The notifications of one course: at all, and per group in the app and by e-mail."""
    overview = lms.course_overview(course_id) if lms.course_key_or_none(course_id) is not None else None
    who = forum_user(current_user, course_id) if overview is not None else None
    if who is None or not who.can_read:
        abort(404)
    name = getattr(overview, "display_name", "") or course_id
    reports = who.is_moderator or who.is_group_moderator
    session = db.session()
    if request.method == "GET":
        return _course_page(session, who.course_id, name, reports)
    groups = course_preferences.visible_groups(reports)
    cadences = {group: request.form.get(f"{group}-email", "") for group in groups}
    if any(cadence not in CADENCES for cadence in cadences.values()):
        flash(_("Choose one of the offered e-mail settings."), "error")
        return _course_page(session, who.course_id, name, reports, 400)
    course_preferences.write(session, current_user.id, who.course_id, [], enabled=request.form.get("enabled") == "1")
    for group in groups:
        course_preferences.write(session, current_user.id, who.course_id, course_preferences.GROUPS[group],
                                 web=request.form.get(f"{group}-web") == "1", cadence=cadences[group])
    session.commit()
    flash(_("Your notification settings for this course are saved."), "success")
    return redirect(url_for("forums_notifications.course_preference_page", course_id=who.course_id))


@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Any:
    """A mail's unsubscribe link: GET asks to confirm; POST turns the e-mail of its kinds off."""
    found = preferences.read_unsubscribe_token(token)
    if found is None:
        return render_template("forums/notifications/unsubscribe.html", invalid=True), 404
    user_id, kinds = found
    labels = [preferences.KIND_LABELS[kind] for kind in kinds]
    if request.method == "POST":
        with current_kampus().db.session_scope() as session:
            course_preferences.turn_email_off(session, user_id, kinds)
        if request.form.get("List-Unsubscribe") == "One-Click":
            return Response(_("You are unsubscribed."), mimetype="text/plain")
        return render_template("forums/notifications/unsubscribe.html", done=True, labels=labels)
    chosen = preferences.preferences_of(db.session(), user_id)
    return render_template("forums/notifications/unsubscribe.html", labels=labels, token=token,
                           already=all(chosen[kind] == OFF for kind in kinds))


unsubscribe.kampus_csrf_exempt = True  # type: ignore[attr-defined]
