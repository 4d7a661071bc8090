"""Cohorts through Open edX's cohort API paths and the dashboard's CSV upload: settings, cohorts with
content groups, members, CSV errors per row (nothing half-applied), permissions and bearer tokens."""

from __future__ import annotations

import io

from kampus_instructor.membership.cohorts import MEMBERS_PER_PAGE, MEMBERS_SHOWN
from kampus_lms.api import add_users_to_cohort, cohort_of, create_cohort, enroll, set_cohorted

from kampus.testing import login, make_user

COURSE = "course-v1:KampusX+Groups201+2026"  #: the ``groups_course`` fixture
V1 = f"/api/cohorts/v1/courses/{COURSE}/cohorts/"


def test_cohorts_end_to_end_through_the_api(app, groups_course, client_as):
    staff = client_as("staff", groups_course)
    settings = staff.put(f"/api/cohorts/v1/settings/{groups_course}", json={"is_cohorted": True})
    assert settings.get_json()["is_cohorted"]
    made = staff.post(V1, json={"name": "Cohort A", "assignment_type": "manual", "group_id": 1,
                                "user_partition_id": 50})
    assert made.status_code == 200, made.get_data(as_text=True)
    cohort = made.get_json()
    assert cohort == {"name": "Cohort A", "id": cohort["id"], "user_count": 0, "assignment_type": "manual",
                      "user_partition_id": 50, "group_id": 1}
    duplicate = staff.post(V1, json={"name": "Cohort A"})
    assert duplicate.status_code == 400 and duplicate.get_json()["field_errors"]["name"]
    assert staff.post(V1, json={"name": "Lost", "group_id": 7}).status_code == 400
    learner = make_user(app, "user", username="alice")
    with app.test_request_context():
        enroll(learner, groups_course, check_access=False)
    added = staff.post(f"{V1}{cohort['id']}/users/", json={"users": "alice, nobody"}).get_json()
    # enrolling in a cohorted course put alice in the default random cohort: she moves
    assert [(user["username"], user["previous_cohort"]) for user in added["changed"]] == [("alice", "Default Group")]
    assert added["unknown"] == ["nobody"]
    page = staff.get(f"{V1}{cohort['id']}/users/").get_json()
    assert page["count"] == 1 and page["results"][0]["username"] == "alice"
    outline = client_for(app, learner).get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For group A" in outline
    assert staff.patch(f"{V1}{cohort['id']}", json={"group_id": ""}).status_code == 204
    assert staff.get(f"{V1}{cohort['id']}").get_json()["group_id"] is None
    assert staff.delete(f"{V1}{cohort['id']}/users/alice").status_code == 204
    assert staff.delete(f"{V1}{cohort['id']}/users/alice").status_code == 400
    legacy = staff.get(f"/courses/{groups_course}/cohorts/").get_json()
    assert legacy["success"] is True and legacy["cohorts"][0]["name"] == "Cohort A"
    legacy_base = f"/courses/{groups_course}/cohorts/{cohort['id']}"
    assert staff.post(f"{legacy_base}/add", data={"users": "alice"}).get_json()["added"]
    assert staff.post(f"{legacy_base}/delete", data={"username": "alice"}).get_json() == {"success": True}
    assert staff.get(f"{V1}999").status_code == 404


def client_for(app, user):
    return login(app.test_client(), user)


def _upload(client, groups_course, text, name="cohorts.csv"):
    return client.post(f"/courses/{groups_course}/instructor/api/add_users_to_cohorts",
                       data={"uploaded-file": (io.BytesIO(text), name)}, content_type="multipart/form-data")


