"""The outline editor in Chromium: create a course from Studio's home, build and edit an outline with the
keyboard alone (Alt+arrows and buttons, with an aria-live announcement), drag and drop, settings, publish,
and a conflict when someone else changed the course."""

from __future__ import annotations

import pytest
from kampus_content.api import DRAFT, get_structure, update_fields
from playwright.sync_api import expect

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.e2e]

COURSE = "course-v1:BrowserX+OUT+2027"


def server_names(app, key=None):
    with app.test_request_context():
        structure = get_structure(COURSE, DRAFT)
        block = structure.get(key or structure.root)
        return [structure.get(child).fields.get("display_name") for child in block.children]


def rows(page, selector):
    return [name.strip() for name in page.locator(selector).all_inner_texts()]


def test_outline_editing_in_a_browser(app, served, tmp_path):
    user = make_user(app, "global_staff", username="author")
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.on("dialog", lambda dialog: dialog.accept())
        log_in(page, served, user.username)
        # create the course from Studio's home (a bad key first)
        page.goto(served + "/studio/")
        page.get_by_role("button", name="New course").click()
        page.get_by_label("Course name").fill("Browser course")
        page.get_by_label("Organization").fill("BrowserX")
        page.get_by_label("Course number").fill("OUT 1")
        page.get_by_label("Course run").fill("2027")
        page.get_by_role("button", name="Create", exact=True).click()
        expect(page.locator("#new-number-error")).to_contain_text("letters, digits")
        page.get_by_label("Course number").fill("OUT")
        with page.expect_navigation():
            page.get_by_role("button", name="Create", exact=True).click()
        assert page.url.endswith(f"/studio/course/{COURSE}/")
        # two sections, a subsection, two units: with the keyboard
        page.get_by_role("button", name="+ New section").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        with page.expect_navigation():
            page.get_by_role("button", name="+ New section").click()
        assert rows(page, "ol.outline-sections > li > .outline-row .outline-name") == ["Section", "Section"]
        first = page.locator("ol.outline-sections > li").first
        first.locator("> .outline-row [data-action=rename]").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("Week 1")
        page.keyboard.press("Enter")
        expect(page.locator("#outline-live")).to_contain_text("Renamed to Week 1")
        with page.expect_navigation():
            first.locator("button.outline-add").click()  # new subsection in Week 1
        subsection = page.locator("li.outline-sequential").first
        with page.expect_navigation():
            subsection.locator("button.outline-add").click()
        with page.expect_navigation():
            page.locator("li.outline-sequential").first.locator("button.outline-add").click()
        units = page.locator("li.outline-vertical")
        expect(units).to_have_count(2)
        units.nth(0).locator("> .outline-row [data-action=rename]").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("Alpha")
        page.keyboard.press("Enter")
        expect(page.locator("#outline-live")).to_contain_text("Renamed to Alpha")
        sequential_key = ("sequential", page.locator("li.outline-sequential").first.get_attribute(
            "data-usage-id").rsplit("@", 1)[1])
        assert server_names(app, sequential_key) == ["Alpha", "Unit"]
        # keyboard move: focus the row, Alt+Down; the live region announces it and the server agrees
        page.locator("li.outline-vertical").first.locator("> .outline-row").focus()
        page.keyboard.press("Alt+ArrowDown")
        expect(page.locator("#outline-live")).to_contain_text("Alpha moved to position 2 of 2")
        expect(page.locator("li.outline-vertical").nth(1)).to_have_attribute("data-name", "Alpha")
        page.wait_for_timeout(300)
        assert server_names(app, sequential_key) == ["Unit", "Alpha"]
        assert page.evaluate("document.activeElement.closest('li').dataset.name") == "Alpha"
        page.keyboard.press("Alt+ArrowDown")
        expect(page.locator("#outline-live")).to_contain_text("Alpha is already last")
        # the "Move up" button keeps the focus on itself
        page.locator("li.outline-vertical").nth(1).locator("> .outline-row [data-action=up]").click()
        expect(page.locator("#outline-live")).to_contain_text("Alpha moved to position 1 of 2")
        page.wait_for_timeout(300)
        assert server_names(app, sequential_key) == ["Alpha", "Unit"]
        # drag and drop a section
        sections = page.locator("ol.outline-sections > li.outline-chapter")
        sections.nth(1).drag_to(sections.nth(0), target_position={"x": 20, "y": 5})
        expect(sections.nth(0)).to_have_attribute("data-name", "Section")
        page.wait_for_timeout(300)
        assert server_names(app) == ["Section", "Week 1"]
        # settings of the subsection: graded as Homework, due date
        page.locator("li.outline-sequential").first.locator("> .outline-row [data-action=settings]").click()
        page.get_by_label("Graded as").select_option("Homework")
        page.get_by_label("Due date and time (UTC)").fill("2027-03-01T12:00")
        with page.expect_navigation():
            page.locator("#outline-settings").get_by_role("button", name="Save").click()
        expect(page.locator("li.outline-sequential").first.locator("> .outline-row .outline-facts")).to_contain_text(
            "Homework")
        expect(page.locator("li.outline-sequential").first.locator("> .outline-row .outline-state")).to_have_text(
            "Draft (never published)")
        # publish
        with page.expect_navigation():
            page.get_by_role("button", name="Publish all changes").click()
        expect(page.locator("li.outline-vertical").first.locator("> .outline-row .outline-state")).to_have_text(
            "Published not yet released")
        expect(page.locator("#outline-publish-status")).to_contain_text("Everything is published")
        page.screenshot(path=str(tmp_path / "outline.png"), full_page=True)
        # someone else edits: this page's next change is refused with a reload link
        with app.test_request_context():
            structure = get_structure(COURSE, DRAFT)
            update_fields(COURSE, structure.root, {"display_name": "Renamed elsewhere"}, user_id=None)
        page.locator("li.outline-vertical").first.locator("> .outline-row [data-action=down]").click()
        expect(page.locator("#outline-conflict")).to_be_visible()
        expect(page.locator("#outline-conflict")).to_contain_text("Someone else changed this course")
        assert server_names(app, sequential_key) == ["Alpha", "Unit"]
        expect(page.locator("li.outline-vertical").first).to_have_attribute("data-name", "Alpha")  # put back
        with page.expect_navigation():
            page.locator("#outline-reload").click()
        expect(page.locator(".studio-course-header")).to_contain_text("Renamed elsewhere")
        page.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per rule."""
    from_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = from_axe.Axe().run(page)
    return [f"{v['id']} ({v['impact']}) at {[' '.join(map(str, n['target'])) for n in v['nodes']][:5]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_a_large_outline_in_a_browser_and_axe(app, served, monkeypatch):
    """Sections of a large course load when opened; a unit in one moves with the keyboard; the course list,
    outline and team pages have no serious axe-core violation."""
    from kampus_studio.outline import views

    monkeypatch.setattr(views, "FULL_RENDER_ROWS", 3)
    user = make_user(app, "global_staff", username="lazy_author")
    client = app.test_client()
    from kampus.testing import login
    login(client, user)
    assert client.post("/api/studio/v1/courses/", json={"org": "BrowserX", "number": "OUT", "run": "2027",
                                                        "display_name": "Large course"}).status_code == 201
    api = f"/api/studio/v1/courses/{COURSE}"
    root = client.get(f"{api}/outline").json["root"]["usage_id"]
    section = client.post(f"{api}/blocks", json={"parent": root, "category": "chapter", "display_name": "Big"}).json
    sub = client.post(f"{api}/blocks", json={"parent": section["usage_id"], "category": "sequential"}).json
    for name in ("One", "Two", "Three"):
        client.post(f"{api}/blocks", json={"parent": sub["usage_id"], "category": "vertical", "display_name": name})
    client.post(f"{api}/blocks", json={"parent": section["usage_id"], "category": "sequential",
                                       "display_name": "Other"})
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, served, user.username)
        page.goto(served + f"/studio/course/{COURSE}/")
        expect(page.locator("li.outline-vertical")).to_have_count(0)
        toggle = page.locator("li.outline-chapter .outline-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(page.locator("li.outline-vertical")).to_have_count(3)
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.locator("li.outline-vertical").nth(2).locator("> .outline-row").focus()
        page.keyboard.press("Alt+ArrowUp")
        expect(page.locator("#outline-live")).to_contain_text("Three moved to position 2 of 3")
        page.wait_for_timeout(300)
        names = [u["display_name"] for u in client.get(f"{api}/outline").json["root"]["children"][0]["children"][0][
            "children"]]
        assert names == ["One", "Three", "Two"]
        page.reload()  # the opened section opens again
        expect(page.locator("li.outline-vertical")).to_have_count(3)
        # "Move to" another subsection, duplicate, delete: each through the page's buttons
        page.on("dialog", lambda dialog: dialog.accept())
        page.locator("li.outline-vertical").nth(0).locator("> .outline-row [data-action=moveto]").click()
        page.get_by_label("New location (moved to its end)").select_option(label="Big › Other")
        with page.expect_navigation():
            page.locator("#outline-moveto").get_by_role("button", name="Move", exact=True).click()
        other = page.locator("li.outline-sequential").nth(1)
        expect(other.locator("li.outline-vertical")).to_have_count(1)
        expect(other.locator("li.outline-vertical")).to_have_attribute("data-name", "One")
        with page.expect_navigation():
            other.locator("li.outline-vertical > .outline-row [data-action=duplicate]").click()
        expect(other.locator("li.outline-vertical")).to_have_count(2)
        expect(other.locator("li.outline-vertical").nth(1)).to_have_attribute("data-name", "Duplicate of 'One'")
        with page.expect_navigation():
            other.locator("li.outline-vertical").nth(1).locator("> .outline-row [data-action=delete]").click()
        expect(other.locator("li.outline-vertical")).to_have_count(1)
        # publish one unit from its row: only it becomes published
        three = page.locator("li.outline-sequential").nth(0).locator("li.outline-vertical").first
        with page.expect_navigation():
            three.locator("> .outline-row [data-action=publish]").click()
        three = page.locator("li.outline-sequential").nth(0).locator("li.outline-vertical").first
        expect(three.locator("> .outline-row .outline-state")).to_have_text("Published not yet released")
        expect(three.locator("> .outline-row [data-action=publish]")).to_be_hidden()
        expect(other.locator("li.outline-vertical > .outline-row .outline-state")).to_have_text(
            "Draft (never published)")
        # publish, change, discard
        with page.expect_navigation():
            page.get_by_role("button", name="Publish all changes").click()
        with page.expect_navigation():
            other.locator("li.outline-vertical > .outline-row [data-action=duplicate]").click()
        expect(page.locator("#outline-publish-status")).to_contain_text("unpublished changes")
        with page.expect_navigation():
            page.get_by_role("button", name="Discard changes").click()
        expect(other.locator("li.outline-vertical")).to_have_count(1)
        expect(page.locator("#outline-publish-status")).to_contain_text("Everything is published")
        problems = {}
        for path in ("/studio/", f"/studio/course/{COURSE}/", f"/studio/course/{COURSE}/team",
                     f"/studio/course/{COURSE}/rerun"):
            page.goto(served + path)
            page.wait_for_load_state("load")
            found = serious_violations(page)
            if found:
                problems[path] = found
        assert problems == {}, problems
        page.close()
