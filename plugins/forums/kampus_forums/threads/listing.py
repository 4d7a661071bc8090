"""Lists of posts as a reader may see them: a course's threads (one counted, indexed query, pinned first),
a thread's responses with their comments, a response's comments, a user's comments; and the
:class:`Lookups` a page of posts needs about its reader, read in a fixed number of queries."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from kampus import db
from kampus.events.emit import emit
from kampus.identity.models import User
from kampus_forums.access import ForumUser, author_labels
from kampus_forums.interactions.models import AbuseFlag, Follow, Vote
from kampus_forums.search import service as search
from kampus_forums.threads.events import EVENT_BODY_MAX, EVENT_TITLE_MAX, put_truncated, thread_event
from kampus_forums.threads.models import (
    COMMENT,
    DISCUSSION,
    QUESTION,
    THREAD,
    Comment,
    EditRecord,
    ReadState,
    Thread,
)
from kampus_forums.threads.rules import COMMENT_NOT_FOUND, ForumError, check_visible, invalid, not_found
from kampus_forums.topics import groups

PAGE_NOT_FOUND = "Page not found (No results on this page)."
ORDER_KEYS = {"last_activity_at": Thread.last_activity_at, "comment_count": Thread.comment_count,
              "vote_count": Thread.vote_count}
VIEWS = ("unread", "unanswered", "unresponded")


@dataclass
class Page:
    """One page of a list: ``items``, the total ``count``, ``page`` of ``num_pages`` (``page_size`` each)."""

    items: list[Any]
    count: int
    page: int
    page_size: int
    num_pages: int
    text_search_rewrite: str | None = None


def page_numbers(count: int, page: int, page_size: int) -> tuple[int, int]:
    num_pages = max(1, math.ceil(count / page_size))
    if page < 1 or page > num_pages:
        raise not_found(PAGE_NOT_FOUND)
    return num_pages, (page - 1) * page_size


def list_threads(who: ForumUser, *, topic_ids: list[str] | None = None, text_search: str | None = None,
                 following: bool = False, author_id: int | None = None, thread_type: str | None = None,
                 flagged: bool = False, view: str | None = None, order_by: str = "last_activity_at",
                 group_id: int | None = None, page: int = 1, page_size: int = 10) -> Page:
    """The threads of ``who``'s course that ``who`` may see, pinned first, then by ``order_by`` (newest
    first): one counted, indexed query; 404 past the last page."""
    conditions: list[Any] = [Thread.course_id == who.course_id, Thread.deleted_at.is_(None)]
    visible = who.visible_group_ids()
    if visible is not None:
        conditions.append(sa.or_(Thread.group_id.is_(None), Thread.group_id.in_(visible)) if visible
                          else Thread.group_id.is_(None))
    elif group_id is not None:
        conditions.append(sa.or_(Thread.group_id.is_(None), Thread.group_id == group_id))
    if topic_ids:
        conditions.append(Thread.commentable_id.in_(sorted(set(topic_ids))))
    if thread_type:
        conditions.append(Thread.thread_type == thread_type)
    if author_id is not None:
        conditions.append(Thread.author_id == author_id)
        if author_id != who.id:  # an author filter must not unmask anonymous posts
            if not who.is_moderator:
                conditions.append(Thread.anonymous.is_(False))
            if not who.is_privileged:
                conditions.append(Thread.anonymous_to_peers.is_(False))
    if flagged:
        flagged_comment = sa.select(Comment.id).where(Comment.thread_id == Thread.id, Comment.abuse_flag_count > 0,
                                                      Comment.deleted_at.is_(None)).exists()
        conditions.append(sa.or_(Thread.abuse_flag_count > 0, flagged_comment))
    if view == "unanswered":
        conditions += [Thread.thread_type == QUESTION, Thread.endorsed.is_(False)]
    elif view == "unresponded":
        conditions.append(Thread.response_count == 0)
    elif view == "unread":
        read = sa.select(ReadState.id).where(ReadState.thread_id == Thread.id, ReadState.user_id == who.id,
                                             ReadState.last_read_at >= Thread.last_activity_at).exists()
        conditions.append(~read)
    if following:
        conditions.append(Thread.id.in_(sa.select(Follow.thread_id).where(Follow.user_id == who.id,
                                                                           Follow.course_id == who.course_id)))
    if text_search is not None:
        ids = _search_ids(who, text_search, topic_ids)
        conditions.append(Thread.id.in_(ids) if ids else sa.false())
    session = db.session()
    count = int(session.scalar(sa.select(sa.func.count()).select_from(Thread).where(*conditions)) or 0)
    if text_search is not None:
        emit("edx.forum.searched", {"query": text_search[:EVENT_BODY_MAX], "search_type": "Content",
                                    "corrected_text": None, "page": page, "page_size": page_size,
                                    "sort_key": order_by, "total_results": count}, course_id=who.course_id)
    num_pages, offset = page_numbers(count, page, page_size)
    key = ORDER_KEYS.get(order_by, Thread.last_activity_at)
    rows = session.scalars(sa.select(Thread).where(*conditions)
                           .order_by(Thread.pinned.desc(), key.desc(), Thread.id.desc())
                           .offset(offset).limit(page_size)).all()
    return Page(list(rows), count, page, page_size, num_pages)


def _search_ids(who: ForumUser, text: str, topic_ids: list[str] | None) -> list[int]:
    """Thread ids matching ``text``, best first, from the search area's index (the threads ``who`` may see)."""
    return search.search_thread_ids(who.course_id, text, topic_ids=topic_ids or None,
                                    group_ids=who.visible_group_ids())


