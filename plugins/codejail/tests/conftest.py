"""Fixtures of the codejail tests: a ``bwrap`` sandbox (skipped without bubblewrap) and a live web app."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from kampus_codejail.bwrap import BwrapSandbox

from kampus.testing.contracts import driver_settings

NO_BWRAP = "bubblewrap is not installed (apt-get install bubblewrap, or `make install` as root)"


def pytest_report_header(config: pytest.Config) -> str:
    found = shutil.which("bwrap")
    return f"kampus-codejail: bwrap {'at ' + found if found else 'MISSING: jail tests skipped'}"


@pytest.fixture
def bwrap_sandbox(tmp_path: Any) -> BwrapSandbox:
    """A ``bwrap`` driver with the default settings (short wall timeout so tests stay quick)."""
    if not shutil.which("bwrap"):
        pytest.skip(NO_BWRAP)
    return BwrapSandbox(driver_settings(tmp_path, plugins=["codejail"], sandbox="bwrap", codejail_wall_seconds=4.0,
                                        codejail_cpu_seconds=2))


class LiveSite:
    """A real web app (werkzeug server in a thread) on 127.0.0.1, with its sandbox and site folder."""

    def __init__(self, app: Flask, port: int):
        self.app = app
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"

    def answers(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(self.url, timeout=10) as response:
            return response.status == 200

    def sandbox(self) -> Any:
        from kampus.drivers.sandbox import get_sandbox

        with self.app.app_context():
            return get_sandbox()


@pytest.fixture
def live_site(make_app: Callable[..., Flask]) -> Iterator[LiveSite]:
    if not shutil.which("bwrap"):
        pytest.skip(NO_BWRAP)
    from werkzeug.serving import make_server

    app = make_app(plugins=["codejail"], settings={"sandbox": "bwrap", "codejail_wall_seconds": 4.0,
                                                    "codejail_cpu_seconds": 2})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site = LiveSite(app, server.server_port)
    try:
        assert site.answers()
        yield site
    finally:
        server.shutdown()
        thread.join(10)
