"""PDF textbooks for learners (Open edX's ``staticbook``): a tab per book of the policy's ``pdf_textbooks``,
``/courses/<id>/pdfbook/<book>/`` (``.../chapter/<n>/``, ``.../chapter/<n>/<page>``) with the chapters and
the browser's PDF viewer; a locked file stays for the course's learners."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from kampus_lms.course_home.textbooks import chapter_url

from kampus.testing import client_as, make_user
from kampus.testing.browser import chromium_browser, log_in

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "lms-textbooks"


def pdf(text: str) -> str:
    """A one-page PDF showing ``text`` (its cross-reference table computed)."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"


BOOKS = {"pdf_textbooks": [
    {"tab_title": "Mechanics", "id": "1Mechanics", "chapters": [
        {"title": "Motion", "url": "/static/motion.pdf"},
        {"title": "Forces", "url": "/c4x/HomeX/H101/asset/forces.pdf"},
        {"title": "Not a file", "url": "javascript:alert(1)"}]},
    {"tab_title": "Broken", "chapters": [{"title": "Nothing", "url": "ftp://example.org/x.pdf"}]},
    {"tab_title": "Reader", "url": "https://example.org/reader.pdf"},
]}
FILES = {"static/motion.pdf": pdf("Chapter one: motion"), "static/forces.pdf": pdf("Chapter two: forces"),
         "policies/assets.json": json.dumps({"motion.pdf": {"locked": True}})}


def tabs(page: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav aria-label="Course".*?</nav>', page, re.S)
    assert nav, "no course tab bar"
    return re.findall(r'href="([^"]+)"\s+data-tab-id="([^"]+)"', nav.group(0))


def test_chapter_urls_as_open_edx_writes_them():
    course = "course-v1:HomeX+H101+2026"
    assert chapter_url(course, "/static/book one.pdf") == f"/assets/{course}/book one.pdf"
    assert chapter_url(course, "/c4x/HomeX/H101/asset/b.pdf") == f"/assets/{course}/b.pdf"
    assert chapter_url(course, "/asset-v1:HomeX+H101+2026+type@asset+block@c.pdf") == f"/assets/{course}/c.pdf"
    assert chapter_url(course, "https://example.org/d.pdf") == "https://example.org/d.pdf"
    for bad in ("javascript:alert(1)", "//evil.example/x.pdf", "/static/", "ftp://x/y.pdf", "/asset-v1:nonsense"):
        assert chapter_url(course, bad) is None


def test_each_book_is_a_tab_with_its_chapters_in_the_pdf_viewer(app, olx_course):
    course = olx_course(policy={"start": "2020-01-01T00:00:00Z", **BOOKS}, files=FILES)
    learner = client_as(app, "learner", course)
    outline = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert tabs(outline) == [
        (f"/courses/{course}/course/", "courseware"), (f"/courses/{course}/progress", "progress"),
        (f"/courses/{course}/dates", "dates"), (f"/courses/{course}/pdfbook/0/", "pdftextbook/0"),
        (f"/courses/{course}/pdfbook/2/", "pdftextbook/2")]  # "Broken" has no chapter to show
    assert ">Mechanics<" in outline and ">Reader<" in outline

    page = learner.get(f"/courses/{course}/pdfbook/0/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'data-tab-id="pdftextbook/0" aria-current="page"', html)
    assert re.findall(r'<a class="[^"]*" href="([^"]+)"', html.split('id="pdfbook-chapters"')[1].split("</ol>")[0]) \
        == [f"/courses/{course}/pdfbook/0/chapter/1/", f"/courses/{course}/pdfbook/0/chapter/2/"]
    assert f'src="/assets/{course}/motion.pdf"' in html and "javascript:" not in html
    second = learner.get(f"/courses/{course}/pdfbook/0/chapter/2/").get_data(as_text=True)
    assert f'src="/assets/{course}/forces.pdf"' in second and "<title>Forces · Mechanics" in second
    assert f'src="/assets/{course}/forces.pdf#page=3"' in learner.get(
        f"/courses/{course}/pdfbook/0/chapter/2/3").get_data(as_text=True)
    assert 'src="https://example.org/reader.pdf"' in learner.get(f"/courses/{course}/pdfbook/2/").get_data(as_text=True)
    for missing in ("pdfbook/0/chapter/3/", "pdfbook/0/chapter/0/", "pdfbook/1/", "pdfbook/9/"):
        assert learner.get(f"/courses/{course}/{missing}").status_code == 404, missing


def test_a_locked_chapter_stays_for_the_course_learners(app, olx_course):
    course = olx_course(policy={"start": "2020-01-01T00:00:00Z", **BOOKS}, files=FILES)
    learner = client_as(app, "learner", course)
    locked = learner.get(f"/assets/{course}/motion.pdf")
    assert locked.status_code == 200 and locked.mimetype == "application/pdf"
    assert locked.get_data().startswith(b"%PDF-1.4")
    stranger = client_as(app, "user")  # signed in, not enrolled
    assert stranger.get(f"/assets/{course}/motion.pdf").status_code == 403
    assert stranger.get(f"/courses/{course}/pdfbook/0/").status_code == 302  # to the about page
    assert client_as(app, "anonymous").get(f"/assets/{course}/motion.pdf").status_code == 403
    assert stranger.get(f"/assets/{course}/forces.pdf").status_code == 200  # not locked


def test_no_textbook_tab_without_textbooks(app, olx_course):
    course = olx_course()
    learner = client_as(app, "learner", course)
    assert [tab_id for _, tab_id in tabs(learner.get(f"/courses/{course}/course/").get_data(as_text=True))] == [
        "courseware", "progress", "dates"]
    assert learner.get(f"/courses/{course}/pdfbook/0/").status_code == 404


@pytest.mark.e2e
def test_a_learner_reads_a_chapter_in_the_browser(app, served, olx_course):
    SHOTS.mkdir(parents=True, exist_ok=True)
    course = olx_course(policy={"start": "2020-01-01T00:00:00Z", **BOOKS}, files=FILES)
    learner = make_user(app, "learner", course_id=course)
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        log_in(page, served, learner.username)
        page.goto(f"{served}/courses/{course}/course/")
        with page.expect_navigation():
            page.get_by_role("link", name="Mechanics").click()
        frame = page.locator("#pdfbook-viewer")
        assert frame.get_attribute("src") == f"/assets/{course}/motion.pdf"  # a locked file: shown to a learner
        page.wait_for_timeout(1500)  # the PDF viewer draws the page
        page.screenshot(path=str(SHOTS / "locked-chapter.png"))
        with page.expect_response(lambda response: response.url.endswith("/forces.pdf")) as loaded:
            with page.expect_navigation():
                page.get_by_role("link", name="Forces").click()
        assert loaded.value.status == 200
        assert page.locator('#pdfbook-chapters [aria-current="page"]').inner_text() == "Forces"
        page.wait_for_timeout(1500)  # the PDF viewer draws the page
        page.screenshot(path=str(SHOTS / "chapter.png"))
        assert not errors, errors
