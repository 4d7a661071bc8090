"""The gradebook: Open edX's bulk-update and subsection-history API with bearer tokens, the dashboard page
(filters, pages, bulk override with a reason, audit trail), CSV export and an all-or-nothing CSV import
with errors per row; who may see and who may act."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa
from kampus_lms.api import course_grade, set_course_mode
from kampus_lms.grades.models import SubsectionGradeOverride

from kampus import current_kampus

from .conftest import COURSE, check, enrolled_learner, token_of

BULK = f"/api/grades/v1/gradebook/{COURSE}/bulk-update"
PAGE = f"/courses/{COURSE}/instructor/gradebook"


def percent(app, user_id: int) -> float:
    with app.app_context():
        return course_grade(user_id, COURSE).percent


def overrides_count(app) -> int:
    with app.app_context(), current_kampus().db.session_scope() as db_session:
        return db_session.scalar(sa.select(sa.func.count()).select_from(SubsectionGradeOverride))


def test_bulk_update_and_subsection_history_through_the_api(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Paris")  # hw1 1/2, late 0/1: HW average 0.25
    assert percent(app, learner.user.id) == 0.25
    staff, headers = token_of(app, "staff")
    answer = client.post(BULK, headers=headers, json=[{
        "user_id": learner.user.id, "usage_id": course["late"],
        "grade": {"earned_graded_override": 1, "possible_graded_override": 1, "comment": "excused: was ill"}}])
    assert answer.status_code == 202, answer.get_data(as_text=True)
    assert answer.get_json() == [{"user_id": learner.user.id, "usage_id": course["late"], "success": True,
                                  "reason": None}]
    assert percent(app, learner.user.id) == 0.75  # (0.5 + 1.0) / 2
    detail = client.get(f"/api/grades/v1/subsection/{course['late']}/?user_id={learner.user.id}", headers=headers)
    assert detail.status_code == 200, detail.get_data(as_text=True)
    body = detail.get_json()
    assert body["original_grade"] == {"earned_all": 0.0, "possible_all": 1.0, "earned_graded": 0.0,
                                      "possible_graded": 1.0}
    assert body["override"]["earned_graded_override"] == 1.0
    [entry] = body["history"]
    assert (entry["user"], entry["comments"], entry["action"], entry["feature"]) == (
        staff.username, "excused: was ill", "CREATEORUPDATE", "GRADEBOOK")
    # a batch with an invalid row writes nothing and says which row
    bad = client.post(BULK, headers=headers, json=[
        {"user_id": learner.user.id, "usage_id": course["hw1"], "grade": {"earned_graded_override": 2}},
        {"user_id": learner.user.id, "usage_id": course["capital"], "grade": {"earned_graded_override": 1}},
        {"user_id": "x", "usage_id": course["hw1"], "grade": {"earned_graded_override": 1}},
        "nonsense"])
    assert bad.status_code == 422
    results = bad.get_json()
    assert [r["success"] for r in results] == [False, False, False, False]
    assert "another row" in results[0]["reason"] and "not a subsection" in results[1]["reason"]
    assert "integer" in results[2]["reason"]
    assert overrides_count(app) == 1
    assert client.post(BULK, headers=headers, data="not json", content_type="application/json").status_code == 400


def test_permissions_of_the_gradebook(app, client, client_as, course):
    learner = enrolled_learner(app, client_as)
    row = [{"user_id": learner.user.id, "usage_id": course["late"], "grade": {"earned_graded_override": 1}}]
    _ta, ta_headers = token_of(app, "ta")
    assert client.post(BULK, headers=ta_headers, json=row).status_code == 403  # TAs see, staff act
    assert client.get(f"/api/grades/v1/subsection/{course['late']}/?user_id={learner.user.id}",
                      headers=ta_headers).status_code == 200
    assert client.get(f"/api/instructor/v1/courses/{COURSE}/gradebook/history", headers=ta_headers).status_code == 200
    _someone, learner_headers = token_of(app, "learner")
    assert client.post(BULK, headers=learner_headers, json=row).status_code == 403
    assert client.get(f"/api/grades/v1/subsection/{course['late']}/?user_id={learner.user.id}",
                      headers=learner_headers).status_code == 403
    assert client.post(BULK, json=row).status_code in (400, 401)  # no session, no CSRF
    ta_page = client_as("ta").get(PAGE)
    assert ta_page.status_code == 200
    assert "Override grade" not in ta_page.get_data(as_text=True)
    assert client_as("learner").get(PAGE).status_code == 403
    assert client_as("ta").post(f"{PAGE}/override", data={"user_id": learner.user.id, "usage_id": course["late"],
                                                          "earned": "1", "reason": "x"}).status_code == 403
    assert overrides_count(app) == 0


def test_the_page_filters_pages_and_overrides_with_a_reason(app, client_as, course):
    with app.app_context():
        set_course_mode(COURSE, "audit", "Audit")
        set_course_mode(COURSE, "verified", "Verified", min_price=10)
    learners = [enrolled_learner(app, client_as) for _ in range(3)]
    staff = client_as("staff")
    page = staff.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(learner.user.username in html for learner in learners)
    assert "Homework 1" in html and "Late homework" in html and "Practice" not in html  # graded only
    one = staff.get(PAGE, query_string={"q": learners[1].user.email}).get_data(as_text=True)
    assert learners[1].user.username in one and learners[0].user.username not in one
    assert "1 of 3 learners match" in one
    first = staff.get(PAGE, query_string={"page_size": 2}).get_data(as_text=True)
    assert learners[0].user.username in first and learners[2].user.username not in first
    [next_url] = re.findall(r'href="([^"]*after=[^"]*)"', first)
    second = staff.get(next_url.replace("&amp;", "&")).get_data(as_text=True)
    assert learners[2].user.username in second and learners[0].user.username not in second
    missing = staff.post(f"{PAGE}/override", data={"user_id": [learners[0].user.id], "usage_id": course["late"],
                                                   "earned": "1", "reason": " "}, follow_redirects=True)
    assert "Give a reason" in missing.get_data(as_text=True)
    assert overrides_count(app) == 0
    done = staff.post(f"{PAGE}/override", data={
        "user_id": [learners[0].user.id, learners[2].user.id], "usage_id": course["late"], "earned": "1",
        "possible": "1", "reason": "late submissions accepted"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "2 grade(s) overridden" in text
    assert text.count("late submissions accepted") == 2  # both in the audit trail
    assert percent(app, learners[0].user.id) == 0.5 and percent(app, learners[1].user.id) == 0.0


def test_csv_export_then_import_with_errors_per_row(app, client, client_as, course):
    learners = [enrolled_learner(app, client_as) for _ in range(2)]
    check(learners[0], course["capital"], "Paris")
    staff = client_as("staff")
    export = staff.get(f"/api/instructor/v1/courses/{COURSE}/gradebook/export")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    assert [int(r["user_id"]) for r in rows] == [learners[0].user.id, learners[1].user.id]
    assert rows[0]["grade-hw1"] == "1" and rows[0]["name-hw1"] == "Homework 1"
    assert "new_override-late" in rows[0] and "reason" in rows[0]

    def upload(table: list[dict[str, str]], client=staff):
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(table[0].keys()))
        writer.writeheader()
        writer.writerows(table)
        return client.post(f"/api/instructor/v1/courses/{COURSE}/gradebook/import",
                           data={"csv": (io.BytesIO(buffer.getvalue().encode()), "grades.csv")},
                           content_type="multipart/form-data")

    rows[0]["new_override-late"], rows[0]["reason"] = "1", "regraded"
    rows[1]["new_override-late"], rows[1]["reason"] = "-3", ""
    refused = upload(rows)
    assert refused.status_code == 400
    errors = refused.get_json()["errors"]
    assert errors == [{"row": 3, "column": "reason", "error": "a reason is required"}]
    rows[1]["reason"] = "typo"
    refused = upload(rows)
    assert refused.status_code == 400 and "not negative" in refused.get_json()["errors"][0]["error"]
    assert refused.get_json()["errors"][0]["row"] == 3
    assert overrides_count(app) == 0  # nothing half-applied
    rows[1]["new_override-late"] = "0.5"
    done = upload(rows)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json() == {"rows": 2, "overrides": 2}
    assert percent(app, learners[0].user.id) == 0.75
    again = list(csv.DictReader(io.StringIO(staff.get(
        f"/api/instructor/v1/courses/{COURSE}/gradebook/export").get_data(as_text=True))))
    assert again[0]["previous_override-late"] == "1" and again[1]["previous_override-late"] == "0.5"
    # files that are not what they claim
    not_csv = staff.post(f"/api/instructor/v1/courses/{COURSE}/gradebook/import",
                         data={"csv": (io.BytesIO(b"\xff\xfe\x00garbage"), "x.csv")},
                         content_type="multipart/form-data")
    assert not_csv.status_code == 400 and "UTF-8" in not_csv.get_json()["developer_message"]
    no_columns = staff.post(f"/api/instructor/v1/courses/{COURSE}/gradebook/import",
                            data={"csv": (io.BytesIO(b"a,b\n1,2\n"), "x.csv")}, content_type="multipart/form-data")
    assert no_columns.status_code == 400 and "new_override" in no_columns.get_json()["developer_message"]
    huge = staff.post(f"/api/instructor/v1/courses/{COURSE}/gradebook/import",
                      data={"csv": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "x.csv")},
                      content_type="multipart/form-data")
    assert huge.status_code == 413
    # the page's import shows the errors per row
    rows[1]["reason"] = ""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    page = staff.post(f"{PAGE}/import", data={"csv": (io.BytesIO(buffer.getvalue().encode()), "g.csv")},
                      content_type="multipart/form-data", follow_redirects=True)
    assert "Row 3 reason: a reason is required" in page.get_data(as_text=True)


def test_gradebook_endpoints_are_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert any(p.startswith("/api/grades/v1/gradebook/") and p.endswith("/bulk-update") for p in paths)
    assert any(p.startswith("/api/grades/v1/subsection/") for p in paths)
    for tail in ("/gradebook/export", "/gradebook/import", "/gradebook/history"):
        assert any(p.startswith("/api/instructor/v1/courses/") and p.endswith(tail) for p in paths), tail


def test_filters_by_track_and_cohort(app, client_as, course):
    from kampus_lms.api import add_users_to_cohort, create_cohort, enroll, set_cohorted

    with app.app_context():
        set_course_mode(COURSE, "audit", "Audit")
        set_course_mode(COURSE, "verified", "Verified", min_price=10)
    auditor, verified, grouped = (enrolled_learner(app, client_as) for _ in range(3))
    with app.app_context():
        enroll(verified.user, COURSE, mode="verified", check_access=False)
        set_cohorted(COURSE, True)
        cohort = create_cohort(COURSE, "Evening group")
        add_users_to_cohort(COURSE, cohort.id, [grouped.user.username])
    staff = client_as("staff")
    by_track = staff.get(PAGE, query_string={"mode": "verified"}).get_data(as_text=True)
    assert verified.user.username in by_track and auditor.user.username not in by_track
    by_cohort = staff.get(PAGE, query_string={"cohort": cohort.id}).get_data(as_text=True)
    assert "Evening group" in by_cohort
    assert grouped.user.username in by_cohort and auditor.user.username not in by_cohort
    assert "1 of 3 learners match" in by_cohort
