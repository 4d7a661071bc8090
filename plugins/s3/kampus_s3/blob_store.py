"""The ``kampus.blob_store`` driver ``s3``: blobs as objects of an S3 bucket (boto3).

A blob key ``k`` is the object ``<s3_key_prefix>k`` of ``s3_bucket``. The driver follows the
rules of :mod:`kampus.drivers.blob_store` and passes its contract suite:

* writes are atomic because S3's are: a reader sees the old object or the new one. A streamed
  body larger than ``s3_multipart_threshold_mb`` goes up as a multipart upload, part by part
  (the file is never read whole into memory); when the upload fails the multipart upload is
  aborted and the previous object stays;
* the content type is the object's ``Content-Type`` (guessed from the key when not given);
* :meth:`S3BlobStore.open` streams the object's body; :meth:`S3BlobStore.list` pages through
  ``ListObjectsV2`` (keys in UTF-8 byte order, which is code point order, so sorted);
* :meth:`S3BlobStore.url` gives a presigned GET URL when ``s3_presigned_url_seconds`` is above 0.

Credentials come from ``s3_access_key_id``/``s3_secret_access_key`` or, when empty, from boto3's
standard chain. Each store builds its own boto3 session and client (thread-safe; nothing shared
between two apps of one process).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO, Any, BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.client import Config
from botocore.exceptions import ClientError

from kampus.drivers.blob_store import (
    BlobInfo,
    BlobNotFoundError,
    BlobStore,
    check_key,
    guess_content_type,
)

MIB = 1024 * 1024
#: S3's smallest part of a multipart upload (but the last).
MIN_PART = 5 * MIB
_MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


class S3ConfigurationError(ValueError):
    """The settings do not name a usable bucket."""


def _setting(settings: Any, name: str, default: Any) -> Any:
    value = getattr(settings, name, default)
    return default if value is None else value


def normalise_prefix(prefix: str) -> str:
    """``s3_key_prefix`` as a folder: ``""`` or a checked key ending with ``/``."""
    prefix = (prefix or "").strip().strip("/")
    if not prefix:
        return ""
    check_key(prefix)
    return prefix + "/"


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code", "")) in _MISSING_CODES


class S3BlobStore(BlobStore):
    """Blobs in the S3 bucket ``settings.s3_bucket`` (see the module's documentation)."""

    def __init__(self, settings: Any, client: Any = None):
        super().__init__(settings)
        self.bucket = str(_setting(settings, "s3_bucket", ""))
        if not self.bucket:
            raise S3ConfigurationError("blob_store = \"s3\" needs the setting s3_bucket (the bucket's name)")
        self.prefix = normalise_prefix(str(_setting(settings, "s3_key_prefix", "")))
        threshold = max(int(_setting(settings, "s3_multipart_threshold_mb", 8)) * MIB, MIN_PART)
        self.transfer_config = TransferConfig(multipart_threshold=threshold, multipart_chunksize=threshold,
                                              max_concurrency=4)
        self.presign_seconds = int(_setting(settings, "s3_presigned_url_seconds", 0))
        self.client = client if client is not None else self._make_client(settings)

    @staticmethod
    def _make_client(settings: Any) -> Any:
        access_key = _setting(settings, "s3_access_key_id", "") or None
        secret_key = _setting(settings, "s3_secret_access_key", "") or None
        session = boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key,
                                        region_name=_setting(settings, "s3_region", "") or None)
        config = Config(s3={"addressing_style": _setting(settings, "s3_addressing_style", "auto") or "auto"},
                        retries={"max_attempts": 5, "mode": "standard"})
        return session.client("s3", endpoint_url=_setting(settings, "s3_endpoint_url", "") or None, config=config)

    # -- keys --------------------------------------------------------------
    def object_key(self, key: str) -> str:
        """The S3 object key of blob ``key`` (raises ``ValueError`` for a bad key)."""
        return self.prefix + check_key(key)

    # -- writing -----------------------------------------------------------
    def put(self, key: str, data: bytes | BinaryIO | IO[bytes], content_type: str | None = None) -> BlobInfo:
        name = self.object_key(key)
        if isinstance(data, str):
            raise TypeError("blob data must be bytes or a binary file object, not str")
        if isinstance(data, bytes | bytearray | memoryview):
            body: Any = io.BytesIO(bytes(data))
        elif hasattr(data, "read"):
            body = data
        else:
            raise TypeError(f"blob data must be bytes or a binary file object, not {type(data).__name__}")
        extra = {"ContentType": content_type or guess_content_type(key)}
        # upload_fileobj streams: a single PUT below the threshold, else a multipart upload that
        # s3transfer aborts when reading the body or sending a part fails.
        self.client.upload_fileobj(body, self.bucket, name, ExtraArgs=extra, Config=self.transfer_config)
        return self.info(key)

    def delete(self, key: str) -> bool:
        name = self.object_key(key)
        if not self.exists(key):
            return False
        self.client.delete_object(Bucket=self.bucket, Key=name)
        return True

    # -- reading -----------------------------------------------------------
    def open(self, key: str) -> IO[bytes]:
        name = self.object_key(key)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFoundError(key) from None
            raise
        return answer["Body"]  # botocore's StreamingBody: an io.IOBase, read in chunks, the caller closes it

    def info(self, key: str) -> BlobInfo:
        name = self.object_key(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as error:
            if _is_missing(error):
                raise BlobNotFoundError(key) from None
            raise
        return BlobInfo(key=key, size=int(head["ContentLength"]),
                        content_type=head.get("ContentType") or guess_content_type(key),
                        modified=head["LastModified"])

    def list(self, prefix: str = "") -> Iterator[str]:
        if not isinstance(prefix, str) or "\\" in prefix or "\x00" in prefix or prefix.startswith("/"):
            raise ValueError(f"bad blob key prefix {prefix!r}")
        paginator = self.client.get_paginator("list_objects_v2")
        keys: list[str] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            keys.extend(item["Key"][len(self.prefix):] for item in page.get("Contents", ()))
        yield from sorted(keys)

    def url(self, key: str) -> str | None:
        name = self.object_key(key)
        if self.presign_seconds <= 0:
            return None
        return str(self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": name}, ExpiresIn=self.presign_seconds))

    def close(self) -> None:
        self.client.close()


__all__ = ["S3BlobStore", "S3ConfigurationError", "normalise_prefix"]
