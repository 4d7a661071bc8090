"""What Studio's settings pages save is what the LMS shows once the course is published (the LMS read through
HTTP only: Studio never imports it)."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.api import DRAFT, add_asset, get_structure, publish, set_asset_locked

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE
API = f"/api/studio/v1/courses/{COURSE}/settings"


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "lms", "studio"]


def _publish(app: Any) -> None:
    with app.app_context():
        publish(COURSE, user_id=None, expected_version=get_structure(COURSE, DRAFT).version)


def test_about_grading_updates_and_pages_reach_the_lms_after_publish(app, author, client_as) -> None:
    visitor = client_as("anonymous")
    learner = client_as("learner", course_id=COURSE)
    before = visitor.get(f"/courses/{COURSE}/about")
    assert before.status_code == 200 and "Gravity for everyone" not in before.get_data(as_text=True)
    assert "65%" not in before.get_data(as_text=True) and "dQw4w9WgXcQ" not in before.get_data(as_text=True)

    details = author.put(f"{API}/details", json={
        "display_name": "Physics for poets", "start_date": "2025-02-01T00:00:00Z",
        "short_description": "Gravity for everyone", "effort": "5 hours a week", "language": "fr",
        "overview": "<h2>What you learn</h2><p>Falling apples</p><script>alert('x')</script>",
        "intro_video": "dQw4w9WgXcQ"})
    assert details.status_code == 200, details.get_json()
    grading = author.put(f"{API}/grading", json={
        "graders": [{"type": "Homework", "short_label": "HW", "weight": 100, "min_count": 1, "drop_count": 0}],
        "grade_cutoffs": {"A": 0.85, "B": 0.65}})
    assert grading.status_code == 200, grading.get_json()
    assert author.post(f"{API}/updates", json={"date": "2026-03-01", "content": "<p>Exam moved to Friday</p>"}
                       ).status_code == 201
    assert author.put(f"{API}/handouts", json={"data": "<p>Formula sheet</p>"}).status_code == 200
    page = author.post(f"{API}/tabs/pages", json={"name": "Syllabus", "content": "<p>Week one: apples</p>"})
    slug = page.get_json()["url_slug"]

    # nothing shows before publishing
    draft_about = visitor.get(f"/courses/{COURSE}/about").get_data(as_text=True)
    assert "Gravity for everyone" not in draft_about and "Falling apples" not in draft_about
    _publish(app)

    about = visitor.get(f"/courses/{COURSE}/about").get_data(as_text=True)
    assert "Physics for poets" in about and "Gravity for everyone" in about and "Falling apples" in about
    assert "5 hours a week" in about and "alert(" not in about
    assert "65%" in about  # the passing grade: the lowest cutoff
    assert "dQw4w9WgXcQ" in about

    info = learner.get(f"/courses/{COURSE}/info").get_data(as_text=True)
    assert "Exam moved to Friday" in info and "Formula sheet" in info
    home = learner.get(f"/courses/{COURSE}/course/").get_data(as_text=True)
    assert "Syllabus" in home
    assert "Week one: apples" in learner.get(f"/courses/{COURSE}/{slug}").get_data(as_text=True)

    # hiding the page in Studio removes its tab from the LMS after the next publish
    tabs = author.get(f"{API}/tabs").get_json()["tabs"]
    order = [{"id": t["id"], "is_hidden": t["id"] == f"static_tab_{slug}"} for t in tabs]
    assert author.put(f"{API}/tabs", json={"tabs": order}).status_code == 200
    _publish(app)
    assert f"/courses/{COURSE}/{slug}" not in learner.get(f"/courses/{COURSE}/course/").get_data(as_text=True)


def test_textbooks_made_in_studio_are_tabs_of_the_lms_and_a_locked_chapter_stays_locked(app, author, client_as) -> None:
    with app.app_context():
        add_asset(COURSE, "motion.pdf", b"%PDF-1.4 motion", user_id=None)
        set_asset_locked(COURSE, "motion.pdf", True, user_id=None)
    saved = author.put(f"{API}/textbooks", json={"textbooks": [
        {"tab_title": "Physics", "chapters": [{"title": "Motion", "url": "/static/motion.pdf"},
                                              {"title": "Online", "url": "https://example.org/c2.pdf"}]}]})
    assert saved.status_code == 200, saved.get_json()
    learner = client_as("learner", course_id=COURSE)
    assert "/pdfbook/0/" not in learner.get(f"/courses/{COURSE}/course/").get_data(as_text=True)  # a draft
    _publish(app)

    outline = learner.get(f"/courses/{COURSE}/course/").get_data(as_text=True)
    assert f'href="/courses/{COURSE}/pdfbook/0/"' in outline and ">Physics<" in outline
    book = learner.get(f"/courses/{COURSE}/pdfbook/0/").get_data(as_text=True)
    assert f'src="/assets/{COURSE}/motion.pdf"' in book and ">Online<" in book
    assert learner.get(f"/assets/{COURSE}/motion.pdf").get_data() == b"%PDF-1.4 motion"
    assert client_as("user").get(f"/assets/{COURSE}/motion.pdf").status_code == 403
