"""publish_block: publishing one unit, subsection or section of the draft (Open edX's per-unit "Publish")."""

from __future__ import annotations

import pytest
from kampus_content.api import (
    DRAFT,
    PUBLISHED,
    Block,
    InvalidEdit,
    VersionConflict,
    content_store,
    create_block,
    discard_block,
    get_structure,
    move_block,
    publish_block,
    update_fields,
)
from kampus_content.testing.xblocks import publish_course

COURSE = "course-v1:KampusX+Partial+2026"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content"]


def names(structure, key):
    return [structure.blocks[c].fields.get("display_name") for c in structure.blocks[key].children]


def test_a_unit_is_published_alone(app, hook_calls) -> None:
    publish_course(app, COURSE, {"one": [Block("html", "h1", {"data": "<p>v1</p>"})], "two": []})
    published_calls = hook_calls.names().count("kampus_content_published")
    with app.app_context():
        update_fields(COURSE, ("html", "h1"), {"data": "<p>v2</p>"}, user_id=None)
        update_fields(COURSE, ("vertical", "two"), {"display_name": "Two, changed"}, user_id=None)
        _, new = create_block(COURSE, ("sequential", "lesson1"), "vertical", user_id=None,
                              fields={"display_name": "New unit"})
        before = get_structure(COURSE, DRAFT)
        published, draft_version = publish_block(COURSE, ("vertical", "one"), user_id=7,
                                                 expected_version=before.version)
        live = get_structure(COURSE, PUBLISHED)
        assert live.version == published
        assert live.blocks[("html", "h1")].fields["data"] == "<p>v2</p>"  # the unit's content is live
        assert live.blocks[("vertical", "two")].fields["display_name"] == "Two"  # another unit is not
        assert new not in live.blocks  # nor a new unit
        draft = get_structure(COURSE, DRAFT)
        assert draft.version == draft_version and draft.previous_version == published
        assert {k: (b.fields, b.children) for k, b in draft.blocks.items()} == {
            k: (b.fields, b.children) for k, b in before.blocks.items()}  # the draft is unchanged
        assert content_store().get_course_index(COURSE).published_version == published
    assert hook_calls.names().count("kampus_content_published") == published_calls + 1


def test_a_new_unit_and_a_moved_unit_take_their_draft_places(app) -> None:
    publish_course(app, COURSE, {"one": [], "two": [], "three": []})
    with app.app_context():
        _, chapter = create_block(COURSE, ("course", "course"), "chapter", user_id=None,
                                  fields={"display_name": "Week 2"})
        _, sequential = create_block(COURSE, chapter, "sequential", user_id=None, fields={"display_name": "L2"})
        _, unit = create_block(COURSE, sequential, "vertical", user_id=None, fields={"display_name": "Fresh"})
        _, other = create_block(COURSE, sequential, "vertical", user_id=None, fields={"display_name": "Other"})
        publish_block(COURSE, unit, user_id=None)
        live = get_structure(COURSE, PUBLISHED)
        assert names(live, ("course", "course")) == ["Week 1", "Week 2"]
        assert names(live, chapter) == ["L2"] and names(live, sequential) == ["Fresh"]
        assert other not in live.blocks
        # a published unit moved to the front of another subsection: published there only
        move_block(COURSE, ("vertical", "three"), sequential, index=0, user_id=None)
        publish_block(COURSE, ("vertical", "three"), user_id=None)
        live = get_structure(COURSE, PUBLISHED)
        assert names(live, sequential) == ["Three", "Fresh"]
        assert names(live, ("sequential", "lesson1")) == ["One", "Two"]


