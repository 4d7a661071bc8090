"""Studio edits sent without ``expected_version`` while another author saves: the edit is computed again from
the draft it is written on, so the other author's save is kept (a list with one entry changed is never written
back from an older draft) and checks use the other author's values; a stale version sent by the client is
still a 409."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from kampus_content.api import DRAFT, content_store, get_structure
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE
API = f"/api/studio/v1/courses/{COURSE}"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "studio"]


@pytest.fixture
def course(app: Any) -> dict[str, str]:
    return publish_course(app, COURSE, {"unit1": [Block("html", "intro", {"display_name": "Intro",
                                                                            "data": "<p>Hello</p>"})]})


@contextmanager
def another_save_first(app: Any, monkeypatch: Any, other: Callable[[], Any]) -> Iterator[list[Any]]:
    """While the block runs, the first draft save is preceded by ``other()`` (another author's whole request,
    committed before the save it overtakes); yields the list its answer is put in."""
    with app.app_context():
        store = content_store()
    save_draft = type(store).save_draft
    answers: list[Any] = []

    def racing_save(self, course_id, *args, **kwargs):
        if not answers:
            answers.append(None)
            answers[0] = other()
        return save_draft(self, course_id, *args, **kwargs)

    monkeypatch.setattr(type(store), "save_draft", racing_save)
    try:
        yield answers
    finally:
        monkeypatch.undo()
    assert answers, "the other author's save did not run"


def test_two_course_updates_posted_at_once_are_both_kept_with_their_own_ids(app, client_as, course,
                                                                          monkeypatch) -> None:
    author, other = client_as("staff", course_id=COURSE), client_as("staff", course_id=COURSE)
    api = f"{API}/settings/updates"
    with another_save_first(app, monkeypatch,
                            lambda: other.post(api, json={"date": "2026-09-02", "content": "<p>By B</p>"})) as seen:
        mine = author.post(api, json={"date": "2026-09-01", "content": "<p>By A</p>"})
    theirs = seen[0]
    assert theirs.status_code == 201 and mine.status_code == 201, (theirs.get_json(), mine.get_json())
    assert theirs.get_json()["id"] != mine.get_json()["id"]
    listed = {update["id"]: update["content"] for update in author.get(api).get_json()["updates"]}
    assert listed == {theirs.get_json()["id"]: "<p>By B</p>", mine.get_json()["id"]: "<p>By A</p>"}


def test_an_update_deleted_while_another_is_added_stays_deleted_and_the_new_one_stays(app, client_as, course,
                                                                                   monkeypatch) -> None:
    author, other = client_as("staff", course_id=COURSE), client_as("staff", course_id=COURSE)
    api = f"{API}/settings/updates"
    first = author.post(api, json={"date": "2026-09-01", "content": "<p>Old</p>"}).get_json()["id"]
    with another_save_first(app, monkeypatch,
                            lambda: other.post(api, json={"date": "2026-09-03", "content": "<p>New</p>"})) as seen:
        gone = author.delete(f"{api}/{first}")
    assert gone.status_code in (200, 204) and seen[0].status_code == 201
    assert [u["content"] for u in author.get(api).get_json()["updates"]] == ["<p>New</p>"]


def test_two_pages_created_at_once_are_both_tabs_with_their_html(app, client_as, course, monkeypatch) -> None:
    author, other = client_as("staff", course_id=COURSE), client_as("staff", course_id=COURSE)
    api = f"{API}/settings/tabs/pages"
    with another_save_first(app, monkeypatch,
                            lambda: other.post(api, json={"name": "Page B", "content": "<p>B</p>"})) as seen:
        mine = author.post(api, json={"name": "Page A", "content": "<p>A</p>"})
    assert mine.status_code == 201 and seen[0].status_code == 201, (mine.get_json(), seen[0].get_json())
    tabs = author.get(f"{API}/settings/tabs").get_json()["tabs"]
    pages = {tab["name"]: tab["content"] for tab in tabs if tab["type"] == "static_tab"}
    assert pages == {"Page A": "<p>A</p>", "Page B": "<p>B</p>"}


def test_a_stale_version_sent_with_a_new_update_or_page_is_still_refused(app, client_as, course) -> None:
    author = client_as("staff", course_id=COURSE)
    seen = author.get(f"{API}/settings/updates").get_json()["version"]
    assert author.put(f"{API}/settings/handouts", json={"data": "<p>moved on</p>"}).status_code == 200
    for path, body in (("/settings/updates", {"date": "2026-09-01", "content": "<p>x</p>"}),
                       ("/settings/tabs/pages", {"name": "Page", "content": "<p>x</p>"})):
        stale = author.post(API + path, json={**body, "expected_version": seen})
        assert stale.status_code == 409 and "Reload" in stale.get_json()["developer_message"], stale.get_json()
    assert author.get(f"{API}/settings/updates").get_json()["updates"] == []


def test_details_saved_while_another_author_moves_the_start_are_checked_against_the_new_start(
        app, client_as, course, monkeypatch) -> None:
    author, other = client_as("staff", course_id=COURSE), client_as("staff", course_id=COURSE)
    api = f"{API}/settings/details"
    assert author.patch(api, json={"start_date": "2026-09-01T00:00:00Z"}).status_code == 200
    with another_save_first(app, monkeypatch,
                            lambda: other.patch(api, json={"start_date": "2026-11-01T00:00:00Z"})) as seen:
        refused = author.patch(api, json={"end_date": "2026-10-01T00:00:00Z"})
    assert seen[0].status_code == 200, seen[0].get_json()
    assert refused.status_code == 400 and "end_date" in str(refused.get_json()), refused.get_json()
    details = author.get(api).get_json()
    assert details["start_date"].startswith("2026-11-01") and not details["end_date"]


def test_details_saved_while_another_author_renames_the_course_keep_the_new_name(app, client_as, course,
                                                                              monkeypatch) -> None:
    author, other = client_as("staff", course_id=COURSE), client_as("staff", course_id=COURSE)
    api = f"{API}/settings/details"
    with another_save_first(app, monkeypatch,
                            lambda: other.patch(api, json={"display_name": "Renamed by B"})) as seen:
        mine = author.patch(api, json={"effort": "5 hours"})
    assert seen[0].status_code == 200 and mine.status_code == 200, mine.get_json()
    details = author.get(api).get_json()
    assert details["display_name"] == "Renamed by B" and details["effort"] == "5 hours"


def test_an_outline_due_date_is_checked_against_a_release_date_saved_in_between(app, client_as, course,
                                                                               monkeypatch) -> None:
    author, other = client_as("staff", course_id=COURSE), client_as("staff", course_id=COURSE)
    api = f"{API}/blocks/{course['lesson1']}"
    with another_save_first(app, monkeypatch,
                            lambda: other.patch(api, json={"start": "2026-12-01T00:00"})) as seen:
        refused = author.patch(api, json={"due": "2026-10-01T00:00"})
    assert seen[0].status_code == 200, seen[0].get_json()
    assert refused.status_code == 400 and "due" in str(refused.get_json()), refused.get_json()
    with app.app_context():
        fields = get_structure(COURSE, DRAFT).blocks[("sequential", "lesson1")].fields
        assert fields["start"].startswith("2026-12-01") and "due" not in fields
