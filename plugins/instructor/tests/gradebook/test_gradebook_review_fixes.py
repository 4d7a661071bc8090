"""Review of issue 19: the gradebook export needs the report downloads' permission, its CSV carries no
formula (and the import reads the escaped cells back), the page's ``next`` never leaves the site."""

from __future__ import annotations

import csv
import io

from kampus_lms.api import override_history

from .conftest import COURSE, enrolled_learner, token_of

EXPORT = f"/api/instructor/v1/courses/{COURSE}/gradebook/export"
PAGE = f"/courses/{COURSE}/instructor/gradebook"


def test_a_ta_may_not_export_the_whole_gradebook(app, client, client_as, course):
    enrolled_learner(app, client_as)
    _ta, ta_headers = token_of(app, "ta")
    assert client.get(EXPORT, headers=ta_headers).status_code == 403
    assert "Download the gradebook" not in client_as("ta").get(PAGE).get_data(as_text=True)
    _staff, staff_headers = token_of(app, "staff")
    assert client.get(EXPORT, headers=staff_headers).status_code == 200
    assert "Download the gradebook" in client_as("staff").get(PAGE).get_data(as_text=True)


def test_import_reads_escaped_cells_back(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    staff = client_as("staff")
    rows = list(csv.DictReader(io.StringIO(staff.get(EXPORT).get_data(as_text=True))))
    rows[0]["new_override-late"], rows[0]["reason"] = "1", "'=regraded by hand"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
    done = staff.post(f"/api/instructor/v1/courses/{COURSE}/gradebook/import",
                      data={"csv": (io.BytesIO(buffer.getvalue().encode()), "grades.csv")},
                      content_type="multipart/form-data")
    assert done.status_code == 200, done.get_data(as_text=True)
    with app.app_context():
        [entry] = override_history(COURSE, course["late"], learner.user.id)
    assert entry["comments"] == "=regraded by hand"
    # the export escapes it again (a text cell starting like a formula)
    with app.test_request_context():
        from kampus_instructor.gradebook.service import csv_text
        assert list(csv_text(iter([["=1+2", "-1", "@x"]]))) == ["'=1+2,-1,'@x\r\n"]


def test_next_of_the_override_form_stays_on_the_site(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    staff = client_as("staff")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        answer = staff.post(f"{PAGE}/override", data={"user_id": learner.user.id, "usage_id": course["late"],
                                                      "earned": "1", "reason": "r", "next": target})
        assert answer.status_code == 302
        assert answer.headers["Location"].endswith(PAGE), (target, answer.headers["Location"])
    inside = staff.post(f"{PAGE}/override", data={"user_id": learner.user.id, "usage_id": course["late"],
                                                  "earned": "1", "reason": "r", "next": f"{PAGE}?q=x"})
    assert inside.headers["Location"].endswith(f"{PAGE}?q=x")


def test_cohort_filter_is_a_subquery_and_export_names_the_cohort(app, client_as, course):
    from kampus_lms.api import add_users_to_cohort, create_cohort, set_cohorted

    from kampus.testing import recording_statements

    learners = [enrolled_learner(app, client_as) for _ in range(3)]
    with app.app_context():
        set_cohorted(COURSE, True)
        cohort = create_cohort(COURSE, "Evening group")
        add_users_to_cohort(COURSE, cohort.id, [learners[0].user.username, learners[2].user.username])
    staff = client_as("staff")
    with recording_statements(app) as recorded:
        page = staff.get(PAGE, query_string={"cohort": cohort.id}).get_data(as_text=True)
    assert "2 of 3 learners match" in page
    assert learners[0].user.username in page and learners[1].user.username not in page
    # the members are never read into an id list: the enrollment query filters with a subquery
    [listing] = [q for q in recorded.queries if "FROM lms_course_enrollment" in q.replace('"', "")
                 and "LIMIT" in q.upper() and "lms_cohort_membership" in q]
    assert "SELECT lms_cohort_membership.user_id" in listing.replace('"', "")
    rows = list(csv.DictReader(io.StringIO(staff.get(EXPORT).get_data(as_text=True))))
    assert [row["cohort"] for row in rows] == ["Evening group", "", "Evening group"]
