"""The learning MFE's course home API: outline, progress (own and, for staff, a learner's) and dates, in
the shapes of Open edX's ``course_home_api`` serializers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import Block

from kampus.testing import login, make_user, recording_statements

from .slice_b_kit import (
    COURSE,
    DRF_DATETIME,
    answer,
    check_shape,
    enrolled,
    graded_block_installed,
    mobile_client,
    publish_graded_course,
    token_headers,
)
from .test_rest_mobile import olx_course

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

OPTIONAL_DATE = (str, None)
#: ``CourseBlockSerializer``'s block.
COURSE_BLOCK = {"children": [str], "complete": bool, "description": (str, None), "display_name": str,
                "due": OPTIONAL_DATE, "effort_activities": (int, None), "effort_time": (int, None),
                "icon": (str, None), "id": str, "lms_web_url": (str, None), "resume_block": bool, "type": str,
                "has_scheduled_content": (bool, None)}
#: ``DateSummarySerializer``.
DATE_BLOCK = {"assignment_type": (str, None), "complete": (bool, None), "date": DRF_DATETIME, "date_type": str,
              "description": str, "learner_has_access": bool, "link": str, "link_text": str, "title": str,
              "extra_info": (str, None), "first_component_block_id": str}
DATES_BANNER = {"missed_deadlines": bool, "missed_gated_content": bool, "content_type_gating_enabled": bool,
                "verified_upgrade_link": (str, None)}
#: ``CourseToolSerializer``.
COURSE_TOOL = {"analytics_id": str, "title": str, "url": str}
CERT_DATA = {"cert_status": str, "cert_web_view_url": (str, None), "download_url": (str, None),
             "certificate_available_date": OPTIONAL_DATE}
#: ``OutlineTabSerializer``.
OUTLINE_TOP = {"access_expiration": (dict, None), "cert_data": (dict, None), "course_blocks": (dict, None),
               "course_goals": {"selected_goal": (dict, None), "weekly_learning_goal_enabled": bool},
               "course_tools": [COURSE_TOOL], "dates_banner_info": DATES_BANNER,
               "dates_widget": {"course_date_blocks": [DATE_BLOCK], "dates_tab_link": str,
                                "user_timezone": (str, None)},
               "enroll_alert": {"can_enroll": bool, "extra_text": (str, None)}, "enrollment_mode": (str, None),
               "enable_proctored_exams": bool, "handouts_html": (str, None), "has_ended": bool,
               "offer": (dict, None), "resume_course": {"has_visited_course": bool, "url": (str, None)},
               "welcome_message_html": (str, None), "user_has_passing_grade": bool, "verified_mode": (dict, None)}
#: ``ProgressTabSerializer``.
SUBSECTION_SCORES = {"assignment_type": (str, None), "block_key": str, "display_name": str,
                     "has_graded_assignment": bool, "learner_has_access": bool, "num_points_earned": float,
                     "num_points_possible": float, "percent_graded": float,
                     "problem_scores": [{"earned": float, "possible": float}], "show_correctness": str,
                     "show_grades": bool, "url": (str, None)}
PROGRESS = {"access_expiration": (dict, None), "certificate_data": (dict, None),
            "completion_summary": {"complete_count": int, "incomplete_count": int, "locked_count": int},
            "course_grade": {"letter_grade": (str, None), "percent": float, "is_passing": bool},
            "credit_course_requirements": (dict, None), "end": OPTIONAL_DATE, "enrollment_mode": (str, None),
            "grading_policy": {"assignment_policies": [{"num_droppable": int, "num_total": float,
                                                        "short_label": str, "type": str, "weight": float}],
                               "grade_range": dict},
            "has_scheduled_content": (bool, None),
            "section_scores": [{"display_name": str, "subsections": [SUBSECTION_SCORES]}],
            "studio_url": (str, None), "username": str, "user_has_passing_grade": bool,
            "verification_data": (dict, None), "verified_mode": (dict, None), "disable_progress_graph": bool}
#: ``DatesTabSerializer``.
DATES = {"course_date_blocks": [DATE_BLOCK], "dates_banner_info": DATES_BANNER, "has_ended": bool,
         "learner_is_full_access": bool, "user_timezone": (str, None)}


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True}


@pytest.fixture(autouse=True)
def _graded_block() -> Iterator[None]:
    with graded_block_installed():
        yield


@pytest.fixture
def ids(app: Flask) -> dict[str, str]:
    return publish_graded_course(app)


def test_the_outline_of_an_enrolled_learner(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    session = login(app.test_client(), learner)
    answer(session, ids["p1"], 2.0)
    assert session.get(f"/courses/{COURSE}/courseware/week1/hw1/1").status_code == 200  # visits hw1's unit
    client = app.test_client()
    headers = token_headers(client, mobile_client(app), learner.username, jwt=True)
    response = client.get(f"/api/course_home/v1/outline/{COURSE}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_shape(body, OUTLINE_TOP)
    blocks = body["course_blocks"]["blocks"]
    for usage_id, block in blocks.items():
        check_shape(block, COURSE_BLOCK, usage_id)
    assert set(blocks) == {ids["course"], ids["week1"], ids["intro"], ids["hw1"], ids["hw2"]}
    assert blocks[ids["course"]]["children"] == [ids["week1"]]
    assert blocks[ids["week1"]]["children"] == [ids["intro"], ids["hw1"], ids["hw2"]]
    hw1, hw2 = blocks[ids["hw1"]], blocks[ids["hw2"]]
    assert (hw1["complete"], hw1["resume_block"], hw1["description"], hw1["icon"]) == (
        True, True, "Homework", "fa-pencil-square-o")
    assert blocks[ids["week1"]]["resume_block"] is True
    assert (hw2["complete"], hw2["resume_block"], hw2["due"]) == (False, False, "2030-01-01T00:00:00Z")
    assert hw1["lms_web_url"].endswith(f"/courses/{COURSE}/jump_to/{ids['hw1']}")
    assert body["resume_course"]["has_visited_course"] is True
    assert body["resume_course"]["url"].endswith(f"/courses/{COURSE}/courseware/week1/hw1/1")
    assert body["enrollment_mode"] == "honor"
    assert body["user_has_passing_grade"] is True  # hw1 in full: half the homework, the Pass cutoff
    check_shape(body["cert_data"], CERT_DATA)
    assert body["cert_data"]["cert_status"] == "downloadable"
    assert "/certificates/" in body["cert_data"]["cert_web_view_url"]
    # Open edX's widget: dates from today on without today's own, and the next assignment only.
    assert [item["date_type"] for item in body["dates_widget"]["course_date_blocks"]] == ["assignment-due-date"]
    assert body["dates_widget"]["course_date_blocks"][0]["title"] == "Homework 2"
    assert body["course_tools"] == [{"analytics_id": "edx.bookmarks", "title": "Bookmarks",
                                     "url": "http://localhost/bookmarks"}]  # no Updates tool: no updates
    assert body["course_goals"] == {"selected_goal": None, "weekly_learning_goal_enabled": True}
    assert body["enroll_alert"] == {"can_enroll": True, "extra_text": None}  # Open edX's default when enrolled
    assert body["handouts_html"] == "" and body["welcome_message_html"] is None
    # No course duration limits, upgrade discounts nor paid upgrades in Kampus: Open edX's answers without them.
    assert (body["access_expiration"], body["offer"], body["verified_mode"]) == (None, None, None)


def test_the_outline_of_a_visitor_has_no_blocks(app: Flask, ids: dict[str, str]) -> None:
    body = app.test_client().get(f"/api/course_home/outline/{COURSE}").get_json()
    assert body["course_blocks"] is None and body["course_tools"] == []
    assert body["enroll_alert"] == {"can_enroll": True, "extra_text": None}  # enrollment is open (sign in first)
    assert body["course_goals"] == {"selected_goal": None, "weekly_learning_goal_enabled": False}
    outsider = login(app.test_client(), make_user(app, "user"))
    seen = outsider.get(f"/api/course_home/outline/{COURSE}").get_json()
    assert seen["enroll_alert"] == {"can_enroll": True, "extra_text": None} and seen["enrollment_mode"] is None
    assert app.test_client().get("/api/course_home/outline/not-a-course").status_code == 404
    staff = login(app.test_client(), make_user(app, "staff", COURSE))
    assert [tool["analytics_id"] for tool in staff.get(f"/api/course_home/outline/{COURSE}").get_json()[
        "course_tools"]] == ["edx.bookmarks"]  # staff bookmark without an enrollment


def test_enroll_alert_of_a_full_course_and_an_invitation_only_one(app: Flask) -> None:
    publish_graded_course(app, max_student_enrollments_allowed=1)
    enrolled(app)
    outsider = login(app.test_client(), make_user(app, "user"))
    body = outsider.get(f"/api/course_home/v1/outline/{COURSE}").get_json()
    assert body["enroll_alert"] == {"can_enroll": False, "extra_text": "Course is full"}
    private = "course-v1:KampusX+Private+2026"
    publish_graded_course(app, private, invitation_only=True)
    assert outsider.get(f"/api/course_home/v1/outline/{private}").get_json()["enroll_alert"] == {
        "can_enroll": False, "extra_text": None}
    assert app.test_client().get(f"/api/course_home/v1/outline/{private}").get_json()["enroll_alert"] == {
        "can_enroll": False, "extra_text": None}


def test_the_outline_shows_updates_handouts_and_the_updates_tool(app: Flask, tmp_path) -> None:
    updates = "<ol><li><h2>March 3, 2026</h2><p>Newest <b>news</b></p></li><li><h2>January 1, 2026</h2>Old</li></ol>"
    course = olx_course(app, tmp_path / "c", "UPD", {"info/updates.html": updates,
                                                     "info/handouts.html": "<ol><li>Syllabus</li></ol>"})
    learner = enrolled(app, course)
    body = login(app.test_client(), learner).get(f"/api/course_home/v1/outline/{course}").get_json()
    check_shape(body, OUTLINE_TOP)
    assert "Newest <b>news</b>" in body["welcome_message_html"] and "Old" not in body["welcome_message_html"]
    assert "Syllabus" in body["handouts_html"]
    assert body["course_tools"] == [
        {"analytics_id": "edx.bookmarks", "title": "Bookmarks", "url": "http://localhost/bookmarks"},
        {"analytics_id": "edx.updates", "title": "Updates", "url": f"http://localhost/courses/{course}/info"}]
    assert body["resume_course"]["has_visited_course"] is False
    assert body["resume_course"]["url"].startswith(f"http://localhost/courses/{course}/")  # the first unit

    # The learner dismisses the welcome message: gone from their outline until a newer update.
    session = login(app.test_client(), learner)
    dismissed = session.post("/api/course_home/v1/dismiss_welcome_message", json={"course_id": course})
    assert (dismissed.status_code, dismissed.get_json()["message"]) == (200, "Welcome message successfully dismissed.")
    assert session.get(f"/api/course_home/v1/outline/{course}").get_json()["welcome_message_html"] is None
    other = login(app.test_client(), enrolled(app, course))
    assert "Newest" in other.get(f"/api/course_home/v1/outline/{course}").get_json()["welcome_message_html"]
    olx_course(app, tmp_path / "c2", "UPD", {"info/updates.html": "<ol><li><h2>April 4, 2026</h2>Newer</li>"
                                                                  + updates[4:]})  # a new version of the course
    assert "Newer" in session.get(f"/api/course_home/v1/outline/{course}").get_json()["welcome_message_html"]

    def refused(body: Any) -> str:
        answer = session.post("/api/course_home/v1/dismiss_welcome_message", json=body)
        assert answer.status_code == 400, answer.get_data(as_text=True)
        return answer.get_json()["detail"]

    assert refused({}) == "'course_id' is required."
    assert refused({"course_id": course, "extra": 1}) == "Only 'course_id' is expected."
    assert refused({"course_id": "course-v1:No+Such+Course"}) == "Unable to dismiss welcome message."
    assert refused({"course_id": "not a course"}) == "Unable to dismiss welcome message."


def test_a_passing_grade_counts_without_a_certificate(app: Flask) -> None:
    ids = publish_graded_course(app, certificates={"certificates": []})
    learner = enrolled(app)
    session = login(app.test_client(), learner)
    outline = f"/api/course_home/v1/outline/{COURSE}"
    assert session.get(outline).get_json()["user_has_passing_grade"] is False
    answer(session, ids["p1"], 2.0)  # half the homework: the Pass cutoff
    body = session.get(outline).get_json()
    assert body["user_has_passing_grade"] is True and body["cert_data"] is None


def test_a_learner_sets_a_weekly_course_goal(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    session = login(app.test_client(), learner)
    save = "/api/course_home/v1/save_course_goal"
    response = session.post(save, json={"course_id": COURSE, "days_per_week": 3, "subscribed_to_reminders": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"header": "Your course goal has been successfully set.",
                                   "message": "Course goal updated successfully."}

    def goals(client: Any = session) -> dict[str, Any]:
        return client.get(f"/api/course_home/v1/outline/{COURSE}").get_json()["course_goals"]

    assert goals() == {"selected_goal": {"days_per_week": 3, "subscribed_to_reminders": True},
                       "weekly_learning_goal_enabled": True}
    # Without days (or 0), Open edX keeps the goal's days; a form body works too (the unversioned path).
    assert session.post("/api/course_home/save_course_goal",
                        data={"course_id": COURSE, "subscribed_to_reminders": "false"}).status_code == 200
    assert goals()["selected_goal"] == {"days_per_week": 3, "subscribed_to_reminders": False}
    client = app.test_client()
    headers = token_headers(client, mobile_client(app), learner.username, jwt=True)
    assert client.post(save, json={"course_id": COURSE, "days_per_week": 5, "subscribed_to_reminders": True},
                       headers=headers).status_code == 200
    assert goals()["selected_goal"] == {"days_per_week": 5, "subscribed_to_reminders": True}
    # Another learner's outline shows their own (no) goal.
    other = login(app.test_client(), enrolled(app))
    assert goals(other)["selected_goal"] is None

    def refused(body: Any, status: int = 400) -> str:
        answer = session.post(save, json=body)
        assert answer.status_code == status, answer.get_data(as_text=True)
        return answer.get_json()["detail"]

    assert refused({"days_per_week": 3, "subscribed_to_reminders": True}) == "'course_id' is required."
    assert refused({"course_id": COURSE, "days_per_week": 3}) == "'subscribed_to_reminders' is required."
    for bad in ({"course_id": COURSE, "days_per_week": 8, "subscribed_to_reminders": True},
                {"course_id": COURSE, "days_per_week": "three", "subscribed_to_reminders": True},
                {"course_id": COURSE, "days_per_week": 3, "subscribed_to_reminders": "maybe"},
                {"course_id": "course-v1:No+Such+Course", "subscribed_to_reminders": True},
                {"course_id": "not a course", "subscribed_to_reminders": True},
                {"course_id": ["list"], "subscribed_to_reminders": True}):
        assert refused(bad) == "Unable to save course goal", bad
    assert goals()["selected_goal"] == {"days_per_week": 5, "subscribed_to_reminders": True}
    visitor = app.test_client().post(save, json={"course_id": COURSE, "subscribed_to_reminders": True})
    assert (visitor.status_code, visitor.get_json()["detail"]) == (401, "Authentication credentials were not provided.")


def test_progress_of_the_learner_and_for_staff(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    session = login(app.test_client(), learner)
    answer(session, ids["p1"], 1.0)
    response = session.get(f"/api/course_home/v1/progress/{COURSE}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_shape(body, PROGRESS)
    assert body["course_grade"] == {"letter_grade": None, "percent": 0.25, "is_passing": False}
    assert body["grading_policy"] == {
        "assignment_policies": [{"num_droppable": 0, "num_total": 2.0, "short_label": "HW", "type": "Homework",
                                 "weight": 1.0}],
        "grade_range": {"Pass": 0.5}}
    subs = {sub["block_key"]: sub for section in body["section_scores"] for sub in section["subsections"]}
    assert (subs[ids["hw1"]]["num_points_earned"], subs[ids["hw1"]]["num_points_possible"]) == (1.0, 2.0)
    assert subs[ids["hw1"]]["problem_scores"] == [{"earned": 1.0, "possible": 2.0}]
    assert subs[ids["hw1"]]["has_graded_assignment"] is True and subs[ids["intro"]]["has_graded_assignment"] is False
    assert body["completion_summary"] == {"complete_count": 1, "incomplete_count": 2, "locked_count": 0}
    assert body["username"] == learner.username and body["enrollment_mode"] == "honor"
    assert body["studio_url"] is None  # this app runs no Studio

    other = f"/api/course_home/v1/progress/{COURSE}/{learner.id}/"
    assert session.get(other).status_code == 403
    staff = login(app.test_client(), make_user(app, "staff", COURSE))
    seen = staff.get(other)
    assert seen.status_code == 200
    assert seen.get_json()["course_grade"]["percent"] == 0.25
    outsider = login(app.test_client(), make_user(app, "user"))
    refused = outsider.get(f"/api/course_home/v1/progress/{COURSE}")
    assert (refused.status_code, refused.get_json()) == (401, "User not enrolled.")
    assert app.test_client().get(f"/api/course_home/v1/progress/{COURSE}").status_code == 401


def test_has_scheduled_content_says_whether_some_block_is_released_later(app: Flask, ids: dict[str, str]) -> None:
    session = login(app.test_client(), enrolled(app))
    assert session.get(f"/api/course_home/v1/progress/{COURSE}").get_json()["has_scheduled_content"] is False
    blocks = session.get(f"/api/course_home/v1/outline/{COURSE}").get_json()["course_blocks"]["blocks"]
    assert blocks[ids["course"]]["has_scheduled_content"] is False
    assert blocks[ids["week1"]]["has_scheduled_content"] is None  # the course block only, as Open edX
    later = "course-v1:KampusX+Later+2026"
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(later, [
            Block("course", "course", {"display_name": "Later", "start": "2020-01-01T00:00:00Z"},
                  [("chapter", "now"), ("chapter", "soon")]),
            Block("chapter", "now", {"display_name": "Now"}, []),
            Block("chapter", "soon", {"display_name": "Soon", "start": "2099-01-01T00:00:00Z"}, []),
        ], ("course", "course"), user_id=None)
        store.publish(later, user_id=None)
    session = login(app.test_client(), enrolled(app, later))
    assert session.get(f"/api/course_home/v1/progress/{later}").get_json()["has_scheduled_content"] is True
    outline = session.get(f"/api/course_home/v1/outline/{later}").get_json()
    root = "block-v1:KampusX+Later+2026+type@course+block@course"
    assert outline["course_blocks"]["blocks"][root]["has_scheduled_content"] is True


@pytest.mark.kampus_plugins("content", "problems", "lms", "studio")
def test_progress_links_to_studios_grading_page_when_the_site_runs_studio(app: Flask, ids: dict[str, str]) -> None:
    session = login(app.test_client(), enrolled(app))
    body = session.get(f"/api/course_home/v1/progress/{COURSE}").get_json()
    assert body["studio_url"] == f"http://localhost/studio/course/{COURSE}/settings/grading"
    staff = login(app.test_client(), make_user(app, "staff", COURSE))
    assert staff.get(body["studio_url"].removeprefix("http://localhost")).status_code == 200  # the page exists


def test_dates(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    client = login(app.test_client(), learner)
    response = client.get(f"/api/course_home/v1/dates/{COURSE}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    check_shape(body, DATES)
    kinds = [item["date_type"] for item in body["course_date_blocks"]]
    assert kinds == ["course-start-date", "todays-date", "assignment-due-date"]
    due = body["course_date_blocks"][-1]
    assert (due["title"], due["assignment_type"], due["complete"], due["date"]) == (
        "Homework 2", "Homework", False, "2030-01-01T00:00:00Z")
    assert due["link"].startswith("http") and "/courses/" in due["link"]
    outsider = login(app.test_client(), make_user(app, "user"))
    assert outsider.get(f"/api/course_home/v1/dates/{COURSE}").status_code == 401


def test_each_tab_costs_the_same_queries_whatever_the_learners_history(app: Flask, ids: dict[str, str]) -> None:
    learner = enrolled(app)
    client = login(app.test_client(), learner)

    def count(path: str) -> int:
        with recording_statements(app) as statements:
            assert client.get(path).status_code == 200
        return statements.count

    paths = [f"/api/course_home/v1/{tab}/{COURSE}" for tab in ("outline", "progress", "dates")]
    for path in paths:  # the first reads settle the stored grade
        client.get(path)
    before = [count(path) for path in paths]
    answer(client, ids["p0"], 1.0)
    answer(client, ids["p2"], 2.0)
    for path in paths:
        client.get(path)
    assert [count(path) for path in paths] == before


#: ``CourseHomeMetadataSerializer``.
ACCESS = {"has_access": bool, "error_code": (str, None), "developer_message": (str, None),
          "user_message": (str, None), "additional_context_user_message": (str, None), "user_fragment": (str, None)}
METADATA = {"celebrations": {"first_section": bool, "streak_length_to_celebrate": (int, None),
                             "streak_discount_enabled": bool, "weekly_goal": bool},
            "course_access": ACCESS, "course_id": str, "is_enrolled": bool, "is_self_paced": bool, "is_staff": bool,
            "number": str, "org": str, "original_user_is_staff": bool, "start": OPTIONAL_DATE,
            "tabs": [{"tab_id": str, "title": str, "url": str}], "title": str, "username": (str, None),
            "user_timezone": (str, None), "can_view_certificate": bool, "verified_mode": (dict, None)}


def test_course_metadata_for_learners_visitors_and_staff(app: Flask, ids: dict[str, str]) -> None:
    path = f"/api/course_home/v1/course_metadata/{COURSE}"
    learner = enrolled(app)
    body = login(app.test_client(), learner).get(path).get_json()
    check_shape(body, METADATA)
    assert (body["course_id"], body["org"], body["number"], body["title"]) == (
        COURSE, "KampusX", "Rest201", "REST course")
    assert body["course_access"]["has_access"] is True and body["course_access"]["error_code"] is None
    assert (body["is_enrolled"], body["is_staff"], body["original_user_is_staff"]) == (True, False, False)
    assert (body["username"], body["start"], body["is_self_paced"]) == (learner.username, "2020-01-01T00:00:00Z", True)
    assert body["can_view_certificate"] is True  # a self-paced course shows certificates at once
    tabs = {tab["tab_id"]: tab for tab in body["tabs"]}
    assert {"courseware", "progress", "dates"} <= set(tabs)
    assert tabs["progress"]["url"] == f"http://localhost/courses/{COURSE}/progress"

    visitor = app.test_client().get(path).get_json()
    assert visitor["course_access"] == {
        "has_access": False, "error_code": "authentication_required",
        "developer_message": "User must be authenticated to view the course",
        "user_message": "You must be logged in to see this course", "additional_context_user_message": None,
        "user_fragment": None}
    assert visitor["username"] is None and visitor["is_enrolled"] is False
    outsider = login(app.test_client(), make_user(app, "user")).get(path).get_json()
    assert (outsider["course_access"]["error_code"], outsider["course_access"]["user_message"]) == (
        "enrollment_required", "You must be enrolled in the course")
    staff = login(app.test_client(), make_user(app, "staff", COURSE)).get(path).get_json()
    assert staff["course_access"]["has_access"] is True
    assert (staff["is_staff"], staff["original_user_is_staff"], staff["is_enrolled"]) == (True, True, False)
    assert app.test_client().get("/api/course_home/course_metadata/not-a-course").status_code == 404


def test_course_metadata_of_a_course_that_has_not_started(app: Flask) -> None:
    later = "course-v1:KampusX+Later+2099"
    publish_graded_course(app, later, start="2099-01-01T00:00:00Z", self_paced=False)
    learner = enrolled(app, later)
    access = login(app.test_client(), learner).get(f"/api/course_home/v1/course_metadata/{later}").get_json()[
        "course_access"]
    assert (access["has_access"], access["error_code"]) == (False, "course_not_started")
    assert access["developer_message"].startswith("Course does not start until ")


def test_metadata_and_outline_answer_for_whom_staff_view_the_course_as(app: Flask) -> None:
    """Open edX's ``setup_masquerade``: ``is_staff``, ``is_enrolled``, ``username`` and the outline's grade, goal
    and tools are those of the viewed-as user; ``original_user_is_staff`` stays the staff member's."""
    ids = publish_graded_course(app, certificates={"certificates": []})
    learner = enrolled(app)
    session = login(app.test_client(), learner)
    answer(session, ids["p1"], 2.0)  # a passing grade
    goal = {"course_id": COURSE, "days_per_week": 5, "subscribed_to_reminders": True}
    assert session.post("/api/course_home/v1/save_course_goal", json=goal).status_code == 200
    staff = login(app.test_client(), make_user(app, "staff", COURSE))
    metadata, outline = (f"/api/course_home/v1/{tab}/{COURSE}" for tab in ("course_metadata", "outline"))

    def viewed() -> tuple[dict[str, Any], dict[str, Any]]:
        return staff.get(metadata).get_json(), staff.get(outline).get_json()

    meta, body = viewed()
    assert (meta["is_staff"], meta["original_user_is_staff"], meta["is_enrolled"]) == (True, True, False)
    assert body["user_has_passing_grade"] is False and body["course_goals"]["selected_goal"] is None
    assert [tool["analytics_id"] for tool in body["course_tools"]] == ["edx.bookmarks"]  # staff, not enrolled
    assert body["enrollment_mode"] is None

    assert staff.post(f"/courses/{COURSE}/masquerade",
                      data={"role": "specific", "user_name": learner.username}).status_code == 302
    meta, body = viewed()
    assert (meta["is_staff"], meta["original_user_is_staff"], meta["is_enrolled"], meta["username"]) == (
        False, True, True, learner.username)
    assert body["user_has_passing_grade"] is True
    assert body["course_goals"] == {"selected_goal": {"days_per_week": 5, "subscribed_to_reminders": True},
                                    "weekly_learning_goal_enabled": True}
    assert body["enrollment_mode"] is not None  # the learner's enrollment

    assert staff.post(f"/courses/{COURSE}/masquerade", data={"role": "student"}).status_code == 302
    meta, body = viewed()  # a generic learner: the staff member themselves, without staff rights
    assert (meta["is_staff"], meta["original_user_is_staff"], meta["is_enrolled"]) == (False, True, False)
    assert body["course_tools"] == [] and body["user_has_passing_grade"] is False
