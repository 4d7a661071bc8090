"""The contract every content-store driver must pass.

A driver's tests subclass :class:`ContentStoreContract` and provide a
``content_store`` fixture returning an empty store::

    class TestMyStore(ContentStoreContract):
        @pytest.fixture
        def content_store(self):
            return MyStore(...)
"""

from __future__ import annotations

import threading

import pytest

from kampus_content.store import (
    DRAFT,
    PUBLISHED,
    Block,
    ContentStore,
    CourseExists,
    CourseNotFound,
    VersionConflict,
    VersionNotFound,
)

COURSE = "course-v1:KampusX+C101+2026"


def small_course() -> tuple[list[Block], tuple[str, str]]:
    """A course with a chapter, a sequential, a vertical and an html block."""
    blocks = [
        Block("course", "course", {"display_name": "Contract Course", "start": "2026-01-01T00:00:00Z"},
              [("chapter", "ch1")]),
        Block("chapter", "ch1", {"display_name": "Week 1"}, [("sequential", "s1")]),
        Block("sequential", "s1", {"display_name": "Lesson", "graded": True, "format": "Homework"},
              [("vertical", "v1")]),
        Block("vertical", "v1", {"display_name": "Unit"}, [("html", "h1")]),
        Block("html", "h1", {"display_name": "Text", "data": "<p>Hello, ünïcode</p>"}),
    ]
    return blocks, ("course", "course")


class ContentStoreContract:
    """Behaviour shared by every content store."""

    @pytest.fixture
    def store(self, content_store: ContentStore) -> ContentStore:
        blocks, root = small_course()
        content_store.create_course(COURSE, blocks, root, user_id=7, message="import")
        return content_store

    def test_create_and_read(self, store: ContentStore) -> None:
        index = store.get_course_index(COURSE)
        assert (index.org, index.course, index.run) == ("KampusX", "C101", "2026")
        assert index.published_version is None
        structure = store.get_structure(COURSE, index.draft_version)
        assert structure.root == ("course", "course")
        assert [b.key for b in structure.walk()] == [
            ("course", "course"), ("chapter", "ch1"), ("sequential", "s1"), ("vertical", "v1"), ("html", "h1"),
        ]
        assert structure.get(("html", "h1")).fields["data"] == "<p>Hello, ünïcode</p>"
        assert structure.get(("sequential", "s1")).fields["graded"] is True
        assert structure.edited_by == 7

    def test_create_twice_is_refused(self, store: ContentStore) -> None:
        blocks, root = small_course()
        with pytest.raises(CourseExists):
            store.create_course(COURSE, blocks, root, user_id=1)

    def test_unknown_course_and_version(self, store: ContentStore) -> None:
        with pytest.raises(CourseNotFound):
            store.get_course_index("course-v1:No+Such+Course")
        with pytest.raises(VersionNotFound):
            store.get_structure(COURSE, "0" * 32)

    def test_save_draft_moves_only_the_draft(self, store: ContentStore) -> None:
        first = store.get_branch(COURSE, DRAFT)
        blocks = first.edit()
        blocks[("html", "h1")].fields["data"] = "<p>Changed</p>"
        saved = store.save_draft(COURSE, blocks.values(), first.root, expected_version=first.version, user_id=8)
        assert saved.version != first.version
        assert saved.previous_version == first.version
        assert store.get_course_index(COURSE).draft_version == saved.version
        assert store.get_structure(COURSE, first.version).get(("html", "h1")).fields["data"] == "<p>Hello, ünïcode</p>"
        assert store.get_structure(COURSE, saved.version).get(("html", "h1")).fields["data"] == "<p>Changed</p>"
        assert store.get_branch(COURSE, PUBLISHED) is None

    def test_stale_writer_gets_a_conflict_and_writes_nothing(self, store: ContentStore) -> None:
        base = store.get_branch(COURSE, DRAFT)
        mine = base.edit()
        mine[("html", "h1")].fields["data"] = "mine"
        theirs = base.edit()
        theirs[("html", "h1")].fields["data"] = "theirs"
        store.save_draft(COURSE, mine.values(), base.root, expected_version=base.version, user_id=1)
        before = store.history(COURSE)
        with pytest.raises(VersionConflict) as info:
            store.save_draft(COURSE, theirs.values(), base.root, expected_version=base.version, user_id=2)
        assert info.value.expected == base.version
        assert store.history(COURSE) == before
        assert store.get_branch(COURSE, DRAFT).get(("html", "h1")).fields["data"] == "mine"

    def test_concurrent_writers_never_lose_an_edit(self, store: ContentStore) -> None:
        base = store.get_branch(COURSE, DRAFT)
        outcomes: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(4)

        def writer(n: int) -> None:
            blocks = base.edit()
            blocks[("html", "h1")].fields["data"] = f"writer {n}"
            start.wait()
            try:
                store.save_draft(COURSE, blocks.values(), base.root, expected_version=base.version, user_id=n)
                result = f"won {n}"
            except VersionConflict:
                result = "conflict"
            with lock:
                outcomes.append(result)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        winners = [o for o in outcomes if o.startswith("won")]
        assert len(winners) == 1 and outcomes.count("conflict") == 3
        winner = int(winners[0].split()[1])
        assert store.get_branch(COURSE, DRAFT).get(("html", "h1")).fields["data"] == f"writer {winner}"

    def test_publish_history_and_revert(self, store: ContentStore) -> None:
        v1 = store.get_course_index(COURSE).draft_version
        assert store.publish(COURSE, user_id=3) == v1
        assert store.get_course_index(COURSE).published_version == v1
        draft = store.get_branch(COURSE, DRAFT)
        blocks = draft.edit()
        blocks[("chapter", "ch1")].fields["display_name"] = "Week One"
        v2 = store.save_draft(COURSE, blocks.values(), draft.root, expected_version=v1, user_id=3).version
        assert store.get_branch(COURSE, PUBLISHED).get(("chapter", "ch1")).fields["display_name"] == "Week 1"
        history = store.history(COURSE)
        assert [h.version for h in history] == [v2, v1]
        assert [h.published for h in history] == [False, True]
        reverted = store.revert(COURSE, v1, user_id=4)
        assert reverted.previous_version == v2
        assert store.get_branch(COURSE, DRAFT).get(("chapter", "ch1")).fields["display_name"] == "Week 1"
        assert [h.version for h in store.history(COURSE)] == [reverted.version, v2, v1]
        with pytest.raises(VersionConflict):
            store.publish(COURSE, user_id=3, expected_version=v2)

    def test_rerun_copies_the_draft_into_a_new_course(self, store: ContentStore) -> None:
        rerun_key = "course-v1:KampusX+C101+2027"
        index = store.rerun(COURSE, rerun_key, user_id=5)
        assert index.run == "2027"
        copy = store.get_branch(rerun_key, DRAFT)
        original = store.get_branch(COURSE, DRAFT)
        assert {k: (b.fields, b.children) for k, b in copy.blocks.items()} == {
            k: (b.fields, b.children) for k, b in original.blocks.items()
        }
        assert len(store.history(rerun_key)) == 1
        assert [c.course_key for c in store.list_courses()] == [COURSE, rerun_key]

    def test_delete_course(self, store: ContentStore) -> None:
        version = store.get_course_index(COURSE).draft_version
        store.delete_course(COURSE)
        with pytest.raises(CourseNotFound):
            store.get_course_index(COURSE)
        with pytest.raises(VersionNotFound):
            store.get_structure(COURSE, version)
        assert store.list_courses() == []
