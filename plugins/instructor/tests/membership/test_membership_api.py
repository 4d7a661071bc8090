"""The membership actions through Open edX's instructor API paths: course team roles, discussion roles,
batch enrollment (Open edX's answer shape, pre-enrollment, e-mails, events) and beta testers; who may
do what."""

from __future__ import annotations

from kampus_lms.api import allowance_in, is_enrolled

from kampus.identity.permissions import course_roles
from kampus.testing import login, make_user


def api(course, action):
    return f"/courses/{course}/instructor/api/{action}"


def test_batch_enroll_answers_as_openedx_and_mails(app, course, client_as, mailbox, events):
    instructor = client_as("instructor", course)
    known = make_user(app, "user", username="known_learner")
    response = instructor.post(api(course, "students_update_enrollment"), data={
        "action": "enroll", "identifiers": "known_learner, new.person@example.com\nnot an address",
        "auto_enroll": "true", "email_students": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["action"] == "enroll" and body["auto_enroll"] is True
    assert body["results"] == [
        {"identifier": "known_learner",
         "before": {"user": True, "enrollment": False, "allowed": False, "auto_enroll": False},
         "after": {"user": True, "enrollment": True, "allowed": False, "auto_enroll": False}},
        {"identifier": "new.person@example.com",
         "before": {"user": False, "enrollment": False, "allowed": False, "auto_enroll": False},
         "after": {"user": False, "enrollment": False, "allowed": True, "auto_enroll": True}},
        # split on spaces too, as Open edX's _split_input_list: three identifiers, none an address or user
        {"identifier": "not", "invalidIdentifier": True},
        {"identifier": "an", "invalidIdentifier": True},
        {"identifier": "address", "invalidIdentifier": True},
    ]
    assert sorted(message["To"] for message in mailbox) == ["known_learner@example.com", "new.person@example.com"]
    assert "enrolled in Team course" in next(m for m in mailbox if m["To"] == "known_learner@example.com")["Subject"]
    assert [e["event"]["user_id"] for e in events.of_type("edx.course.enrollment.activated")] == [known.id]
    # the invited address registers later: auto-enrolled on its account's creation
    newcomer = make_user(app, "user", username="newcomer", email="new.person@example.com")
    with app.test_request_context():
        app.extensions["kampus"].hook.kampus_account_created(user_id=newcomer.id, username="newcomer",
                                                             email="new.person@example.com")
        assert is_enrolled(newcomer.id, course)


def test_batch_unenroll_removes_enrollments_and_allowances(app, course, client_as, mailbox, events):
    staff = client_as("staff", course)
    learner = make_user(app, "user", username="leaving")
    staff.post(api(course, "students_update_enrollment"),
               data={"action": "enroll", "identifiers": "leaving\ninvited@example.com"})
    assert mailbox == []  # no email_students
    response = staff.post(api(course, "students_update_enrollment"), json={
        "action": "unenroll", "identifiers": "leaving,invited@example.com", "email_students": True})
    results = response.get_json()["results"]
    assert results[0]["before"]["enrollment"] is True and results[0]["after"]["enrollment"] is False
    assert results[1]["before"]["allowed"] is True and results[1]["after"]["allowed"] is False
    with app.test_request_context():
        assert not is_enrolled(learner.id, course) and allowance_in(course, "invited@example.com") is None
    assert len(mailbox) == 2
    assert [e["event"]["user_id"] for e in events.of_type("edx.course.enrollment.deactivated")] == [learner.id]


def test_bad_batches_get_clear_400s(course, client_as):
    staff = client_as("staff", course)
    empty = staff.post(api(course, "students_update_enrollment"), data={"action": "enroll", "identifiers": " , "})
    assert empty.status_code == 400 and empty.get_json()["field_errors"]["identifiers"]
    bad = staff.post(api(course, "students_update_enrollment"), data={"action": "explode", "identifiers": "a"})
    assert bad.status_code == 400 and "action" in bad.get_json()["field_errors"]
    junk = staff.post(api(course, "students_update_enrollment"), data="[1]", content_type="application/json")
    assert junk.status_code == 400 and junk.get_json()["developer_message"]


def test_team_roles_admin_rules(app, course, client_as):
    instructor = client_as("instructor", course)
    colleague = make_user(app, "user", username="colleague")
    added = instructor.post(api(course, "modify_access"), data={
        "unique_student_identifier": "colleague@example.com", "rolename": "staff", "action": "allow"})
    assert added.get_json() == {"unique_student_identifier": "colleague", "rolename": "staff", "action": "allow",
                                "success": "yes"}
    with app.test_request_context():
        assert "staff" in course_roles(colleague, course)
    listed = instructor.post(api(course, "list_course_role_members"), data={"rolename": "staff"}).get_json()
    assert listed == {"course_id": course, "staff": [
        {"username": "colleague", "email": "colleague@example.com", "first_name": "", "last_name": ""}]}
    itself = instructor.post(api(course, "modify_access"), data={
        "unique_student_identifier": instructor.user.username, "rolename": "instructor", "action": "revoke"})
    assert itself.get_json()["removingSelfAsInstructor"] is True
    with app.test_request_context():
        assert "instructor" in course_roles(instructor.user, course)
    ghost = instructor.post(api(course, "modify_access"), data={
        "unique_student_identifier": "ghost", "rolename": "ta", "action": "allow"})
    assert ghost.get_json() == {"unique_student_identifier": "ghost", "userDoesNotExist": True}
    unknown_role = instructor.post(api(course, "modify_access"), data={
        "unique_student_identifier": "colleague", "rolename": "king", "action": "allow"})
    assert unknown_role.status_code == 400
    revoked = instructor.post(api(course, "modify_access"), data={
        "unique_student_identifier": "colleague", "rolename": "staff", "action": "revoke"})
    assert revoked.get_json()["success"] == "yes"


def test_discussion_roles(app, course, client_as):
    staff = client_as("staff", course)
    make_user(app, "user", username="talker")
    answer = staff.post(api(course, "update_forum_role_membership"), data={
        "unique_student_identifier": "talker", "rolename": "Moderator", "action": "allow"})
    assert answer.get_json() == {"course_id": course, "action": "allow"}
    listed = staff.post(api(course, "list_forum_members"), data={"rolename": "Moderator"}).get_json()
    assert [user["username"] for user in listed["Moderator"]] == ["talker"]
    # discussion admins are the instructors' to name
    assert staff.post(api(course, "update_forum_role_membership"), data={
        "unique_student_identifier": "talker", "rolename": "Administrator", "action": "allow"}).status_code == 403


def test_ta_may_view_but_not_change_the_team_and_learners_are_refused(app, course, client_as):
    ta = client_as("ta", course)
    assert ta.post(api(course, "list_course_role_members"), data={"rolename": "staff"}).status_code == 200
    assert ta.post(api(course, "modify_access"), data={
        "unique_student_identifier": ta.user.username, "rolename": "staff", "action": "allow"}).status_code == 403
    assert ta.post(api(course, "students_update_enrollment"), data={
        "action": "enroll", "identifiers": "x@example.com"}).status_code == 403
    assert ta.get(f"/courses/{course}/instructor/membership").status_code == 200
    learner = client_as("learner", course)
    assert learner.post(api(course, "list_course_role_members"), data={"rolename": "staff"}).status_code == 403
    assert learner.get(f"/courses/{course}/instructor/membership").status_code == 403
    anonymous = app.test_client()
    assert anonymous.post(api(course, "list_course_role_members"), data={"rolename": "staff"}).status_code == 401
    staff = client_as("staff", course)
    assert staff.post(api(course, "modify_access"), data={
        "unique_student_identifier": ta.user.username, "rolename": "staff", "action": "allow"}).status_code == 403


def test_beta_testers_in_bulk(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    tester = make_user(app, "user", username="tester")
    answer = staff.post(api(course, "bulk_beta_modify_access"), data={
        "identifiers": "tester\nnobody", "action": "add", "auto_enroll": "true", "email_students": "true"}).get_json()
    assert answer == {"action": "add", "results": [
        {"identifier": "tester", "error": False, "userDoesNotExist": False, "is_active": True},
        {"identifier": "nobody", "error": True, "userDoesNotExist": True, "is_active": None}]}
    with app.test_request_context():
        assert "beta_tester" in course_roles(tester, course) and is_enrolled(tester.id, course)
    assert [m["To"] for m in mailbox] == ["tester@example.com"]
    removed = staff.post(api(course, "bulk_beta_modify_access"), data={"identifiers": "tester", "action": "remove"})
    assert removed.get_json()["results"][0]["error"] is False
    with app.test_request_context():
        assert "beta_tester" not in course_roles(tester, course)


def test_every_action_works_with_a_bearer_token_and_no_csrf(app, course, token):
    instructor = make_user(app, "instructor", course)
    headers = token(instructor)
    plain = app.test_client()
    answer = plain.post(api(course, "students_update_enrollment"), headers=headers, csrf=False, json={
        "action": "enroll", "identifiers": "token.invite@example.com"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    make_user(app, "user", username="helper")
    role = plain.post(api(course, "modify_access"), headers=headers, csrf=False, json={
        "unique_student_identifier": "helper", "rolename": "ta", "action": "allow"})
    assert role.get_json()["success"] == "yes"


def test_the_page_lists_the_team(app, course, client_as):
    instructor = client_as("instructor", course)
    page = instructor.get(f"/courses/{course}/instructor/membership").get_data(as_text=True)
    assert "Batch enrollment" in page and instructor.user.username in page and "Discussion moderators" in page
    login(app.test_client(), instructor.user)


def test_the_endpoints_are_in_the_openapi_document(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for action in ("students_update_enrollment", "modify_access", "bulk_beta_modify_access",
                   "update_forum_role_membership", "list_course_role_members", "add_users_to_cohorts"):
        assert f"/courses/{{course_id}}/instructor/api/{action}" in paths, action
    assert "/api/cohorts/v1/courses/{course_id}/cohorts/" in paths


def test_cookie_sessions_need_the_csrf_token_and_batches_are_bounded(course, client_as):
    staff = client_as("staff", course)
    forged = staff.post(api(course, "students_update_enrollment"), csrf=False,
                        data={"action": "enroll", "identifiers": "x@example.com"})
    assert forged.status_code in (400, 403)
    huge = staff.post(api(course, "students_update_enrollment"), data={
        "action": "enroll", "identifiers": ",".join(f"u{i}@example.com" for i in range(1001))})
    assert huge.status_code == 400 and "at most 1000" in huge.get_json()["user_message"]
