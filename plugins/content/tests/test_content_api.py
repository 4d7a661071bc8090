"""The public content API (``kampus_content.api``): reading, editing, publishing, history and assets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kampus_content import api
from kampus_content.api import DRAFT, PUBLISHED, Block

from kampus.testing import make_user

pytestmark = pytest.mark.kampus_plugins("content")

COURSE = "course-v1:KampusX+Api201+2026"
FUTURE = "2999-01-01T00:00:00Z"


def blocks() -> list[Block]:
    return [
        Block("course", "course", {"display_name": "API Course", "start": "2020-01-01T00:00:00Z",
                                   "grading_policy": {"GRADE_CUTOFFS": {"A": 0.9, "B": 0.8}}},
              [("chapter", "ch1"), ("chapter", "ch2")]),
        Block("chapter", "ch1", {"display_name": "Week 1", "due": "2030-05-01T12:00:00Z"}, [("sequential", "s1")]),
        Block("sequential", "s1", {"display_name": "Lesson", "graded": "true"}, [("vertical", "v1")]),
        Block("vertical", "v1", {"display_name": "Unit"}, [("html", "h1"), ("html", "h2")]),
        Block("html", "h1", {"display_name": "One", "data": "<p>1</p>"}),
        Block("html", "h2", {"data": "<p>2</p>"}),
        Block("chapter", "ch2", {"display_name": "Later", "start": FUTURE}, [("sequential", "s2")]),
        Block("sequential", "s2", {"display_name": "Staff", "visible_to_staff_only": "true"}),
    ]


@pytest.fixture
def course(app):
    with app.app_context():
        api.content_store().create_course(COURSE, blocks(), ("course", "course"), user_id=None)
        api.publish(COURSE, user_id=None)
        yield COURSE


def test_structure_outline_and_settings(course) -> None:
    structure = api.get_structure(course)
    outline = api.course_outline(structure)
    assert outline.display_name == "API Course"
    assert [c.display_name for c in outline.children] == ["Week 1", "Later"]
    unit = outline.children[0].children[0].children[0]
    assert [c.display_name for c in unit.children] == ["One", "Text"]  # Open edX's default name of html
    assert unit.usage_id == "block-v1:KampusX+Api201+2026+type@vertical+block@v1"

    settings = api.block_settings(structure, ("html", "h1"))
    assert settings["due"] == datetime(2030, 5, 1, 12, tzinfo=UTC)  # from the chapter
    assert settings["graded"] is True  # from the sequential
    assert settings["start"] == datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(api.BlockNotFound):
        api.block_settings(structure, ("html", "nope"))
    with pytest.raises(api.CourseNotFound):
        api.get_structure("course-v1:No+Such+Course")


def test_release_and_access(app, course) -> None:
    structure = api.get_structure(course)
    now = datetime.now(UTC)
    released = api.block_release(structure, ("html", "h1"), now=now)
    assert released.visible and released.start == datetime(2020, 1, 1, tzinfo=UTC)
    later = api.block_release(structure, ("sequential", "s2"), now=now)
    assert not later.visible and later.visible_to_staff_only and later.start.year == 2999
    assert api.block_release(structure, ("sequential", "s2"), now=now + timedelta(days=400 * 1000)).visible is False

    learner = make_user(app, "learner", course)
    staff = make_user(app, "staff", course)
    instructor = make_user(app, "instructor", course)
    stranger = make_user(app, "user", course)
    assert api.can_view_block(learner, course, ("html", "h1"))
    assert not api.can_view_block(learner, course, ("chapter", "ch2"))  # not released
    assert not api.can_view_block(learner, course, ("html", "h1"), branch=DRAFT)  # drafts are for authors
    assert not api.can_view_block(stranger, course, ("html", "h1"))
    assert not api.can_view_block(None, course, ("html", "h1"))
    assert api.can_view_block(staff, course, ("sequential", "s2"))
    assert api.can_view_block(instructor, course, ("sequential", "s2"), branch=DRAFT)
    assert not api.can_view_block(learner, course, ("html", "missing"))


def test_course_blocks_builder(course) -> None:
    tree = api.course_tree(api.get_structure(course))
    assert api.course_tree(api.get_structure(course)) is tree  # kept per version
    data = api.build_blocks(tree, ("course", "course"), see_all=False, depth=None,
                            requested_fields={"type", "display_name", "children"}, base_url="https://lms.example")
    names = {block["display_name"] for block in data["blocks"].values()}
    assert "Week 1" in names and "Later" not in names
    assert data["blocks"][data["root"]]["student_view_url"].startswith("https://lms.example/xblock/")


def test_grading_policy_fills_open_edx_defaults(course) -> None:
    policy = api.grading_policy(course)
    assert policy["GRADE_CUTOFFS"] == {"A": 0.9, "B": 0.8}
    assert [g["type"] for g in policy["GRADER"]] == ["Homework", "Lab", "Midterm Exam", "Final Exam"]
    policy["GRADER"].clear()  # a copy: the defaults stay
    assert len(api.grading_policy(course)["GRADER"]) == 4


def test_each_edit_is_one_draft_version_with_one_hook_call(app, course, hook_calls) -> None:
    before = len(api.history(course))
    structure, key = api.create_block(course, ("vertical", "v1"), "html", fields={"data": "<p>3</p>"}, index=0,
                                      user_id=1)
    assert structure.get(("vertical", "v1")).children[0] == key
    structure = api.update_fields(course, key, {"display_name": "Three"}, remove=["data"], user_id=1)
    assert structure.get(key).fields == {"display_name": "Three"}
    structure = api.move_block(course, key, ("sequential", "s2"), user_id=1)
    assert key in structure.get(("sequential", "s2")).children
    assert key not in structure.get(("vertical", "v1")).children
    structure = api.reorder_children(course, ("vertical", "v1"), [("html", "h2"), ("html", "h1")], user_id=1)
    assert structure.get(("vertical", "v1")).children == [("html", "h2"), ("html", "h1")]
    structure, copy_key = api.duplicate_block(course, ("sequential", "s1"), user_id=1)
    chapter = structure.get(("chapter", "ch1"))
    assert chapter.children == [("sequential", "s1"), copy_key]
    copied_unit = structure.get(structure.get(copy_key).children[0])
    assert copied_unit.fields["display_name"] == "Unit" and copied_unit.id != "v1"
    assert len(copied_unit.children) == 2 and not set(copied_unit.children) & {("html", "h1"), ("html", "h2")}
    structure = api.delete_block(course, copy_key, user_id=1)
    assert copy_key not in structure.blocks and copied_unit.key not in structure.blocks
    assert ("html", "h1") in structure.blocks

    changed = hook_calls.of("kampus_content_changed")
    assert len(changed) == 6 and len(api.history(course)) == before + 6
    assert changed[-1] == {"course_id": course, "version": structure.version, "user_id": 1}
    assert api.get_structure(course, PUBLISHED).get(("html", "h1")).fields["data"] == "<p>1</p>"  # drafts only


def test_bad_edits_raise_and_write_nothing(course, hook_calls) -> None:
    before = api.get_structure(course, DRAFT).version
    with pytest.raises(api.BlockNotFound):
        api.update_fields(course, ("html", "missing"), {"x": 1}, user_id=None)
    with pytest.raises(api.InvalidEdit):
        api.move_block(course, ("chapter", "ch1"), ("vertical", "v1"), user_id=None)  # under itself
    with pytest.raises(api.InvalidEdit):
        api.move_block(course, ("course", "course"), ("chapter", "ch1"), user_id=None)
    with pytest.raises(api.InvalidEdit):
        api.reorder_children(course, ("vertical", "v1"), [("html", "h1")], user_id=None)
    with pytest.raises(api.InvalidEdit):
        api.delete_block(course, ("course", "course"), user_id=None)
    with pytest.raises(api.InvalidEdit):
        api.create_block(course, ("vertical", "v1"), "html", block_id="h1", user_id=None)
    with pytest.raises(api.VersionConflict):
        api.update_fields(course, ("html", "h1"), {"x": 1}, user_id=None, expected_version="0" * 32)
    with pytest.raises(api.CourseNotFound):
        api.create_block("course-v1:No+Such+Course", ("course", "course"), "html", user_id=None)
    assert api.get_structure(course, DRAFT).version == before
    assert hook_calls.of("kampus_content_changed") == []


def test_publish_discard_history_and_revert(course, hook_calls) -> None:
    first = api.get_structure(course, DRAFT).version
    edited = api.update_fields(course, ("html", "h1"), {"data": "<p>new</p>"}, user_id=2)
    assert api.history(course)[0].version == edited.version
    discarded = api.discard_changes(course, user_id=2)
    assert discarded.get(("html", "h1")).fields["data"] == "<p>1</p>"
    api.update_fields(course, ("html", "h1"), {"data": "<p>newer</p>"}, user_id=2)
    published = api.publish(course, user_id=2)
    assert api.get_structure(course).get(("html", "h1")).fields["data"] == "<p>newer</p>"
    assert api.history(course)[0].published
    reverted = api.revert(course, first, user_id=2)
    assert reverted.get(("html", "h1")).fields["data"] == "<p>1</p>"
    with pytest.raises(api.VersionNotFound):
        api.revert(course, "0" * 32, user_id=2)
    with pytest.raises(api.VersionConflict):
        api.publish(course, user_id=2, expected_version=published)
    assert hook_calls.of("kampus_content_published") == [{"course_id": course, "version": published, "user_id": 2}]


def test_assets(app, client_as) -> None:
    # HTTP requests run outside the test's app context: a request inside it would share its ``g`` (and login).
    with app.app_context():
        api.content_store().create_course(COURSE, blocks(), ("course", "course"), user_id=None)
        asset = api.add_asset(COURSE, "images/Brain green.png", b"\x89PNG...", user_id=1)
        assert (asset.path, asset.name, asset.content_type, asset.locked) == (
            "images/Brain green.png", "images_Brain_green.png", "image/png", False)
        api.add_asset(COURSE, "notes.txt", b"hello", user_id=1)
        assert [a.path for a in api.list_assets(COURSE)] == ["images/Brain green.png", "notes.txt"]
        with pytest.raises(api.VersionNotFound):  # never published: no published assets
            api.list_assets(COURSE, PUBLISHED)
        locked = api.set_asset_locked(COURSE, "notes.txt", True, user_id=1)
        assert locked.locked and api.find_asset(api.get_structure(COURSE, DRAFT), "notes.txt").locked
        api.publish(COURSE, user_id=1)
    learner = client_as("learner", course_id=COURSE)
    stranger = client_as("user", course_id="course-v1:Other+Course+1")
    assert learner.get(f"/assets/{COURSE}/notes.txt").data == b"hello"
    assert stranger.get(f"/assets/{COURSE}/notes.txt").status_code == 403
    assert stranger.get(f"/assets/{COURSE}/images_Brain_green.png").data == b"\x89PNG..."  # by its asset name

    with app.app_context():
        api.set_asset_locked(COURSE, "notes.txt", False, user_id=1)
        api.publish(COURSE, user_id=1)
    assert stranger.get(f"/assets/{COURSE}/notes.txt").status_code == 200

    with app.app_context():
        api.delete_asset(COURSE, "notes.txt", user_id=1)
        assert [a.path for a in api.list_assets(COURSE)] == ["images/Brain green.png"]
        with pytest.raises(api.AssetNotFound):
            api.delete_asset(COURSE, "notes.txt", user_id=1)
        with pytest.raises(ValueError, match="not a file name"):
            api.add_asset(COURSE, "../escape.txt", b"x", user_id=1)


def test_runtime_entry_points_are_exported() -> None:
    assert api.KampusRuntime.__name__ == "KampusRuntime"
    assert callable(api.load_block_class)
