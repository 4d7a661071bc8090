"""In a real browser: register, confirm by e-mail, log in, see the greeting, log out."""

from __future__ import annotations

import re
import time
import uuid
from email import policy
from email.parser import BytesParser

import pytest

pytestmark = pytest.mark.e2e


def confirmation_link(outbox, address: str, timeout: float = 15) -> str:
    """The /confirm/ link of the newest message to ``address`` in the console mailer's outbox."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox.glob("*.eml"), reverse=True):
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            if address not in str(message["To"]):
                continue
            body = message.get_body(preferencelist=("plain", "html")).get_content()
            match = re.search(r"https?://[^\s\"'<>]+/confirm/[^\s\"'<>]+", body)
            assert match, f"no confirmation link in {path}:\n{body}"
            return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no e-mail to {address} in {outbox}")


def test_register_confirm_login_logout(live_site, page):
    username = f"e2e_{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    password = "a long e2e password 42"

    page.goto(live_site.url + "/")
    page.get_by_role("link", name="Register").first.click()
    page.fill("#username", username)
    page.fill("#email", email)
    page.fill("#name", "E2E Tester")
    page.fill("#password", password)
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    assert "Check your e-mail" in page.content()

    link = confirmation_link(live_site.outbox, email)
    assert link.startswith(live_site.url)
    page.goto(link)
    page.wait_for_url(re.compile(r".*/login.*"))
    assert "confirmed" in page.content()

    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(live_site.url + "/")
    greeting = page.locator("#greeting")
    greeting.wait_for()
    assert "E2E Tester" in greeting.inner_text() or username in greeting.inner_text()
    assert page.locator("#user-menu").inner_text().strip() == username

    page.click("#user-menu")
    page.locator("#logout-button").wait_for(state="visible")
    page.click("#logout-button")
    page.wait_for_load_state()
    login_link = page.locator("header").get_by_role("link", name="Log in")
    login_link.wait_for()
    assert page.locator("#user-menu").count() == 0


def test_login_before_confirmation_is_refused(live_site, page):
    username = f"e2e_{uuid.uuid4().hex[:8]}"
    page.goto(live_site.url + "/register")
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.com")
    page.fill("#password", "another long password 7")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    page.goto(live_site.url + "/login")
    page.fill("#username", username)
    page.fill("#password", "another long password 7")
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "Confirm your e-mail address first" in page.content()
    assert page.locator("#user-menu").count() == 0
