"""The moderation area's background task (registered through ``kampus_celery_tasks``): Open edX's
``delete_course_post_for_user``, which deletes every post of a user in some courses and, when asked, bans
them afterwards.

Each post is deleted in its own transaction through the threads service (counters, the search index and
the events follow), so the task may run again after a worker died: it deletes what is left.
"""

from __future__ import annotations

from typing import Any

from kampus import db
from kampus.events.emit import emit
from kampus.identity.models import User
from kampus.tasks.api import TaskContext, task_name
from kampus_forums.access import ForumUser, forum_user
from kampus_forums.moderation import service

DELETE_USER_POSTS_TASK = "forums.delete_user_posts"
#: The tracking event Open edX emits when the task is done.
BULK_DELETE_EVENT = "edx.discussion.bulk_delete_user_posts"


def _moderators(moderator: User | None, course_ids: list[str]) -> dict[str, ForumUser]:
    """The moderator as a :class:`ForumUser` in each course they (still) moderate."""
    found: dict[str, ForumUser] = {}
    if moderator is None:
        return found
    for course_id in course_ids:
        who = forum_user(moderator, course_id)
        if who is not None and who.is_moderator:
            found[course_id] = who
    return found


@task_name(DELETE_USER_POSTS_TASK)
def delete_course_post_for_user(task: TaskContext, user_id: int, username: str | None = None,
                                course_ids: list[str] | None = None, event_data: dict[str, Any] | None = None,
                                ban_user: bool = False, ban_scope: str = "course", moderator_id: int | None = None,
                                reason: str | None = None) -> dict[str, Any]:
    """Delete the live posts of user ``user_id`` in ``course_ids`` (those the moderator ``moderator_id``
    moderates), then, with ``ban_user``, ban them in the first course (``ban_scope``: ``course`` or
    ``organization``; who may is checked when the task is submitted). A moderator who no longer moderates a
    course deletes nothing there. Returns Open edX's ``threads_deleted``, ``comments_deleted``, ``ban_applied``,
    ``ban_id`` and ``task_id``."""
    session = db.session()
    user = session.get(User, int(user_id))
    if user is None:
        raise ValueError(f"User {user_id} does not exist")
    moderator = session.get(User, int(moderator_id)) if moderator_id is not None else None
    courses = [str(course_id) for course_id in course_ids or []]
    moderators = _moderators(moderator, courses)
    steps = len(moderators) + (1 if ban_user else 0)
    task.progress(0, steps, "Deleting posts")
    text = (reason or "").strip() or f"bulk delete of {username or user.username}'s posts"
    threads_deleted, comments_deleted = service.delete_user_posts(moderators, user, reason=text)
    ban_id = None
    if ban_user and courses and courses[0] in moderators:
        who = moderators[courses[0]]
        try:
            row, _reactivated = service.ban(who, user, scope=ban_scope, reason=(reason or "").strip())
            ban_id = row.id
        except service.ModerationError as exc:  # already banned: that ban stands (run again after a crash)
            session.rollback()
            ban_id = exc.extra.get("ban_id")
    data = dict(event_data or {})
    data.update({"number_of_posts_deleted": threads_deleted, "number_of_comments_deleted": comments_deleted,
                 "ban_applied": bool(ban_user and ban_id is not None),
                 "ban_scope": ban_scope if ban_user else None})
    emit(BULK_DELETE_EVENT, data, course_id=courses[0] if courses else None, event_source="task",
         user_id=moderator.id if moderator is not None else None,
         username=moderator.username if moderator is not None else None)
    task.progress(steps, steps, "Done")
    return {"threads_deleted": threads_deleted, "comments_deleted": comments_deleted,
            "ban_applied": bool(ban_user and ban_id is not None), "ban_id": ban_id, "task_id": task.record_id}


TASKS = (delete_course_post_for_user,)
