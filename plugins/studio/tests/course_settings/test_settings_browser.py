"""Studio's settings pages in Chromium: the grade bar moved with the keyboard alone and by dragging, weights
that do not add up shown next to their field, schedule dates saved, a conflict when someone else saved first;
screenshots of every settings page go to the test's folder."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.api import DRAFT, edit_course, get_structure, grading_policy
from playwright.sync_api import expect

from kampus.testing import DEFAULT_COURSE, make_user
from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.e2e]

COURSE = DEFAULT_COURSE
PAGES = ("details", "grading", "advanced", "pages", "updates", "textbooks", "certificates")


def cutoffs(app: Any) -> dict[str, float]:
    with app.app_context():
        return grading_policy(COURSE, DRAFT)["GRADE_CUTOFFS"]


def test_settings_pages_in_a_browser(app, served, course, tmp_path) -> None:
    from kampus_content.testing.xblocks import publish_course

    publish_course(app, "course-v1:KampusX+Basics+2026", {"unit": []})
    user = make_user(app, "staff", course_id=COURSE, username="settings_author")
    # The prerequisite picker lists the courses the author may author (as Open edX's Studio does).
    from kampus.identity.models import User
    from kampus.identity.permissions import grant_role
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        grant_role(db_session, db_session.get(User, user.id), "staff", "course-v1:KampusX+Basics+2026")
    base = f"{served}/studio/course/{COURSE}/settings"
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, served, user.username)

        # grading: the default "Pass" at 50%, moved with the keyboard only
        page.goto(f"{base}/grading")
        handle = page.get_by_role("slider", name="Lowest score for grade Pass")
        expect(handle).to_have_attribute("aria-valuenow", "50")
        handle.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("PageUp")
        expect(page.get_by_role("slider", name="Lowest score for grade Pass")).to_have_attribute("aria-valuenow", "63")
        # a second grade, placed by the keyboard too; the names become A and B as in Open edX
        page.get_by_role("button", name="Add a grade").click()
        page.get_by_role("slider", name="Lowest score for grade B").focus()
        page.keyboard.press("PageDown")
        expect(page.get_by_role("slider", name="Lowest score for grade B")).to_have_attribute("aria-valuenow", "22")
        page.get_by_role("slider", name="Lowest score for grade A").focus()
        page.keyboard.press("End")
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_role("slider", name="Lowest score for grade A")).to_have_attribute("aria-valuenow", "99")
        # drag A's boundary with the mouse to about 80%
        track = page.locator(".grade-track").bounding_box()
        box = page.get_by_role("slider", name="Lowest score for grade A").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(track["x"] + track["width"] * 0.8, box["y"] + 10, steps=5)
        page.mouse.up()
        dragged = int(page.get_by_role("slider", name="Lowest score for grade A").get_attribute("aria-valuenow"))
        assert 78 <= dragged <= 82
        page.screenshot(path=str(tmp_path / "grading-bar.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#settings-messages")).to_contain_text("Your changes have been saved")
        assert cutoffs(app) == {"A": dragged / 100, "B": 0.22}
        expect(page.get_by_role("slider", name="Lowest score for grade B")).to_have_attribute("aria-valuenow", "22")

        # weights that do not add up: the message, nothing saved
        page.get_by_label("Weight of total grade (%)").first.fill("30")
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator('[data-error-for="graders"]')).to_contain_text("must add up to 100%")
        assert cutoffs(app) == {"A": dragged / 100, "B": 0.22}

        # schedule: an end before the start is refused beside its field; then a good one saves
        page.goto(f"{base}/details")
        page.get_by_label("Course start").fill("2026-09-01T09:00")
        page.get_by_label("Course end").fill("2026-08-01T09:00")
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#f-end_date + .invalid-feedback")).to_contain_text("must be later than the course start")
        page.get_by_label("Course end").fill("2026-12-01T09:00")
        page.get_by_label("Prerequisite courses").select_option(["course-v1:KampusX+Basics+2026"])
        with page.expect_navigation():
            page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#settings-messages")).to_contain_text("Your changes have been saved")
        with app.app_context():
            draft = get_structure(COURSE, DRAFT)
            assert draft.blocks[draft.root].fields["end"] == "2026-12-01T09:00:00Z"
            assert draft.blocks[draft.root].fields["pre_requisite_courses"] == ["course-v1:KampusX+Basics+2026"]

        # someone else saves first: a conflict with a way to reload
        page.get_by_label("Course language").fill("de")
        with app.app_context():
            edit_course(COURSE, user_id=None, fields={"language": "fr"})
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#settings-messages")).to_contain_text("Someone else changed this course")
        with page.expect_navigation():
            page.get_by_role("button", name="Reload the page").click()
        expect(page.get_by_label("Course language")).to_have_value("fr")

        # a course image uploaded from the page, then saved as the course's image
        image = tmp_path / "card.png"
        image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        page.get_by_label("Or upload a new image").set_input_files(str(image))
        expect(page.get_by_label("Image from the course's files")).to_have_value("card.png")
        with page.expect_navigation():
            page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_label("Image from the course's files")).to_have_value("card.png")
        with app.app_context():
            draft = get_structure(COURSE, DRAFT)
            assert draft.blocks[draft.root].fields["course_image"] == "card.png"

        # advanced settings: a wrong type is shown beside its key
        page.goto(f"{base}/advanced")
        page.get_by_label("Maximum Attempts").fill('"three"')
        page.get_by_role("button", name="Save changes").click()
        expect(page.locator("#adv-max_attempts + .invalid-feedback")).to_contain_text("whole number")

        axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe()
        problems: dict[str, list[str]] = {}
        for name in PAGES:
            page.goto(f"{base}/{name}")
            page.screenshot(path=str(tmp_path / f"settings-{name}.png"), full_page=True)
            serious = [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                       for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
            if serious:
                problems[name] = serious
        assert not problems, problems
        print("screenshots in", tmp_path)


def test_content_settings_forms_in_a_browser(app, served, course, tmp_path) -> None:
    """Pages, updates, handouts, textbooks (rows added and removed) and certificates, through their forms."""
    from kampus_content.api import add_asset, read_course_file

    with app.app_context():
        add_asset(COURSE, "book.pdf", b"%PDF-1.4", user_id=None)
        add_asset(COURSE, "book2.pdf", b"%PDF-1.4", user_id=None)
    user = make_user(app, "instructor", course_id=COURSE, username="content_author")
    base = f"{served}/studio/course/{COURSE}/settings"
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1100})
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, served, user.username)

        # a custom page, then moved first with the keyboard
        page.goto(f"{base}/pages")
        page.get_by_label("Page name").fill("Syllabus")
        page.get_by_label("Content (HTML)").fill("<p>Week one</p>")
        with page.expect_navigation():
            page.get_by_role("button", name="Add the page").click()
        expect(page.locator("[data-tab-list] li")).to_have_count(4)
        page.get_by_role("button", name="Move Syllabus up").focus()
        for _ in range(3):
            page.keyboard.press("Enter")
        page.locator("[data-tab-list] li").nth(3).get_by_label("Hidden").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save the order").click()
        names = page.locator("[data-tab-list] li .fw-semibold").all_inner_texts()
        assert [n.split("\n")[0].replace("Custom page", "").strip() for n in names] == [
            "Syllabus", "Course", "Updates & handouts", "Progress"]
        with app.app_context():
            draft = get_structure(COURSE, DRAFT)
            assert draft.blocks[draft.root].fields["tabs"][3] == {"type": "progress", "name": "Progress",
                                                                  "is_hidden": True}

        # an update and the handouts
        page.goto(f"{base}/updates")
        page.get_by_label("Date", exact=True).first.fill("2026-10-05")
        page.get_by_label("Update (HTML)").first.fill("<p>Quiz on Monday</p>")
        with page.expect_navigation():
            page.get_by_role("button", name="Post the update").click()
        expect(page.get_by_label("Date", exact=True).nth(1)).to_have_value("October 5, 2026")
        page.get_by_label("Handouts (HTML)").fill("<p>Formula sheet</p>")
        with page.expect_navigation():
            page.get_by_role("button", name="Save the handouts").click()
        expect(page.get_by_label("Handouts (HTML)")).to_have_value("<p>Formula sheet</p>")

        # a textbook with two chapters (one added by the button), then a missing file refused
        page.goto(f"{base}/textbooks")
        page.get_by_label("Textbook name").fill("Mechanics")
        page.get_by_label("Chapter name").fill("Motion")
        page.get_by_label("Chapter file").fill("/static/book.pdf")
        with page.expect_navigation():
            page.get_by_role("button", name="Save textbooks").click()
        page.get_by_role("button", name="Add a chapter").click()
        page.get_by_label("Chapter name").nth(1).fill("Forces")
        page.get_by_label("Chapter file").nth(1).fill("/static/nope.pdf")
        page.get_by_role("button", name="Save textbooks").click()
        expect(page.locator('[name="textbooks.0.chapters.1.url"] + .invalid-feedback')).to_contain_text("no file")
        page.get_by_label("Chapter file").nth(1).fill("/static/book2.pdf")
        with page.expect_navigation():
            page.get_by_role("button", name="Save textbooks").click()
        with app.app_context():
            draft = get_structure(COURSE, DRAFT)
            assert draft.blocks[draft.root].fields["pdf_textbooks"] == [{
                "tab_title": "Mechanics", "id": "1Mechanics",
                "chapters": [{"title": "Motion", "url": "/static/book.pdf"},
                             {"title": "Forces", "url": "/static/book2.pdf"}]}]

        # an active certificate needs a signatory
        page.goto(f"{base}/certificates")
        page.get_by_label("Certificate name").fill("Honor code")
        page.get_by_label("Active: learners who pass receive this certificate").check()
        page.get_by_role("button", name="Save the certificate").click()
        expect(page.locator('[data-error-for="certificates.0.signatories"]').or_(
            page.locator("#settings-messages"))).to_contain_text("at least one signatory")
        page.get_by_role("button", name="Add a signatory").click()
        page.get_by_label("Signatory name").fill("Ada Lovelace")
        page.get_by_label("Signatory title").fill("Dean")
        with page.expect_navigation():
            page.get_by_role("button", name="Save the certificate").click()
        expect(page.get_by_label("Signatory name")).to_have_value("Ada Lovelace")
        page.screenshot(path=str(tmp_path / "certificates-saved.png"), full_page=True)
        with app.app_context():
            draft = get_structure(COURSE, DRAFT)
            config = draft.blocks[draft.root].fields["certificates"]["certificates"][0]
            assert config["name"] == "Honor code" and config["is_active"] is True
            assert config["signatories"][0]["title"] == "Dean"
            assert b"Quiz on Monday" in read_course_file(draft, "info/updates.html")
