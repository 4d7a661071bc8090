"""A real Kampus site served by `kampus serve` in a temporary folder, for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kampus.testing.browser import CHROMIUM, CHROMIUM_ARGS, chromium_browser, log_in  # noqa: F401  (names e2e tests use)

KAMPUS = str(Path(sys.executable).with_name("kampus"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_environment(home: Path, url: str) -> dict[str, str]:
    """Our environment less any KAMPUS_* variable, for the site in ``home`` served at ``url``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAMPUS_")}
    env.update(KAMPUS_HOME=str(home), KAMPUS_BASE_URL=url)
    return env


class LiveSite:
    #: The password of the accounts that tests create on the site.
    password = "a long e2e password 42"

    def __init__(self, home: Path, url: str, process: subprocess.Popen[bytes]):
        self.home = home
        self.url = url
        self.process = process

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    def run_python(self, script: str) -> str:
        """Run ``script`` in a child process as the site's own (``KAMPUS_HOME``); its last line of output."""
        done = subprocess.run([sys.executable, "-c", script], env=site_environment(self.home, self.url),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1]

    def log_in(self, page, username: str) -> None:
        """Log ``page`` in as ``username`` (an account made with :attr:`password`) through the login form."""
        log_in(page, self.url, username, self.password)


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory):
    """`kampus init` in a temporary KAMPUS_HOME, then `kampus serve` on a free port."""
    home = tmp_path_factory.mktemp("e2e-site")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = site_environment(home, url)
    init = subprocess.run([KAMPUS, "init"], env=env, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    log = (home / "serve.log").open("wb")
    process = subprocess.Popen(
        [KAMPUS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--no-worker"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail(f"kampus serve exited with {process.returncode}: {(home / 'serve.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("kampus serve did not answer within 60 s")
        time.sleep(0.2)
    yield LiveSite(home, url, process)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture
def site_worker(live_site: LiveSite):
    """A background worker (`kampus worker`) for the live site, for tests of pages that start tasks (Studio's
    import and export); the site itself runs with ``--no-worker``."""
    log = (live_site.home / "worker.log").open("ab")
    process = subprocess.Popen([KAMPUS, "worker", "--pool", "solo", "--concurrency", "1", "--loglevel", "WARNING"],
                               env=site_environment(live_site.home, live_site.url), stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session, from the process's Playwright (:mod:`kampus.testing.browser`)."""
    with chromium_browser() as shared:
        yield shared


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault(FAILED_KEY, report.failed)
        if report.failed:
            item.stash[FAILED_KEY] = True
    return report


FAILED_KEY = pytest.StashKey[bool]()


@pytest.fixture
def page(browser, request, tmp_path_factory):
    """A fresh browser page; a screenshot of it is saved when the test fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    if request.node.stash.get(FAILED_KEY, False):
        shot = tmp_path_factory.mktemp("screenshots") / f"{request.node.name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failure: {shot}")
        except Exception as exc:  # the page may be gone
            print(f"\nno screenshot: {exc}")
    context.close()
