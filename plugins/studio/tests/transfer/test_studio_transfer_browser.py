"""Import and export in Chromium, as an author uses them: the archive goes up in chunks over a connection
that drops one chunk (the page resumes where the server says), the import's progress and its outcome
(the skipped draft named with its file and line), then an export with its download link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_content.api import DRAFT, PUBLISHED, get_structure

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

from .conftest import archive_of

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-transfer"
COURSE = "course-v1:KampusX+Import+2027"
CHUNK = 1024


@pytest.fixture
def kampus_settings():
    return {"studio_import_chunk_bytes": CHUNK}


def logged_in_page(browser, served: str, user) -> object:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, served, user.username)
    return page


@pytest.mark.e2e
def test_import_resumes_over_a_flaky_connection_then_export(app, served, corpus, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    archive = tmp_path / "ora-course.tar.gz"
    archive.write_bytes(archive_of(corpus / "edx-draft_ora_import_course"))
    assert archive.stat().st_size > 2 * CHUNK
    staff = make_user(app, "staff", course_id=COURSE)
    dropped: list[str] = []
    sent: list[str] = []

    def flaky(route, request):
        if request.method == "PUT":
            sent.append(request.headers.get("content-range", ""))
            if not dropped and request.headers.get("content-range", "").startswith(f"bytes {CHUNK}-"):
                dropped.append(request.headers["content-range"])
                route.abort("connectionreset")
                return
        route.continue_()

    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route("**/import/uploads/**", flaky)
        page.goto(f"{served}/studio/course/{COURSE}/import")
        assert page.get_by_role("link", name="Import").get_attribute("aria-current") == "page"
        page.set_input_files("#course-archive", str(archive))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_selector("#studio-import-done:not([hidden])", timeout=30000)
        page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)
        assert dropped, "the second chunk was never sent"
        assert sent.count(dropped[0]) == 2, sent  # sent again after the server said where to resume
        assert page.locator("#studio-import-progress").get_attribute("aria-valuenow") == "100"
        assert "The course was imported." in page.locator("#studio-import-message").inner_text()
        warnings = page.locator("#studio-import-warnings").inner_text()
        assert "drafts/vertical/032b3110988d475296ce895d0e8e5ee4.xml, line 1" in warnings
        assert errors == []

        # A file that is not an archive is refused in the page.
        bad = tmp_path / "notes.txt"
        bad.write_text("hello")
        page.set_input_files("#course-archive", str(bad))
        page.get_by_role("button", name="Upload and import").click()
        assert "ending in .tar.gz" in page.locator("#studio-import-message").inner_text()

        # Export, with the keyboard.
        page.goto(f"{served}/studio/course/{COURSE}/export")
        page.focus("#studio-export-start")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_selector("#studio-export-download:not([hidden])", timeout=30000)
        page.screenshot(path=str(SHOTS / "export-ready.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#studio-export-download")
        assert download.value.suggested_filename.endswith(".tar.gz")

        # History shows the import's versions.
        page.goto(f"{served}/studio/course/{COURSE}/history")
        page.screenshot(path=str(SHOTS / "history.png"), full_page=True)
        assert "OLX import" in page.locator("#studio-history").inner_text()
    with app.app_context():
        seq = ("sequential", "659172e9170a44c6883b81cd2ead972f")
        assert get_structure(COURSE, DRAFT).blocks[seq].children
        assert not get_structure(COURSE, PUBLISHED).blocks[seq].children
