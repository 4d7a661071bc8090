"""The S3 driver passes the blob store contract (moto in server mode; a real server with KAMPUS_TEST_S3_URL)."""

from __future__ import annotations

import io

import boto3
import pytest
import requests
from kampus_s3 import plugin as s3_plugin
from kampus_s3.blob_store import S3BlobStore, S3ConfigurationError

from kampus.drivers.blob_store import BlobNotFoundError
from kampus.testing.contracts import driver_settings
from kampus.testing.contracts.blob_store import BlobStoreContract

MIB = 1024 * 1024


class TestS3BlobStore(BlobStoreContract):
    @pytest.fixture
    def blob_store(self, make_store):
        return make_store()


class TestS3BlobStoreWithKeyPrefix(BlobStoreContract):
    """The same contract with the site's keys in a folder of a bucket shared with other objects."""

    @pytest.fixture
    def blob_store(self, make_store):
        neighbour = make_store()
        neighbour.put("other-app/file.txt", b"not ours")  # outside the store's prefix
        return make_store(s3_key_prefix="site/one")


class _CountingReader(io.RawIOBase):
    """A non-seekable stream of ``size`` bytes that remembers the largest read asked of it."""

    def __init__(self, size: int):
        self.left = size
        self.largest = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.largest = max(self.largest, len(buffer))
        count = min(len(buffer), self.left)
        buffer[:count] = b"k" * count
        self.left -= count
        return count


def test_large_stream_goes_up_in_parts_without_reading_it_whole(make_store):
    store = make_store(s3_multipart_threshold_mb=5)
    size = 12 * MIB + 123
    reader = _CountingReader(size)
    info = store.put("big/video.mp4", io.BufferedReader(reader, buffer_size=64 * 1024))
    assert info.size == size
    assert info.content_type == "video/mp4"
    head = store.client.head_object(Bucket=store.bucket, Key=store.object_key("big/video.mp4"))
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object of three parts
    assert reader.largest <= 5 * MIB + 64 * 1024  # read part by part, never the whole body at once
    with store.open("big/video.mp4") as stream:
        first = stream.read(MIB)
    assert first == b"k" * MIB


def test_failed_multipart_upload_leaves_no_object_nor_pending_upload(make_store):
    store = make_store(s3_multipart_threshold_mb=5)

    class Broken(io.RawIOBase):
        left = 11 * MIB

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            if self.left <= 0:
                raise OSError("connection reset")
            count = min(len(buffer), self.left)
            buffer[:count] = b"b" * count
            self.left -= count
            return count

    with pytest.raises(Exception):  # noqa: B017 - the reader's error, maybe wrapped by s3transfer
        store.put("big/broken.bin", io.BufferedReader(Broken()))
    assert not store.exists("big/broken.bin")
    uploads = store.client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix).get("Uploads", [])
    assert uploads == []


def test_presigned_urls_when_asked_for(make_store):
    plain = make_store()
    plain.put("u/a.txt", b"hello")
    assert plain.url("u/a.txt") is None  # by default the site serves files itself (locks apply)
    signed = make_store(s3_presigned_url_seconds=300)
    signed.put("u/b.txt", b"signed hello", content_type="text/plain")
    url = signed.url("u/b.txt")
    assert url and url.startswith("http")
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200
    assert answer.content == b"signed hello"
    with pytest.raises(ValueError):
        signed.url("../x")


def test_missing_key_after_delete(make_store):
    store = make_store()
    store.put("x/y.bin", b"1")
    assert store.delete("x/y.bin") is True
    with pytest.raises(BlobNotFoundError):
        store.open("x/y.bin")


def test_a_bucket_is_required(tmp_path):
    with pytest.raises(S3ConfigurationError, match="s3_bucket"):
        S3BlobStore(driver_settings(tmp_path, [s3_plugin]))


def test_registered_as_the_s3_blob_store_driver():
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="kampus.blob_store")}
    assert found.get("s3") == "kampus_s3.blob_store:S3BlobStore"


def test_not_enabled_on_init():
    assert s3_plugin.kampus_site_defaults().enable_on_init is False


def test_a_site_with_blob_store_s3_keeps_its_files_in_the_bucket(make_app, moto_server):
    app = make_app(plugins=["s3"], settings={
        "blob_store": "s3", "s3_bucket": "site-files", "s3_endpoint_url": moto_server.endpoint_url,
        "s3_access_key_id": "testing", "s3_secret_access_key": "testing", "s3_region": "us-east-1",
        "s3_key_prefix": "kampus"})
    client = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                   region_name="us-east-1").client("s3", endpoint_url=moto_server.endpoint_url)
    client.create_bucket(Bucket="site-files")
    with app.app_context():
        store = app.extensions["kampus"].blob_store
        assert isinstance(store, S3BlobStore)
        store.put("courses/a.txt", b"in the bucket")
    assert client.get_object(Bucket="site-files", Key="kampus/courses/a.txt")["Body"].read() == b"in the bucket"


def test_course_files_are_served_from_the_bucket(make_app, moto_server):
    """A site on S3: a course file added through the content API is served, byte ranges included."""
    from kampus_content.api import add_asset, publish
    from kampus_content.testing.xblocks import publish_course

    client = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                   region_name="us-east-1").client("s3", endpoint_url=moto_server.endpoint_url)
    client.create_bucket(Bucket="course-files")
    app = make_app(plugins=["s3", "content"], settings={
        "blob_store": "s3", "s3_bucket": "course-files", "s3_endpoint_url": moto_server.endpoint_url,
        "s3_access_key_id": "testing", "s3_secret_access_key": "testing", "s3_region": "us-east-1"})
    course = "course-v1:S3X+Files+2026"
    publish_course(app, course, {"unit": []})
    video = bytes(range(256)) * 4096  # 1 MiB
    with app.test_request_context():
        add_asset(course, "clip.mp4", io.BytesIO(video), user_id=None)
        publish(course, user_id=None)
    web = app.test_client()
    whole = web.get(f"/assets/{course}/clip.mp4")
    assert whole.status_code == 200
    assert whole.data == video
    assert whole.mimetype == "video/mp4"
    part = web.get(f"/assets/{course}/clip.mp4", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.data == video[1000:2000]
    stored = [item["Key"] for item in client.list_objects_v2(Bucket="course-files").get("Contents", [])]
    assert any(key.startswith("olx-files/") for key in stored)