def test_conflicts_and_wrong_blocks_write_nothing(app) -> None:
    publish_course(app, COURSE, {"one": []})
    with app.app_context():
        stale = get_structure(COURSE, DRAFT).version
        update_fields(COURSE, ("vertical", "one"), {"display_name": "Changed"}, user_id=None)
        published_before = content_store().get_course_index(COURSE).published_version
        with pytest.raises(VersionConflict):
            publish_block(COURSE, ("vertical", "one"), user_id=None, expected_version=stale)
        with pytest.raises(InvalidEdit):
            publish_block(COURSE, ("course", "course"), user_id=None)
        with pytest.raises(LookupError):
            publish_block(COURSE, ("vertical", "nope"), user_id=None)
        assert content_store().get_course_index(COURSE).published_version == published_before
        # the store's compare-and-set itself (a draft that moves between the read and the write)
        current = get_structure(COURSE, DRAFT)
        with pytest.raises(VersionConflict):
            content_store().replace_course(COURSE, current.edit().values(), current.root, user_id=None,
                                           expected_version=stale)
        assert content_store().get_course_index(COURSE).published_version == published_before


def before_parent(structure, key):
    """The one block whose children hold ``key`` in ``structure``."""
    (parent,) = [block.key for block in structure.blocks.values() if key in block.children]
    return parent


def test_discard_block_takes_one_unit_back_to_its_published_version(app, hook_calls) -> None:
    publish_course(app, COURSE, {"one": [Block("html", "h1", {"data": "<p>v1</p>"})],
                                 "two": [Block("html", "h2", {"data": "<p>two</p>"})]})
    with app.app_context():
        update_fields(COURSE, ("html", "h1"), {"data": "<p>v2</p>"}, user_id=None)
        _, added = create_block(COURSE, ("vertical", "one"), "html", user_id=None, fields={"data": "<p>new</p>"})
        move_block(COURSE, ("html", "h2"), ("vertical", "one"), user_id=None)  # taken from unit two
        update_fields(COURSE, ("vertical", "two"), {"display_name": "Two, changed"}, user_id=None)
        before = get_structure(COURSE, DRAFT)
        changed_calls = hook_calls.names().count("kampus_content_changed")
        draft = discard_block(COURSE, ("vertical", "one"), user_id=3, expected_version=before.version)
        assert get_structure(COURSE, DRAFT).version == draft.version != before.version
        assert draft.blocks[("vertical", "one")].children == [("html", "h1")]
        assert draft.blocks[("html", "h1")].fields["data"] == "<p>v1</p>"
        assert added not in draft.blocks  # added since the publish: gone
        assert ("html", "h2") not in draft.blocks  # moved in after the publish: dropped with them (as Open edX)
        assert draft.blocks[("vertical", "two")].fields["display_name"] == "Two, changed"  # other changes stay
        unit_parents = [block.key for block in draft.blocks.values() if ("vertical", "one") in block.children]
        assert unit_parents == [before_parent(before, ("vertical", "one"))]  # the unit keeps its place
    assert hook_calls.names().count("kampus_content_changed") == changed_calls + 1


def test_discard_block_brings_back_a_child_moved_away_and_refuses_what_was_never_published(app) -> None:
    publish_course(app, COURSE, {"one": [Block("html", "h1", {"data": "<p>v1</p>"})], "two": []})
    with app.app_context():
        move_block(COURSE, ("html", "h1"), ("vertical", "two"), user_id=None)
        draft = discard_block(COURSE, ("vertical", "one"), user_id=None)
        assert draft.blocks[("vertical", "one")].children == [("html", "h1")]
        assert draft.blocks[("vertical", "two")].children == []  # one parent only
        assert [b.key for b in draft.blocks.values() if ("vertical", "one") in b.children] == [
            ("sequential", "lesson1")]
        _, new = create_block(COURSE, ("sequential", "lesson1"), "vertical", user_id=None)
        version = get_structure(COURSE, DRAFT).version
        with pytest.raises(InvalidEdit, match="never published"):
            discard_block(COURSE, new, user_id=None)
        with pytest.raises(InvalidEdit):
            discard_block(COURSE, ("course", "course"), user_id=None)
        with pytest.raises(VersionConflict):
            discard_block(COURSE, ("vertical", "one"), user_id=None, expected_version="0" * 24)
        assert get_structure(COURSE, DRAFT).version == version  # nothing written
