"""edit_course: the course block's settings and its about/info/tabs files, as one draft version."""

from __future__ import annotations

import pytest
from kampus_content.api import (
    DRAFT,
    PUBLISHED,
    InvalidEdit,
    VersionConflict,
    content_store,
    edit_course,
    get_structure,
    history,
    publish,
    read_course_file,
    revert,
)
from kampus_content.testing.xblocks import publish_course

COURSE = "course-v1:KampusX+Edits+2026"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content"]


def test_fields_and_files_change_in_one_version(app) -> None:
    publish_course(app, COURSE, {"unit": []})
    with app.app_context():
        before = get_structure(COURSE, DRAFT)
        saved = edit_course(COURSE, user_id=None, fields={"effort_hours": 3, "language": "fr"}, remove=["start"],
                            files={"about/overview.html": b"<p>New</p>", "info/handouts.html": b"<ul></ul>"},
                            expected_version=before.version)
        assert saved.previous_version == before.version
        root = saved.blocks[saved.root]
        assert root.fields["language"] == "fr" and "start" not in root.fields
        assert read_course_file(saved, "about/overview.html") == b"<p>New</p>"
        assert read_course_file(get_structure(COURSE, PUBLISHED), "about/overview.html") is None
        assert len(history(COURSE)) == len(content_store().history(COURSE))
        again = edit_course(COURSE, user_id=None, files={"about/overview.html": None})
        assert read_course_file(again, "about/overview.html") is None
        assert read_course_file(again, "info/handouts.html") == b"<ul></ul>"
        publish(COURSE, user_id=None)
        assert read_course_file(get_structure(COURSE, PUBLISHED), "info/handouts.html") == b"<ul></ul>"
        revert(COURSE, before.version, user_id=None)
        assert read_course_file(get_structure(COURSE, DRAFT), "info/handouts.html") is None


def test_stale_version_and_bad_paths_write_nothing(app) -> None:
    publish_course(app, COURSE, {"unit": []})
    with app.app_context():
        before = get_structure(COURSE, DRAFT)
        edit_course(COURSE, user_id=None, fields={"language": "de"})
        current = get_structure(COURSE, DRAFT)
        with pytest.raises(VersionConflict):
            edit_course(COURSE, user_id=None, fields={"language": "fr"}, expected_version=before.version)
        for path in ("../course.xml", "static/x.png", "about/../policies/x.json", "/about/a.html", "about/"):
            with pytest.raises(InvalidEdit):
                edit_course(COURSE, user_id=None, fields={"language": "fr"}, files={path: b"x"})
        assert get_structure(COURSE, DRAFT).version == current.version


def test_one_edit_calls_the_changed_hook_once(app, hook_calls) -> None:
    publish_course(app, COURSE, {"unit": []})
    before = len(hook_calls.of("kampus_content_changed"))
    with app.app_context():
        saved = edit_course(COURSE, user_id=None, fields={"language": "fr"}, files={"info/handouts.html": b"<p>h</p>"})
        with pytest.raises(InvalidEdit):
            edit_course(COURSE, user_id=None, fields={"language": "de"}, files={"../x": b"no"})
    changed = hook_calls.of("kampus_content_changed")[before:]
    assert [call["version"] for call in changed] == [saved.version]