def _response_conditions(thread: Thread, endorsed: bool | None, flagged: bool) -> list[Any]:
    conditions: list[Any] = [Comment.thread_id == thread.id, Comment.parent_id.is_(None), Comment.deleted_at.is_(None)]
    if endorsed is not None:
        conditions.append(Comment.endorsed.is_(endorsed))
    if flagged:
        conditions.append(Comment.abuse_flag_count > 0)
    return conditions


def list_comments(who: ForumUser, thread: Thread, *, endorsed: bool | None = None, flagged: bool = False,
                  page: int = 1, page_size: int = 10, reverse_order: bool = False,
                  merge_question_type_responses: bool = False) -> Page:
    """A page of the thread's responses (oldest first, or newest with ``reverse_order``); 400 for an
    ``endorsed`` filter a thread's type does not take (a question's responses may be merged), or a
    learner's ``flagged``; 404 past the last page. Each response's comments come with :func:`children_of`."""
    check_visible(who, thread)
    if thread.thread_type == QUESTION and endorsed is None and not merge_question_type_responses:
        raise invalid({"endorsed": "This field is required for question threads."})
    if thread.thread_type == DISCUSSION and endorsed is not None:
        raise invalid({"endorsed": "This field may not be specified for discussion threads."})
    if flagged and not who.is_privileged:
        raise ForumError(400, "Only privileged users can request flagged comments")
    conditions = _response_conditions(thread, endorsed, flagged)
    session = db.session()
    count = int(session.scalar(sa.select(sa.func.count()).select_from(Comment).where(*conditions)) or 0)
    num_pages, offset = page_numbers(count, page, page_size)
    order = (Comment.created_at.desc(), Comment.id.desc()) if reverse_order else (Comment.created_at, Comment.id)
    rows = session.scalars(sa.select(Comment).where(*conditions).order_by(*order)
                           .offset(offset).limit(page_size)).all()
    return Page(list(rows), count, page, page_size, num_pages)


