"""The permission API: course roles, org-wide roles, plugin roles and declared permissions."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from kampus_hookspecs import hookimpl

from kampus import db
from kampus.identity.permissions import (
    course_roles,
    course_roles_of,
    forget_course_roles,
    grant_role,
    has_permission,
    permission_table,
    require_permission,
    revoke_role,
)
from kampus.testing import DEFAULT_COURSE, make_user

OTHER_ORG_COURSE = "course-v1:OtherU+CS1+2026"
SAME_ORG_COURSE = "course-v1:KampusX+Other+2026"


class EnrollmentPlugin:
    """Answers ``learner`` for user ids it knows, in one course."""

    def __init__(self) -> None:
        self.enrolled: set[int] = set()

    @hookimpl
    def kampus_user_course_roles(self, user_id, course_id):
        return ["learner"] if user_id in self.enrolled and course_id == DEFAULT_COURSE else []

    @hookimpl
    def kampus_permissions(self):
        return {"forum.post": ["learner", "ta"], "catalog.browse": ["*"], "course.view_staff": ["community_ta"]}


@pytest.fixture
def plugin():
    return EnrollmentPlugin()


@pytest.fixture
def app(make_app, plugin):
    return make_app(plugins=[plugin])


def test_core_permissions_are_declared(app):
    with app.test_request_context():
        table = permission_table()
    assert table["site.manage_users"] == set()
    assert table["course.manage_roles"] == {"instructor"}
    assert table["course.edit_content"] == {"instructor", "staff"}
    assert {"ta", "staff", "instructor", "community_ta"} == table["course.view_staff"]  # merged across plugins
    assert table["course.view"] == {"learner", "beta_tester", "ta", "staff", "instructor"}


@pytest.mark.parametrize(("role", "allowed"), [
    ("learner", {"course.view", "forum.post", "catalog.browse"}),
    ("beta_tester", {"course.view", "course.view_beta", "catalog.browse"}),
    ("ta", {"course.view", "course.view_beta", "course.view_staff", "forum.post", "catalog.browse"}),
    ("staff", {"course.view", "course.view_beta", "course.view_staff", "course.edit_content", "catalog.browse"}),
    ("instructor", {"course.view", "course.view_beta", "course.view_staff", "course.edit_content",
                    "course.manage_roles", "catalog.browse"}),
    ("user", {"catalog.browse"}),
])
def test_course_roles_grant_their_permissions(app, role, allowed):
    user = make_user(app, role)
    with app.test_request_context():
        names = set(permission_table())
        held = {name for name in names if has_permission(user, name, DEFAULT_COURSE)}
        assert held == allowed
        # Nothing in another course, except what any user holds.
        assert {name for name in names if has_permission(user, name, OTHER_ORG_COURSE)} == {"catalog.browse"}
        assert not has_permission(user, "site.manage_users")


@pytest.mark.parametrize("role", ["global_staff", "superuser"])
def test_global_staff_hold_everything(app, role):
    user = make_user(app, role)
    with app.test_request_context():
        for name in permission_table():
            assert has_permission(user, name, DEFAULT_COURSE)
            assert has_permission(user, name, OTHER_ORG_COURSE)
        assert has_permission(user, "site.manage_users")


def test_undeclared_permission_is_an_error_even_for_staff(app):
    user = make_user(app, "global_staff")
    with app.test_request_context(), pytest.raises(LookupError):
        has_permission(user, "course.edti_content", DEFAULT_COURSE)


def test_anonymous_and_inactive_hold_nothing(app):
    user = make_user(app, "instructor")
    user.is_active = False
    with app.test_request_context():
        assert not has_permission(None, "catalog.browse")
        assert not has_permission(AnonymousUserMixin(), "catalog.browse")
        assert not has_permission(user, "course.view", DEFAULT_COURSE)


def test_org_wide_roles(app):
    user = make_user(app, "user")
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        grant_role(db_session, user, "staff", org="KampusX")
        grant_role(db_session, user, "staff", org="KampusX")  # idempotent
    with app.test_request_context():
        assert course_roles(user, DEFAULT_COURSE) == {"staff"}
        assert course_roles(user, SAME_ORG_COURSE) == {"staff"}
        assert course_roles(user, OTHER_ORG_COURSE) == set()
        assert has_permission(user, "course.edit_content", SAME_ORG_COURSE)
        assert not has_permission(user, "course.edit_content", OTHER_ORG_COURSE)
    with kampus.db.session_scope() as db_session:
        assert revoke_role(db_session, user, "staff", org="KampusX") is True
        assert revoke_role(db_session, user, "staff", org="KampusX") is False
    with app.test_request_context():
        assert course_roles(user, SAME_ORG_COURSE) == set()


def test_grant_role_validates(app):
    user = make_user(app, "user")
    with app.extensions["kampus"].db.session_scope() as db_session:
        with pytest.raises(ValueError):
            grant_role(db_session, user, "king", DEFAULT_COURSE)
        with pytest.raises(ValueError):
            grant_role(db_session, user, "ta")


def test_plugin_answers_course_roles(app, plugin):
    user = make_user(app, "user")
    with app.test_request_context():
        assert not has_permission(user, "course.view", DEFAULT_COURSE)
        plugin.enrolled.add(user.id)
        assert course_roles(user, DEFAULT_COURSE) == set()  # read once per request...
        forget_course_roles()  # ...until the plugin says its answer changed
        assert course_roles(user, DEFAULT_COURSE) == {"learner"}
        assert has_permission(user, "course.view", DEFAULT_COURSE)
        assert has_permission(user, "forum.post", DEFAULT_COURSE)
        assert not has_permission(user, "course.view_beta", DEFAULT_COURSE)
        assert not has_permission(user, "course.view", OTHER_ORG_COURSE)


def test_roles_granted_or_revoked_in_a_request_are_seen_at_once(app):
    user = make_user(app, "user")
    with app.test_request_context():
        db_session = db.session()  # the request's session: what course_roles reads through
        assert course_roles(user, DEFAULT_COURSE) == set()
        grant_role(db_session, user, "staff", DEFAULT_COURSE)
        assert course_roles(user, DEFAULT_COURSE) == {"staff"}
        revoke_role(db_session, user, "staff", DEFAULT_COURSE)
        assert course_roles(user, DEFAULT_COURSE) == set()


def test_require_permission_decorator(app):
    from flask import Blueprint

    bp = Blueprint("perm_test", __name__)

    @bp.get("/perm-test/<course_id>/staff")
    @require_permission("course.view_staff", course_arg="course_id")
    def staff_view(course_id):
        return f"ok {course_id}"

    app.register_blueprint(bp)
    from kampus.testing import client_as

    path = f"/perm-test/{DEFAULT_COURSE}/staff"
    assert app.test_client().get(path).status_code == 302
    assert app.test_client().get(path, headers={"Accept": "application/json"}).status_code == 401
    assert client_as(app, "learner").get(path).status_code == 403
    assert client_as(app, "ta").get(path).status_code == 200
    assert client_as(app, "ta", course_id=OTHER_ORG_COURSE).get(path).status_code == 403
    assert client_as(app, "global_staff").get(path).get_data(as_text=True) == f"ok {DEFAULT_COURSE}"


class BatchRolesPlugin:
    """Answers the batch form only for the users it knows; its single form must not be asked by
    ``course_roles_of`` (the batch form is)."""

    def __init__(self) -> None:
        self.beta: set[int] = set()
        self.batch_calls: list[list[int]] = []
        self.single_calls: list[int] = []

    @hookimpl
    def kampus_users_course_roles(self, user_ids, course_id):
        self.batch_calls.append(list(user_ids))
        return {user_id: ["beta_tester"] for user_id in user_ids if user_id in self.beta}

    @hookimpl
    def kampus_user_course_roles(self, user_id, course_id):
        self.single_calls.append(user_id)
        return ["beta_tester"] if user_id in self.beta else []


def test_course_roles_of_reads_many_users_at_once(make_app):
    single, batch = EnrollmentPlugin(), BatchRolesPlugin()
    app = make_app(plugins=[single, batch])
    staff, learner, beta, nobody = (make_user(app, "user") for _ in range(4))
    single.enrolled = {learner.id}
    batch.beta = {beta.id}
    with app.test_request_context():
        grant_role(db.session(), staff, "staff", DEFAULT_COURSE)
        db.session().commit()
        roles = course_roles_of([staff, learner, beta, nobody, AnonymousUserMixin()], DEFAULT_COURSE)
    assert roles == {staff.id: {"staff"}, learner.id: {"learner"}, beta.id: {"beta_tester"}, nobody.id: set()}
    assert batch.batch_calls == [sorted([staff.id, learner.id, beta.id, nobody.id])]  # one call for all
    assert batch.single_calls == []  # the plugin's single form is not asked as well
    with app.test_request_context():
        assert course_roles_of([], DEFAULT_COURSE) == {}
        assert {user.id: course_roles(user, DEFAULT_COURSE) for user in (staff, learner, beta, nobody)} == roles
