"""Lists of posts as a reader may see them: a course's threads (one counted, indexed query, pinned first),
a thread's responses with their comments, a response's comments, a user's comments; and the
:class:`Lookups` a page of posts needs about its reader, read in a fixed number of queries."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa

from kampus import db
from kampus.events.emit import emit
from kampus.identity.profiles import UserProfile
from kampus_forums.access import ForumUser, people
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


#: a list's statements: a page of its rows, each with the count of all of them; the count alone
Statements = tuple[sa.Select[Any], sa.Select[Any]]


def counted_rows(statements: Statements, params: dict[str, Any], page: int,
                 page_size: int) -> tuple[int, list[Any]]:
    """``(count, rows)``: the page ``page`` of a list and the number of all its rows, from ``statements`` (built by
    :func:`_counted`) run with ``params``. One statement: each row of the page carries the count (a subquery
    the database runs once); an empty page past the first one counts apart, to tell how far the list goes.
    A page 0 is refused at once (404)."""
    if page < 1:
        raise not_found(PAGE_NOT_FOUND)
    rows, count = statements
    session = db.session()
    found = session.execute(rows, {**params, "limit": page_size, "offset": (page - 1) * page_size}).all()
    if found:
        return int(found[0][1]), [row[0] for row in found]
    return (int(session.scalar(count, params) or 0) if page > 1 else 0), []


def _counted(rows: sa.Select[Any], count: sa.Select[Any], order: Iterable[Any]) -> Statements:
    """The statements of :func:`counted_rows`: ``rows`` (selecting one ORM entity) ordered by ``order``, a page
    of them (``:limit``, ``:offset``), each with ``count`` (a ``SELECT count(*)`` of the same conditions); and
    ``count`` alone."""
    total = count.correlate(None).scalar_subquery()
    return (rows.add_columns(total).order_by(*order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset")),
            count)


# The lists' statements are built once for each shape of list (which filters it has) and bound to the values of
# a request's filters: building and keying a statement cost more than running it. Their bound parameters:
# ``course_id``, ``user_id`` (the reader), ``groups`` (the reader's visible groups), ``group_id``, ``topic_ids``,
# ``thread_type``, ``author_id``, ``ids`` (threads found by a search); ``thread_id``, ``parent_id``.


@functools.lru_cache(maxsize=256)
def _thread_statements(groups: str, topics: bool, thread_type: bool, author: tuple[bool, bool, bool],
                       flagged: bool, view: str | None, following: bool, searched: bool,
                       order_by: str) -> Statements:
    """:func:`list_threads`' statements for one shape of list. ``groups``: ``all`` (every thread), ``undivided``
    (those shown to every group), ``visible`` (and those of ``:groups``), ``one`` (and those of ``:group_id``);
    ``author``: (an author filter, hide anonymous posts, hide posts anonymous to peers)."""
    conditions: list[Any] = [Thread.course_id == sa.bindparam("course_id"), Thread.deleted_at.is_(None)]
    if groups == "undivided":
        conditions.append(Thread.group_id.is_(None))
    elif groups == "visible":
        conditions.append(sa.or_(Thread.group_id.is_(None),
                                 Thread.group_id.in_(sa.bindparam("groups", expanding=True))))
    elif groups == "one":
        conditions.append(sa.or_(Thread.group_id.is_(None), Thread.group_id == sa.bindparam("group_id")))
    if topics:
        conditions.append(Thread.commentable_id.in_(sa.bindparam("topic_ids", expanding=True)))
    if thread_type:
        conditions.append(Thread.thread_type == sa.bindparam("thread_type"))
    by_author, hide_anonymous, hide_anonymous_to_peers = author
    if by_author:
        conditions.append(Thread.author_id == sa.bindparam("author_id"))
    if hide_anonymous:
        conditions.append(Thread.anonymous.is_(False))
    if hide_anonymous_to_peers:
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
        read = sa.select(ReadState.id).where(ReadState.thread_id == Thread.id,
                                             ReadState.user_id == sa.bindparam("user_id"),
                                             ReadState.last_read_at >= Thread.last_activity_at).exists()
        conditions.append(~read)
    if following:
        conditions.append(Thread.id.in_(sa.select(Follow.thread_id).where(
            Follow.user_id == sa.bindparam("user_id"), Follow.course_id == sa.bindparam("course_id"))))
    if searched:
        conditions.append(Thread.id.in_(sa.bindparam("ids", expanding=True)))
    key = ORDER_KEYS.get(order_by, Thread.last_activity_at)
    return _counted(sa.select(Thread).where(*conditions),
                    sa.select(sa.func.count()).select_from(Thread).where(*conditions),
                    (Thread.pinned.desc(), key.desc(), Thread.id.desc()))


def list_threads(who: ForumUser, *, topic_ids: list[str] | None = None, text_search: str | None = None,
                 following: bool = False, author_id: int | None = None, thread_type: str | None = None,
                 flagged: bool = False, view: str | None = None, order_by: str = "last_activity_at",
                 group_id: int | None = None, page: int = 1, page_size: int = 10) -> Page:
    """The threads of ``who``'s course that ``who`` may see, pinned first, then by ``order_by`` (newest
    first): one counted, indexed query; 404 past the last page."""
    params: dict[str, Any] = {"course_id": who.course_id, "user_id": who.id}
    visible = who.visible_group_ids()
    if visible is not None:
        groups = "visible" if visible else "undivided"
        params["groups"] = visible
    elif group_id is not None:
        groups = "one"
        params["group_id"] = group_id
    else:
        groups = "all"
    if topic_ids:
        params["topic_ids"] = sorted(set(topic_ids))
    if thread_type:
        params["thread_type"] = thread_type
    author = (False, False, False)
    if author_id is not None:
        params["author_id"] = author_id
        other = author_id != who.id  # an author filter must not unmask anonymous posts
        author = (True, other and not who.is_moderator, other and not who.is_privileged)
    if text_search is not None:
        params["ids"] = _search_ids(who, text_search, topic_ids)
    statements = _thread_statements(groups, bool(topic_ids), bool(thread_type), author, flagged,
                                    view if view in VIEWS else None, following, text_search is not None,
                                    order_by if order_by in ORDER_KEYS else "last_activity_at")
    count, rows = counted_rows(statements, params, page, page_size)
    if text_search is not None:
        emit("edx.forum.searched", {"query": text_search[:EVENT_BODY_MAX], "search_type": "Content",
                                    "corrected_text": None, "page": page, "page_size": page_size,
                                    "sort_key": order_by, "total_results": count}, course_id=who.course_id)
    num_pages, _offset = page_numbers(count, page, page_size)
    return Page(rows, count, page, page_size, num_pages)


def _search_ids(who: ForumUser, text: str, topic_ids: list[str] | None) -> list[int]:
    """Thread ids matching ``text``, best first, from the search area's index (the threads ``who`` may see)."""
    return search.search_thread_ids(who.course_id, text, topic_ids=topic_ids or None,
                                    group_ids=who.visible_group_ids())


