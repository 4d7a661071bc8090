"""Cohorts: manual and random cohorts, members, CSV assignment, and content groups that open
group-restricted units to the learners of linked cohorts (outline and courseware)."""

from __future__ import annotations

import pytest
from kampus_lms.api import (
    CohortError,
    add_users_to_cohort,
    assign_from_csv,
    cohort_member_ids,
    cohort_of,
    content_groups,
    create_cohort,
    enroll,
    is_cohorted,
    list_cohorts,
    remove_user_from_cohort,
    set_cohorted,
    update_cohort,
    user_partition_groups,
)

from kampus.testing import login, make_user, recording_statements


def test_content_groups_come_from_the_courses_cohort_partition(app, groups_course):
    with app.app_context():
        groups = content_groups(groups_course)
    assert [(g.partition_id, g.id, g.name) for g in groups] == [(50, 1, "Group A"), (50, 2, "Group B")]


def test_manual_cohorts_members_and_openedx_answer(app, groups_course):
    ann, bob = make_user(app, "user", username="ann"), make_user(app, "user", username="bob")
    with app.test_request_context():
        set_cohorted(groups_course, True)
        first = create_cohort(groups_course, "First")
        second = create_cohort(groups_course, "Second")
        with pytest.raises(CohortError):
            create_cohort(groups_course, "First")
        with pytest.raises(CohortError):
            create_cohort(groups_course, "Third", "sometimes")
        answer = add_users_to_cohort(groups_course, first.id, ["ann", "bob@example.com", "nobody"])
        assert [entry["username"] for entry in answer["added"]] == ["ann", "bob"]
        assert answer["unknown"] == ["nobody"] and answer["success"] is True
        again = add_users_to_cohort(groups_course, second.id, ["ann", "ann"])
        assert again["changed"] == [{"email": ann.email, "previous_cohort": "First", "username": "ann"}]
        assert add_users_to_cohort(groups_course, second.id, ["ann"])["present"] == ["ann"]
        assert {c.name: c.user_count for c in list_cohorts(groups_course)} == {"First": 1, "Second": 1}
        assert cohort_member_ids(groups_course, second.id) == [ann.id]
        assert remove_user_from_cohort(groups_course, first.id, "bob") is True
        assert cohort_of(bob.id, groups_course) is None


def test_csv_upload_applies_all_rows_or_none(app, groups_course):
    make_user(app, "user", username="carl")
    make_user(app, "user", username="dora")
    with app.test_request_context():
        create_cohort(groups_course, "Red")
        bad = assign_from_csv(groups_course, b"username,cohort\ncarl,Red\nghost,Red\ndora,Blue\n")
        assert bad["success"] is False
        assert [(error["row"], error["message"]) for error in bad["errors"]] == [
            (3, "No user 'ghost'."), (4, "There is no cohort named 'Blue'.")]
        assert list_cohorts(groups_course)[0].user_count == 0  # nothing half-applied
        good = assign_from_csv(groups_course, b"\xef\xbb\xbfemail,cohort\ncarl@example.com,Red\ndora@example.com,Red\n")
        assert good == {"success": True, "errors": [], "assigned": 2}
        with pytest.raises(CohortError):
            assign_from_csv(groups_course, b"name,group\nx,y\n")
        with pytest.raises(CohortError):
            assign_from_csv(groups_course, b"\xff\xfe\x00bad")


def test_random_cohorts_take_new_learners_and_the_last_random_stays(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
        only = create_cohort(groups_course, "Anyone", "random")
        with pytest.raises(CohortError):
            update_cohort(groups_course, only.id, assignment_type="manual")
    learner = make_user(app, "user")
    with app.test_request_context():
        enroll(learner, groups_course, check_access=False)
        assert cohort_of(learner.id, groups_course).name == "Anyone"


def test_a_cohorted_course_without_random_cohorts_gets_the_default_group(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
    learner = make_user(app, "user")
    with app.test_request_context():
        enroll(learner, groups_course, check_access=False)
        assert cohort_of(learner.id, groups_course).name == "Default Group"


def _learner_in(app, course_id, cohort_name, group_id):
    user = make_user(app, "user")
    with app.test_request_context():
        cohort = next((c for c in list_cohorts(course_id) if c.name == cohort_name), None)
        if cohort is None:
            cohort = create_cohort(course_id, cohort_name, group_id=group_id, user_partition_id=50)
        enroll(user, course_id, check_access=False)
        add_users_to_cohort(course_id, cohort.id, [user.username])
    return user


def test_a_learner_in_cohort_a_sees_the_unit_of_group_a_only(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
    in_a = _learner_in(app, groups_course, "Cohort A", 1)
    in_b = _learner_in(app, groups_course, "Cohort B", 2)
    with app.test_request_context():
        assert user_partition_groups(in_a.id, groups_course) == {50: 1}
    client_a, client_b = login(app.test_client(), in_a), login(app.test_client(), in_b)
    outline_a = client_a.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For everyone" in outline_a and "For group A" in outline_a and "For group B" not in outline_a
    base = f"/courses/{groups_course}/courseware/ch/seq/"
    unit2 = client_a.get(base + "2").get_data(as_text=True)
    assert "Body of For group A" in unit2 and "Body of For group B" not in unit2
    assert client_a.get(base + "3").status_code == 302  # only two units for this learner
    outline_b = client_b.get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For group B" in outline_b and "For group A" not in outline_b
    assert "Body of For group B" in client_b.get(base + "2").get_data(as_text=True)
    unit_a = f"{groups_course.replace('course-v1:', 'block-v1:')}+type@vertical+block@ga"
    jump_b = f"/courses/{groups_course}/jump_to/{unit_a}"
    assert client_b.get(jump_b).status_code == 404


def test_groups_count_only_while_the_course_is_cohorted(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
    in_a = _learner_in(app, groups_course, "Cohort A", 1)
    with app.test_request_context():
        set_cohorted(groups_course, False)
    outline = login(app.test_client(), in_a).get(f"/courses/{groups_course}/course/").get_data(as_text=True)
    assert "For everyone" in outline and "For group A" not in outline


def test_linking_to_a_missing_group_is_refused(app, groups_course):
    with app.test_request_context():
        with pytest.raises(CohortError):
            create_cohort(groups_course, "Lost", group_id=9, user_partition_id=50)
        assert list_cohorts(groups_course) == []


def test_an_address_without_an_account_is_preassigned_and_joins_on_enrollment(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
        create_cohort(groups_course, "Anyone", "random")
        later = create_cohort(groups_course, "Later")
        answer = add_users_to_cohort(groups_course, later.id, ["future@example.com", "bad@address"])
        assert answer["preassigned"] == ["future@example.com"] and answer["invalid"] == ["bad@address"]
    future = make_user(app, "user", username="future", email="Future@example.com")
    with app.test_request_context():
        enroll(future, groups_course, check_access=False)
        assert cohort_of(future.id, groups_course).name == "Later"


def test_whether_a_course_is_cohorted_is_read_once_per_request_and_a_change_is_seen(app, groups_course):
    with app.test_request_context():
        with recording_statements(app) as statements:
            assert [is_cohorted(groups_course) for _ in range(3)] == [False] * 3
        assert len(statements.touching("lms_course_cohort_settings")) == 1  # a course page asks it three times
        set_cohorted(groups_course, True)
        assert is_cohorted(groups_course) is True
        set_cohorted(groups_course, False)
        assert is_cohorted(groups_course) is False
