"""schemathesis against ``/api/openapi.json`` of a live ``kampus serve``: no 5xx, every answer matches its schema.

Two bounded runs (a few examples per operation, under the site's API throttles; each at most 60 s):
every GET operation with a learner's OAuth2 token from ``/oauth2/access_token`` (password grant, as
Open edX's mobile apps get one), and every operation without credentials (the 401/403 answers must be
documented ones too). A failure names the failing operations, then schemathesis's report (the request
that broke each and a ``curl`` line to replay it); the whole report is kept in ``schemathesis.txt``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ST = str(Path(sys.executable).with_name("st"))
#: Examples per operation and seconds per run: enough to cover each operation's parameters, bounded.
MAX_EXAMPLES = 5
MAX_SECONDS = 60
#: Requests per minute, below the site's API throttles (600 a token, 300 an anonymous address, a minute):
#: answers of 429 would test nothing.
TOKEN_RATE = "500/m"
ANONYMOUS_RATE = "250/m"
CHECKS = "not_a_server_error,response_schema_conformance"
#: The heading of a failing operation in schemathesis's report.
FAILING_OPERATION = re.compile(r"^_+ (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+ _+$")
#: A learner enrolled in a published course, and a public OAuth2 client (run in the site's environment).
SETUP = r"""
from kampus.app import create_app
from kampus.identity.accounts import create_user, find_user
from kampus.oauth2.clients import create_client
from kampus.oauth2.models import OAuthClient
import sqlalchemy as sa

app = create_app()
with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
    if find_user(db_session, "schemathesis") is None:
        create_user(db_session, "schemathesis", "schemathesis@example.com", %(password)r, name="Fuzz",
                    confirmed=True)
    if db_session.scalar(sa.select(OAuthClient).where(OAuthClient.client_id == "schemathesis-app")) is None:
        create_client(db_session, "schemathesis", "public", client_id="schemathesis-app")
print("ready")
"""


@pytest.fixture(scope="module")
def token(live_site) -> str:
    live_site.run_python(SETUP % {"password": live_site.password})
    data = urllib.parse.urlencode({"grant_type": "password", "client_id": "schemathesis-app",
                                   "username": "schemathesis", "password": live_site.password}).encode()
    with urllib.request.urlopen(live_site.url + "/oauth2/access_token", data=data, timeout=30) as response:
        return json.loads(response.read())["access_token"]


def run_schemathesis(live_site, tmp_path: Path, *options: str) -> None:
    if not Path(ST).exists() and shutil.which("st") is None:
        pytest.skip("schemathesis is not installed (make test-deps installs it)")
    command = [ST if Path(ST).exists() else "st", "run", live_site.url + "/api/openapi.json",
               "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES), "--max-time", str(MAX_SECONDS),
               "--phases", "examples,fuzzing", "--seed", "17", "--workers", "2",
               "--generation-database", "none", "--request-timeout", "20", "--no-color",
               "--report", "junit", "--report-dir", str(tmp_path), *options]
    done = subprocess.run(command, capture_output=True, text=True, timeout=MAX_SECONDS * 3, cwd=tmp_path)
    (tmp_path / "schemathesis.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    failing = [line.strip("_ ") for line in done.stdout.splitlines() if FAILING_OPERATION.match(line)]
    assert done.returncode == 0, ("Failing operations: " + "; ".join(failing) + "\n"
                                  + done.stdout[-12000:] + done.stderr[-3000:])


def test_get_operations_with_a_token(live_site, token, tmp_path) -> None:
    run_schemathesis(live_site, tmp_path, "--include-method", "GET", "--header", f"Authorization: Bearer {token}",
                     "--rate-limit", TOKEN_RATE)


def test_every_operation_without_credentials(live_site, tmp_path) -> None:
    run_schemathesis(live_site, tmp_path, "--exclude-path-regex", "^/oauth2/", "--rate-limit", ANONYMOUS_RATE)
