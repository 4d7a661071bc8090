"""What the forums put in the search index: one document per post, index ``forum_content``.

As Open edX's forum (its ``comment_threads`` and ``comments`` indexes, whose hits it rolls up to
thread ids), every live thread, response and comment is a document of its own, so that a new or
edited post re-indexes one small document, never its whole thread:

* a thread: ``id`` ``thread-<id>``, ``type`` ``thread``, text ``content.title`` and ``content.body``;
* a response or a comment: ``id`` ``comment-<id>``, ``type`` ``response`` / ``comment``, text
  ``content.body``, and ``response_id`` (the response's own id, or the parent response of a comment,
  so that deleting a response removes it and its comments with one ``remove_matching``).

Exact fields on every document, copied from the thread so that a search filters posts without a
join: ``course_id``, ``commentable_id`` (the topic), ``group_id`` (the cohort; missing when the
thread is visible to every group) and ``thread_id``. Bodies are Markdown that may hold HTML: the
tags are dropped before indexing (Open edX indexes the text of the HTML). Deleted posts (and the
posts of a deleted thread or under a deleted response) are not in the index at all.
"""

from __future__ import annotations

from typing import Any

from kampus_content import api as content

#: The search index of the forums (an edx-search style index name).
FORUM_INDEX = "forum_content"
THREAD_TYPE = "thread"
RESPONSE_TYPE = "response"
COMMENT_TYPE = "comment"


def plain_text(markup: str | None) -> str:
    """The visible text of a post's body: HTML tags dropped (paragraphs and other blocks apart by a space),
    entities decoded (text without markup as it is)."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return markup
    return content.plain_text(markup)


def thread_doc_id(thread_id: int) -> str:
    """The document id of a thread."""
    return f"thread-{int(thread_id)}"


def comment_doc_id(comment_id: int) -> str:
    """The document id of a response or a comment."""
    return f"comment-{int(comment_id)}"


def _thread_fields(thread: Any) -> dict[str, Any]:
    return {"course_id": thread.course_id, "commentable_id": thread.commentable_id,
            "group_id": thread.group_id, "thread_id": int(thread.id)}


def thread_document(thread: Any) -> dict[str, Any]:
    """The document of a thread (any object with the columns of ``forums_thread``)."""
    return {"id": thread_doc_id(thread.id), "type": THREAD_TYPE, **_thread_fields(thread),
            "content": {"title": thread.title or "", "body": plain_text(thread.body)}}


def comment_document(comment: Any, thread: Any) -> dict[str, Any]:
    """The document of a response (``parent_id`` empty) or a comment on a response, in ``thread``."""
    return {"id": comment_doc_id(comment.id),
            "type": RESPONSE_TYPE if comment.parent_id is None else COMMENT_TYPE,
            **_thread_fields(thread),
            "response_id": int(comment.id if comment.parent_id is None else comment.parent_id),
            "content": {"body": plain_text(comment.body)}}


def live_comments(comments: list[Any]) -> list[Any]:
    """The comments of one or more threads that belong in the index: not deleted, and not under a
    deleted response (``comments`` holds the deleted ones too, so that their children are known)."""
    live_responses = {c.id for c in comments if c.parent_id is None and c.deleted_at is None}
    return [c for c in comments if c.deleted_at is None and (c.parent_id is None or c.parent_id in live_responses)]
