"""The unit editor in Chromium, as an author uses it: an HTML component written in the visual editor, a
multiple-choice problem written in the simple editor, the learner's preview; broken XML shown next to the
text; and two authors on one unit, the second told of the conflict with a way to reload."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kampus_content.api import DRAFT, get_structure, update_fields

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

from .conftest import COURSE

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-unit"


def logged_in_page(browser, served: str, user) -> object:
    """A page of ``browser`` (a browser or a context) logged in as ``user``."""
    size = {"viewport": {"width": 1280, "height": 1000}} if hasattr(browser, "new_context") else {}
    page = browser.new_page(**size)
    log_in(page, served, user.username)
    return page


def save_and_reload(page) -> None:
    """Save the open editor; the page reloads with the saved component."""
    with page.expect_navigation():
        page.click("#editor-save")
    page.wait_for_load_state("load")


@pytest.mark.e2e
def test_author_builds_a_unit_and_previews_it(app, served, course):
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = make_user(app, "staff", course_id=COURSE)
    unit_url = f"{served}/studio/course/{COURSE}/unit/{course['unit2']}"
    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(unit_url)
        assert page.locator("#no-components").is_visible()

        # an HTML component, written in the visual editor
        page.click("#add-html")
        page.wait_for_selector("#html-visual_ifr", timeout=15000)
        body = page.frame_locator("#html-visual_ifr").locator("body")
        body.click()
        page.keyboard.type("Words from the visual editor")
        page.keyboard.press("Control+b")
        page.keyboard.type(" in bold")
        page.screenshot(path=str(SHOTS / "html-visual-editor.png"))
        save_and_reload(page)
        page.wait_for_selector("#component-list li")
        assert "Words from the visual editor" in page.locator("#component-list").inner_text()

        # a multiple-choice problem, written in the simple editor
        page.click("#add-problem")
        page.get_by_role("button", name="Multiple Choice", exact=True).click()
        page.wait_for_selector("#problem-markdown", timeout=15000)
        page.fill("#problem-markdown", ">>Which number is prime?<<\n\n( ) 4\n(x) 7\n( ) 9\n")
        page.click("#problem-show-xml")
        page.wait_for_selector("#problem-xml-made:not([hidden])")
        assert '<choice correct="true">7</choice>' in page.locator("#problem-xml-made").inner_text()
        page.screenshot(path=str(SHOTS / "problem-simple-editor.png"))
        save_and_reload(page)
        page.wait_for_function("document.querySelectorAll('#component-list > li').length === 2")
        assert "Which number is prime?" in page.locator("#component-list").inner_text()
        page.screenshot(path=str(SHOTS / "unit-editor.png"), full_page=True)

        # broken XML in the advanced editor: the parser's line, next to the text; nothing saved
        problem = page.locator("#component-list > li").nth(1)
        problem.locator('[data-action="edit"]').click()
        page.wait_for_selector("#problem-xml", state="attached")
        page.click("#problem-tab-xml")
        page.fill("#problem-xml", "<problem>\n<p>Unclosed\n</problem>\n")
        page.click("#editor-save")
        page.wait_for_selector("#editor-errors .alert")
        assert "line 3" in page.locator("#editor-errors").inner_text()
        page.screenshot(path=str(SHOTS / "problem-xml-error.png"))
        page.locator("#editor-modal .modal-footer").get_by_role("button", name="Cancel").click()
        page.wait_for_selector("#editor-modal", state="hidden")

        # the learner's preview: the problem renders and grades
        page.click("#preview-link")
        page.wait_for_selector(".studio-preview")
        assert "Words from the visual editor" in page.locator(".studio-preview").inner_text()
        page.locator(".studio-preview").get_by_role("radio", name="7", exact=True).check()
        page.locator(".studio-preview button.kampus-submit").click()
        page.wait_for_selector(".studio-preview .notification-correct", timeout=15000)
        page.screenshot(path=str(SHOTS / "preview.png"), full_page=True)

        # publish (through the outline area's endpoint, when it is installed): the unit is live
        page.get_by_role("link", name="Back to the unit editor").click()
        page.wait_for_selector("#unit-state")
        state = page.locator("#unit-state").inner_text()
        assert state in ("Draft (unpublished changes)", "Draft (never published)")
        if "studio_outline_api.block_publish" in app.view_functions:
            assert page.locator("#publish-course").inner_text() == "Publish this unit"
            with page.expect_navigation():
                page.click("#publish-course")
            assert page.locator("#unit-state").inner_text() == "Published and live"
            assert page.locator("#publish-course").count() == 0
        assert not errors, errors
    with app.app_context():
        unit = get_structure(COURSE, DRAFT).blocks[("vertical", "unit2")]
        kinds = [key[0] for key in unit.children]
        assert kinds == ["html", "problem"]
        problem_fields = get_structure(COURSE, DRAFT).blocks[unit.children[1]].fields
        assert "Unclosed" not in problem_fields["data"] and "Which number is prime?" in problem_fields["markdown"]
        html = get_structure(COURSE, DRAFT).blocks[unit.children[0]].fields["data"]
        assert "<strong>" in html and "Words from the visual editor" in html


@pytest.mark.e2e
def test_two_authors_editing_one_unit_the_second_gets_a_conflict(app, served, course):
    SHOTS.mkdir(parents=True, exist_ok=True)
    first_user = make_user(app, "staff", course_id=COURSE)
    second_user = make_user(app, "instructor", course_id=COURSE)
    unit_url = f"{served}/studio/course/{COURSE}/unit/{course['unit1']}"
    with chromium_browser() as browser:
        size = {"width": 1280, "height": 1000}
        first_context, second_context = browser.new_context(viewport=size), browser.new_context(viewport=size)
        first = logged_in_page(first_context, served, first_user)
        second = logged_in_page(second_context, served, second_user)
        for page in (first, second):
            page.goto(unit_url)
            page.locator("#component-list > li").first.locator('[data-action="edit"]').click()
            page.wait_for_selector("#html-source", state="attached")
            page.click("#html-tab-source")
        first.fill("#html-source", "<p>The first author's text</p>")
        second.fill("#html-source", "<p>The second author's text</p>")
        save_and_reload(first)
        second.click("#editor-save")
        second.wait_for_selector("#editor-errors .alert")
        message = second.locator("#editor-errors").inner_text()
        assert "Someone else changed this unit" in message
        assert second.locator("#editor-errors a", has_text="Reload the unit").is_visible()
        assert second.locator("#html-source").input_value() == "<p>The second author's text</p>"  # not lost
        second.screenshot(path=str(SHOTS / "conflict.png"))
        second.locator("#editor-errors a", has_text="Reload the unit").click()
        second.wait_for_load_state()
        assert "The first author's text" in second.locator("#component-list").inner_text()
    with app.app_context():
        assert get_structure(COURSE, DRAFT).blocks[("html", "intro")].fields["data"] == "<p>The first author's text</p>"


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page (as the LMS's accessibility test checks)."""
    from_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = from_axe.Axe().run(page)
    return [f"{v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def draft_order(app) -> list[str]:
    with app.app_context():
        return [key[0] for key in get_structure(COURSE, DRAFT).blocks[("vertical", "unit1")].children]


@pytest.mark.e2e
def test_reorder_with_the_keyboard_and_by_drag_and_drop_and_axe(app, served, author, course):
    added = author.post(f"/api/studio/v1/courses/{COURSE}/units/{course['unit1']}/components",
                        json={"block_type": "problem", "template": "checkboxes"})
    assert added.status_code == 201
    assert draft_order(app) == ["html", "problem"]
    staff = make_user(app, "staff", course_id=COURSE)
    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        page.goto(f"{served}/studio/course/{COURSE}/unit/{course['unit1']}")
        assert serious_violations(page) == []

        # keyboard only: Tab to "Move Intro down", Enter
        button = page.get_by_role("button", name="Move Intro down")
        button.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("#unit-alert .alert-success")
        assert draft_order(app) == ["problem", "html"]
        focused = page.evaluate("document.activeElement.closest('li').getAttribute('data-display-name')")
        assert focused == "Intro"  # the focus follows the moved component

        # drag and drop: the Intro component back on top
        items = page.locator("#component-list > li")
        items.nth(1).locator(".card-header").drag_to(items.nth(0).locator(".card-header"),
                                                     target_position={"x": 20, "y": 2})
        page.wait_for_function("document.querySelector('#component-list > li').dataset.displayName === 'Intro'")
        page.wait_for_timeout(300)
        page.wait_for_selector("#unit-alert .alert-success")
        assert draft_order(app) == ["html", "problem"]

        # the editor dialog passes axe too
        page.locator("#component-list > li").nth(1).locator('[data-action="edit"]').click()
        page.wait_for_selector("#problem-markdown")
        page.wait_for_function("document.activeElement && document.activeElement.id === 'editor-display-name'")
        page.wait_for_timeout(400)  # the dialog's fade-in is over: axe measures the final colours
        assert serious_violations(page) == []


@pytest.mark.e2e
def test_a_third_party_xblock_is_edited_through_its_studio_view(app, served, course):
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = make_user(app, "staff", course_id=COURSE)
    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        page.goto(f"{served}/studio/course/{COURSE}/unit/{course['unit2']}")
        page.click("#add-advanced")
        page.locator('[data-add-type="poll"]').click()
        page.wait_for_selector("#studio-view-frame", timeout=15000)
        frame = page.frame_locator("#studio-view-frame")
        question = frame.locator("#poll-question-editor")
        question.wait_for(timeout=15000)
        question.fill("Which colour do you like best?")
        page.screenshot(path=str(SHOTS / "poll-studio-view.png"))
        with page.expect_navigation():
            frame.locator(".save-button").click()
        page.wait_for_selector("#component-list > li")
        # the poll's own script shows its form once its first handler call has answered
        page.locator("#component-list .poll-question").wait_for(state="visible")
        assert "Which colour do you like best?" in page.locator("#component-list").inner_text()
    with app.app_context():
        unit = get_structure(COURSE, DRAFT).blocks[("vertical", "unit2")]
        poll = get_structure(COURSE, DRAFT).blocks[unit.children[0]]
        assert poll.fields["question"] == "Which colour do you like best?"


@pytest.mark.e2e
def test_rename_duplicate_move_and_delete_on_the_page(app, served, course):
    staff = make_user(app, "staff", course_id=COURSE)
    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{served}/studio/course/{COURSE}/unit/{course['unit1']}")

        page.click("#rename-toggle")
        page.fill("#rename-input", "Getting started")
        page.keyboard.press("Enter")
        page.wait_for_selector("#unit-alert .alert-success")
        assert page.locator("#unit-title").inner_text() == "Getting started"

        with page.expect_navigation():
            page.get_by_role("button", name="Duplicate Intro").click()
        assert page.locator("#component-list > li").count() == 2

        page.locator("#component-list > li").nth(1).get_by_role("button", name="Move Intro", exact=True).click()
        page.wait_for_selector("#move-target", state="visible")
        page.select_option("#move-target", course["unit2"])
        with page.expect_navigation():
            page.locator("#move-modal").get_by_role("button", name="Move", exact=True).click()
        assert page.locator("#component-list > li").count() == 1

        page.get_by_role("button", name="Delete Intro").click()
        page.wait_for_selector("#delete-confirm", state="visible")
        with page.expect_navigation():
            page.click("#delete-confirm")
        assert page.locator("#component-list > li").count() == 0
        assert page.locator("#no-components").is_visible()
        assert not errors, errors
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[("vertical", "unit1")].fields["display_name"] == "Getting started"
        assert draft.blocks[("vertical", "unit1")].children == []
        moved = draft.blocks[("vertical", "unit2")].children
        assert len(moved) == 1 and draft.blocks[moved[0]].fields["data"] == "<p>Hello authors</p>"


@pytest.mark.e2e
def test_a_video_is_added_and_set_in_its_settings_editor(app, served, course):
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = make_user(app, "staff", course_id=COURSE)
    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        page.goto(f"{served}/studio/course/{COURSE}/unit/{course['unit2']}")
        page.click("#add-video")
        page.wait_for_selector("#setting-youtube_id_1_0", timeout=15000)
        page.fill("#editor-display-name", "Welcome video")
        page.fill("#setting-youtube_id_1_0", "3_yD_cEKoCk")
        page.fill("#setting-html5_sources", "https://example.com/welcome.mp4")
        page.screenshot(path=str(SHOTS / "video-settings.png"))
        save_and_reload(page)
        assert "Welcome video" in page.locator("#component-list").inner_text()
    with app.app_context():
        unit = get_structure(COURSE, DRAFT).blocks[("vertical", "unit2")]
        fields = get_structure(COURSE, DRAFT).blocks[unit.children[0]].fields
    assert fields["youtube_id_1_0"] == "3_yD_cEKoCk" and fields["html5_sources"] == ["https://example.com/welcome.mp4"]
    assert fields["display_name"] == "Welcome video"
    assert "transcripts" not in fields and "show_captions" not in fields  # untouched settings keep their defaults


@pytest.mark.e2e
def test_discard_the_unit_changes_after_confirming(app, served, course):
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff = make_user(app, "staff", course_id=COURSE)
    with app.app_context():
        update_fields(COURSE, ("html", "intro"), {"data": "<p>Unpublished words</p>"}, user_id=None)
    with chromium_browser() as browser:
        page = logged_in_page(browser, served, staff)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{served}/studio/course/{COURSE}/unit/{course['unit1']}")
        assert "Unpublished words" in page.locator("#component-list").inner_text()
        page.get_by_role("button", name="Discard changes").click()
        page.wait_for_selector("#discard-confirm", state="visible")
        page.screenshot(path=str(SHOTS / "discard-confirm.png"))
        page.locator("#discard-modal").get_by_role("button", name="Cancel").click()  # cancelling changes nothing
        page.wait_for_selector("#discard-confirm", state="hidden")
        with app.app_context():
            assert get_structure(COURSE, DRAFT).blocks[("html", "intro")].fields["data"] == "<p>Unpublished words</p>"
        page.get_by_role("button", name="Discard changes").click()
        page.wait_for_selector("#discard-confirm", state="visible")
        with page.expect_navigation():
            page.click("#discard-confirm")
        page.wait_for_load_state("load")
        assert "Hello authors" in page.locator("#component-list").inner_text()
        assert page.locator("#unit-state").inner_text() == "Published and live"
        assert page.locator("#discard-unit").count() == 0
        page.screenshot(path=str(SHOTS / "discarded.png"))
        assert not errors, errors
    with app.app_context():
        assert get_structure(COURSE, DRAFT).blocks[("html", "intro")].fields["data"] == "<p>Hello authors</p>"
