"""An archive's ``drafts/`` becomes unpublished work, as Open edX's ``_import_course_draft`` does it."""

from __future__ import annotations

import shutil
from pathlib import Path

from kampus_content.api import PUBLISHED, content_store, get_structure, publish
from kampus_content.olx.service import export_path, import_path

DRAFT_COURSE = "edx-draft_ora_import_course"
UNIT = ("vertical", "682ae7840a1e46a9be69fbc062950e38")
ORPHAN = ("vertical", "032b3110988d475296ce895d0e8e5ee4")
SEQUENTIAL = ("sequential", "659172e9170a44c6883b81cd2ead972f")


def write(folder: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def test_corpus_drafts_land_in_the_draft_only(content_app, corpus: Path) -> None:
    result = import_path(corpus / DRAFT_COURSE, content_store(), user_id=None)
    draft = get_structure(result.course_key, "draft")
    published = get_structure(result.course_key, PUBLISHED)
    assert draft.blocks[SEQUENTIAL].children == [UNIT]
    assert published.blocks[SEQUENTIAL].children == []
    assert UNIT not in published.blocks
    ora = draft.blocks[UNIT].children[0]
    assert ora == ("openassessment", "49ebafdd36fc4d1daf413319fc152112")
    assert draft.blocks[UNIT].fields == {"display_name": "Unit"}  # parent_url and index are not fields
    # The draft whose parent does not exist is reported and skipped (its files are kept verbatim).
    assert ORPHAN not in draft.blocks
    [(file, line, message)] = result.warnings
    assert file == f"drafts/vertical/{ORPHAN[1]}.xml" and line == 1
    assert "d539debafb374c30a65d720bca3efd3a" in message and "not in the course" in message
    assert result.draft_blocks == 2
    # Authors publish it like any draft.
    publish(result.course_key, user_id=None)
    assert get_structure(result.course_key, PUBLISHED).blocks[SEQUENTIAL].children == [UNIT]


def test_drafts_export_and_import_again_as_drafts(content_app, corpus: Path, tmp_path: Path) -> None:
    result = import_path(corpus / DRAFT_COURSE, content_store(), user_id=None)
    export = export_path(result.course_key, tmp_path / "export", content_store())
    written = (export / "drafts" / "vertical" / f"{UNIT[1]}.xml").read_text()
    assert "parent_url=\"block-v1:arbisoft+1252+2015_A20+type@sequential+block@" + SEQUENTIAL[1] in written
    assert 'index_in_children_list="0"' in written
    assert f'url_name="{UNIT[1]}"' not in (export / "sequential" / f"{SEQUENTIAL[1]}.xml").read_text()
    again = import_path(export, content_store(), user_id=None, course_key="course-v1:arbisoft+1252+Again")
    assert get_structure(again.course_key, PUBLISHED).blocks[SEQUENTIAL].children == []
    draft, original = get_structure(again.course_key, "draft"), get_structure(result.course_key, "draft")
    assert draft.blocks[SEQUENTIAL].children == [UNIT]
    assert [(b.key, b.fields, b.children) for b in draft.walk()] == \
        [(b.key, b.fields, b.children) for b in original.walk()]


def _course_with_drafts(folder: Path) -> Path:
    return write(folder, {
        "course.xml": '<course url_name="r1" org="K" course="Drafts"/>',
        "course/r1.xml": '<course display_name="D"><chapter url_name="c1"/></course>',
        "chapter/c1.xml": '<chapter display_name="C"><sequential url_name="s1"/></chapter>',
        "sequential/s1.xml": '<sequential display_name="S"><vertical url_name="u1"/><vertical url_name="u2"/>'
                             '</sequential>',
        "vertical/u1.xml": '<vertical display_name="Published one"><html url_name="h1"/></vertical>',
        "vertical/u2.xml": '<vertical display_name="Published two"/>',
        "html/h1.xml": '<html filename="h1"/>',
        "html/h1.html": "<p>live</p>",
        # a draft of a published unit, with a draft child in drafts/
        "drafts/vertical/u1.xml": '<vertical display_name="Edited one" parent_url="i4x://K/Drafts/sequential/s1" '
                                  'index_in_children_list="0"><html url_name="h1"/></vertical>',
        "drafts/html/h1.xml": '<html filename="h1"/>',
        "drafts/html/h1.html": "<p>draft</p>",
        # two new units, at 0 and at 3 once the first joined (Open edX sorts by index)
        "drafts/vertical/n3.xml": '<vertical display_name="New last" parent_url="block-v1:K+Drafts+r1+type@'
                                  'sequential+block@s1" index_in_children_list="3"/>',
        "drafts/vertical/n0.xml": '<vertical display_name="New first" parent_url="i4x://K/Drafts/sequential/s1" '
                                  'index_in_children_list="0"/>',
    })


def test_drafts_replace_and_insert_at_their_index(content_app, tmp_path: Path) -> None:
    result = import_path(_course_with_drafts(tmp_path / "c"), content_store(), user_id=None)
    draft = get_structure(result.course_key, "draft")
    published = get_structure(result.course_key, PUBLISHED)
    s1 = ("sequential", "s1")
    assert published.blocks[s1].children == [("vertical", "u1"), ("vertical", "u2")]
    assert draft.blocks[s1].children == [("vertical", "n0"), ("vertical", "u1"), ("vertical", "u2"),
                                         ("vertical", "n3")]
    assert draft.blocks[("vertical", "u1")].fields["display_name"] == "Edited one"
    assert draft.blocks[("html", "h1")].fields["data"] == "<p>draft</p>"
    assert published.blocks[("html", "h1")].fields["data"] == "<p>live</p>"
    assert result.warnings == ()
    # The drafts are not also kept as verbatim files.
    files = published.blocks[published.root].meta["files"]
    assert not [path for path in files if path.startswith("drafts/")]


def test_export_of_an_edited_unit_keeps_the_published_version_in_the_course(content_app, tmp_path: Path) -> None:
    result = import_path(_course_with_drafts(tmp_path / "c"), content_store(), user_id=None)
    export = export_path(result.course_key, tmp_path / "export", content_store())
    assert (export / "html" / "h1.html").read_text() == "<p>live</p>"
    assert (export / "drafts" / "html" / "h1.html").read_text() == "<p>draft</p>"
    again = import_path(export, content_store(), user_id=None, course_key="course-v1:K+Drafts+again")
    for branch in ("draft", PUBLISHED):
        mine, theirs = get_structure(again.course_key, branch), get_structure(result.course_key, branch)
        assert [(b.key, b.fields, b.children) for b in mine.walk()] == \
            [(b.key, b.fields, b.children) for b in theirs.walk()], branch


def test_a_broken_draft_refuses_the_import(content_app, tmp_path: Path) -> None:
    folder = _course_with_drafts(tmp_path / "c")
    (folder / "drafts" / "vertical" / "n3.xml").write_text("<vertical parent_url='i4x://K/Drafts/sequential/s1'>\n<")
    shutil.rmtree(folder / "drafts" / "html")
    try:
        import_path(folder, content_store(), user_id=None)
    except ValueError as exc:
        assert "drafts/vertical/n3.xml:2" in str(exc)
    else:
        raise AssertionError("a broken draft was imported")
    assert content_store().list_courses() == []


def test_import_into_an_existing_course_is_one_transaction(content_app, tmp_path: Path, monkeypatch) -> None:
    """The published version, the drafts on top and both pointers are written together or not at all."""
    from kampus_content.store import sql

    folder = _course_with_drafts(tmp_path / "c")
    first = import_path(folder, content_store(), user_id=None)
    index = content_store().get_course_index(first.course_key)
    history = content_store().history(first.course_key)
    (folder / "vertical" / "u2.xml").write_text('<vertical display_name="Renamed"/>')
    written = sql._document
    calls: list[int] = []

    def fail_on_the_draft(root, blocks):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return written(root, blocks)

    monkeypatch.setattr(sql, "_document", fail_on_the_draft)
    try:
        import_path(folder, content_store(), user_id=None)
    except RuntimeError:
        pass
    else:
        raise AssertionError("the failure did not stop the import")
    assert len(calls) == 2
    assert content_store().get_course_index(first.course_key).versions == index.versions
    assert [v.version for v in content_store().history(first.course_key)] == [v.version for v in history]
    monkeypatch.setattr(sql, "_document", written)
    again = import_path(folder, content_store(), user_id=None)
    after = content_store().get_course_index(first.course_key)
    assert after.draft_version == again.version != after.published_version
    assert get_structure(first.course_key, PUBLISHED).blocks[("vertical", "u2")].fields["display_name"] == "Renamed"
    [newest, published, *_older] = content_store().history(first.course_key)
    assert published.published and not newest.published and published.previous_version == index.draft_version


def test_drafts_that_would_break_the_tree_are_refused(content_app, tmp_path: Path) -> None:
    cases = {
        # a draft chapter under its own sequential: a cycle
        "drafts/chapter/c1.xml": '<chapter parent_url="i4x://K/Drafts/sequential/s1" index_in_children_list="0"/>',
        # a draft under a block that holds no blocks
        "drafts/vertical/x.xml": '<vertical parent_url="i4x://K/Drafts/html/h1" index_in_children_list="0"/>',
    }
    for relative, text in cases.items():
        folder = _course_with_drafts(tmp_path / relative.replace("/", "_"))
        shutil.rmtree(folder / "drafts")
        write(folder, {relative: text})
        try:
            import_path(folder, content_store(), user_id=None)
        except ValueError as exc:
            assert relative in str(exc), exc
        else:
            raise AssertionError(f"{relative} was imported")
    assert content_store().list_courses() == []


def test_a_draft_that_moved_a_unit_leaves_its_old_parent(content_app, tmp_path: Path) -> None:
    folder = _course_with_drafts(tmp_path / "c")
    shutil.rmtree(folder / "drafts")
    write(folder, {
        "chapter/c1.xml": '<chapter display_name="C"><sequential url_name="s1"/><sequential url_name="s2"/></chapter>',
        "sequential/s2.xml": '<sequential display_name="S2"/>',
        "drafts/vertical/u2.xml": '<vertical display_name="Moved" parent_url="i4x://K/Drafts/sequential/s2" '
                                  'index_in_children_list="0"/>',
    })
    result = import_path(folder, content_store(), user_id=None)
    draft = get_structure(result.course_key, "draft")
    assert draft.blocks[("sequential", "s1")].children == [("vertical", "u1")]
    assert draft.blocks[("sequential", "s2")].children == [("vertical", "u2")]
    published = get_structure(result.course_key, PUBLISHED)
    assert published.blocks[("sequential", "s1")].children == [("vertical", "u1"), ("vertical", "u2")]
