"""Staff "View this course as" a learner of a content group (Open edX's masquerade with
``user_partition_id`` and ``group_id``): the outline and the unit pages show that group's units and hide
the units of the other groups, whatever the staff member's own cohort."""

from __future__ import annotations

from kampus_lms.api import add_users_to_cohort, create_cohort, enroll, set_cohorted

from kampus.testing import login, make_user

UNIT = "/courses/{course}/courseware/ch/seq/{position}"


def _staff(app, course):
    with app.test_request_context():
        set_cohorted(course, True)
    return login(app.test_client(), make_user(app, "staff", course))


def _tabs(client, course) -> int:
    return client.get(UNIT.format(course=course, position=1)).get_data(as_text=True).count("data-seq-tab=")


def test_staff_view_as_a_content_group_sees_what_that_group_sees(app, groups_course):
    staff = _staff(app, groups_course)
    outline = staff.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert all(title in outline for title in ("For everyone", "For group A", "For group B"))
    assert "Learner in Group A" in outline and "Learner in Group B" in outline  # the toolbar's choices
    assert _tabs(staff, groups_course) == 3

    target = UNIT.format(course=groups_course, position=1)
    chosen = staff.post(f"/courses/{groups_course}/masquerade", data={"role": "group:50:1", "next": target})
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith(target)
    outline = staff.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For group A" in outline and "For group B" not in outline
    assert "You are viewing this course as a learner in Group A." in outline
    assert _tabs(staff, groups_course) == 2
    second = staff.get(UNIT.format(course=groups_course, position=2)).get_data(as_text=True)
    assert "Body of For group A" in second and "Body of For group B" not in second

    # Open edX's JSON shape: role student with the partition and group
    answer = staff.post(f"/courses/{groups_course}/masquerade",
                        json={"role": "student", "user_partition_id": 50, "group_id": 2})
    assert answer.status_code == 200 and answer.get_json() == {"success": True}
    outline = staff.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For group B" in outline and "For group A" not in outline

    staff.post(f"/courses/{groups_course}/masquerade", data={"role": "student"})  # a learner in no group
    outline = staff.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For everyone" in outline and "For group A" not in outline and "For group B" not in outline
    staff.post(f"/courses/{groups_course}/masquerade", data={"role": "staff"})
    assert _tabs(staff, groups_course) == 3


def test_a_staff_member_in_a_group_viewing_as_a_learner_is_in_no_group(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
    member = make_user(app, "staff", groups_course)
    with app.test_request_context():
        cohort = create_cohort(groups_course, "Staff cohort", group_id=1, user_partition_id=50)
        enroll(member, groups_course, check_access=False)
        add_users_to_cohort(groups_course, cohort.id, [member.username])
    staff = login(app.test_client(), member)
    staff.post(f"/courses/{groups_course}/masquerade", data={"role": "student"})
    outline = staff.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For everyone" in outline and "For group A" not in outline
    staff.post(f"/courses/{groups_course}/masquerade", data={"role": "group:50:2"})
    outline = staff.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For group B" in outline and "For group A" not in outline


def test_an_unknown_group_is_refused_and_learners_cannot_choose_one(app, groups_course):
    staff = _staff(app, groups_course)
    refused = staff.post(f"/courses/{groups_course}/masquerade",
                         json={"role": "student", "user_partition_id": 50, "group_id": 9})
    assert refused.status_code == 400 and refused.get_json()["success"] is False
    assert staff.post(f"/courses/{groups_course}/masquerade",
                      json={"role": "student", "user_partition_id": "x", "group_id": 1}).status_code == 400
    assert _tabs(staff, groups_course) == 3  # nothing chosen
    learner = make_user(app, "user")
    client = login(app.test_client(), learner)
    with app.test_request_context():
        enroll(learner, groups_course, check_access=False)
    answer = client.post(f"/courses/{groups_course}/masquerade",
                         json={"role": "student", "user_partition_id": 50, "group_id": 1})
    assert answer.status_code == 400
    assert _tabs(client, groups_course) == 1


def test_the_masquerade_options_as_open_edx_answers_them(app, groups_course):
    staff = _staff(app, groups_course)
    url = f"/courses/{groups_course}/masquerade"
    options = staff.get(url).get_json()
    assert options["success"] is True
    assert options["active"] == {"course_key": groups_course, "role": "staff", "user_name": None,
                                 "user_partition_id": None, "group_id": None, "group_name": None}
    assert options["available"] == [
        {"name": "Staff", "role": "staff"},
        {"name": "Specific Student...", "role": "student", "user_name": ""},
        {"group_id": 1, "name": "Group A", "role": "student", "user_partition_id": 50},
        {"group_id": 2, "name": "Group B", "role": "student", "user_partition_id": 50}]
    staff.post(url, json={"role": "student", "user_partition_id": 50, "group_id": 2})
    active = staff.get(url).get_json()["active"]
    assert (active["role"], active["user_partition_id"], active["group_id"], active["group_name"]) == (
        "student", 50, 2, "Group B")
    learner = make_user(app, "user")
    with app.test_request_context():
        enroll(learner, groups_course, check_access=False)
    assert login(app.test_client(), learner).get(url).get_json() == {"success": False}
