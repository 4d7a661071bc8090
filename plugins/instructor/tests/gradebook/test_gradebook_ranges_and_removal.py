"""The gradebook page's grade-range filters (the gradebook API's ``course_grade_min``/``course_grade_max``,
``assignment`` with ``assignment_grade_min``/``assignment_grade_max``) and removing an override, from the
page and through ``DELETE /api/grades/v1/subsection/<id>/``, the audit trail recording the removal."""

from __future__ import annotations

import html
import re

from kampus_lms.api import course_grade, override_of

from .conftest import COURSE, check, enrolled_learner, token_of

PAGE = f"/courses/{COURSE}/instructor/gradebook"
BULK = f"/api/grades/v1/gradebook/{COURSE}/bulk-update"


def _percent(app, user_id: int) -> float:
    with app.app_context():
        return course_grade(user_id, COURSE).percent


def _names(page_html: str) -> set[str]:
    return set(re.findall(r'<label for="pick-\d+">([^<]+)</label>', page_html))


def test_the_page_filters_on_course_and_assignment_grade_ranges(app, client_as, course):
    half, full, none = (enrolled_learner(app, client_as) for _ in range(3))
    check(half, course["capital"], "Paris")  # Homework 1: 1/2 (50%), course 25%
    check(full, course["capital"], "Paris")
    check(full, course["capital2"], "Rome")  # Homework 1: 2/2 (100%), course 50%
    assert (_percent(app, half.user.id), _percent(app, full.user.id)) == (0.25, 0.5)
    names = {learner.user.username: key for key, learner in (("half", half), ("full", full), ("none", none))}
    staff = client_as("staff")

    def shown(**query) -> set[str]:
        page = staff.get(PAGE, query_string=query)
        assert page.status_code == 200
        return {names[name] for name in _names(page.get_data(as_text=True))}

    assert shown() == {"half", "full", "none"}
    assert shown(course_grade_min="40") == {"full"}
    assert shown(course_grade_max="30") == {"half", "none"}  # no lower bound: nothing graded yet counts
    assert shown(course_grade_min="20", course_grade_max="30") == {"half"}
    assert shown(assignment=course["hw1"], assignment_grade_min="60") == {"full"}
    assert shown(assignment=course["hw1"], assignment_grade_max="60") == {"half"}  # never attempted: left out
    assert shown(assignment=course["hw1"]) == {"half", "full", "none"}  # no bound: no filter, as Open edX
    page = staff.get(PAGE, query_string={"course_grade_max": "30", "page_size": 1}).get_data(as_text=True)
    assert 'name="course_grade_max"' in page and 'value="30"' in page  # the form keeps the filter
    assert "1 of 3 learners match" not in page and "2 of 3 learners match" in page
    [next_url] = re.findall(r'href="([^"]*after=[^"]*)"', page)
    assert "course_grade_max=30" in html.unescape(next_url)  # pages keep the filter
    second = staff.get(html.unescape(next_url)).get_data(as_text=True)
    assert {names[name] for name in _names(second)} | {names[name] for name in _names(page)} == {"half", "none"}
    bad = staff.get(PAGE, query_string={"course_grade_min": "lots"}).get_data(as_text=True)
    assert "course_grade_min must be a number" in bad
    ungraded = staff.get(PAGE, query_string={"assignment": course["practice"], "assignment_grade_min": "1"})
    assert "not a graded subsection" in ungraded.get_data(as_text=True)


def test_removing_an_override_from_the_page_is_in_the_audit_trail(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Paris")
    staff = client_as("staff")
    staff.post(f"{PAGE}/override", data={"user_id": [learner.user.id], "usage_id": course["late"], "earned": "1",
                                         "possible": "1", "reason": "excused"})
    assert _percent(app, learner.user.id) == 0.75
    page = staff.get(PAGE).get_data(as_text=True)
    value = f"{learner.user.id}:{course['late']}"
    assert f'value="{value}"' in page and 'form="remove-override-form"' in page
    assert staff.get(PAGE).get_data(as_text=True).count("data-remove-override") == 1  # overridden cells only
    assert client_as("ta").post(f"{PAGE}/override/remove", data={"override": value}).status_code == 403
    done = staff.post(f"{PAGE}/override/remove", data={"override": value, "reason": "entered by mistake"},
                      follow_redirects=True).get_data(as_text=True)
    assert "The override was removed." in done
    assert _percent(app, learner.user.id) == 0.25  # back to the computed grade
    with app.app_context():
        assert override_of(COURSE, learner.user.id, course["late"]) is None
    trail = done[done.index('id="audit-table"'):]
    assert "override removed" in trail and "entered by mistake" in trail and "excused" in trail
    assert "data-remove-override" not in done
    again = staff.post(f"{PAGE}/override/remove", data={"override": value}, follow_redirects=True)
    assert "is not overridden" in again.get_data(as_text=True)
    junk = staff.post(f"{PAGE}/override/remove", data={"override": "x"}, follow_redirects=True)
    assert "Choose an overridden grade" in junk.get_data(as_text=True)


def test_removing_an_override_through_the_api(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    _staff, headers = token_of(app, "staff")
    assert client.post(BULK, headers=headers, json=[{"user_id": learner.user.id, "usage_id": course["late"],
                                                     "grade": {"earned_graded_override": 1,
                                                               "comment": "excused"}}]).status_code == 202
    url = f"/api/grades/v1/subsection/{course['late']}/?user_id={learner.user.id}"
    _ta, ta_headers = token_of(app, "ta")
    assert client.delete(url, headers=ta_headers).status_code == 403  # TAs read, staff act
    removed = client.delete(f"{url}&comment=undo", headers=headers)
    assert removed.status_code == 204, removed.get_data(as_text=True)
    detail = client.get(url, headers=headers).get_json()
    assert detail["override"] is None
    assert [(entry["action"], entry["comments"]) for entry in detail["history"]] == [
        ("CREATEORUPDATE", "excused"), ("DELETE", "undo")]
    again = client.delete(url, headers=headers)
    assert again.status_code == 404 and again.get_json()["error_code"] == "override_does_not_exist"
    assert client.delete(f"/api/grades/v1/subsection/{course['late']}/?user_id=x", headers=headers).status_code == 400
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert any("delete" in ops for path, ops in paths.items() if path.startswith("/api/grades/v1/subsection/"))

