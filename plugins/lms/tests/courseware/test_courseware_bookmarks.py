"""Bookmarks: the toggle on unit pages (a form, or JSON for the page's script), the list, the events."""

from __future__ import annotations

import pytest
from kampus_lms.api import bookmarks_of


def _toggle(client, course_id, usage_id, action, json=False, **kwargs):
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/courses/{course_id}/bookmark", data={"usage_id": usage_id, "action": action},
                       headers=headers, **kwargs)


def test_bookmark_a_unit_with_the_form_then_remove_it_with_json(cw, app, events):
    cw.publish()
    client = cw.learner(username="grace")
    unit = cw.usage("vertical", "c1s2u1")
    page = client.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert 'aria-pressed="false"' in page and "Bookmark this page" in page
    added = _toggle(client, cw.COURSE, unit, "add")
    assert added.status_code == 302 and added.headers["Location"].endswith(cw.url("c1", "c1s2", 1))
    assert 'aria-pressed="true"' in client.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert _toggle(client, cw.COURSE, unit, "add").status_code == 302  # twice: still one bookmark
    with app.test_request_context():
        marks = bookmarks_of(client.user.id, cw.COURSE)
    assert len(marks) == 1
    mark = marks[0].to_json()
    assert mark["id"] == f"grace,{unit}" and mark["course_id"] == cw.COURSE and mark["usage_id"] == unit
    assert mark["block_type"] == "vertical" and mark["display_name"] == "Unit 1.2.1"
    assert [item["display_name"] for item in mark["path"]] == ["Section 1", "Subsection 1.2"]
    assert mark["path"][0]["usage_id"] == cw.usage("chapter", "c1")
    [event] = events.of_type("edx.bookmark.added")
    assert event["event"] == {"course_id": cw.COURSE, "bookmark_id": f"grace,{unit}", "component_type": "vertical",
                              "component_usage_id": unit}
    assert event["context"]["course_id"] == cw.COURSE

    removed = _toggle(client, cw.COURSE, unit, "remove", json=True)
    assert removed.status_code == 200 and removed.get_json()["bookmarked"] is False
    assert len(events.of_type("edx.bookmark.removed")) == 1
    with app.test_request_context():
        assert bookmarks_of(client.user.id) == []


@pytest.mark.parametrize("usage, action", [
    ("not-a-key", "add"),
    ("block-v1:KampusX+Nav101+2026+type@vertical+block@ghost", "add"),
    ("block-v1:KampusX+Nav101+2026+type@html+block@c1s1u1h", "add"),  # not a unit
    ("block-v1:KampusX+Nav101+2026+type@vertical+block@c1s1u1", "flip"),
])
def test_bad_bookmark_requests_are_refused(cw, usage, action):
    cw.publish()
    client = cw.learner()
    answer = _toggle(client, cw.COURSE, usage, action, json=True)
    assert answer.status_code == 400 and answer.get_json()["error"]["message"]


def test_bookmarks_need_access_and_csrf(cw, app):
    cw.publish()
    unit = cw.usage("vertical", "c1s1u1")
    assert _toggle(cw.learner(enrolled=False), cw.COURSE, unit, "add").status_code == 302  # to the about page
    assert _toggle(app.test_client(), cw.COURSE, unit, "add").status_code in (400, 401)
    assert _toggle(cw.learner(), cw.COURSE, unit, "add", csrf=False).status_code == 400


def test_the_bookmarks_page_groups_by_course_with_jump_to_links(cw):
    cw.publish()
    other = cw.publish("course-v1:KampusX+Other+2026", course_fields={"display_name": "Other course"})
    client = cw.learner()
    cw.enroll(client, other)
    _toggle(client, cw.COURSE, cw.usage("vertical", "c2s1u1"), "add")
    _toggle(client, other, cw.usage("vertical", "c1s1u1", course_id=other), "add")
    page = client.get("/bookmarks").get_data(as_text=True)
    assert "Unit 2.1.1" in page and f"/courses/{cw.COURSE}/jump_to/{cw.usage('vertical', 'c2s1u1')}" in page
    assert "Section 2 › Subsection 2.1" in page
    assert page.count('<h2 class="h4"') == 2 and "Navigation course</h2>" in page and "Other course</h2>" in page
    assert page.index("Other course</h2>") < page.index("Navigation course</h2>")  # newest bookmark first
    fresh = cw.learner().get("/bookmarks").get_data(as_text=True)
    assert "You have not bookmarked any page yet." in fresh


def test_the_bookmarks_page_asks_visitors_to_log_in(app):
    response = app.test_client().get("/bookmarks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
