"""The contract every ``kampus.blob_store`` driver passes.

Subclass :class:`BlobStoreContract` and provide a ``blob_store`` fixture that
returns an empty store::

    class TestMyStore(BlobStoreContract):
        @pytest.fixture
        def blob_store(self, tmp_path):
            return MyStore(driver_settings(tmp_path))
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kampus.drivers.blob_store import BlobInfo, BlobNotFoundError, BlobStore

BAD_KEYS = [
    "",
    "/etc/passwd",
    "../outside",
    "a/../../outside",
    "a/./b",
    ".",
    "..",
    "a//b",
    "a/",
    "a\\b",
    "..\\outside",
    "a\x00b",
    "a\nb",
    "x" * 1100,
]


class _FailingReader(io.RawIOBase):
    """A stream that gives ``size`` bytes, then fails."""

    def __init__(self, size: int):
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.left <= 0:
            raise OSError("the upload was cut off")
        count = min(len(buffer), self.left)
        buffer[:count] = b"x" * count
        self.left -= count
        return count


class BlobStoreContract:
    """Behaviour shared by every blob store. Needs a ``blob_store`` fixture (an empty store)."""

    @pytest.fixture
    def blob_store(self) -> BlobStore:
        raise NotImplementedError("provide a `blob_store` fixture returning an empty store")

    # -- put / get ---------------------------------------------------------
    def test_is_a_blob_store(self, blob_store: BlobStore) -> None:
        assert isinstance(blob_store, BlobStore)

    def test_put_then_get(self, blob_store: BlobStore) -> None:
        info = blob_store.put("a/b/hello.txt", b"hello")
        assert isinstance(info, BlobInfo)
        assert info.key == "a/b/hello.txt"
        assert info.size == 5
        assert blob_store.get("a/b/hello.txt") == b"hello"

    def test_put_accepts_bytearray_and_memoryview(self, blob_store: BlobStore) -> None:
        blob_store.put("one", bytearray(b"abc"))
        blob_store.put("two", memoryview(b"def"))
        assert blob_store.get("one") == b"abc"
        assert blob_store.get("two") == b"def"

    def test_put_refuses_text(self, blob_store: BlobStore) -> None:
        with pytest.raises(TypeError):
            blob_store.put("text", "not bytes")  # type: ignore[arg-type]

    def test_put_streams_a_file_object(self, blob_store: BlobStore) -> None:
        data = bytes(range(256)) * (3 * 4096 + 7)  # about 3 MiB, not a round size
        info = blob_store.put("big/file.bin", io.BytesIO(data))
        assert info.size == len(data)
        assert blob_store.size("big/file.bin") == len(data)
        assert blob_store.get("big/file.bin") == data

    def test_empty_blob(self, blob_store: BlobStore) -> None:
        blob_store.put("empty", b"")
        assert blob_store.exists("empty")
        assert blob_store.get("empty") == b""
        assert blob_store.size("empty") == 0

    def test_put_replaces(self, blob_store: BlobStore) -> None:
        blob_store.put("k", b"first version, longer")
        blob_store.put("k", b"second")
        assert blob_store.get("k") == b"second"
        assert blob_store.size("k") == 6
        assert list(blob_store.list()) == ["k"]

    def test_failed_streaming_put_keeps_the_old_blob(self, blob_store: BlobStore) -> None:
        blob_store.put("doc/page.html", b"<p>old</p>")
        with pytest.raises(Exception):  # noqa: B017 - the reader's error, maybe wrapped by the driver
            blob_store.put("doc/page.html", io.BufferedReader(_FailingReader(200_000)))
        assert blob_store.get("doc/page.html") == b"<p>old</p>"
        with pytest.raises(Exception):  # noqa: B017
            blob_store.put("doc/new.html", io.BufferedReader(_FailingReader(10)))
        assert not blob_store.exists("doc/new.html")
        assert list(blob_store.list()) == ["doc/page.html"]

    def test_keys_with_course_ids_and_unicode(self, blob_store: BlobStore) -> None:
        keys = [
            "courses/course-v1:Org+Num+Run/static/a b.pdf",
            "docs/été 2026/résumé.txt",
            "x/.hidden",
            "x/a..b",
        ]
        for index, key in enumerate(keys):
            blob_store.put(key, str(index).encode())
        for index, key in enumerate(keys):
            assert blob_store.get(key) == str(index).encode()
        assert sorted(blob_store.list()) == sorted(keys)

    # -- open --------------------------------------------------------------
    def test_open_reads_a_stream(self, blob_store: BlobStore) -> None:
        blob_store.put("s.bin", b"0123456789")
        with blob_store.open("s.bin") as stream:
            assert stream.read(4) == b"0123"
            assert stream.read() == b"456789"

    # -- metadata ----------------------------------------------------------
    def test_content_type_given_is_kept(self, blob_store: BlobStore) -> None:
        info = blob_store.put("data/report", b"a,b\n", content_type="text/csv")
        assert info.content_type == "text/csv"
        assert blob_store.info("data/report").content_type == "text/csv"

    def test_content_type_is_guessed(self, blob_store: BlobStore) -> None:
        assert blob_store.put("handout.pdf", b"%PDF-1.4").content_type == "application/pdf"
        blob_store.put("image.png", b"\x89PNG")
        assert blob_store.info("image.png").content_type == "image/png"
        blob_store.put("no-extension", b"?")
        assert blob_store.info("no-extension").content_type == "application/octet-stream"

    def test_replacing_without_content_type_guesses_again(self, blob_store: BlobStore) -> None:
        blob_store.put("a.txt", b"x", content_type="application/x-custom")
        blob_store.put("a.txt", b"y")
        assert blob_store.info("a.txt").content_type == "text/plain"

    def test_info(self, blob_store: BlobStore) -> None:
        before = datetime.now(UTC) - timedelta(minutes=5)
        blob_store.put("i/info.txt", b"12345", content_type="text/plain")
        info = blob_store.info("i/info.txt")
        assert info.key == "i/info.txt"
        assert info.size == 5
        assert info.content_type == "text/plain"
        assert info.modified.tzinfo is not None
        assert before <= info.modified <= datetime.now(UTC) + timedelta(minutes=5)

    # -- missing keys ------------------------------------------------------
    def test_missing_key(self, blob_store: BlobStore) -> None:
        assert not blob_store.exists("nope")
        for call in (blob_store.get, blob_store.open, blob_store.info, blob_store.size):
            with pytest.raises(BlobNotFoundError):
                call("nope")
        with pytest.raises(KeyError):
            blob_store.get("nope/deeper")

    def test_a_folder_is_not_a_blob(self, blob_store: BlobStore) -> None:
        blob_store.put("folder/inner", b"x")
        assert not blob_store.exists("folder")
        with pytest.raises(BlobNotFoundError):
            blob_store.get("folder")

    # -- delete ------------------------------------------------------------
    def test_delete(self, blob_store: BlobStore) -> None:
        blob_store.put("d/one", b"1")
        blob_store.put("d/two", b"2")
        assert blob_store.delete("d/one") is True
        assert not blob_store.exists("d/one")
        assert blob_store.exists("d/two")
        assert list(blob_store.list()) == ["d/two"]
        assert blob_store.delete("d/one") is False
        assert blob_store.delete("never/there") is False

    def test_delete_then_put_again(self, blob_store: BlobStore) -> None:
        blob_store.put("p/q/r", b"1")
        blob_store.delete("p/q/r")
        blob_store.put("p/q", b"now a blob")
        assert blob_store.get("p/q") == b"now a blob"

    # -- list --------------------------------------------------------------
    def test_list_empty(self, blob_store: BlobStore) -> None:
        assert list(blob_store.list()) == []
        assert list(blob_store.list("anything/")) == []

    def test_list_is_sorted_and_filtered_by_string_prefix(self, blob_store: BlobStore) -> None:
        keys = ["b/2", "a/b.txt", "a/bc/d", "a/c", "a/b/e", "ab", "z"]
        for key in keys:
            blob_store.put(key, b"")
        assert list(blob_store.list()) == sorted(keys)
        assert list(blob_store.list("a/")) == ["a/b.txt", "a/b/e", "a/bc/d", "a/c"]
        assert list(blob_store.list("a/b")) == ["a/b.txt", "a/b/e", "a/bc/d"]
        assert list(blob_store.list("a/b/")) == ["a/b/e"]
        assert list(blob_store.list("a")) == ["a/b.txt", "a/b/e", "a/bc/d", "a/c", "ab"]
        assert list(blob_store.list("q")) == []

    # -- keys --------------------------------------------------------------
    @pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
    def test_bad_keys_are_refused(self, blob_store: BlobStore, key: str) -> None:
        with pytest.raises(ValueError):
            blob_store.put(key, b"x")
        for call in (blob_store.get, blob_store.exists, blob_store.delete, blob_store.info, blob_store.url):
            with pytest.raises(ValueError):
                call(key)

    def test_url_is_none_or_a_url(self, blob_store: BlobStore) -> None:
        blob_store.put("u/file.txt", b"x")
        url = blob_store.url("u/file.txt")
        assert url is None or (isinstance(url, str) and url.startswith(("http://", "https://", "/")))

    # -- concurrency -------------------------------------------------------
    def test_readers_never_see_half_a_blob(self, blob_store: BlobStore) -> None:
        versions = [bytes([n]) * 300_000 for n in range(1, 6)]
        blob_store.put("race", versions[0])
        reads: list[int] = []
        torn: list[int] = []
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                data = blob_store.get("race")
                reads.append(len(data))
                if data not in versions:
                    torn.append(len(data))

        reader = threading.Thread(target=read)
        reader.start()
        try:
            for version in versions * 3:
                blob_store.put("race", version)
        finally:
            stop.set()
            reader.join()
        assert reads
        assert torn == []
