"""What the browser client of the discussion REST API (``static/forums/discussion.js``) is told by the page:
the ``data-*`` attributes of its root element. Its visible strings come from the template
(``forums/_strings.html``), translated there and kept per locale (:func:`client_strings`)."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, url_for
from flask_babel import get_locale
from kampus_lms import api as lms
from markupsafe import Markup

from kampus_forums.access import RESTRICTION_MESSAGES, ForumUser, active_restriction
from kampus_forums.topics import service as topics
from kampus_forums.topics.groups import group_names

#: Where Open edX's discussion REST API is mounted (``/api/discussion/``).
API_ROOT = "/api/discussion/"
#: The strings blocks of the clients: the Discussion tab's and the inline discussion's, the moderators' pages'.
CLIENT_STRINGS = "forums/_strings.html"
MODERATION_STRINGS = "forums/_moderation_strings.html"
_STRINGS_CACHE = "kampus_forums_client_strings"


def forum_url(course_id: str) -> str:
    """The Discussion tab of the course (Open edX's legacy ``/courses/<id>/discussion/forum/``)."""
    return url_for("forums_web.forum_home", course_id=course_id)


def thread_url(course_id: str, topic_id: str, thread_id: str) -> str:
    """The permalink of a thread (Open edX's ``/discussion/forum/<topic>/threads/<id>``)."""
    return url_for("forums_web.forum_thread", course_id=course_id, topic_id=topic_id, thread_id=thread_id)


def client_attributes(course_id: str, who: ForumUser, *, mode: str, topic_id: str = "",
                      thread_id: str = "") -> dict[str, str]:
    """The root element's ``data-*`` attributes (names without the ``data-`` prefix).

    ``mode`` is ``tab`` (the Discussion tab: topics, thread list and thread side by side) or ``inline``
    (one topic inside a unit); ``topic_id`` scopes the client to one topic; ``thread_id`` opens a thread."""
    attributes = {
        "forum-mode": mode,
        "course-id": course_id,
        "api-root": API_ROOT,
        "forum-url": forum_url(course_id),
        "preview-url": url_for("forums_web.preview", course_id=course_id),
        "username": who.username,
        "topic-id": topic_id,
        "thread-id": thread_id,
        "privileged": "true" if who.is_privileged else "false",
        "moderator": "true" if who.is_moderator else "false",
    }
    attributes.update(group_choice(course_id, who))
    attributes.update(restriction_notice(who))
    if who.is_moderator or who.is_group_moderator:
        attributes["flagged-url"] = url_for("forums_web.flagged", course_id=course_id)
    if who.is_moderator:
        attributes["audit-url"] = url_for("forums_web.audit_log", course_id=course_id)
    return attributes


def restriction_notice(who: ForumUser) -> dict[str, str]:
    """For a banned or muted user, why they cannot post (``restriction``, translated), the moderator's
    ``restriction-reason`` and its end (``restriction-until``, ISO 8601); nothing for others."""
    restriction = active_restriction(who.course_id, who.id)
    if restriction is None:
        return {}
    return {"restriction": str(RESTRICTION_MESSAGES[restriction.kind]),
            "restriction-reason": restriction.reason or "",
            "restriction-until": lms.drf_datetime(restriction.expires_at) or ""}


def group_choice(course_id: str, who: ForumUser) -> dict[str, str]:
    """For a privileged user of a divided course, the groups (cohorts or enrollment tracks) a new post may be shown to
    (``groups``: ``[{"id", "name"}]``) and the topics whose posts are divided (``divided-topics``), as
    Open edX's "Visible to" choice of the new-post form; nothing for others."""
    if not who.is_privileged or not topics.division(course_id).enabled:
        return {}
    choices = [{"id": group_id, "name": name} for group_id, name in group_names(course_id).items()]
    divided = sorted(topic for topic in topics.course_discussions(course_id).topic_ids
                     if topics.is_divided(course_id, topic))
    return {"groups": json.dumps(choices), "divided-topics": json.dumps(divided)}


def moderation_attributes(course_id: str, who: ForumUser, *, page: str) -> dict[str, str]:
    """The ``data-*`` attributes of a moderator page's root (``page``: ``flagged`` or ``audit``)."""
    return {
        "moderation-page": page,
        "course-id": course_id,
        "api-root": API_ROOT,
        "forum-url": forum_url(course_id),
        "username": who.username,
        "moderator": "true" if who.is_moderator else "false",
    }


def client_strings(template: str = CLIENT_STRINGS) -> Markup:
    """A client's strings block (``template``: a few hundred translated strings as JSON, and the Markdown
    help) in the request's locale. It depends on the locale alone, so it is rendered once per locale and
    kept in the app (rendered each time while templates reload, as in development)."""
    environment = current_app.jinja_env
    if environment.auto_reload:
        return Markup(environment.get_template(template).render())
    cache: dict[tuple[str, str], Markup] = current_app.extensions.setdefault(_STRINGS_CACHE, {})
    key = (template, str(get_locale()))
    block = cache.get(key)
    if block is None:
        block = cache[key] = Markup(environment.get_template(template).render())
    return block


def as_data_attributes(attributes: dict[str, Any]) -> list[tuple[str, str]]:
    """``[("data-name", value)]`` for a template to write (values escaped by the template)."""
    return [(f"data-{name}", str(value)) for name, value in attributes.items()]