def children_of(responses: Iterable[Comment]) -> dict[int, list[Comment]]:
    """The live comments of each response, oldest first (one query)."""
    tops = [response for response in responses if response.parent_id is None]
    found: dict[int, list[Comment]] = {response.id: [] for response in tops}
    if not tops:
        return found
    # thread_id too, so that the (thread_id, parent_id, ...) index finds them
    thread_ids = sorted({response.thread_id for response in tops})
    for child in db.session().scalars(sa.select(Comment).where(
            Comment.thread_id.in_(thread_ids), Comment.parent_id.in_(list(found)), Comment.deleted_at.is_(None))
            .order_by(Comment.created_at, Comment.id)):
        found[child.parent_id].append(child)  # type: ignore[index]
    return found


def list_child_comments(who: ForumUser, response: Comment, *, page: int = 1, page_size: int = 10,
                        reverse_order: bool = False) -> Page:
    """A page of the comments on ``response``."""
    thread = db.session().get(Thread, response.thread_id)
    if thread is None or thread.deleted_at is not None:
        raise not_found(COMMENT_NOT_FOUND)
    try:
        check_visible(who, thread)
    except ForumError:
        raise not_found(COMMENT_NOT_FOUND) from None
    conditions = [Comment.thread_id == response.thread_id, Comment.parent_id == response.id,
                  Comment.deleted_at.is_(None)]
    session = db.session()
    count = int(session.scalar(sa.select(sa.func.count()).select_from(Comment).where(*conditions)) or 0)
    num_pages, offset = page_numbers(count, page, page_size)
    order = (Comment.created_at.desc(), Comment.id.desc()) if reverse_order else (Comment.created_at, Comment.id)
    rows = session.scalars(sa.select(Comment).where(*conditions).order_by(*order).offset(offset).limit(page_size))
    return Page(list(rows), count, page, page_size, num_pages)


def list_user_comments(who: ForumUser, author_id: int, *, flagged: bool = False, page: int = 1,
                       page_size: int = 10) -> Page:
    """A page of a user's live responses and comments in ``who``'s course, newest first, among the threads
    ``who`` may read (anonymous ones left out unless ``who`` sees their author); 400 for a learner's
    ``flagged``."""
    if flagged and not who.is_privileged:
        raise ForumError(400, "Only privileged users can filter comments by flagged status")
    conditions: list[Any] = [Comment.course_id == who.course_id, Comment.author_id == int(author_id),
                             Comment.deleted_at.is_(None), Thread.deleted_at.is_(None)]
    visible = who.visible_group_ids()
    if visible is not None:
        conditions.append(sa.or_(Thread.group_id.is_(None), Thread.group_id.in_(visible)) if visible
                          else Thread.group_id.is_(None))
    if int(author_id) != who.id:
        if not who.is_moderator:
            conditions.append(Comment.anonymous.is_(False))
        if not who.is_privileged:
            conditions.append(Comment.anonymous_to_peers.is_(False))
    if flagged:
        conditions.append(Comment.abuse_flag_count > 0)
    session = db.session()
    joined = sa.select(sa.func.count()).select_from(Comment).join(Thread, Thread.id == Comment.thread_id)
    count = int(session.scalar(joined.where(*conditions)) or 0)
    num_pages, offset = page_numbers(count, page, page_size)
    rows = session.scalars(sa.select(Comment).join(Thread, Thread.id == Comment.thread_id).where(*conditions)
                           .order_by(Comment.created_at.desc(), Comment.id.desc()).offset(offset).limit(page_size))
    return Page(list(rows), count, page, page_size, num_pages)


def thread_viewed(who: ForumUser, thread: Thread, *, from_mfe_sidebar: bool = False) -> None:
    """Emit ``edx.forum.thread.viewed`` (the comment list of a thread was read)."""
    data = thread_event(who, thread, from_mfe_sidebar=from_mfe_sidebar, target_username=thread.author_username)
    put_truncated(data, "title", thread.title, EVENT_TITLE_MAX, "title_truncated")
    emit("edx.forum.thread.viewed", data, course_id=thread.course_id)


# -- what a page of posts needs about its reader (batched) ----------------------------------------------------------


