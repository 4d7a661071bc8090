"""Content learners may not open even in a started course: ``hide_after_due`` once the due date passed
(Open edX's "The due date for this assignment has passed" page) and ``group_access`` (content groups:
staff only until partitions exist). One rule for the unit page, jump_to, the outline and /xblock/."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from kampus_content.api import content_store
from kampus_content.olx.service import import_folder
from kampus_lms.enrollment.api import enroll
from werkzeug.serving import make_server

from kampus.testing import login, make_user
from kampus.testing.browser import chromium_browser, log_in

HIDDEN = {"c1s2": {"hide_after_due": "true", "due": "2021-01-01T00:00:00Z", "graded": "true",
                   "format": "Homework"}}
MESSAGE = "The due date for this assignment has passed"


def test_a_learner_gets_the_due_date_message_instead_of_the_content(cw):
    cw.publish(fields=HIDDEN)
    learner = cw.learner()
    for url in (cw.url("c1", "c1s2"), cw.url("c1", "c1s2", 1), cw.url("c1", "c1s2", 2)):
        response = learner.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert MESSAGE in page and "Body of unit 1.2" not in page, url
        assert f"/courses/{cw.COURSE}/progress" in page  # graded: where the score is
    visible = learner.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert "Body of unit 1.1.1" in visible and MESSAGE not in visible


def test_staff_see_the_content_with_a_notice(cw):
    cw.publish(fields=HIDDEN)
    page = cw.staff().get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert "Body of unit 1.2.1" in page
    assert "learners no longer see its content" in page


def test_navigation_and_jump_to_skip_the_hidden_units(cw):
    cw.publish(fields=HIDDEN)
    learner = cw.learner()
    # previous/next from the last unit before the hidden subsection goes past it
    page = learner.get(cw.url("c1", "c1s1", 2)).get_data(as_text=True)
    assert cw.url("c2", "c2s1", 1) in page and cw.url("c1", "c1s2", 1) not in page
    for block in (("vertical", "c1s2u1"), ("html", "c1s2u2h")):
        response = learner.get(f"/courses/{cw.COURSE}/jump_to/{cw.usage(*block)}")
        assert response.status_code == 302, block
        assert response.headers["Location"].endswith(cw.url("c1", "c1s2")), block
    staff = cw.staff().get(f"/courses/{cw.COURSE}/jump_to/{cw.usage('vertical', 'c1s2u2')}")
    assert staff.headers["Location"].endswith(cw.url("c1", "c1s2", 2))


def test_the_outline_keeps_hiding_the_units(cw):
    cw.publish(fields=HIDDEN)
    page = cw.learner().get(f"/courses/{cw.COURSE}/course/").get_data(as_text=True)
    assert "Subsection 1.2" in page and "Unit 1.2.1" not in page


def _write_group_course(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "course.xml").write_text(
        '<course url_name="2026" org="GroupX" course="G1" display_name="Groups" start="2020-01-01T00:00:00Z">'
        '<chapter url_name="ch" display_name="Week"><sequential url_name="seq" display_name="Lesson">'
        '<vertical url_name="everyone" display_name="For everyone"><html url_name="h1">'
        '<![CDATA[<p>Everyone reads this</p>]]></html></vertical>'
        '<vertical url_name="cohort" display_name="For one group" group_access=\'{"50": [1]}\'>'
        '<html url_name="h2"><![CDATA[<p>Only group one reads this</p>]]></html></vertical>'
        '</sequential></chapter></course>', encoding="utf-8")
    return folder


def test_an_imported_block_with_group_access_is_shown_to_staff_only(app, tmp_path):
    with app.app_context():
        course_id = import_folder(_write_group_course(tmp_path / "olx"), content_store(), user_id=None).course_key
    learner_user = make_user(app, "user")
    with app.test_request_context():
        enroll(learner_user, course_id, check_access=False)
    learner = login(app.test_client(), learner_user)
    base = f"/courses/{course_id}/courseware/ch/seq/"
    page = learner.get(base + "1").get_data(as_text=True)
    assert "Everyone reads this" in page and "For one group" not in page
    assert learner.get(base + "2").status_code == 302  # past the learner's units: back to the subsection
    cohort = f"{course_id.replace('course-v1:', 'block-v1:')}+type@vertical+block@cohort"
    assert learner.get(f"/courses/{course_id}/jump_to/{cohort}").status_code == 404
    assert learner.get(f"/xblock/{cohort}").status_code == 404
    outline = learner.get(f"/courses/{course_id}/course/").get_data(as_text=True)
    assert "For everyone" in outline and "For one group" not in outline
    staff = login(app.test_client(), make_user(app, "staff", course_id))
    assert "Only group one reads this" in staff.get(base + "2").get_data(as_text=True)


@pytest.mark.slow
@pytest.mark.e2e
def test_the_hidden_content_page_in_a_narrow_browser(cw, app, tmp_path):
    cw.publish(fields=HIDDEN)
    client = cw.learner(username="narrow")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        with chromium_browser() as browser:
            try:
                page = browser.new_page(viewport={"width": 375, "height": 800})
                log_in(page, base, client.user.username)
                page.goto(base + cw.url("c1", "c1s2", 1))
                assert page.get_by_role("heading", name=MESSAGE, exact=False).is_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= 375
                page.screenshot(path=str(tmp_path / "hidden_content.png"), full_page=True)
                with page.expect_navigation():
                    page.get_by_role("link", name="Next", exact=False).click()
                assert page.url.endswith(cw.url("c2", "c2s1", 1))
            finally:
                browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
