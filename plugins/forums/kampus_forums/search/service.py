"""Forum search: thread ids matching words, and (re)building a course's or a thread's documents.

Searches go through the site's search engine (``kampus.search`` driver): whole words ANDed,
``"phrases"``, ``prefix*``, never a syntax error (see :mod:`kampus.drivers.search`). A post matches
on its own words (a thread on its title and body, a response or comment on its body), as Open edX's
forum searches its threads and comments indexes; hits roll up to their thread, ranked by the best
score among the thread's matching posts.

Statements: :func:`search_thread_ids` runs the engine's one page query (the SQL driver: one
statement) per :data:`PAGE_SIZE` matching posts, at most :data:`MAX_SCANNED_POSTS` posts looked at,
and most searches stop after the first page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from kampus.current import current_kampus
from kampus.db import session
from kampus.drivers.search import SearchEngine, parse_query
from kampus_forums.search.documents import (
    FORUM_INDEX,
    THREAD_TYPE,
    comment_doc_id,
    comment_document,
    live_comments,
    thread_document,
)
from kampus_forums.threads.models import Comment, Thread

log = logging.getLogger(__name__)

#: Matching posts read per engine query (the engine's largest page).
PAGE_SIZE = 1000
#: The most matching posts looked at for one search (Open edX looks at the best 200 comments).
MAX_SCANNED_POSTS = 5000
_THREAD_COLUMNS = (Thread.id, Thread.course_id, Thread.commentable_id, Thread.group_id, Thread.title, Thread.body)
_COMMENT_COLUMNS = (Comment.id, Comment.thread_id, Comment.parent_id, Comment.body, Comment.deleted_at)


def engine() -> SearchEngine:
    """The site's search engine."""
    return current_kampus().search


# -- searching ------------------------------------------------------------------------------------------------------


def search_thread_ids(course_id: str, text: str, *, topic_ids: list[str] | None = None,
                      group_ids: list[int] | None = None, limit: int = 1000) -> list[int]:
    """Ids of the live threads of ``course_id`` having a post that matches ``text``, best first.

    ``topic_ids``: only threads of these topics (``None``: every topic). ``group_ids``: only threads
    visible to every group or divided to one of these groups (``None``: every thread, as a moderator
    sees them; ``[]``: only undivided threads). Text with no word finds nothing. At most ``limit``
    ids.
    """
    if not parse_query(text) or limit <= 0 or topic_ids == []:
        return []
    fields: dict[str, Any] = {"course_id": course_id}
    if topic_ids is not None:
        fields["commentable_id"] = [str(topic) for topic in topic_ids]
    filters = {"group_id": [int(group) for group in group_ids]} if group_ids is not None else None
    search = engine()
    found: dict[int, None] = {}
    scanned = 0
    while len(found) < limit and scanned < MAX_SCANNED_POSTS:
        answer = search.search(FORUM_INDEX, text, field_dictionary=fields, filter_dictionary=filters,
                               size=PAGE_SIZE, from_=scanned)
        for hit in answer["results"]:
            found.setdefault(int(hit["data"]["thread_id"]), None)
        scanned += len(answer["results"])
        if scanned >= answer["total"] or not answer["results"]:
            break
    return list(found)[:limit]


# -- indexing -------------------------------------------------------------------------------------------------------


def _threads(condition: Any) -> list[Any]:
    return list(session().execute(sa.select(*_THREAD_COLUMNS).where(condition, Thread.deleted_at.is_(None))))


def _comments(condition: Any) -> list[Any]:
    return live_comments(list(session().execute(sa.select(*_COMMENT_COLUMNS).where(condition))))


def _documents(threads: list[Any], comments: list[Any]) -> list[dict[str, Any]]:
    by_id = {thread.id: thread for thread in threads}
    documents = [thread_document(thread) for thread in threads]
    documents += [comment_document(comment, by_id[comment.thread_id]) for comment in comments
                  if comment.thread_id in by_id]
    return documents


def reindex_course(course_id: str) -> int:
    """Make the course's documents exactly its live posts (idempotent; repairs a stale index).
    Returns the number of documents indexed."""
    documents = _documents(_threads(Thread.course_id == course_id), _comments(Comment.course_id == course_id))
    return engine().replace_matching(FORUM_INDEX, {"course_id": course_id}, documents)