_OLDEST_FIRST = (Comment.created_at, Comment.id)
_NEWEST_FIRST = (Comment.created_at.desc(), Comment.id.desc())


@functools.lru_cache(maxsize=32)
def _comment_statements(children: bool, endorsed: bool | None, flagged: bool,
                        reverse_order: bool) -> Statements:
    """The statements of a page of a thread's responses (``:thread_id``), or with ``children`` of a response's
    comments (``:parent_id``)."""
    parent = Comment.parent_id == sa.bindparam("parent_id") if children else Comment.parent_id.is_(None)
    conditions: list[Any] = [Comment.thread_id == sa.bindparam("thread_id"), parent, Comment.deleted_at.is_(None)]
    if endorsed is not None:
        conditions.append(Comment.endorsed.is_(endorsed))
    if flagged:
        conditions.append(Comment.abuse_flag_count > 0)
    return _counted(sa.select(Comment).where(*conditions),
                    sa.select(sa.func.count()).select_from(Comment).where(*conditions),
                    _NEWEST_FIRST if reverse_order else _OLDEST_FIRST)


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
    statements = _comment_statements(False, endorsed, flagged, reverse_order)
    return _page(statements, {"thread_id": thread.id}, page, page_size)


def _page(statements: Statements, params: dict[str, Any], page: int,
          page_size: int) -> Page:
    count, rows = counted_rows(statements, params, page, page_size)
    num_pages, _offset = page_numbers(count, page, page_size)
    return Page(rows, count, page, page_size, num_pages)


#: the live comments on the responses ``:parent_ids`` of the threads ``:thread_ids`` (so that the
#: (thread_id, parent_id, ...) index finds them), oldest first
_CHILDREN = (sa.select(Comment)
             .where(Comment.thread_id.in_(sa.bindparam("thread_ids", expanding=True)),
                    Comment.parent_id.in_(sa.bindparam("parent_ids", expanding=True)), Comment.deleted_at.is_(None))
             .order_by(*_OLDEST_FIRST))


