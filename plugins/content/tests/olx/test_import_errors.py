"""A failed import writes nothing and names each problem with its file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kampus_content.api import content_store
from kampus_content.olx.safety import UnsafeInput
from kampus_content.olx.service import import_path

from kampus import current_kampus


def write(folder: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def test_broken_course_reports_every_problem_and_writes_nothing(content_app, tmp_path: Path) -> None:
    course = write(tmp_path / "course", {
        "course.xml": '<course url_name="r1" org="K" course="Broken"/>',
        "course/r1.xml": (
            '<course display_name="Broken">\n  <chapter url_name="missing"/>\n  <chapter url_name="bad"/>\n</course>'
        ),
        "chapter/bad.xml": "<chapter>\n<sequential>\n</chapter>",
        "static/picture.png": "not really a png",
    })
    with pytest.raises(UnsafeInput) as info:
        import_path(course, content_store(), user_id=None)
    messages = [(file, line) for file, line, _ in info.value.problems]
    assert ("course/r1.xml", 2) in messages
    assert ("chapter/bad.xml", 3) in messages
    assert content_store().list_courses() == []
    assert list(current_kampus().blob_store.list("olx-files/")) == []


def test_failed_write_removes_new_files(content_app, tmp_path: Path, corpus: Path) -> None:
    source = shutil.copytree(corpus / "openedx-demo-course", tmp_path / "demo")
    store = content_store()

    def refuse(*args, **kwargs):
        raise RuntimeError("database is gone")

    store._replace_course = refuse  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        import_path(source, store, user_id=None)
    assert list(current_kampus().blob_store.list("olx-files/")) == []


def test_not_a_course(content_app, tmp_path: Path) -> None:
    write(tmp_path / "x", {"readme.txt": "hello"})
    with pytest.raises(UnsafeInput, match="no course.xml"):
        import_path(tmp_path / "x", content_store(), user_id=None)


def test_failing_hook_after_the_write_keeps_the_course_and_its_files(content_app, tmp_path: Path,
                                                                      corpus: Path, monkeypatch) -> None:
    """A plugin failing on ``kampus_content_published`` after the import committed: the course stays with
    its files, the import says so in a warning, and the other hook still ran."""
    source = shutil.copytree(corpus / "openedx-demo-course", tmp_path / "demo")
    store = content_store()
    original = type(store)._call_hook
    called: list[str] = []

    def failing(self, name, **kwargs):
        called.append(name)
        original(self, name, **kwargs)
        if name == "kampus_content_published":
            raise RuntimeError("a plugin's hook failed")

    monkeypatch.setattr(type(store), "_call_hook", failing)
    result = import_path(source, store, user_id=None, course_key="course-v1:HookX+H1+2026")
    assert {"kampus_content_changed", "kampus_content_published"} <= set(called)
    assert any("plugin failed" in message for _file, _line, message in result.warnings)
    draft = store.get_branch("course-v1:HookX+H1+2026", "draft")
    files = draft.blocks[draft.root].meta.get("files", {})
    assert files
    blobs = current_kampus().blob_store
    assert all(blobs.exists(key) for key in files.values())


def test_failed_write_keeps_files_another_course_uses(content_app, tmp_path: Path, corpus: Path) -> None:
    """A blob the failed import wrote but another course reused meanwhile (content hashes) is kept."""
    from kampus_content.api import edit_course
    from kampus_content.testing.xblocks import publish_course

    source = shutil.copytree(corpus / "openedx-demo-course", tmp_path / "demo")
    shared = sorted((source / "static").rglob("*.*"))[0]
    store = content_store()
    real = store._replace_course

    def reuse_then_fail(course_key, *args, **kwargs):
        publish_course(content_app, "course-v1:Other+O1+2026", {"u": []})
        edit_course("course-v1:Other+O1+2026", user_id=None, files={"about/same.html": shared.read_bytes()},
                    message="same bytes")
        raise RuntimeError("database is gone")

    store._replace_course = reuse_then_fail  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        import_path(source, store, user_id=None)
    store._replace_course = real  # type: ignore[method-assign]
    other = store.get_branch("course-v1:Other+O1+2026", "draft")
    key = other.blocks[other.root].meta["files"]["about/same.html"]
    assert current_kampus().blob_store.exists(key)
    remaining = list(current_kampus().blob_store.list("olx-files/"))
    assert remaining == [key]
