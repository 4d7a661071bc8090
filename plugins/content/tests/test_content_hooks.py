"""The content life-cycle hooks: once per store operation, after it is committed, never for a failed one."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from kampus_content.api import (
    DRAFT,
    ContentStore,
    CourseExists,
    CourseNotFound,
    VersionConflict,
    VersionNotFound,
    content_store,
)
from kampus_content.olx.service import import_folder
from kampus_content.store.sql import SqlContentStore
from kampus_content.testing.contract import COURSE, small_course
from kampus_hookspecs import hookimpl

pytestmark = pytest.mark.kampus_plugins("content")

LIFE_CYCLE = ("kampus_content_changed", "kampus_content_published", "kampus_content_deleted")
COURSE_FOLDER = Path(__file__).resolve().parents[1] / "kampus_content" / "demo_course"


def life_cycle(hook_calls) -> list[tuple[str, dict]]:
    return [(name, kwargs) for name, kwargs in hook_calls.calls if name in LIFE_CYCLE]


@pytest.fixture
def store(app):
    with app.app_context():
        yield content_store()


def test_create_save_and_publish_each_call_their_hook_once(store, hook_calls) -> None:
    blocks, root = small_course()
    index = store.create_course(COURSE, blocks, root, user_id=7)
    assert life_cycle(hook_calls) == [
        ("kampus_content_changed", {"course_id": COURSE, "version": index.draft_version, "user_id": 7})]

    hook_calls.calls.clear()
    draft = store.get_branch(COURSE, DRAFT)
    saved = store.save_draft(COURSE, draft.edit().values(), draft.root, expected_version=draft.version, user_id=8)
    assert life_cycle(hook_calls) == [
        ("kampus_content_changed", {"course_id": COURSE, "version": saved.version, "user_id": 8})]

    hook_calls.calls.clear()
    published = store.publish(COURSE, user_id=9)
    assert life_cycle(hook_calls) == [
        ("kampus_content_published", {"course_id": COURSE, "version": published, "user_id": 9})]


def test_the_hook_sees_the_committed_version(app, store) -> None:
    """When the hook runs, another session already reads the new draft (it runs after the commit)."""
    seen: list[bool] = []

    @hookimpl
    def kampus_content_changed(course_id: str, version: str, user_id: int | None) -> None:
        seen.append(store.get_course_index(course_id).draft_version == version)

    app.extensions["kampus"].pm.register(SimpleNamespace(kampus_content_changed=kampus_content_changed),
                                         name="reader")
    blocks, root = small_course()
    store.create_course(COURSE, blocks, root, user_id=None)
    assert seen == [True]


def test_failed_and_conflicting_operations_call_no_hook(store, hook_calls) -> None:
    blocks, root = small_course()
    index = store.create_course(COURSE, blocks, root, user_id=None)
    draft = store.get_branch(COURSE, DRAFT)
    store.save_draft(COURSE, draft.edit().values(), draft.root, expected_version=draft.version, user_id=None)
    hook_calls.calls.clear()

    with pytest.raises(VersionConflict):  # based on the old draft
        store.save_draft(COURSE, draft.edit().values(), draft.root, expected_version=index.draft_version,
                         user_id=None)
    with pytest.raises(VersionConflict):
        store.publish(COURSE, user_id=None, expected_version=index.draft_version)
    with pytest.raises(CourseExists):
        store.create_course(COURSE, blocks, root, user_id=None)
    with pytest.raises(CourseNotFound):
        store.delete_course("course-v1:No+Such+Course")
    with pytest.raises(VersionNotFound):  # never published: nothing to discard to
        store.discard_draft(COURSE, user_id=None)
    assert life_cycle(hook_calls) == []


def test_discard_revert_rerun_and_delete(store, hook_calls) -> None:
    blocks, root = small_course()
    first = store.create_course(COURSE, blocks, root, user_id=None).draft_version
    store.publish(COURSE, user_id=None)
    draft = store.get_branch(COURSE, DRAFT)
    edited = draft.edit()
    edited[("html", "h1")].fields["data"] = "<p>changed</p>"
    store.save_draft(COURSE, edited.values(), draft.root, expected_version=draft.version, user_id=None)
    hook_calls.calls.clear()

    discarded = store.discard_draft(COURSE, user_id=3)
    assert discarded.get(("html", "h1")).fields["data"] == "<p>Hello, ünïcode</p>"
    reverted = store.revert(COURSE, first, user_id=4)
    rerun = store.rerun(COURSE, "course-v1:KampusX+C101+2027", user_id=5)
    store.delete_course("course-v1:KampusX+C101+2027")
    assert life_cycle(hook_calls) == [
        ("kampus_content_changed", {"course_id": COURSE, "version": discarded.version, "user_id": 3}),
        ("kampus_content_changed", {"course_id": COURSE, "version": reverted.version, "user_id": 4}),
        ("kampus_content_changed", {"course_id": "course-v1:KampusX+C101+2027", "version": rerun.draft_version,
                                    "user_id": 5}),
        ("kampus_content_deleted", {"course_id": "course-v1:KampusX+C101+2027"}),
    ]


def test_an_import_calls_each_hook_once_not_per_block(store, hook_calls) -> None:
    result = import_folder(COURSE_FOLDER, store, user_id=2)
    assert result.blocks > 10
    assert life_cycle(hook_calls) == [
        ("kampus_content_changed", {"course_id": result.course_key, "version": result.version, "user_id": 2}),
        ("kampus_content_published", {"course_id": result.course_key, "version": result.version, "user_id": 2}),
    ]


def test_the_sql_driver_writes_only_primitives() -> None:
    """Hooks live once in the interface: a driver implements ``_save_draft`` etc., never the public operations."""
    for name in ("create_course", "save_draft", "publish", "rerun", "revert", "discard_draft", "delete_course"):
        assert getattr(SqlContentStore, name) is getattr(ContentStore, name)
