"""Files & uploads in Chromium: upload through the page (with progress), refusals shown, lock, delete
through the confirmation dialog, keyboard only for the delete."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

from .conftest import COURSE, PAGE, draft_files

pytestmark = [pytest.mark.e2e]

SCREENSHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-files"
SERIOUS = ("serious", "critical")


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page (rule, impact, targets)."""
    from_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = from_axe.Axe().run(page)
    return [f"{violation['id']} ({violation['impact']}) at {[node['target'] for node in violation['nodes']][:5]}"
            for violation in results.response["violations"] if violation["impact"] in SERIOUS]


def test_upload_lock_and_delete_in_a_browser(app, served, course, tmp_path):
    user = make_user(app, "staff", course_id=COURSE, username="files_author")
    files = {
        "syllabus.pdf": b"%PDF-1.4 syllabus",
        "diagram.png": bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                     "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"),
        "setup.exe": b"MZ\x90\x00 program",
        "lecture.mp4": b"0" * (1024 * 1024 + 1),  # over the 1 MB limit of these tests
    }
    for name, body in files.items():
        (tmp_path / name).write_bytes(body)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        log_in(page, served, user.username)
        page.goto(served + PAGE)
        expect(page.get_by_role("heading", name="Files & uploads")).to_be_visible()
        expect(page.get_by_text("This course has no files yet.")).to_be_visible()

        # four files at once: two stored, the program and the big video refused with their reasons
        page.get_by_label("Files", exact=True).set_input_files([str(tmp_path / name) for name in files])
        page.get_by_role("button", name="Upload", exact=True).click()
        refused = page.locator(".files-upload-error").filter(has_text="setup.exe")
        expect(refused).to_have_text("File setup.exe was not uploaded: files of type .exe (programs and scripts) "
                                     "cannot be added to a course.")
        expect(page.locator(".files-upload-error").filter(has_text="lecture.mp4")).to_contain_text(
            "exceeds maximum size of 1 MB")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "files_upload_errors.png"), full_page=True)
        page.wait_for_selector("tr[data-file-name='syllabus.pdf']", timeout=15_000)  # the page reloads
        assert draft_files(app) == {"syllabus.pdf": False, "diagram.png": False}
        expect(page.locator("tr[data-file-name='diagram.png'] input[value='/static/diagram.png']")).to_be_visible()

        # lock the syllabus
        with page.expect_navigation():
            page.get_by_role("button", name="Lock syllabus.pdf").click()
        expect(page.locator("tr[data-file-name='syllabus.pdf']")).to_contain_text("Locked")
        assert draft_files(app)["syllabus.pdf"] is True

        # delete the diagram with the keyboard: the dialog asks first
        page.get_by_role("link", name="Delete diagram.png").focus()
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("diagram.png")
        page.wait_for_timeout(500)  # the dialog's fade-in, for the screenshot
        page.screenshot(path=str(SCREENSHOTS / "files_delete_dialog.png"))
        with page.expect_navigation():
            dialog.get_by_role("button", name="Delete").press("Enter")
        expect(page.get_by_text("diagram.png was deleted.")).to_be_visible()
        assert draft_files(app) == {"syllabus.pdf": True}

        # search finds the syllabus
        page.get_by_label("Search by name").fill("syll")
        with page.expect_navigation():
            page.get_by_role("button", name="Apply").click()
        expect(page.locator("tr[data-file-name]")).to_have_count(1)
        page.screenshot(path=str(SCREENSHOTS / "files_page.png"), full_page=True)
        assert serious_violations(page) == []
