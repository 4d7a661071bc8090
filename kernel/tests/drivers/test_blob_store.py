"""The filesystem blob store: the contract, plus what is particular to files."""

from __future__ import annotations

import os

import pytest

from kampus.drivers.blob_store import FilesystemBlobStore, check_key
from kampus.testing.contracts import driver_settings
from kampus.testing.contracts.blob_store import BlobStoreContract


class TestFilesystemBlobStore(BlobStoreContract):
    @pytest.fixture
    def blob_store(self, tmp_path):
        return FilesystemBlobStore(driver_settings(tmp_path))


@pytest.fixture
def store(tmp_path):
    return FilesystemBlobStore(driver_settings(tmp_path, blob_store_path=str(tmp_path / "blobs")))


def test_files_live_under_blob_store_path(store, tmp_path):
    store.put("courses/x/a.txt", b"hi")
    assert (tmp_path / "blobs" / "courses" / "x" / "a.txt").read_bytes() == b"hi"
    assert store.path("courses/x/a.txt") == tmp_path / "blobs" / "courses" / "x" / "a.txt"


def test_default_folder_is_under_home(tmp_path):
    store = FilesystemBlobStore(driver_settings(tmp_path))
    assert store.root == (tmp_path / "blobs").resolve()


def test_no_temporary_files_left(store, tmp_path):
    store.put("a/b.bin", b"x" * 100_000, content_type="application/x-thing")
    store.put("a/b.bin", b"y")
    names = sorted(p.name for p in (tmp_path / "blobs" / "a").iterdir())
    assert names == ["b.bin"]


def test_hand_copied_files_are_listed_with_a_guessed_type(store, tmp_path):
    folder = tmp_path / "blobs" / "static"
    folder.mkdir(parents=True)
    (folder / "style.css").write_bytes(b"body{}")
    assert list(store.list()) == ["static/style.css"]
    assert store.info("static/style.css").content_type == "text/css"


def test_reserved_names_are_refused_and_hidden(store):
    with pytest.raises(ValueError):
        store.put(".kampus-meta/a.json", b"{}")
    with pytest.raises(ValueError):
        store.put("a/.kampus-tmp-x", b"")
    store.put("a.txt", b"x", content_type="text/x-a")
    assert list(store.list()) == ["a.txt"]


def test_a_blob_cannot_also_be_a_folder(store):
    store.put("a", b"x")
    with pytest.raises(ValueError):
        store.put("a/b", b"y")
    store.put("c/d", b"x")
    with pytest.raises(ValueError):
        store.put("c", b"y")


def test_delete_prunes_empty_folders(store, tmp_path):
    store.put("deep/er/est.txt", b"x", content_type="text/plain")
    store.delete("deep/er/est.txt")
    assert not (tmp_path / "blobs" / "deep").exists()
    assert (tmp_path / "blobs").is_dir()


def test_symlinked_escape_is_not_followed_by_keys(store, tmp_path):
    # Keys can never name a path outside the folder, whatever they contain.
    for key in ["..", "../x", "a/../../x", "/abs"]:
        with pytest.raises(ValueError):
            store.path(key)
    assert os.path.commonpath([store.path("a/b/c"), store.root]) == str(store.root)


def test_check_key_returns_the_key():
    assert check_key("a/b c/d.txt") == "a/b c/d.txt"


def test_loaded_by_name_through_the_app(make_app, tmp_path):
    app = make_app()
    kampus = app.extensions["kampus"]
    assert isinstance(kampus.blob_store, FilesystemBlobStore)
    assert kampus.blob_store is kampus.driver("blob_store")
    assert kampus.blob_store.root == (tmp_path / "site0" / "blobs").resolve()
