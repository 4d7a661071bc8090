"""Threads and comments as Open edX's discussion REST API shows them (``ThreadSerializer``,
``CommentSerializer``), for one reader: every key always present, ids as strings, dates as DRF renders
them. What the reader needs about a page of posts comes batched in a :class:`~kampus_forums.threads.service.Lookups`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from kampus_lms import api as lms

from kampus.identity import profile_images
from kampus_forums.access import ForumUser
from kampus_forums.threads import service
from kampus_forums.threads.bodies import body_html as body_html_of
from kampus_forums.threads.models import COMMENT, DISCUSSION, QUESTION, THREAD, Comment, Thread
from kampus_forums.threads.rendering import preview
from kampus_forums.topics import reasons

COMMENTS_PATH = "/api/discussion/v1/comments/"


def _comments_url(**params: Any) -> str:
    return lms.absolute(COMMENTS_PATH + "?" + urlencode(params))


def _last_edit(who: ForumUser, post: Thread | Comment, content_type: str, privileged: bool,
               lookup: service.Lookups) -> tuple[dict[str, Any] | None, str | None]:
    """``last_edit`` and ``edit_by_label``: to the author and privileged users only. When the author edited
    their own anonymous post, a reader who may not see the author does not see the editor either."""
    if not (privileged or post.author_id == who.id):
        return None, None
    record = lookup.last_edits.get((content_type, post.id))
    if record is None:
        return None, None
    editor_hidden = (record.editor_id is not None and record.editor_id == post.author_id
                     and not service.author_visible(who, post))
    edit = {"original_body": record.original_body, "reason_code": record.reason_code,
            "editor_username": None if editor_hidden else record.editor_username,
            "created_at": lms.drf_datetime(record.created_at)}
    if record.reason_code:
        edit["reason"] = reasons.edit_reasons().get(record.reason_code)
    if editor_hidden or record.editor_id is None:
        return edit, None
    return edit, lookup.labels.get(record.editor_id)


def _author(who: ForumUser, post: Thread | Comment, lookup: service.Lookups) -> tuple[str | None, str | None]:
    if not service.author_visible(who, post):
        return None, None
    label = lookup.labels.get(post.author_id) if post.author_id is not None else None
    return post.author_username or None, label


def thread_json(who: ForumUser, thread: Thread, lookup: service.Lookups) -> dict[str, Any]:
    """One thread as Open edX's ``ThreadSerializer`` shows it to ``who``."""
    privileged = service.is_privileged_on(who, thread)
    author, author_label = _author(who, thread, lookup)
    body_html = body_html_of(thread)
    last_edit, edit_label = _last_edit(who, thread, THREAD, privileged, lookup)
    state = lookup.read.get(thread.id)
    is_read = state is not None and state.last_read_at >= thread.last_activity_at
    if state is None:
        unread = thread.comment_count + 1
    else:
        unread = max(0, thread.comment_count - state.read_comment_count)
    sees_closing = privileged or thread.author_id == who.id
    closed_by = thread.closed_by_id if thread.closed and sees_closing else None
    thread_id = str(thread.id)
    return {
        "id": thread_id,
        "author": author,
        "author_label": author_label,
        "created_at": lms.drf_datetime(thread.created_at),
        "updated_at": lms.drf_datetime(thread.updated_at),
        "raw_body": thread.body,
        "rendered_body": body_html,
        "preview_body": preview(body_html),
        "abuse_flagged": (THREAD, thread.id) in lookup.flagged or (privileged and thread.abuse_flag_count > 0),
        "abuse_flagged_count": thread.abuse_flag_count if privileged else None,
        "voted": (THREAD, thread.id) in lookup.voted,
        "vote_count": thread.vote_count,
        "editable_fields": sorted(service.thread_editable_fields(who, thread)),
        "can_delete": service.can_delete(who, thread, thread),
        "anonymous": thread.anonymous,
        "anonymous_to_peers": thread.anonymous_to_peers,
        "last_edit": last_edit,
        "edit_by_label": edit_label,
        "course_id": thread.course_id,
        "topic_id": thread.commentable_id,
        "group_id": thread.group_id,
        "group_name": lookup.group_names.get(thread.group_id) if thread.group_id is not None else None,
        "type": thread.thread_type,
        "title": thread.title,
        "pinned": thread.pinned,
        "closed": thread.closed,
        "following": thread.id in lookup.following,
        "comment_count": thread.comment_count + 1,
        "unread_comment_count": unread,
        "comment_list_url": _comments_url(thread_id=thread_id) if thread.thread_type == DISCUSSION else None,
        "endorsed_comment_list_url": (_comments_url(thread_id=thread_id, endorsed="True")
                                      if thread.thread_type == QUESTION else None),
        "non_endorsed_comment_list_url": (_comments_url(thread_id=thread_id, endorsed="False")
                                          if thread.thread_type == QUESTION else None),
        "read": is_read,
        "has_endorsed": thread.endorsed,
        "response_count": thread.response_count,
        "close_reason_code": thread.close_reason_code,
        "close_reason": (reasons.close_reasons().get(thread.close_reason_code or "")
                         if thread.closed and sees_closing and thread.close_reason_code else None),
        "closed_by": lookup.usernames.get(closed_by) if closed_by is not None else None,
        "closed_by_label": lookup.labels.get(closed_by) if closed_by is not None else None,
    }