def children_of(responses: Iterable[Comment]) -> dict[int, list[Comment]]:
    """The live comments of each response, oldest first (one query)."""
    tops = [response for response in responses if response.parent_id is None]
    found: dict[int, list[Comment]] = {response.id: [] for response in tops}
    if not tops:
        return found
    params = {"thread_ids": sorted({response.thread_id for response in tops}), "parent_ids": list(found)}
    for child in db.session().scalars(_CHILDREN, params):
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
    return _page(_comment_statements(True, None, False, reverse_order),
                 {"thread_id": response.thread_id, "parent_id": response.id}, page, page_size)


@functools.lru_cache(maxsize=32)
def _user_comment_statements(groups: str, hide_anonymous: bool, hide_anonymous_to_peers: bool,
                             flagged: bool) -> Statements:
    """The statements of a page of a user's (``:author_id``) comments in a course; ``groups`` as
    :func:`_thread_statements`' (``all``, ``undivided`` or ``visible``)."""
    conditions: list[Any] = [Comment.course_id == sa.bindparam("course_id"),
                             Comment.author_id == sa.bindparam("author_id"), Comment.deleted_at.is_(None),
                             Thread.deleted_at.is_(None)]
    if groups == "undivided":
        conditions.append(Thread.group_id.is_(None))
    elif groups == "visible":
        conditions.append(sa.or_(Thread.group_id.is_(None),
                                 Thread.group_id.in_(sa.bindparam("groups", expanding=True))))
    if hide_anonymous:
        conditions.append(Comment.anonymous.is_(False))
    if hide_anonymous_to_peers:
        conditions.append(Comment.anonymous_to_peers.is_(False))
    if flagged:
        conditions.append(Comment.abuse_flag_count > 0)
    joined = sa.select(sa.func.count()).select_from(Comment).join(Thread, Thread.id == Comment.thread_id)
    return _counted(sa.select(Comment).join(Thread, Thread.id == Comment.thread_id).where(*conditions),
                    joined.where(*conditions), _NEWEST_FIRST)


def list_user_comments(who: ForumUser, author_id: int, *, flagged: bool = False, page: int = 1,
                       page_size: int = 10) -> Page:
    """A page of a user's live responses and comments in ``who``'s course, newest first, among the threads
    ``who`` may read (anonymous ones left out unless ``who`` sees their author); 400 for a learner's
    ``flagged``."""
    if flagged and not who.is_privileged:
        raise ForumError(400, "Only privileged users can filter comments by flagged status")
    visible = who.visible_group_ids()
    groups = "all" if visible is None else "visible" if visible else "undivided"
    other = int(author_id) != who.id
    statements = _user_comment_statements(groups, other and not who.is_moderator, other and not who.is_privileged,
                                          flagged)
    return _page(statements, {"course_id": who.course_id, "author_id": int(author_id), "groups": visible or []},
                 page, page_size)


def thread_viewed(who: ForumUser, thread: Thread, *, from_mfe_sidebar: bool = False) -> None:
    """Emit ``edx.forum.thread.viewed`` (the comment list of a thread was read)."""
    data = thread_event(who, thread, from_mfe_sidebar=from_mfe_sidebar, target_username=thread.author_username)
    put_truncated(data, "title", thread.title, EVENT_TITLE_MAX, "title_truncated")
    emit("edx.forum.thread.viewed", data, course_id=thread.course_id)


# -- what a page of posts needs about its reader (batched) ----------------------------------------------------------


class ReadMark(NamedTuple):
    """When the reader last read a thread, and how many comments it had then."""

    last_read_at: datetime
    read_comment_count: int


@dataclass
class Lookups:
    """What serializing a page of posts needs about the reader and the posts' people, read in a fixed number
    of queries whatever the page's size (:func:`lookups`)."""

    voted: set[tuple[str, int]] = field(default_factory=set)
    flagged: set[tuple[str, int]] = field(default_factory=set)
    following: set[int] = field(default_factory=set)
    read: dict[int, ReadMark] = field(default_factory=dict)
    labels: dict[int, str] = field(default_factory=dict)
    usernames: dict[int, str] = field(default_factory=dict)
    last_edits: dict[tuple[str, int], EditRecord] = field(default_factory=dict)
    group_names: dict[int, str] = field(default_factory=dict)
    #: the reader's profile (when asked for and they have one)
    requester_profile: UserProfile | None = None


