"""Adding course files from streams (never read whole), several at once, and locked files kept private."""

from __future__ import annotations

import io
import threading

import pytest
from kampus_content.api import (
    DRAFT,
    VersionConflict,
    add_asset,
    add_assets,
    content_store,
    get_structure,
    list_assets,
    publish,
    set_asset_locked,
)
from kampus_content.testing.xblocks import publish_course

from kampus.testing import client_as

COURSE = "course-v1:KampusX+Files+2026"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content"]


@pytest.fixture
def course(app):
    publish_course(app, COURSE, {"unit": []})
    return COURSE


class _OneWayStream(io.RawIOBase):
    """A stream that cannot seek (an upload read straight off the socket)."""

    def __init__(self, data: bytes):
        self.data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.data.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_add_assets_from_streams_in_one_version(app, course) -> None:
    big = bytes(range(256)) * 20_000  # about 5 MB
    with app.app_context():
        before = get_structure(course, DRAFT).version
        added = add_assets(course, [("notes.pdf", io.BytesIO(b"%PDF-1.4 notes")),
                                    ("video/clip.mp4", io.BufferedReader(_OneWayStream(big)))], user_id=None)
        assert [asset.path for asset in added] == ["notes.pdf", "video/clip.mp4"]
        history = content_store().history(course)
        assert history[1].version == before  # one new version for both files
        blobs = app.extensions["kampus"].blob_store
        assert blobs.get(added[1].blob_key) == big
        assert blobs.info(added[0].blob_key).content_type == "application/pdf"
        assert {asset.path for asset in list_assets(course)} == {"notes.pdf", "video/clip.mp4"}
        # the same content from bytes lands on the same blob
        assert add_asset(course, "copy.pdf", b"%PDF-1.4 notes", user_id=None).blob_key == added[0].blob_key


def test_bad_name_stores_nothing(app, course) -> None:
    with app.app_context():
        version = get_structure(course, DRAFT).version
        with pytest.raises(ValueError):
            add_assets(course, [("good.txt", b"fine"), ("../escape.txt", b"bad")], user_id=None)
        assert get_structure(course, DRAFT).version == version
        assert list_assets(course) == []


def test_replacing_a_locked_file_keeps_it_locked(app, course) -> None:
    with app.app_context():
        add_asset(course, "answers.pdf", b"v1", user_id=None, locked=True)
        replaced = add_asset(course, "answers.pdf", b"v2", user_id=None)
        assert replaced.locked
        assert [asset.locked for asset in list_assets(course)] == [True]


def test_locked_files_are_not_cached_by_shared_caches(app, course) -> None:
    with app.app_context():
        add_asset(course, "open.txt", b"open", user_id=None)
        add_asset(course, "secret.txt", b"secret", user_id=None)
        set_asset_locked(course, "secret.txt", True, user_id=None)
        publish(course, user_id=None)
    staff = client_as(app, "staff", course_id=course)
    locked = staff.get(f"/assets/{course}/secret.txt")
    assert locked.status_code == 200
    assert "private" in locked.headers["Cache-Control"] and "public" not in locked.headers["Cache-Control"]
    assert "public" in staff.get(f"/assets/{course}/open.txt").headers["Cache-Control"]


def test_locking_a_published_file_takes_effect_before_the_next_publish(app, course) -> None:
    with app.app_context():
        add_asset(course, "answers.pdf", b"%PDF-1.4 answers", user_id=None)
        publish(course, user_id=None)
    visitor = client_as(app, "user", course_id=course)  # signed in, not enrolled
    assert visitor.get(f"/assets/{course}/answers.pdf").status_code == 200
    with app.app_context():
        set_asset_locked(course, "answers.pdf", True, user_id=None)  # a draft edit, not published
    assert visitor.get(f"/assets/{course}/answers.pdf").status_code == 403
    learner = client_as(app, "learner", course_id=course)
    assert learner.get(f"/assets/{course}/answers.pdf").status_code == 200
    with app.app_context():
        set_asset_locked(course, "answers.pdf", False, user_id=None)
    assert visitor.get(f"/assets/{course}/answers.pdf").status_code == 200


def test_an_add_racing_another_edit_in_the_same_request_lands_on_the_new_draft(app, course) -> None:
    """The request's cached course index is forgotten on a conflict, so the retry reads the new draft."""
    with app.test_request_context():
        stale = get_structure(course, DRAFT).version  # the request now caches the course index
        def other_request() -> None:
            with app.app_context(), app.test_request_context():
                add_asset(course, "first.txt", b"1", user_id=None)

        other = threading.Thread(target=other_request)  # another request adds a file meanwhile
        other.start()
        other.join()
        added = add_asset(course, "second.txt", b"2", user_id=None)
        assert added.path == "second.txt"
        assert {asset.path for asset in list_assets(course)} == {"first.txt", "second.txt"}
        assert get_structure(course, DRAFT).version != stale
        with pytest.raises(VersionConflict):  # with an expected version, a conflict is the caller's
            add_asset(course, "third.txt", b"3", user_id=None, expected_version=stale)
