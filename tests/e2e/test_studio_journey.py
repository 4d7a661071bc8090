"""Issue 18's acceptance journey in headless Chromium, on a real site (`kampus init` + `kampus serve`).

A new course author (global staff): creates a course on Studio's home, builds an outline of two sections
with a subsection and a unit; in the unit editor adds an HTML component written in the visual editor, a
multiple-choice problem written in the simple (Markdown) editor and a video with an uploaded transcript (a
broken transcript file is refused first); sets the grading (the "Pass" cutoff, with the keyboard) and the
course start; publishes; an enrolled learner sees the unit in the LMS (``jump_to``) with the problem and the
video's captions; the author renames the unit without publishing (the learner still sees the live name,
Studio shows "Draft (unpublished changes)"), reads the change on the history's diff page and reverts to the
live version, renames and publishes again (the learner sees the new name); the sections are reordered with
the keyboard alone (Alt+Up on a focused row, announced in the live region, kept after a reload); and the
course is exported and imported into a new run of it, which gets the same outline.

Screenshots go to ``$KAMPUS_SCREENSHOTS/studio-journey`` (``/tmp/kampus-screenshots`` by default).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("KAMPUS_SCREENSHOTS", "/tmp/kampus-screenshots")) / "studio-journey"

SRT = ("1\n00:00:00,500 --> 00:00:03,000\nWelcome to the journey course.\n\n"
       "2\n00:00:03,500 --> 00:00:06,000\nLet's start.\n")

ACCOUNTS = r"""
from kampus.app import create_app
from kampus.identity.accounts import create_user

app = create_app()
with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
    create_user(db_session, %(author)r, %(author)r + "@example.com", %(password)r, confirmed=True, is_staff=True)
    create_user(db_session, %(learner)r, %(learner)r + "@example.com", %(password)r, confirmed=True)
print("ready")
"""

ENROLL = r"""
from kampus.app import create_app
from kampus.identity.models import User
from kampus import db
from kampus_lms.api import enroll
import sqlalchemy as sa

app = create_app()
with app.test_request_context():
    user = db.session().scalar(sa.select(User).where(User.username == %(learner)r))
    enroll(user, %(course)r, check_access=False)
print("enrolled")
"""

OUTLINE = r"""
import json
from kampus.app import create_app
from kampus_content.api import DRAFT, get_structure, read_course_file

app = create_app()
with app.app_context():
    structure = get_structure(%(course)r, DRAFT)

    def tree(key):
        block = structure.blocks[key]
        transcripts = {lang: len(read_course_file(structure, "static/" + name) or b"")
                       for lang, name in (block.fields.get("transcripts") or {}).items()}
        return [key[0], block.fields.get("display_name"), transcripts, [tree(child) for child in block.children]]

    print(json.dumps(tree(structure.root)[3]))
"""

UNIT_CHILDREN = r"""
from kampus.app import create_app
from kampus_content.api import DRAFT, get_structure

app = create_app()
with app.app_context():
    structure = get_structure(%(course)r, DRAFT)
    print(",".join(child[0] for child in structure.blocks[("vertical", %(unit)r)].children))
"""


def outline_names(page) -> list[str]:
    return [name.strip() for name in
            page.locator("ol.outline-sections > li > .outline-row .outline-name").all_inner_texts()]


def rename(page, item, name: str) -> None:
    item.locator("> .outline-row [data-action=rename]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type(name)
    page.keyboard.press("Enter")
    expect(page.locator("#outline-live")).to_contain_text(f"Renamed to {name}")


def wait_for_children(live_site, page, course: str, unit_id: str, count: int) -> list[str]:
    """The block types of the unit's draft children, once it has ``count`` of them."""
    for _ in range(40):
        children = live_site.run_python(UNIT_CHILDREN % {"course": course, "unit": unit_id}).split(",")
        if len([child for child in children if child]) >= count:
            return children
        page.wait_for_timeout(250)
    raise AssertionError(f"the unit has {children}, not {count} components")


