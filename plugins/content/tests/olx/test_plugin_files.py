"""Plugins add their own files to an OLX export and read them back on import (a .tar.gz round trip)."""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from kampus_content.api import content_store
from kampus_content.olx.service import ImportRefused, export_path, import_path
from kampus_hookspecs import hookimpl

COURSE_FOLDER = Path(__file__).resolve().parents[2] / "kampus_content" / "demo_course"
PLUGIN_FILE = "notes_plugin/notes.json"

#: What the test plugin read back on import, by course.
received: dict[str, Any] = {}


@hookimpl
def kampus_course_export(course_id: str, files: dict[str, bytes]) -> None:
    files[PLUGIN_FILE] = json.dumps({"course": course_id, "notes": ["read chapter 1"]}).encode()


@hookimpl
def kampus_course_import(course_id: str, files: Any) -> None:
    if PLUGIN_FILE not in files:
        return
    data = json.loads(files[PLUGIN_FILE])
    if data.get("notes") == ["refuse me"]:
        raise ValueError("notes_plugin cannot read these notes")
    received[course_id] = data


@pytest.fixture
def app(make_app):
    received.clear()
    app = make_app(plugins=["content", sys.modules[__name__]])
    with app.app_context():
        yield app


def test_plugin_files_round_trip_through_an_archive(app, tmp_path: Path) -> None:
    store = content_store()
    source = import_path(COURSE_FOLDER, store, user_id=None)
    assert received == {}  # the demo course carries no notes
    archive = export_path(source.course_key, tmp_path / "course.tar.gz", store)
    with tarfile.open(archive) as tar:
        member = tar.extractfile(f"course/{PLUGIN_FILE}")
        assert member is not None
        assert json.loads(member.read())["course"] == source.course_key

    again = import_path(archive, store, user_id=None, course_key="course-v1:Kampus+Again+1")
    assert received == {"course-v1:Kampus+Again+1": {"course": source.course_key, "notes": ["read chapter 1"]}}
    assert again.version == store.get_course_index(again.course_key).published_version


def test_a_plugin_refuses_an_import_and_nothing_is_written(app, tmp_path: Path) -> None:
    store = content_store()
    folder = tmp_path / "course"
    for path in COURSE_FOLDER.rglob("*"):
        if path.is_file():
            target = folder / path.relative_to(COURSE_FOLDER)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (folder / "notes_plugin").mkdir()
    (folder / PLUGIN_FILE).write_text(json.dumps({"notes": ["refuse me"]}))
    blobs = app.extensions["kampus"].blob_store
    before = set(blobs.list(""))

    with pytest.raises(ImportRefused, match="notes_plugin cannot read these notes"):
        import_path(folder, store, user_id=None)
    assert store.list_courses() == []
    assert set(blobs.list("")) == before


def test_a_plugin_file_outside_the_course_is_refused(app, tmp_path: Path, monkeypatch) -> None:
    store = content_store()
    source = import_path(COURSE_FOLDER, store, user_id=None)
    monkeypatch.setattr(sys.modules[__name__], "PLUGIN_FILE", "../outside.txt")
    with pytest.raises(ValueError, match="outside the course folder"):
        export_path(source.course_key, tmp_path / "course.tar.gz", store)
    assert not (tmp_path / "course.tar.gz").exists()
