"""The settings pages render for course authors (with the draft's values), and only for them."""

from __future__ import annotations

import json
import re

import pytest

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE
BASE = f"/studio/course/{COURSE}/settings"
API = f"/api/studio/v1/courses/{COURSE}/settings"
PAGES = ("details", "grading", "advanced", "pages", "updates", "textbooks", "certificates")


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="settings-data">(.*?)</script>', html, re.S)
    assert match, "the page carries its data"
    return json.loads(match.group(1))


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_with_the_draft_version(author, name) -> None:
    response = author.get(f"{BASE}/{name}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    version = author.get(f"{API}/details").get_json()["version"]
    assert page_data(html)["version"] == version
    assert f'data-api="{API}/' in html and 'aria-current="page"' in html
    assert "/static/studio/settings.js" in html


def test_values_show_and_script_text_cannot_break_out(author) -> None:
    answer = author.put(f"{API}/details", json={"short_description": "Intro </script><script>alert(1)</script>",
                                                "effort": "3 hours"})
    assert answer.status_code == 200
    html = author.get(f"{BASE}/details").get_data(as_text=True)
    assert 'value="3 hours"' in html
    assert "<script>alert(1)" not in html
    assert page_data(html)["effort"] == "3 hours"


def test_course_menu_links_the_settings_and_the_index_redirects(author) -> None:
    html = author.get(f"{BASE}/grading").get_data(as_text=True)
    assert f'href="{BASE}/details"' in html
    assert author.get(f"{BASE}/").headers["Location"].endswith(f"{BASE}/details")


def test_pages_are_for_course_authors_only(client_as, course) -> None:
    assert client_as("learner", course_id=COURSE).get(f"{BASE}/details").status_code == 403
    assert client_as("anonymous").get(f"{BASE}/details").status_code in (302, 401)
    admin = client_as("global_staff")
    assert admin.get(f"{BASE}/advanced").status_code == 200
    assert admin.get("/studio/course/course-v1:No+Such+2026/settings/details").status_code == 404
