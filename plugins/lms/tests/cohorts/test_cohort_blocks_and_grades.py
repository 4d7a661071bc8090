"""Content groups reach past the LMS's pages: the content runtime serves a group's blocks (views and
handlers) to its learners through ``kampus_user_partition_groups``, and grades count them."""

from __future__ import annotations

from datetime import UTC, datetime

from kampus_lms.api import add_users_to_cohort, create_cohort, enroll, set_cohorted
from kampus_lms.grades.service import published_grading, viewer_of

from kampus.testing import login, make_user


def _learner_in(app, course_id, group_id):
    user = make_user(app, "user")
    with app.test_request_context():
        cohort = create_cohort(course_id, f"Cohort {user.username}", group_id=group_id, user_partition_id=50)
        enroll(user, course_id, check_access=False)
        add_users_to_cohort(course_id, cohort.id, [user.username])
    return user


def _usage(course_id: str, block_type: str, block_id: str) -> str:
    return f"{course_id.replace('course-v1:', 'block-v1:')}+type@{block_type}+block@{block_id}"


def test_the_runtime_serves_a_groups_blocks_to_its_learners_only(app, groups_course, hook_calls):
    with app.test_request_context():
        set_cohorted(groups_course, True)
    in_a, in_b = _learner_in(app, groups_course, 1), _learner_in(app, groups_course, 2)
    client_a, client_b = login(app.test_client(), in_a), login(app.test_client(), in_b)
    block_a = _usage(groups_course, "html", "gah")
    assert client_a.get(f"/xblock/{block_a}").status_code == 200
    assert client_b.get(f"/xblock/{block_a}").status_code == 404
    assert client_b.get(f"/xblock/{_usage(groups_course, 'html', 'gbh')}").status_code == 200
    assert client_a.get(f"/xblock/{_usage(groups_course, 'html', 'allh')}").status_code == 200
    asked = hook_calls.of("kampus_user_partition_groups")
    assert asked and all(kwargs["course_id"] == groups_course for kwargs in asked)


def test_grades_count_the_blocks_of_the_learners_groups(app, groups_course):
    with app.test_request_context():
        set_cohorted(groups_course, True)
    in_a, outsider = _learner_in(app, groups_course, 1), make_user(app, "user")
    with app.test_request_context():
        enroll(outsider, groups_course, check_access=False)
        grading = published_grading(groups_course)
        viewer_a, viewer_out = viewer_of(in_a, groups_course, grading), viewer_of(outsider, groups_course, grading)
        now = datetime.now(UTC)
        assert viewer_a.groups == ((50, 1),) and viewer_out.groups == ()
        assert viewer_a.visible(grading, ("vertical", "ga"), now)
        assert not viewer_a.visible(grading, ("vertical", "gb"), now)
        assert not viewer_out.visible(grading, ("vertical", "ga"), now)
        assert viewer_a.visibility_key(grading, now) != viewer_out.visibility_key(grading, now)
