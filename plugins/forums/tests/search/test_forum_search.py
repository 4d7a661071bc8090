"""The forums' search: posts indexed from the forums' tracking events (create, edit, delete, a thread
moved to another topic or group), thread ids found by words of any post, ranked, filtered by topic and
group, and ``kampus forums-reindex``. Runs on SQLite, and on PostgreSQL / MariaDB with
``KAMPUS_TEST_DB_URL``."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from kampus_forums.search import cli as search_cli
from kampus_forums.search import service
from kampus_forums.search.documents import FORUM_INDEX, plain_text
from kampus_forums.search.indexing import on_event
from kampus_forums.threads.models import Comment, Thread

from kampus.db import session, utcnow
from kampus.events import emit
from kampus.testing import make_user, recording_statements

COURSE = "course-v1:ForumX+Bio+2026"
OTHER = "course-v1:ForumX+Chem+2026"


def _thread(app, title: str, body: str = "", *, topic: str = "general", group_id: int | None = None,
            course: str = COURSE) -> int:
    with app.test_request_context():
        thread = Thread(course_id=course, commentable_id=topic, title=title, body=body, group_id=group_id)
        session().add(thread)
        session().commit()
        emit("edx.forum.thread.created", {"id": str(thread.id), "commentable_id": topic}, course_id=course)
        return thread.id


def _post(app, thread_id: int, body: str, *, parent_id: int | None = None) -> int:
    with app.test_request_context():
        thread = session().get(Thread, thread_id)
        comment = Comment(thread_id=thread_id, parent_id=parent_id, course_id=thread.course_id, body=body)
        session().add(comment)
        session().commit()
        kind = "response" if parent_id is None else "comment"
        data: dict[str, Any] = {"id": str(comment.id), "commentable_id": thread.commentable_id,
                                "discussion": {"id": str(thread_id)}}
        if parent_id is not None:
            data["response"] = {"id": str(parent_id)}
        emit(f"edx.forum.{kind}.created", data, course_id=thread.course_id)
        return comment.id


def _change(app, model: type, row_id: int, event_type: str, **values: Any) -> None:
    """Update a row as the posts area does (commit first), then emit its event."""
    with app.test_request_context():
        row = session().get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)
        session().commit()
        emit(event_type, {"id": str(row_id)}, course_id=row.course_id)


def _find(app, text: str, course: str = COURSE, **options: Any) -> list[int]:
    with app.app_context():
        return service.search_thread_ids(course, text, **options)


def _documents(app, **fields: Any) -> list[dict[str, Any]]:
    with app.app_context():
        answer = app.extensions["kampus"].search.search(FORUM_INDEX, None, field_dictionary=fields, size=1000)
        return [hit["data"] for hit in answer["results"]]


# -- indexing from the events --------------------------------------------------------------------------------------


def test_a_new_thread_is_indexed_with_its_exact_fields(app) -> None:
    thread_id = _thread(app, "Photosynthesis question", "How do <b>chloroplasts</b> work?", topic="t-plants",
                        group_id=3)
    assert _find(app, "photosynthesis") == [thread_id]
    assert _find(app, "chloroplasts") == [thread_id]
    assert _find(app, "chloroplasts", course=OTHER) == []
    (document,) = _documents(app, thread_id=thread_id)
    assert document["course_id"] == COURSE and document["commentable_id"] == "t-plants"
    assert document["group_id"] == 3 and document["type"] == "thread"
    assert document["content"] == {"title": "Photosynthesis question", "body": "How do chloroplasts work?"}


def test_a_thread_is_found_by_a_word_of_a_response_or_a_comment(app) -> None:
    thread_id = _thread(app, "Cells", "A question about cells")
    response_id = _post(app, thread_id, "The ribosome builds proteins")
    _post(app, thread_id, "And the golgi apparatus packs them", parent_id=response_id)
    _thread(app, "Unrelated", "Nothing to see")
    assert _find(app, "ribosome") == [thread_id]
    assert _find(app, "golgi") == [thread_id]
    assert _find(app, "golg*") == [thread_id]
    assert _find(app, '"golgi apparatus"') == [thread_id]
    assert _find(app, "cells ribosome") == []  # as Open edX: each post matches on its own words
    kinds = sorted(document["type"] for document in _documents(app, thread_id=thread_id))
    assert kinds == ["comment", "response", "thread"]


def test_threads_come_best_match_first_once_each(app) -> None:
    weak = _thread(app, "General chat", "Long text " * 40 + "enzyme mentioned once")
    strong = _thread(app, "Enzyme enzyme", "Enzyme kinetics: every enzyme has a rate")
    _post(app, strong, "enzyme again")
    _post(app, weak, "no match here")
    assert _find(app, "enzyme") == [strong, weak]
    assert _find(app, "enzyme", limit=1) == [strong]
    assert _find(app, "") == [] and _find(app, "  *  ") == []


def test_edits_re_index_the_post(app) -> None:
    thread_id = _thread(app, "Draft title", "old body words")
    response_id = _post(app, thread_id, "first answer")
    _change(app, Thread, thread_id, "edx.forum.thread.edited", title="Final title", body="new body words")
    _change(app, Comment, response_id, "edx.forum.response.edited", body="corrected answer")
    assert _find(app, "draft") == [] and _find(app, "old") == []
    assert _find(app, "final") == [thread_id] and _find(app, "new") == [thread_id]
    assert _find(app, "first") == [] and _find(app, "corrected") == [thread_id]


def test_a_thread_moved_to_another_topic_or_group_moves_its_posts(app) -> None:
    thread_id = _thread(app, "Moving", "body", topic="a")
    response_id = _post(app, thread_id, "walrus")
    _post(app, thread_id, "narwhal", parent_id=response_id)
    assert _find(app, "walrus", topic_ids=["a"]) == [thread_id]
    _change(app, Thread, thread_id, "edx.forum.thread.edited", commentable_id="b", group_id=7)
    assert _find(app, "walrus", topic_ids=["a"]) == []
    assert _find(app, "narwhal", topic_ids=["b"]) == [thread_id]
    assert _find(app, "walrus", group_ids=[1]) == [] and _find(app, "walrus", group_ids=[7]) == [thread_id]
    assert {document["commentable_id"] for document in _documents(app, thread_id=thread_id)} == {"b"}


def test_deleted_posts_leave_the_index(app) -> None:
    thread_id = _thread(app, "Deletions", "thread words")
    kept = _post(app, thread_id, "kept response")
    doomed = _post(app, thread_id, "doomed response")
    _post(app, thread_id, "orphan comment", parent_id=doomed)
    lone = _post(app, thread_id, "lone comment", parent_id=kept)
    _change(app, Comment, lone, "edx.forum.comment.deleted", deleted_at=utcnow())
    assert _find(app, "lone") == [] and _find(app, "kept") == [thread_id]
    _change(app, Comment, doomed, "edx.forum.response.deleted", deleted_at=utcnow())
    assert _find(app, "doomed") == [] and _find(app, "orphan") == []
    _change(app, Thread, thread_id, "edx.forum.thread.deleted", deleted_at=utcnow())
    assert _find(app, "thread") == [] and _find(app, "kept") == []
    assert _documents(app, thread_id=thread_id) == []


def test_a_post_under_a_deleted_parent_is_not_indexed_again(app) -> None:
    thread_id = _thread(app, "Parent", "text")
    response_id = _post(app, thread_id, "parent response")
    comment_id = _post(app, thread_id, "child platypus", parent_id=response_id)
    _change(app, Comment, response_id, "edx.forum.response.deleted", deleted_at=utcnow())
    _change(app, Comment, comment_id, "edx.forum.comment.edited", body="child platypus edited")
    assert _find(app, "platypus") == []
    _change(app, Thread, thread_id, "edx.forum.thread.deleted", deleted_at=utcnow())
    another = _post(app, thread_id, "late platypus")  # a response arriving after its thread was deleted
    assert another and _find(app, "platypus") == []


def test_group_and_topic_filters(app) -> None:
    everyone = _thread(app, "Quokka for all", topic="a")
    group_one = _thread(app, "Quokka for one", topic="a", group_id=1)
    group_two = _thread(app, "Quokka for two", topic="b", group_id=2)
    found = set(_find(app, "quokka"))
    assert found == {everyone, group_one, group_two}
    assert set(_find(app, "quokka", group_ids=[1])) == {everyone, group_one}
    assert set(_find(app, "quokka", group_ids=[1, 2])) == found
    assert _find(app, "quokka", group_ids=[]) == [everyone]
    assert set(_find(app, "quokka", topic_ids=["a"])) == {everyone, group_one}
    assert _find(app, "quokka", topic_ids=["b"], group_ids=[1]) == []
    assert _find(app, "quokka", topic_ids=[]) == []


def test_other_events_and_events_without_an_id_change_nothing(app, caplog) -> None:
    thread_id = _thread(app, "Stable", "text")
    with app.test_request_context():
        on_event({"event_type": "edx.forum.thread.deleted", "event": {"commentable_id": "x"}, "context": {}})
        on_event({"event_type": "edx.forum.thread.voted", "event": {"id": str(thread_id)}, "context": {}})
        on_event({"event_type": "edx.forum.thread.deleted", "event": "not a dict", "context": {}})
    assert _find(app, "stable") == [thread_id]


def test_a_search_reads_one_page_of_the_index(app) -> None:
    for n in range(5):
        thread_id = _thread(app, f"Thread {n}", "lemur")
        _post(app, thread_id, "lemur again")
    with app.app_context():
        service.search_thread_ids(COURSE, "lemur")  # MariaDB reads its word sizes on the first search
        with recording_statements(app) as recorder:
            assert len(service.search_thread_ids(COURSE, "lemur", group_ids=[1], topic_ids=["general"])) == 5
    assert recorder.count == 1


# -- rebuilding ----------------------------------------------------------------------------------------------------


def test_reindex_course_rebuilds_exactly_the_live_posts(app) -> None:
    thread_id = _thread(app, "Rebuilt", "axolotl")
    response_id = _post(app, thread_id, "salamander")
    _post(app, thread_id, "newt", parent_id=response_id)
    dead = _post(app, thread_id, "gone")
    other = _thread(app, "Elsewhere", "axolotl", course=OTHER)
    with app.app_context():
        session().get(Comment, dead).deleted_at = utcnow()
        session().commit()
        search = app.extensions["kampus"].search
        search.remove(FORUM_INDEX, [f"thread-{thread_id}"])
        search.index(FORUM_INDEX, [{"id": "thread-999999", "course_id": COURSE, "thread_id": 999999,
                                    "content": {"title": "stale axolotl"}}])
        assert service.reindex_course(COURSE) == 3
        assert service.reindex_course(COURSE) == 3
    assert _find(app, "axolotl") == [thread_id]
    assert _find(app, "gone") == [] and _find(app, "newt") == [thread_id]
    assert _find(app, "axolotl", course=OTHER) == [other]


def test_the_reindex_command(app, monkeypatch) -> None:
    first = _thread(app, "Capybara", "one")
    second = _thread(app, "Capybara", "two", course=OTHER)
    with app.app_context():
        app.extensions["kampus"].search.remove_matching(FORUM_INDEX, {"thread_id": [first, second]})
    assert _find(app, "capybara") == []
    monkeypatch.setattr(search_cli, "load_app", lambda: app)
    result = CliRunner().invoke(search_cli.forums_reindex_command, [])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 course(s), 2 documents" in result.output
    assert _find(app, "capybara") == [first] and _find(app, "capybara", course=OTHER) == [second]
    with app.app_context():
        session().get(Thread, first).deleted_at = utcnow()
        session().commit()
    result = CliRunner().invoke(search_cli.forums_reindex_command, [COURSE])
    assert result.exit_code == 0 and f"{COURSE}: 0 documents" in result.output
    assert _find(app, "capybara") == []


def test_the_command_is_offered_to_the_kampus_cli(app) -> None:
    commands = [command.name for answer in app.extensions["kampus"].hook.kampus_cli_commands() for command in answer]
    assert "forums-reindex" in commands


@pytest.mark.parametrize(("markup", "text"), [
    ("plain **markdown**", "plain **markdown**"),
    ("<p>A &amp; B</p><script>x()</script>", "A & B"),
    ("<p>first</p><p>second <b>bold</b>ly</p>", "first second boldly"),
    ("", ""),
])
def test_plain_text(markup: str, text: str) -> None:
    assert plain_text(markup) == text


def test_reindex_author_forgets_rewritten_bodies(app) -> None:
    author = make_user(app, "user")
    thread_id = _thread(app, "Retiring", "visible text")
    response_id = _post(app, thread_id, "secret wombat")
    other = _thread(app, "Untouched", "wombat too")
    with app.app_context():
        session().get(Comment, response_id).author_id = author.id
        session().commit()
        # a retirement rewrites bodies in bulk, without events
        session().execute(sa.update(Comment).where(Comment.author_id == author.id).values(body="[deleted]"))
        session().commit()
        assert set(_find(app, "wombat")) == {thread_id, other}
        assert service.reindex_author(author.id) == 2
    assert _find(app, "wombat") == [other]
    assert _find(app, "retiring") == [thread_id]