def save_editor(page) -> None:
    """Save the open component editor; the unit page reloads with the saved component."""
    with page.expect_navigation():
        page.click("#editor-save")
    page.wait_for_load_state("load")


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def create_course(page, live_site, suffix: str, run: str) -> str:
    page.goto(f"{live_site.url}/studio/")
    page.get_by_role("button", name="New course").click()
    page.get_by_label("Course name").fill("Journey course")
    page.get_by_label("Organization").fill(f"Journey{suffix}")
    page.get_by_label("Course number").fill("J101")
    page.get_by_label("Course run").fill(run)
    with page.expect_navigation():
        page.get_by_role("button", name="Create", exact=True).click()
    course = f"course-v1:Journey{suffix}+J101+{run}"
    assert page.url == f"{live_site.url}/studio/course/{course}/"
    return course


def test_author_builds_publishes_and_a_learner_sees_it(live_site, site_worker, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    suffix = uuid.uuid4().hex[:6]
    author, learner = f"author_{suffix}", f"learner_{suffix}"
    live_site.run_python(ACCOUNTS % {"author": author, "learner": learner, "password": live_site.password})
    studio = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page = studio.new_page()
    page.set_default_timeout(15000)
    page.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    live_site.log_in(page, author)

    # 1. create the course on Studio's home
    page.get_by_role("link", name="Studio").click()
    course = create_course(page, live_site, suffix, "2027")
    expect(page.get_by_text("This course has no content yet")).to_be_visible()

    # 2. two sections, a subsection, a unit
    for _ in range(2):
        with page.expect_navigation():
            page.get_by_role("button", name="+ New section").click()
    sections = page.locator("ol.outline-sections > li.outline-chapter")
    rename(page, sections.nth(0), "Week 1")
    rename(page, sections.nth(1), "Week 2")
    with page.expect_navigation():
        sections.nth(0).locator("button.outline-add").click()
    with page.expect_navigation():
        page.locator("li.outline-sequential").first.locator("button.outline-add").click()
    unit = page.locator("li.outline-vertical").first
    rename(page, unit, "Welcome")
    unit_usage = unit.get_attribute("data-usage-id")
    unit_id = unit_usage.rsplit("@", 1)[1]
    expect(unit.locator("> .outline-row .outline-state")).to_have_text("Draft (never published)")
    shot(page, "1-outline-built")

    # 3. the unit editor: an HTML component written in the visual editor (a new component opens in its editor)
    with page.expect_navigation():
        unit.locator("> .outline-row a.outline-name").click()
    assert f"/studio/course/{course}/unit/" in page.url
    expect(page.locator("#unit-state")).to_have_text("Draft (never published)")  # the outline's words
    add_html = page.locator("#add-html")
    add_html.click()
    if add_html.get_attribute("data-bs-toggle") == "dropdown":
        page.locator('[aria-labelledby="add-html"] [data-add-type="html"]').first.click()
    page.wait_for_selector("#html-visual_ifr", timeout=20000)
    page.frame_locator("#html-visual_ifr").locator("body").click()
    page.keyboard.type("Words for the first week")
    save_editor(page)
    expect(page.locator("#component-list")).to_contain_text("Words for the first week")

    # a multiple-choice problem written in the simple (Markdown) editor
    page.click("#add-problem")
    page.get_by_role("button", name="Multiple Choice", exact=True).click()
    page.wait_for_selector("#problem-markdown", timeout=20000)
    page.fill("#problem-markdown", ">>Which number is prime?<<\n\n( ) 4\n(x) 7\n( ) 9\n")
    page.click("#problem-show-xml")
    expect(page.locator("#problem-xml-made")).to_contain_text('<choice correct="true">7</choice>')
    shot(page, "2-problem-simple-editor")
    save_editor(page)
    expect(page.locator("#component-list")).to_contain_text("Which number is prime?")

    # a video, its source set and a transcript uploaded in its editor (a file that is no transcript is refused)
    page.click("#add-video")
    page.wait_for_selector("#setting-html5_sources", timeout=20000)
    page.fill("#editor-display-name", "Welcome video")
    page.fill("#setting-html5_sources", "/static/welcome.mp4")
    broken = tmp_path / "broken.srt"
    broken.write_text("this is not a transcript\n")
    page.set_input_files("#transcript-file", str(broken))
    page.click("#transcript-upload")
    expect(page.locator("#transcript-error")).to_contain_text("no captions were found in broken.srt")
    transcript = tmp_path / "welcome.srt"
    transcript.write_text(SRT)
    page.set_input_files("#transcript-file", str(transcript))
    page.click("#transcript-upload")
    expect(page.locator("#transcript-status")).to_contain_text("The en transcript was uploaded as")
    assert '"en":' in page.locator("#setting-transcripts").input_value()
    shot(page, "3-video-transcript")
    save_editor(page)
    assert wait_for_children(live_site, page, course, unit_id, 3) == ["html", "problem", "video"]
    expect(page.locator("#component-list")).to_contain_text("Welcome video")
    shot(page, "4-unit-editor")

    # 4. grading: the "Pass" cutoff moved from 50% to 55% with the keyboard; the schedule: the course starts in
    # the past (a new course starts in 2030, as Open edX's)
    page.goto(f"{live_site.url}/studio/course/{course}/settings/grading")
    handle = page.get_by_role("slider", name="Lowest score for grade Pass")
    expect(handle).to_have_attribute("aria-valuenow", "50")
    handle.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(handle).to_have_attribute("aria-valuenow", "55")
    shot(page, "5-grading")
    with page.expect_navigation():
        page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#settings-messages")).to_contain_text("Your changes have been saved")
    expect(page.get_by_role("slider", name="Lowest score for grade Pass")).to_have_attribute("aria-valuenow", "55")
    # the subsection counts as Homework (the outline's settings dialog)
    page.goto(f"{live_site.url}/studio/course/{course}/")
    subsection = page.locator("li.outline-sequential").first
    subsection.locator("> .outline-row [data-action=settings]").click()
    page.select_option("#setting-format", "Homework")
    with page.expect_navigation():
        page.locator("#outline-settings-form").get_by_role("button", name="Save").click()
    expect(page.locator("li.outline-sequential").first).to_have_attribute("data-format", "Homework")
    page.goto(f"{live_site.url}/studio/course/{course}/settings/details")
    page.locator("#f-start_date").fill("2020-01-01T00:00")
    with page.expect_response(lambda r: r.request.method == "PUT" and "/details" in r.url) as answer:
        page.get_by_role("button", name="Save changes").click()
    assert answer.value.ok
    page.wait_for_load_state("networkidle")  # the settings page may reload itself after saving

    # 5. publish
    page.goto(f"{live_site.url}/studio/course/{course}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish all changes").click()
    expect(page.locator("li.outline-vertical").first.locator("> .outline-row .outline-state")).to_have_text(
        "Published")
    expect(page.locator("#outline-publish-status")).to_contain_text("Everything is published")

    # 6. an enrolled learner sees it in the LMS: the HTML, the problem, the video with its captions
    live_site.run_python(ENROLL % {"learner": learner, "course": course})
    lms = browser.new_context(viewport={"width": 1280, "height": 900})
    learner_page = lms.new_page()
    learner_page.set_default_timeout(15000)
    live_site.log_in(learner_page, learner)
    learner_page.goto(f"{live_site.url}/courses/{course}/jump_to/{unit_usage}")
    main = learner_page.locator("main")
    expect(main).to_contain_text("Welcome")
    expect(main).to_contain_text("Words for the first week")
    expect(main).to_contain_text("Which number is prime?")
    expect(main).to_contain_text("1 point (graded)")  # its subsection counts as Homework
    expect(main).to_contain_text("Welcome video")
    track = learner_page.locator('video track[kind="captions"][srclang="en"]')
    expect(track).to_have_count(1)
    captions = learner_page.request.get(live_site.url + track.get_attribute("src"))
    assert captions.ok and captions.text().startswith("WEBVTT")
    assert "00:00:00.500 --> 00:00:03.000\nWelcome to the journey course." in captions.text()
    expect(learner_page.locator(".kampus-video-transcript")).to_contain_text("Let's start.")
    shot(learner_page, "6-learner-unit")

    # 7. draft versus live: a rename shows as unpublished changes and stays out of the LMS until published
    rename(page, page.locator("li.outline-vertical").first, "Welcome back")
    expect(page.locator("li.outline-vertical").first.locator("> .outline-row .outline-state")).to_have_text(
        "Draft (unpublished changes)")
    expect(page.locator("#outline-publish-status")).to_contain_text("unpublished changes")
    learner_page.reload()
    expect(learner_page.locator("main")).to_contain_text("Welcome")
    expect(learner_page.locator("main")).not_to_contain_text("Welcome back")

    # 8. history: the draft's diff shows the rename; revert to the live version, which takes the rename back
    page.goto(f"{live_site.url}/studio/course/{course}/history")
    rows = page.locator("#studio-history tbody tr")
    expect(rows.first).to_contain_text("Current draft")
    expect(rows.first).to_contain_text(author)
    page.get_by_role("link", name="Changes of version " + rows.first.get_attribute("data-version")[:8]).click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Welcome back")
    shot(page, "7-history-diff")
    page.go_back()
    page.wait_for_load_state()
    live = page.locator("#studio-history tbody tr", has_text="Live").first
    live_version = live.get_attribute("data-version")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Revert to this version {live_version[:8]}").click()
    expect(page.locator("main")).to_contain_text("Publish it to show it to learners")
    shot(page, "8-reverted")
    page.goto(f"{live_site.url}/studio/course/{course}/")
    expect(page.locator("li.outline-vertical").first.locator("> .outline-row .outline-name")).to_have_text("Welcome")
    rename(page, page.locator("li.outline-vertical").first, "Welcome back")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish all changes").click()
    learner_page.reload()
    expect(learner_page.locator("main")).to_contain_text("Welcome back")

    # 9. keyboard only: Week 2 moves above Week 1 with Alt+Up on its focused row
    assert outline_names(page) == ["Week 1", "Week 2"]
    page.locator("ol.outline-sections > li.outline-chapter").nth(1).locator("> .outline-row").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect(page.locator("#outline-live")).to_contain_text("Week 2 moved to position 1 of 2")
    assert page.evaluate("document.activeElement.closest('li').dataset.name") == "Week 2"
    page.wait_for_timeout(300)
    page.reload()
    assert outline_names(page) == ["Week 2", "Week 1"]
    # Tab reaches the row's "Move down" button; Enter moves it back
    page.locator("ol.outline-sections > li.outline-chapter").first.locator("> .outline-row").focus()
    for _ in range(3):  # the row, its toggle, "Move up", "Move down"
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.action") == "down"
    page.keyboard.press("Enter")
    expect(page.locator("#outline-live")).to_contain_text("Week 2 moved to position 2 of 2")
    page.wait_for_timeout(300)
    page.reload()
    assert outline_names(page) == ["Week 1", "Week 2"]

    # 10. export, then import the archive into a new run of the course: the same outline
    page.goto(f"{live_site.url}/studio/course/{course}/export")
    with page.expect_navigation():
        page.click("#studio-export-start")
    page.wait_for_selector("#studio-export-download:not([hidden])", timeout=60000)
    with page.expect_download() as download:
        page.click("#studio-export-download")
    archive = tmp_path / download.value.suggested_filename
    download.value.save_as(archive)
    assert archive.name.endswith(".tar.gz") and archive.stat().st_size > 0
    new_run = create_course(page, live_site, suffix, "2028")
    page.goto(f"{live_site.url}/studio/course/{new_run}/import")
    page.set_input_files("#course-archive", str(archive))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_selector("#studio-import-done:not([hidden])", timeout=60000)
    expect(page.locator("#studio-import-message")).to_contain_text("The course was imported.")
    shot(page, "9-imported")
    page.goto(f"{live_site.url}/studio/course/{new_run}/")
    assert outline_names(page) == ["Week 1", "Week 2"]
    shot(page, "10-new-run-outline")
    original = live_site.run_python(OUTLINE % {"course": course})
    assert live_site.run_python(OUTLINE % {"course": new_run}) == original
    assert '"Welcome back"' in original and f'"Welcome video", {{"en": {len(SRT)}}}' in original
    assert errors == []
    studio.close()
    lms.close()
