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

    store.create_course = refuse  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        import_path(source, store, user_id=None)
    assert list(current_kampus().blob_store.list("olx-files/")) == []


def test_not_a_course(content_app, tmp_path: Path) -> None:
    write(tmp_path / "x", {"readme.txt": "hello"})
    with pytest.raises(UnsafeInput, match="no course.xml"):
        import_path(tmp_path / "x", content_store(), user_id=None)
