"""How many SQL statements the busiest forum requests run, pinned: the thread list, a thread and its responses
(each with its comments), and the Discussion tab, for a learner and for a moderator, whatever the page's
size. A page holds posts of many authors, the reader's own among them, voted, reported, followed, edited,
endorsed, closed and anonymous ones, so that every lookup a page makes has something to find; the counts
below say which statement is which, and a new one (a query per post, or one more per request) fails here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from kampus.testing import recording_statements

from .posts_kit import COMMENTS, COURSE, THREADS, client_of, new_comment, new_thread, patch, publish, user_in

LIST = {"course_id": COURSE, "topic_id": "course"}

#: Every request: the session's user; the course's index (published?), the reader's course roles and
#: enrollment (the roles hook), whether the course is cohorted and its discussion settings (the reader's group).
REQUESTER = 6
#: the reader's read marks, votes, flags and follows of the page's posts (one query); the page's people (names
#: and labels); one more for the posts' edit history when the reader may see one (a privileged reader, or the
#: author of a post on the page)
LOOKUPS = 2
#: the thread list: the page of threads with their count
THREAD_LIST = REQUESTER + 1 + LOOKUPS
#: a thread: the thread; it is marked read (one UPDATE)
THREAD_DETAIL = REQUESTER + 1 + 1 + LOOKUPS
#: a thread's responses: the thread; the page of responses with their count; their comments (the people's query
#: reads the requester's profile too: Open edX's ``profile_image`` of every comment)
RESPONSES = REQUESTER + 1 + 1 + 1 + LOOKUPS
#: the Discussion tab (a shell the browser client fills): the course's overview (the LMS's course page), the
#: reader's ban or mute, the locale preference, the notifications bell in the main navigation
DISCUSSION_PAGE = REQUESTER + 1 + 1 + 1 + 1


def _busy_course(app: Flask) -> tuple[Any, Any, dict[str, Any]]:
    """A learner (the reader) and a moderator, 12 threads in the ``course`` topic and one thread with 12
    responses of 2 comments each, written by 4 authors and the reader, with every kind of mark on them."""
    publish(app)
    reader = client_of(app, user_in(app))
    moderator = client_of(app, user_in(app, "discussion_moderator"))
    authors = [reader] + [client_of(app, user_in(app)) for _ in range(4)]
    threads = []
    for n in range(12):
        author = authors[n % len(authors)]
        threads.append(new_thread(author, title=f"Thread {n}", anonymous_to_peers=n % 4 == 3))
    for n, thread in enumerate(threads):
        url = f"{THREADS}{thread['id']}/"
        if n % 2:
            patch(reader, url, {"voted": True})
        if n % 3 == 0:
            patch(reader, url, {"following": True, "abuse_flagged": True})
        if n % 5 == 0:
            patch(moderator, url, {"closed": True})
        if n == 7:
            patch(moderator, url, {"pinned": True})
        if n % 4 == 0:
            patch(authors[n % len(authors)], url, {"raw_body": "Edited"})
    busy = new_thread(authors[1], title="Busy", type="question")
    for n in range(12):
        response = new_comment(authors[n % len(authors)], busy["id"], raw_body=f"Response {n}")
        for m in range(2):
            new_comment(authors[(n + m + 1) % len(authors)], busy["id"], parent_id=response["id"],
                        raw_body=f"Comment {n}.{m}")
        url = f"{COMMENTS}{response['id']}/"
        if n % 2:
            patch(reader, url, {"voted": True})
        if n % 3 == 0:
            patch(reader, url, {"abuse_flagged": True})
        if n % 4 == 0:
            patch(authors[n % len(authors)], url, {"raw_body": "Edited"})
        if n == 5:
            patch(moderator, url, {"endorsed": True})
    new_thread(reader, title="Mine, the latest")  # the reader's own post on the first page of the list
    return reader, moderator, busy


def _count(app: Flask, client: Any, path: str, query: dict[str, Any] | None = None) -> int:
    with recording_statements(app) as statements:
        answer = client.get(path, query_string=query)
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return statements.count


def test_busiest_requests_run_a_fixed_number_of_statements(app: Flask) -> None:
    reader, moderator, busy = _busy_course(app)
    responses = {"thread_id": busy["id"], "merge_question_type_responses": "true"}
    for client, privileged in ((reader, False), (moderator, True)):
        client.get(THREADS, query_string=LIST)  # a first request of the session may do more
        # the pages hold posts of the reader: even a learner reads the edit history (of these posts only)
        for size in (3, 13):
            assert _count(app, client, THREADS, {**LIST, "page_size": size}) == THREAD_LIST + 1, size
            assert _count(app, client, COMMENTS, {**responses, "page_size": size}) == RESPONSES + 1, size
        # the busy thread is not the reader's: only a privileged reader reads its edit history
        client.get(f"{THREADS}{busy['id']}/")  # read before: its read mark is updated, not made
        assert _count(app, client, f"{THREADS}{busy['id']}/") == THREAD_DETAIL + (1 if privileged else 0)
    assert _count(app, reader, f"/courses/{COURSE}/discussion/forum/") == DISCUSSION_PAGE
