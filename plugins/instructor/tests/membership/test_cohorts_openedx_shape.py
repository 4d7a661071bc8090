"""Cohort answers field by field as Open edX's ``course_groups/views.py``: the settings' integer ``id``
(``CourseCohortsSettings.id``), and ``add_users_to_cohort``'s lists, applied before the answer."""

from __future__ import annotations

from kampus_lms.api import cohort_of, enroll

from kampus.testing import make_user

COURSE = "course-v1:KampusX+Groups201+2026"  #: the ``groups_course`` fixture
V1 = f"/api/cohorts/v1/courses/{COURSE}/cohorts/"
SETTINGS = f"/api/cohorts/v1/settings/{COURSE}"


def test_settings_answer_the_integer_id_of_the_course_settings(app, groups_course, course, client_as):
    staff = client_as("staff", groups_course)
    first = staff.get(SETTINGS)
    assert first.status_code == 200
    body = first.get_json()
    assert set(body) == {"id", "is_cohorted"} and isinstance(body["id"], int) and body["is_cohorted"] is False
    changed = staff.put(SETTINGS, json={"is_cohorted": True}).get_json()
    assert changed == {"id": body["id"], "is_cohorted": True}  # the same settings row, now cohorted
    assert staff.get(f"/courses/{groups_course}/cohorts/settings").get_json() == changed
    assert staff.patch(f"/courses/{groups_course}/cohorts/settings",
                       json={"is_cohorted": False}).get_json() == {"id": body["id"], "is_cohorted": False}
    missing = staff.put(SETTINGS, json={})
    assert missing.status_code == 400 and "is_cohorted" in missing.get_json()["developer_message"]
    other = client_as("staff", course).get(f"/api/cohorts/v1/settings/{course}").get_json()
    assert isinstance(other["id"], int) and other["id"] != body["id"]


def _cohorted_with_two_cohorts(app, staff):
    assert staff.put(SETTINGS, json={"is_cohorted": True}).status_code == 200
    red = staff.post(V1, json={"name": "Red", "assignment_type": "manual"}).get_json()
    blue = staff.post(V1, json={"name": "Blue", "assignment_type": "manual"}).get_json()
    return red, blue


def test_add_users_answers_open_edx_lists_and_applies_them_at_once(app, groups_course, client_as):
    staff = client_as("staff", groups_course)
    red, blue = _cohorted_with_two_cohorts(app, staff)
    ann = make_user(app, "user", username="ann", email="ann@example.com")
    bob = make_user(app, "user", username="bob", email="bob@example.com")
    with app.test_request_context():
        enroll(ann, groups_course, check_access=False)
    staff.post(f"{V1}{blue['id']}/users/", json={"users": ["bob"]})
    answer = staff.post(f"{V1}{red['id']}/users/", json={"users": [
        "ann", "bob@example.com", "nobody", "new@example.com", "not-an@address"]}).get_json()
    # ann was in the default random cohort made when she enrolled: moved, like bob from Blue
    assert answer == {
        "success": True, "added": [],
        "changed": [{"email": "ann@example.com", "previous_cohort": "Default Group", "username": "ann"},
                    {"email": "bob@example.com", "previous_cohort": "Blue", "username": "bob"}],
        "present": [], "unknown": ["nobody"], "preassigned": ["new@example.com"], "invalid": ["not-an@address"]}
    with app.test_request_context():  # applied when the answer came back, not later
        assert cohort_of(ann.id, groups_course).name == "Red" and cohort_of(bob.id, groups_course).name == "Red"
    again = staff.post(f"{V1}{red['id']}/users/ann").get_json()
    assert again["present"] == ["ann"] and again["added"] == [] and again["changed"] == []
    missing = staff.post(f"{V1}{red['id']}/users/", json={})
    assert missing.status_code == 400 and missing.get_json()["developer_message"] == "Missing users key in payload"
    assert staff.delete(f"{V1}{red['id']}/users/ghost").status_code == 404  # Open edX: user-not-found


def test_legacy_add_splits_on_spaces_and_answers_not_allowed(app, groups_course, client_as):
    staff = client_as("staff", groups_course)
    red, _blue = _cohorted_with_two_cohorts(app, staff)
    carl = make_user(app, "user", username="carl", email="carl@example.com")
    make_user(app, "user", username="dana", email="dana@example.com")
    answer = staff.post(f"/courses/{groups_course}/cohorts/{red['id']}/add",
                        data={"users": "carl dana,\nghost"}).get_json()
    assert answer == {"success": True,
                      "added": [{"username": "carl", "email": "carl@example.com"},
                                {"username": "dana", "email": "dana@example.com"}],
                      "changed": [], "present": [], "unknown": ["ghost"], "preassigned": [], "invalid": [],
                      "not_allowed": []}
    with app.test_request_context():
        assert cohort_of(carl.id, groups_course).name == "Red"
    empty = staff.post(f"/courses/{groups_course}/cohorts/{red['id']}/add", data={"users": ""})
    assert empty.status_code == 200 and empty.get_json()["added"] == []
    assert staff.post(f"/courses/{groups_course}/cohorts/9999/add", data={"users": "carl"}).status_code == 404


def test_cohorts_by_name_in_either_order(app, groups_course, client_as):
    staff = client_as("staff", groups_course)
    _cohorted_with_two_cohorts(app, staff)
    names = [cohort["name"] for cohort in staff.get(V1).get_json()]
    assert names == sorted(names) and {"Red", "Blue"} <= set(names)
    assert [cohort["name"] for cohort in staff.get(V1, query_string={"ordering": "DESC"}).get_json()] == names[::-1]
    assert staff.get(V1, query_string={"ordering": "up"}).status_code == 400


def test_settings_of_an_unknown_course_are_404_and_write_nothing(app, groups_course, client_as):
    import sqlalchemy as sa
    from kampus_lms.cohorts.models import CohortSettings

    from kampus import db
    unknown = "course-v1:KampusX+Nothing+2026"
    staff = client_as("staff", groups_course)
    assert staff.get(f"/api/cohorts/v1/settings/{unknown}").status_code == 404
    assert staff.get(f"/courses/{unknown}/cohorts/settings").status_code == 404
    with app.app_context():
        assert db.session().scalar(sa.select(sa.func.count()).select_from(CohortSettings)
                                   .where(CohortSettings.course_id == unknown)) == 0
