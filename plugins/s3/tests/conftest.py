"""Where the S3 driver's tests run: moto in server mode on 127.0.0.1 (always), and a real
S3-compatible server when ``KAMPUS_TEST_S3_URL`` is set (``http://KEY:SECRET@host:port/bucket``,
optionally ``?region=...``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import boto3
import pytest
from kampus_s3 import plugin as s3_plugin
from kampus_s3.blob_store import S3BlobStore

from kampus.testing import aws
from kampus.testing.contracts import driver_settings


@dataclass(frozen=True)
class S3Target:
    """An S3 endpoint the tests may write to."""

    name: str
    endpoint_url: str
    access_key: str
    secret_key: str
    region: str
    #: a bucket given by the operator (tests then use a fresh key prefix), else a new bucket per test
    bucket: str | None


def real_target() -> S3Target | None:
    """The server named by ``KAMPUS_TEST_S3_URL``, if any."""
    url = os.environ.get("KAMPUS_TEST_S3_URL")
    if not url:
        return None
    parts = urlsplit(url)
    region = parse_qs(parts.query).get("region", ["us-east-1"])[0]
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return S3Target("real", f"{parts.scheme}://{netloc}", unquote(parts.username or ""), unquote(parts.password or ""),
                    region, parts.path.strip("/") or None)


def pytest_report_header(config: pytest.Config) -> str:
    target = real_target()
    where = f"and {target.endpoint_url}" if target else "only (set KAMPUS_TEST_S3_URL for a real server)"
    return f"kampus-s3: blob store contract against moto in server mode {where}"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Target]:
    """moto's S3 in server mode on a free port of 127.0.0.1, stopped at the end of the session."""
    with aws.moto_server() as endpoint_url:
        yield S3Target("moto", endpoint_url, "testing", "testing", "us-east-1", None)


def _targets() -> list[str]:
    return ["moto", "real"] if real_target() else ["moto"]


@pytest.fixture(params=_targets())
def s3_target(request: pytest.FixtureRequest) -> S3Target:
    if request.param == "moto":
        return request.getfixturevalue("moto_server")
    target = real_target()
    assert target is not None
    return target


def raw_client(target: S3Target) -> Any:
    return boto3.session.Session(aws_access_key_id=target.access_key, aws_secret_access_key=target.secret_key,
                                 region_name=target.region).client("s3", endpoint_url=target.endpoint_url)


@pytest.fixture
def make_store(s3_target: S3Target, tmp_path: Path) -> Iterator[Callable[..., S3BlobStore]]:
    """Build empty stores on the target: a new bucket on moto, a fresh key prefix on a real server
    (removed afterwards). Keyword arguments are settings (``s3_key_prefix`` is put under the fresh one)."""
    client = raw_client(s3_target)
    made: list[S3BlobStore] = []
    run = f"kampus-test-{uuid.uuid4().hex[:12]}"
    bucket = s3_target.bucket or run
    if s3_target.bucket is None:
        client.create_bucket(Bucket=bucket)
    base_prefix = f"{run}/" if s3_target.bucket else ""

    def make(**values: Any) -> S3BlobStore:
        prefix = base_prefix + str(values.pop("s3_key_prefix", ""))
        settings = driver_settings(tmp_path, [s3_plugin], s3_bucket=bucket, s3_endpoint_url=s3_target.endpoint_url,
                                   s3_access_key_id=s3_target.access_key,
                                   s3_secret_access_key=s3_target.secret_key, s3_region=s3_target.region,
                                   s3_addressing_style="path", s3_key_prefix=prefix, **values)
        store = S3BlobStore(settings)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()
    if s3_target.bucket is not None:  # a real server: remove what this test wrote
        listing = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=base_prefix)
        for page in listing:
            for item in page.get("Contents", ()):
                client.delete_object(Bucket=bucket, Key=item["Key"])
    client.close()
