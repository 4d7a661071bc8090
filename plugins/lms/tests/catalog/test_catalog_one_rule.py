"""One rule per question: the front page lists what course discovery finds (invitation-only courses
left out with ``lms_search_hide_invitation_only``), the about page offers "Enroll" exactly when enrolling
succeeds, and a stale overview row is rebuilt when one course is read."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_hookspecs import hookimpl
from kampus_lms.catalog.api import course_overview
from kampus_lms.catalog.models import CourseOverviewRow
from kampus_lms.enrollment.api import EnrollmentError, enroll

from kampus import db
from kampus.testing import login, make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")


def _course(app, key: str, **fields) -> str:
    publish_course(app, key, {"u": [Block("html", "h", {"data": "<p>x</p>"})]},
                   course_fields={"display_name": key.split("+")[1], **fields})
    return key


def _card_titles(html: str) -> list[str]:
    return re.findall(r'class="stretched-link[^"]*" href="[^"]+">([^<]+)</a>', html)


def test_the_front_page_leaves_out_invitation_only_courses_as_discovery_does(app, client) -> None:
    _course(app, "course-v1:Org+Open+1")
    _course(app, "course-v1:Org+Invite+1", invitation_only="true")
    assert _card_titles(client.get("/").get_data(as_text=True)) == ["Open"]
    staff = login(app.test_client(), make_user(app, "global_staff"))
    assert sorted(_card_titles(staff.get("/").get_data(as_text=True))) == ["Invite", "Open"]


@pytest.mark.parametrize("kampus_settings", [{"lms_search_hide_invitation_only": False}])
def test_with_the_setting_off_both_list_invitation_only_courses(app, client) -> None:
    _course(app, "course-v1:Org+Open+1")
    _course(app, "course-v1:Org+Invite+1", invitation_only="true")
    assert sorted(_card_titles(client.get("/").get_data(as_text=True))) == ["Invite", "Open"]


class EditorsOfContent:
    """A plugin that lets teaching assistants edit content (permissions merge across plugins)."""

    @hookimpl
    def kampus_permissions(self) -> dict[str, list[str]]:
        return {"course.edit_content": ["ta"]}


@pytest.fixture
def app(make_app, kampus_settings):
    return make_app(plugins=["content", "problems", "lms", EditorsOfContent()], settings=kampus_settings)


@pytest.mark.parametrize("fields", [{"invitation_only": "true"}, {"enrollment_end": "2021-01-01T00:00:00Z"}])
@pytest.mark.parametrize("role", ["user", "ta", "staff", "global_staff"])
def test_the_about_page_offers_enroll_exactly_when_enrolling_succeeds(app, role, fields) -> None:
    key = _course(app, "course-v1:Org+Rule+1", **fields)
    user = make_user(app, role, key)
    page = login(app.test_client(), user).get(f"/courses/{key}/about").get_data(as_text=True)
    offered = 'class="lms-enroll-form"' in page
    with app.test_request_context():
        try:
            enroll(user, key)
            succeeded = True
        except EnrollmentError:
            succeeded = False
    assert offered == succeeded, (role, fields, offered, succeeded)


def test_a_stale_overview_row_is_rebuilt_when_the_course_is_read(app) -> None:
    key = _course(app, "course-v1:Org+Stale+1")
    with app.test_request_context():
        db.session().execute(sa.update(CourseOverviewRow).where(CourseOverviewRow.course_id == key)
                             .values(version="0" * 24, display_name="Old name"))
        db.session().commit()
    with app.test_request_context():
        overview = course_overview(key)
        assert overview is not None and overview.display_name == "Stale"
    with app.test_request_context():
        assert db.session().get(CourseOverviewRow, key).display_name == "Stale"  # stored again
