"""The SES driver's tests run against moto in server mode on 127.0.0.1, started here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from kampus.testing import aws


@dataclass(frozen=True)
class MotoServer:
    endpoint_url: str
    region: str = "us-east-1"


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto in server mode on a free port of 127.0.0.1, stopped at the end of the session."""
    with aws.moto_server() as endpoint_url:
        yield MotoServer(endpoint_url)


def raw_sesv2(server: MotoServer):
    """A boto3 SESv2 client of the moto server (to verify identities and read what it received)."""
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name=server.region).client("sesv2", endpoint_url=server.endpoint_url)
