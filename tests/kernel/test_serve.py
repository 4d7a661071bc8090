"""`kampus serve` for real: the address it prints, links built from the request, the access log."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import KAMPUS, kampus_env

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def served_site(site, kampus_cmd):
    """A site without plugins and without base_url, served by `kampus serve` on a free port."""
    init = kampus_cmd(site, "init", "--plugins", "")
    assert init.returncode == 0, init.stderr
    assert "base_url" not in (site / "kampus.toml").read_text()
    port = free_port()
    out = (site / "serve.out").open("wb")
    process = subprocess.Popen(
        [KAMPUS, "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=kampus_env(site), stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )

    def answers() -> bool:
        if process.poll() is not None:
            pytest.fail(f"kampus serve exited: {(site / 'serve.out').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):
                return True
        except OSError:
            return False

    try:
        wait_for(answers, what="kampus serve to answer")
        yield site, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        out.close()


def test_serve_prints_its_address_links_follow_the_request_and_the_access_log_hides_queries(served_site):
    site, port = served_site
    base = f"http://127.0.0.1:{port}"
    banner = (site / "serve.out").read_text()
    assert f"at {base}/" in banner and ":8000" not in banner

    # a password-reset e-mail links to the address the request came to
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/password/reset?token=query-s3cr3t", timeout=10) as response:
        page = response.read().decode()
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page)
    assert csrf, page[:1000]
    form = urllib.parse.urlencode({"email": "admin@example.com", "csrf_token": csrf.group(1)}).encode()
    with opener.open(f"{base}/password/reset", data=form, timeout=30) as response:
        assert response.status == 200
    [mail] = list((site / "outbox").glob("*.eml"))
    assert f"{base}/password/reset/" in mail.read_text()

    # a reset link's token sits in the path: logged as [redacted]
    try:
        opener.open(f"{base}/password/reset/path-s3cr3t", timeout=10).close()
    except urllib.error.HTTPError:
        pass  # an unknown token may be refused; the line is logged all the same
    log = site / "logs" / "access.log"
    wait_for(lambda: log.exists() and "[redacted]" in log.read_text(), timeout=20, what="the access log")
    text = log.read_text()
    assert "GET /password/reset HTTP/1.1" in text and "POST /password/reset HTTP/1.1" in text
    assert "s3cr3t" not in text and "?" not in text
    assert text.splitlines()[-1].startswith("127.0.0.1 ")
    assert Path(str(log) + ".lock").parent == log.parent
