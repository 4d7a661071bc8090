"""Course tabs: the LMS's built-in tabs, the policy's custom pages, order and hidden tabs, tabs of other
plugins through ``kampus_course_tabs``, and the shared course page layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kampus_hookspecs import hookimpl

from kampus.testing import client_as, recording_hook_calls

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

INFO = {"info/updates.html": "<ol><li><h2>May 1, 2026</h2><p>Hello</p></li></ol>"}


def tab_ids(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Course".*?</nav>', page, re.S)
    assert nav, "no course tab bar"
    return re.findall(r'data-tab-id="([^"]+)"', nav.group(0))


def test_learner_sees_the_built_in_tabs_with_the_active_one_marked(app, olx_course):
    course = olx_course(files=INFO)
    learner = client_as(app, "learner", course)
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert tab_ids(page) == ["courseware", "progress", "dates", "info"]
    assert re.search(r'class="nav-link text-nowrap active" href="/courses/[^"]+/course/"\s+data-tab-id="courseware" '
                     r'aria-current="page"', page)
    assert len(re.findall(r'data-tab-id="[^"]+" aria-current="page"', page)) == 1
    info_page = learner.get(f"/courses/{course}/info").get_data(as_text=True)
    assert re.search(r'data-tab-id="info" aria-current="page"', info_page)
    # the layout: course title with org and number, a search box, one <main> (the base layout's)
    assert "Home Course" in page and "HomeX H101" in page
    assert 'role="search"' in page and 'for="lms-course-search-q"' in page
    assert page.count("<main") == 1


def test_no_info_tab_without_info_files(app, olx_course):
    course = olx_course()
    learner = client_as(app, "learner", course)
    assert tab_ids(learner.get(f"/courses/{course}/course/").get_data(as_text=True)) == [
        "courseware", "progress", "dates"]


POLICY_TABS = {"tabs": [
    {"type": "course_info", "name": "Home"},
    {"type": "courseware", "name": "Courseware"},
    {"type": "textbooks", "name": "Textbooks"},
    {"type": "progress", "name": "Progress"},
    {"type": "static_tab", "name": "Syllabus", "url_slug": "syllabus"},
    {"type": "static_tab", "name": "Secret", "url_slug": "secret", "is_hidden": True},
    {"type": "static_tab", "name": "Staff notes", "url_slug": "notes", "course_staff_only": True},
    {"type": "wiki", "name": "Wiki", "is_hidden": True},
]}
PAGES = {**INFO, "tabs/syllabus.html": "<h2>Syllabus</h2><p>Week 1</p>", "tabs/secret.html": "<p>Hidden</p>",
         "tabs/notes.html": "<p>Staff</p>"}


def test_policy_orders_tabs_hides_them_and_adds_custom_pages(app, olx_course):
    course = olx_course(policy=POLICY_TABS, files=PAGES)
    learner = client_as(app, "learner", course)
    page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    # info and courseware swap places as the policy orders them; Dates (never in old policies) keeps its place
    assert tab_ids(page) == ["info", "courseware", "dates", "progress", "static_tab_syllabus"]
    assert ">Syllabus</a>" in page and ">Secret<" not in page
    staff = client_as(app, "staff", course)
    assert "static_tab_notes" in tab_ids(staff.get(f"/courses/{course}/course/").get_data(as_text=True))


def test_custom_pages_are_served_and_unknown_or_hidden_ones_are_404(app, olx_course):
    course = olx_course(policy=POLICY_TABS, files=PAGES)
    learner = client_as(app, "learner", course)
    response = learner.get(f"/courses/{course}/syllabus")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<p>Week 1</p>" in page and 'data-tab-id="static_tab_syllabus" aria-current="page"' in page
    assert learner.get(f"/courses/{course}/secret").status_code == 404  # hidden by the policy
    assert learner.get(f"/courses/{course}/notes").status_code == 404  # staff only
    assert learner.get(f"/courses/{course}/nosuchpage").status_code == 404
    staff = client_as(app, "staff", course)
    assert "<p>Staff</p>" in staff.get(f"/courses/{course}/notes").get_data(as_text=True)


def test_the_2014_static_tabs_course_from_open_edx(app, olx_folder):
    course = olx_folder(app, Path("/work/shared/corpus/olx/edx-2014_static_tabs"))
    staff = client_as(app, "staff", course)
    page = staff.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert tab_ids(page) == ["courseware", "progress", "dates", "static_tab_static"]
    assert "<h1>Sample Page</h1>" in staff.get(f"/courses/{course}/static").get_data(as_text=True)


class DiscussionTabs:
    """A plugin adding a course tab, as the forums plugin will."""

    @hookimpl
    def kampus_course_tabs(self, course_id, user):
        return [{"type": "discussion", "name": "Discussion", "url": f"/courses/{course_id}/discussion/forum/",
                 "order": 25},
                {"type": "wiki", "name": "Wiki", "url": "/wiki", "is_hidden": True}]


def test_a_plugin_adds_a_tab_through_the_hook(make_app, olx_course):
    app = make_app(plugins=["content", "problems", "lms", DiscussionTabs()])
    course = olx_course(app, policy={"tabs": [{"type": "courseware"}, {"type": "discussion"}, {"type": "progress"}]})
    learner = client_as(app, "learner", course)
    with recording_hook_calls(app) as calls:
        page = learner.get(f"/courses/{course}/course/").get_data(as_text=True)
    assert any(kwargs["course_id"] == course for kwargs in calls.of("kampus_course_tabs"))
    # the policy orders the plugin's tab among the LMS's (Progress takes Discussion's slot, Dates keeps its own)
    assert tab_ids(page) == ["courseware", "discussion", "progress", "dates"]
    assert f'href="/courses/{course}/discussion/forum/"' in page and ">Wiki<" not in page