def test_csv_upload_errors_per_row_and_nothing_half_applied(app, groups_course, client_as):
    staff = client_as("staff", groups_course)
    staff.post(V1, json={"name": "Red"})
    red = make_user(app, "user", username="rowan")
    bad = _upload(staff, groups_course, b"username,cohort\nrowan,Red\nghost,Red\nrowan,Blue\n")
    assert bad.status_code == 400
    assert bad.get_json()["errors"] == [{"row": 3, "message": "No user 'ghost'."},
                                        {"row": 4, "message": "There is no cohort named 'Blue'."}]
    with app.test_request_context():
        assert cohort_of(red.id, groups_course) is None
    assert _upload(staff, groups_course, b"a,b\n", "x.txt").status_code == 400
    no_columns = _upload(staff, groups_course, b"name,group\nx,y\n")
    assert no_columns.status_code == 400 and "cohort" in no_columns.get_json()["developer_message"]
    good = _upload(staff, groups_course, b"email,cohort\nrowan@example.com,Red\n")
    assert good.status_code == 200 and good.get_json() == {"success": True, "assigned": 1, "errors": []}
    missing = staff.post(f"/api/cohorts/v1/courses/{groups_course}/users", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400


def test_tas_read_cohorts_but_do_not_change_them(app, groups_course, client_as):
    ta = client_as("ta", groups_course)
    assert ta.get(V1).status_code == 200
    assert ta.post(V1, json={"name": "Mine"}).status_code == 403
    assert ta.put(f"/api/cohorts/v1/settings/{groups_course}", json={"is_cohorted": True}).status_code == 403
    assert client_as("learner", groups_course).get(V1).status_code == 403
    assert app.test_client().get(V1).status_code == 401
    assert "Add a cohort" not in ta.get(f"/courses/{groups_course}/instructor/cohorts").get_data(as_text=True)


def test_cohorts_with_a_bearer_token(app, groups_course, token):
    headers = token(make_user(app, "staff", groups_course))
    plain = app.test_client()
    assert plain.put(f"/api/cohorts/v1/settings/{groups_course}", json={"is_cohorted": True}, headers=headers,
                     csrf=False).status_code == 200
    made = plain.post(V1, json={"name": "Token cohort", "assignment_type": "random"}, headers=headers, csrf=False)
    assert made.status_code == 200 and made.get_json()["assignment_type"] == "random"
    newcomer = make_user(app, "user")
    with app.test_request_context():
        enroll(newcomer, groups_course, check_access=False)
        assert cohort_of(newcomer.id, groups_course).name == "Token cohort"


def test_a_large_cohort_is_listed_a_page_at_a_time_and_searched(app, groups_course, client_as):
    """The cohorts page lists the first members of each cohort and links to the cohort's page, which shows
    every member a page at a time, searchable by username or e-mail (``%`` and ``_`` taken literally)."""
    staff = client_as("staff", groups_course)
    count = MEMBERS_PER_PAGE + 7
    names = [f"member{index:03d}" for index in range(count)]
    with app.test_request_context():
        set_cohorted(groups_course, True)
        cohort = create_cohort(groups_course, "Big cohort")
        small = create_cohort(groups_course, "Small cohort")
    users = [make_user(app, "user", username=name, email=f"{name}@example.org") for name in names]
    users.append(make_user(app, "user", username="under_score", email="under@example.org"))
    with app.test_request_context():
        for user in users:
            enroll(user, groups_course, check_access=False)
        assert len(add_users_to_cohort(groups_course, cohort.id, [*names, "under_score"])["changed"]) == count + 1
        add_users_to_cohort(groups_course, small.id, [names[0]])  # moves member000 to the small cohort

    page = staff.get(f"/courses/{groups_course}/instructor/cohorts").get_data(as_text=True)
    big = page.split(f'id="cohort-{cohort.id}"', 1)[1].split('class="border rounded', 1)[0]
    assert big.count("<li class=\"list-inline-item\">") == MEMBERS_SHOWN
    assert f"See all {count} members" in big  # 56 from the names (one moved) and under_score

    members_url = f"/courses/{groups_course}/instructor/cohorts/{cohort.id}/members"
    first = staff.get(members_url).get_data(as_text=True)
    assert f"Members 1 to {MEMBERS_PER_PAGE} of {count}" in first and "Page 1 of 2" in first
    assert "member001" in first and "member000" not in first
    second = staff.get(f"{members_url}?page=2").get_data(as_text=True)
    assert f"Members {MEMBERS_PER_PAGE + 1} to {count} of {count}" in second and "under_score" in second
    assert "Page 2 of 2" in staff.get(f"{members_url}?page=99").get_data(as_text=True)  # past the end: the last
    found = staff.get(f"{members_url}?q=_").get_data(as_text=True)  # a literal underscore, not "any character"
    assert "Members 1 to 1 of 1" in found and "under_score" in found
    assert "Members 1 to 1 of 1" in staff.get(f"{members_url}?q=MEMBER042@EXAMPLE").get_data(as_text=True)
    assert "No member matches." in staff.get(f"{members_url}?q=%25").get_data(as_text=True)
    assert staff.get(f"/courses/{groups_course}/instructor/cohorts/9999/members").status_code == 404
    learner = client_as("user", groups_course)
    assert learner.get(members_url).status_code in (302, 403, 404)