def _of_posts(model: Any) -> Any:
    """``model``'s rows about the threads ``:thread_ids`` and the comments ``:comment_ids``."""
    return sa.or_(
        sa.and_(model.content_type == THREAD, model.content_id.in_(sa.bindparam("thread_ids", expanding=True))),
        sa.and_(model.content_type == COMMENT, model.content_id.in_(sa.bindparam("comment_ids", expanding=True))))


# A page's lookups are built once (bound parameters ``user_id``, ``thread_ids``, ``comment_ids``): building
# and keying a statement per request cost more than running it.
_USER = sa.bindparam("user_id")
_THREAD_IDS = sa.bindparam("thread_ids", expanding=True)
#: the reader's read marks, votes, open flags and follows, in one query (the read marks first: their columns'
#: types are the union's)
_MINE = sa.union_all(
    sa.select(sa.literal("read").label("kind"), sa.literal(THREAD).label("content_type"),
              ReadState.thread_id.label("content_id"), ReadState.last_read_at, ReadState.read_comment_count)
    .where(ReadState.user_id == _USER, ReadState.thread_id.in_(_THREAD_IDS)),
    sa.select(sa.literal("vote"), Vote.content_type, Vote.content_id, sa.null(), sa.null())
    .where(Vote.user_id == _USER, _of_posts(Vote)),
    sa.select(sa.literal("flag"), AbuseFlag.content_type, AbuseFlag.content_id, sa.null(), sa.null())
    .where(AbuseFlag.user_id == _USER, AbuseFlag.cleared_at.is_(None), _of_posts(AbuseFlag)),
    sa.select(sa.literal("follow"), sa.literal(THREAD), Follow.thread_id, sa.null(), sa.null())
    .where(Follow.user_id == _USER, Follow.thread_id.in_(_THREAD_IDS)))
_EDITS = sa.select(EditRecord).where(_of_posts(EditRecord)).order_by(EditRecord.id)


def lookups(who: ForumUser, threads: Iterable[Thread] = (), comments: Iterable[Comment] = (), *,
            requester_profile: bool = False) -> Lookups:
    """:class:`Lookups` for ``threads`` and ``comments`` as ``who`` reads them: at most three queries (the
    reader's marks, the posts' edit history when ``who`` may see one, the people's names and labels), a
    fourth for the group names of a page holding divided threads. ``requester_profile``: the people's query reads
    the reader's profile too."""
    threads = list(threads)
    comments = list(comments)
    found = Lookups()
    session = db.session()
    thread_ids = [t.id for t in threads]
    comment_ids = [c.id for c in comments]
    if not thread_ids and not comment_ids:
        return found

    params = {"user_id": who.id, "thread_ids": thread_ids, "comment_ids": comment_ids}
    for kind, content_type, content_id, last_read_at, read_comment_count in session.execute(_MINE, params):
        if kind == "read":
            found.read[content_id] = ReadMark(last_read_at, read_comment_count)
        elif kind == "vote":
            found.voted.add((content_type, content_id))
        elif kind == "flag":
            found.flagged.add((content_type, content_id))
        else:
            found.following.add(content_id)
    posts_people: set[int] = set()
    for thread in threads:
        posts_people.update(i for i in (thread.author_id, thread.closed_by_id) if i is not None)
    for comment in comments:
        posts_people.update(i for i in (comment.author_id, comment.endorsed_by_id) if i is not None)
    # a post's last edit shows to its author and to privileged readers only: a learner's page reads the
    # history of their own posts, and none when it holds none of them
    edited = params if who.is_privileged else {
        "thread_ids": [t.id for t in threads if t.author_id == who.id],
        "comment_ids": [c.id for c in comments if c.author_id == who.id]}
    if edited["thread_ids"] or edited["comment_ids"]:
        for record in session.scalars(_EDITS, edited):
            found.last_edits[(record.content_type, record.content_id)] = record
            if record.editor_id is not None:
                posts_people.add(record.editor_id)
    course_id = threads[0].course_id if threads else comments[0].course_id
    found.labels, found.usernames, found.requester_profile = people(
        course_id, posts_people, profile_of=who.id if requester_profile else None)
    if any(t.group_id is not None for t in threads):
        found.group_names = groups.group_names(course_id)
    return found
