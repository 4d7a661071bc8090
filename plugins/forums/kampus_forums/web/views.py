"""The forums' pages, in the LMS's course layout: the Discussion tab (with thread permalinks), the moderators'
reported-content queue and audit log, and the Markdown preview of the post editor.

The pages are shells: ``static/forums/discussion.js`` and ``static/forums/moderation.js`` fill them from
Open edX's discussion REST API (``/api/discussion/``), as Open edX's discussion MFE does.

* ``GET /courses/<id>/discussion/forum/``: the Discussion tab;
* ``GET /courses/<id>/discussion/forum/<topic_id>/threads/<thread_id>``: the tab with that thread open;
* ``GET /courses/<id>/discussion/forum/threads/<thread_id>``: a redirect to that thread's permalink in its
  topic (links that know a thread only by its id, e.g. the audit log's);
* ``GET /courses/<id>/discussion/moderation/flagged``: reported posts (moderators, group moderators);
* ``GET /courses/<id>/discussion/moderation/audit-log``: the moderation log (moderators);
* ``GET /courses/<id>/discussion/moderation/banned``: the learners banned in the course, to unban (moderators);
* ``POST /courses/<id>/discussion/preview`` ``{"raw_body"}`` -> ``{"rendered_body"}``: the post as it will
  show (the server's Markdown and maths rendering, sanitised); the same limits as a post's body, and at most
  ``forums_preview_rate_limit`` previews per ``forums_preview_rate_window`` seconds per user (429 beyond).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from kampus_content.api import resource_tags
from kampus_lms.api import course_page_context
from web_fragments.fragment import Fragment
from werkzeug.wrappers import Response

from kampus.current import current_kampus
from kampus.identity.throttle import rate_limiter
from kampus_forums.access import ForumUser
from kampus_forums.threads import service as posts
from kampus_forums.threads.bodies import body_error
from kampus_forums.threads.rendering import rendered
from kampus_forums.web.access import can_read_forums, current, page_user
from kampus_forums.web.config import (
    CLIENT_STRINGS,
    MODERATION_STRINGS,
    as_data_attributes,
    client_attributes,
    client_strings,
    moderation_attributes,
)

STATIC = Path(__file__).resolve().parent.parent / "static" / "forums"
#: The longest body the preview renders: the longest a post may have (threads.service.MAX_BODY).
MAX_PREVIEW_CHARS = 100_000

bp = Blueprint("forums_web", __name__, static_folder=str(STATIC), static_url_path="/static/forums")


def _page(template: str, course_id: str, who: ForumUser, attributes: dict[str, str], strings: str = CLIENT_STRINGS,
          **context: Any) -> Response:
    head, _foot = resource_tags(Fragment())  # the content stylesheet, Font Awesome and the maths loader
    html = render_template(template, **course_page_context(course_id, "discussion"), content_head=head,
                           client_data=as_data_attributes(attributes), client_strings=client_strings(strings),
                           forum_user=who, **context)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/courses/<course_id>/discussion/forum/", endpoint="forum_home")
def forum_home(course_id: str) -> Response:
    """The Discussion tab: topics, the thread list and the thread pane."""
    who = page_user(course_id)
    if not isinstance(who, ForumUser):
        return who
    return _page("forums/discussion.html", course_id, who, client_attributes(course_id, who, mode="tab"))


@bp.get("/courses/<course_id>/discussion/forum/<topic_id>/threads/<thread_id>", endpoint="forum_thread")
def forum_thread(course_id: str, topic_id: str, thread_id: str) -> Response:
    """A thread's permalink: the Discussion tab with the thread open (the client answers a missing one)."""
    who = page_user(course_id)
    if not isinstance(who, ForumUser):
        return who
    return _page("forums/discussion.html", course_id, who,
                 client_attributes(course_id, who, mode="tab", thread_id=thread_id))


@bp.get("/courses/<course_id>/discussion/forum/threads/<thread_id>", endpoint="thread_by_id")
def thread_by_id(course_id: str, thread_id: str) -> Response:
    """The permalink of a thread known by its id only (404 when the user may not read it)."""
    who = page_user(course_id)
    if not isinstance(who, ForumUser):
        return who
    thread = posts.get_thread(thread_id)
    if thread is None or thread.course_id != who.course_id or not who.sees_group(thread.group_id):
        abort(404)
    return redirect(url_for("forums_web.forum_thread", course_id=course_id, topic_id=thread.commentable_id,
                            thread_id=thread.id))


def _moderation_page(course_id: str, template: str, page: str,
                     allowed: Callable[[ForumUser], bool] = lambda who: who.is_moderator) -> Response:
    """One of the moderators' pages (``page`` names it for the page's tabs), for the users ``allowed``."""
    who = page_user(course_id)
    if not isinstance(who, ForumUser):
        return who
    if not allowed(who):
        abort(403)
    return _page(template, course_id, who, moderation_attributes(course_id, who, page=page), MODERATION_STRINGS,
                 moderation_page=page)


@bp.get("/courses/<course_id>/discussion/moderation/flagged", endpoint="flagged")
def flagged(course_id: str) -> Response:
    """The reported posts of the course, for moderators (a group moderator: their group's)."""
    return _moderation_page(course_id, "forums/flagged.html", "flagged", may_see_flagged)


@bp.get("/courses/<course_id>/discussion/moderation/audit-log", endpoint="audit_log")
def audit_log(course_id: str) -> Response:
    """The course's moderation log, for moderators."""
    return _moderation_page(course_id, "forums/audit_log.html", "audit")


@bp.get("/courses/<course_id>/discussion/moderation/banned", endpoint="banned_users")
def banned_users(course_id: str) -> Response:
    """The learners banned in the course (its own bans and its organization's), for moderators."""
    return _moderation_page(course_id, "forums/banned_users.html", "banned")


@bp.post("/courses/<course_id>/discussion/preview", endpoint="preview")
def preview(course_id: str) -> Response:
    """The post editor's preview: ``raw_body`` rendered as a post shows it (the POSTS area's rendering:
    Markdown and maths, sanitised)."""
    user = current()
    if not can_read_forums(user, course_id):
        return _json_error(404, _("Course not found."))
    wait = _preview_wait(user)
    if wait is not None:
        response = _json_error(429, _("Too many previews: wait, then try again."))
        response.headers["Retry-After"] = str(wait)
        return response
    body = request.get_json(silent=True)
    raw = body.get("raw_body") if isinstance(body, dict) else None
    if not isinstance(raw, str):
        return _json_error(400, _("Send a JSON object with the text in raw_body."))
    if len(raw) > MAX_PREVIEW_CHARS:
        return _json_error(400, _("The text is too long to preview."))
    problem = body_error(raw)
    if problem is not None:
        return _json_error(400, problem)
    return jsonify({"rendered_body": rendered(raw)})


def _preview_wait(user: Any) -> int | None:
    """Seconds ``user`` must wait before their next preview, or ``None``."""
    settings = current_kampus().settings
    if settings.forums_preview_rate_limit <= 0:
        return None
    limiter = rate_limiter(current_kampus(), "forums_preview", settings.forums_preview_rate_limit,
                           max(1, settings.forums_preview_rate_window))
    return limiter.hit(f"user:{user.id}")


def may_see_flagged(who: ForumUser) -> bool:
    """Whether ``who`` may open the reported-content queue (the REST queue's rule)."""
    return who.is_moderator or who.is_group_moderator


def _json_error(status: int, message: str) -> Response:
    response = jsonify({"developer_message": message})
    response.status_code = status
    return response