def reindex_threads(thread_ids: Iterable[int]) -> int:
    """Rebuild the documents of these threads and of all their posts (a thread moved to another
    topic or group, bodies rewritten by a retirement); a deleted or missing thread leaves the index.
    Returns the number of documents indexed."""
    ids = sorted({int(thread_id) for thread_id in thread_ids})
    if not ids:
        return 0
    threads = {thread.id: thread for thread in _threads(Thread.id.in_(ids))}
    comments = _comments(Comment.thread_id.in_(ids))
    search = engine()
    count = 0
    for thread_id in ids:
        thread = threads.get(thread_id)
        if thread is None:
            search.remove_matching(FORUM_INDEX, {"thread_id": thread_id})
            continue
        documents = _documents([thread], [comment for comment in comments if comment.thread_id == thread_id])
        count += search.replace_matching(FORUM_INDEX, {"thread_id": thread_id}, documents)
    return count


def reindex_author(user_id: int) -> int:
    """Rebuild the documents of every thread the user posted in (after a retirement rewrote their bodies
    in place, which sends no events). Returns the number of documents indexed."""
    posted = sa.union(sa.select(Thread.id).where(Thread.author_id == int(user_id)),
                      sa.select(Comment.thread_id).where(Comment.author_id == int(user_id)))
    return reindex_threads(session().scalars(posted))


def index_thread(thread_id: int) -> None:
    """Index a new or edited thread: its own document, and its posts' too when its topic or group
    changed (they carry the thread's)."""
    thread = next(iter(_threads(Thread.id == int(thread_id))), None)
    search = engine()
    if thread is None:
        search.remove_matching(FORUM_INDEX, {"thread_id": int(thread_id)})
        return
    indexed = search.search(FORUM_INDEX, None, field_dictionary={"thread_id": int(thread_id), "type": THREAD_TYPE},
                            size=1)["results"]
    before = indexed[0]["data"] if indexed else None
    if before is not None and (before.get("commentable_id"), before.get("group_id")) == (
            thread.commentable_id, thread.group_id):
        search.index(FORUM_INDEX, [thread_document(thread)])
    else:
        reindex_threads([thread.id])


def index_comment(comment_id: int) -> None:
    """Index a new or edited response or comment (removed when it, its response or its thread is
    deleted)."""
    row = session().execute(sa.select(*_COMMENT_COLUMNS, Comment.course_id)
                            .where(Comment.id == int(comment_id))).first()
    if row is None:
        engine().remove(FORUM_INDEX, [comment_doc_id(comment_id)])
        return
    rows = [row]
    if row.parent_id is not None:
        parent = session().execute(sa.select(*_COMMENT_COLUMNS).where(Comment.id == row.parent_id)).first()
        rows = [parent, row] if parent is not None else []
    thread = next(iter(_threads(Thread.id == row.thread_id)), None)
    live = [comment for comment in live_comments(rows) if comment.id == row.id]
    if thread is None or not live:
        engine().remove(FORUM_INDEX, [comment_doc_id(comment_id)])
        return
    engine().index(FORUM_INDEX, [comment_document(live[0], thread)])


def remove_thread(thread_id: int) -> int:
    """Drop a thread's documents and its posts'."""
    return engine().remove_matching(FORUM_INDEX, {"thread_id": int(thread_id)})


def remove_response(response_id: int) -> int:
    """Drop a response's document and its comments'."""
    return engine().remove_matching(FORUM_INDEX, {"response_id": int(response_id)})


def remove_comment(comment_id: int) -> int:
    """Drop one comment's document."""
    return engine().remove(FORUM_INDEX, [comment_doc_id(comment_id)])


def remove_course(course_id: str) -> int:
    """Drop every document of the course."""
    return engine().remove_matching(FORUM_INDEX, {"course_id": course_id})


def indexed_course_ids() -> list[str]:
    """Courses that have threads or documents in the index (what ``kampus forums-reindex`` goes through)."""
    with_threads = set(session().scalars(sa.select(Thread.course_id).distinct()))
    facets = engine().search(FORUM_INDEX, None, facet_terms=["course_id"], size=0)["facets"]
    in_index = set(facets.get("course_id", {}).get("terms", {}))
    return sorted(with_threads | in_index)


__all__ = [
    "FORUM_INDEX",
    "index_comment",
    "index_thread",
    "indexed_course_ids",
    "reindex_author",
    "reindex_course",
    "reindex_threads",
    "remove_comment",
    "remove_course",
    "remove_response",
    "remove_thread",
    "search_thread_ids",
]