@dataclass
class Lookups:
    """What serializing a page of posts needs about the reader and the posts' people, read in a fixed number
    of queries whatever the page's size (:func:`lookups`)."""

    voted: set[tuple[str, int]] = field(default_factory=set)
    flagged: set[tuple[str, int]] = field(default_factory=set)
    following: set[int] = field(default_factory=set)
    read: dict[int, ReadState] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    usernames: dict[int, str] = field(default_factory=dict)
    last_edits: dict[tuple[str, int], EditRecord] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)


def _of_posts(model: Any) -> Any:
    """``model``'s rows about the threads ``:thread_ids`` and the comments ``:comment_ids``."""
    return sa.or_(
        sa.and_(model.content_type == THREAD, model.content_id.in_(sa.bindparam("thread_ids", expanding=True))),
        sa.and_(model.content_type == COMMENT, model.content_id.in_(sa.bindparam("comment_ids", expanding=True))))


# A page's lookups are built once (bound parameters ``user_id``, ``thread_ids``, ``comment_ids``): building
# and keying a statement per request cost more than running it.
_USER = sa.bindparam("user_id")
#: the reader's votes, open flags and follows, in one query
_MINE = sa.union_all(
    sa.select(sa.literal("vote").label("kind"), Vote.content_type, Vote.content_id)
    .where(Vote.user_id == _USER, _of_posts(Vote)),
    sa.select(sa.literal("flag").label("kind"), AbuseFlag.content_type, AbuseFlag.content_id)
    .where(AbuseFlag.user_id == _USER, AbuseFlag.cleared_at.is_(None), _of_posts(AbuseFlag)),
    sa.select(sa.literal("follow").label("kind"), sa.literal(THREAD).label("content_type"), Follow.thread_id)
    .where(Follow.user_id == _USER, Follow.thread_id.in_(sa.bindparam("thread_ids", expanding=True))))
_READ = sa.select(ReadState).where(ReadState.user_id == _USER,
                                   ReadState.thread_id.in_(sa.bindparam("thread_ids", expanding=True)))
_EDITS = sa.select(EditRecord).where(_of_posts(EditRecord)).order_by(EditRecord.id)


def lookups(who: ForumUser, threads: Iterable[Thread] = (), comments: Iterable[Comment] = ()) -> Lookups:
    """:class:`Lookups` for ``threads`` and ``comments`` as ``who`` reads them."""
    threads = list(threads)
    comments = list(comments)
    found = Lookups()
    session = db.session()
    thread_ids = [t.id for t in threads]
    comment_ids = [c.id for c in comments]
    if not thread_ids and not comment_ids:
        return found

    params = {"user_id": who.id, "thread_ids": thread_ids, "comment_ids": comment_ids}
    for kind, content_type, content_id in session.execute(_MINE, params):
        if kind == "vote":
            found.voted.add((content_type, content_id))
        elif kind == "flag":
            found.flagged.add((content_type, content_id))
        else:
            found.following.add(content_id)
    if thread_ids:
        found.read = {row.thread_id: row for row in session.scalars(_READ, params)}
    people: set[int] = set()
    for thread in threads:
        people.update(i for i in (thread.author_id, thread.closed_by_id) if i is not None)
    for comment in comments:
        people.update(i for i in (comment.author_id, comment.endorsed_by_id) if i is not None)
    for record in session.scalars(_EDITS, params):
        found.last_edits[(record.content_type, record.content_id)] = record
        if record.editor_id is not None:
            people.add(record.editor_id)
    course_id = threads[0].course_id if threads else comments[0].course_id
    found.labels = author_labels(course_id, people)
    wanted = {t.closed_by_id for t in threads if t.closed_by_id} | {c.endorsed_by_id for c in comments
                                                                     if c.endorsed_by_id}
    if wanted:
        found.usernames = {row.id: row.username for row in session.execute(
            sa.select(User.id, User.username).where(User.id.in_(sorted(wanted))))}
    if any(t.group_id is not None for t in threads):
        found.group_names = groups.group_names(course_id)
    return found