def threads_json(who: ForumUser, threads: list[Thread]) -> list[dict[str, Any]]:
    """A page of threads (its lookups batched)."""
    lookup = service.lookups(who, threads=threads)
    return [thread_json(who, thread, lookup) for thread in threads]


def comment_json(who: ForumUser, comment: Comment, thread: Thread | None, lookup: service.Lookups,
                 children: list[Comment] | None = None, *, requester_image: dict[str, Any]) -> dict[str, Any]:
    """One response or comment as Open edX's ``CommentSerializer`` shows it to ``who``. Without its
    ``thread`` (a user's comments across threads), endorsement details are left out. ``profile_image`` is
    the requester's (``requester_image``), as Open edX's serializer gives it."""
    privileged = service.is_privileged_on(who, thread) if thread is not None else who.is_privileged
    author, author_label = _author(who, comment, lookup)
    last_edit, edit_label = _last_edit(who, comment, COMMENT, privileged, lookup)
    endorsed_by = endorsed_by_label = endorsed_at = None
    if thread is not None and comment.endorsed and comment.endorsed_by_id is not None:
        endorser_label = lookup.labels.get(comment.endorsed_by_id)
        if service.author_visible(who, thread) or endorser_label is not None:
            endorsed_by = lookup.usernames.get(comment.endorsed_by_id)
            endorsed_by_label = endorser_label
        endorsed_at = lms.drf_datetime(comment.endorsed_at)
    if thread is not None:
        editable = sorted(service.comment_editable_fields(who, comment, thread))
        deletable = service.can_delete(who, comment, thread)
    else:
        editable = ["abuse_flagged"]
        deletable = comment.author_id == who.id or who.is_moderator
    return {
        "id": str(comment.id),
        "author": author,
        "author_label": author_label,
        "created_at": lms.drf_datetime(comment.created_at),
        "updated_at": lms.drf_datetime(comment.updated_at),
        "raw_body": comment.body,
        "rendered_body": body_html_of(comment),
        "abuse_flagged": (COMMENT, comment.id) in lookup.flagged or (privileged and comment.abuse_flag_count > 0),
        "abuse_flagged_any_user": comment.abuse_flag_count > 0 if privileged else None,
        "voted": (COMMENT, comment.id) in lookup.voted,
        "vote_count": comment.vote_count,
        "editable_fields": editable,
        "can_delete": deletable,
        "anonymous": comment.anonymous,
        "anonymous_to_peers": comment.anonymous_to_peers,
        "last_edit": last_edit,
        "edit_by_label": edit_label,
        "thread_id": str(comment.thread_id),
        "parent_id": str(comment.parent_id) if comment.parent_id is not None else None,
        "endorsed": comment.endorsed,
        "endorsed_by": endorsed_by,
        "endorsed_by_label": endorsed_by_label,
        "endorsed_at": endorsed_at,
        "child_count": comment.child_count,
        "children": [comment_json(who, child, thread, lookup, requester_image=requester_image)
                     for child in children or []],
        "profile_image": dict(requester_image),
    }


def comments_json(who: ForumUser, comments: list[Comment], thread: Thread | None, *,
                  with_children: bool = False) -> list[dict[str, Any]]:
    """A page of responses (with their comments when ``with_children``) or comments (lookups batched)."""
    children = service.children_of(comments) if with_children else {}
    every = list(comments) + [child for kids in children.values() for child in kids]
    lookup = service.lookups(who, comments=every, requester_profile=True)
    requester_image = profile_images.image_json(lookup.requester_profile)
    return [comment_json(who, comment, thread, lookup, children.get(comment.id), requester_image=requester_image)
            for comment in comments]
