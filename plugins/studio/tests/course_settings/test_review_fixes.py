"""Regressions from the review of the settings pages (issue 18): attribute injection on the advanced page,
details saves that rewrote untouched about files, unbounded or non-finite numbers, lone surrogates,
impossible UTC offsets, imported update ids, the prerequisites picker and anonymous visits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kampus_content.api import DRAFT, edit_course, get_structure, read_course_file
from kampus_content.testing.xblocks import publish_course
from lxml import html

from kampus.identity.models import User
from kampus.identity.permissions import grant_role

from .conftest import API, COURSE

PAGE = f"/studio/course/{COURSE}/settings"


def _raw(client: Any, method: str, url: str, body: str) -> Any:
    return client.open(url, method=method, data=body.encode(), content_type="application/json")


def _draft_file(app: Any, path: str) -> bytes | None:
    with app.app_context():
        return read_course_file(get_structure(COURSE, DRAFT), path)


def test_advanced_values_with_quotes_stay_inside_their_attribute(app, author):
    version = author.get(f"{API}/advanced").get_json()["version"]
    evil = 'x" onfocus="alert(document.domain)" autofocus y="'
    saved = author.patch(f"{API}/advanced", json={"version": version, "settings": {"cert_name_short": evil}})
    assert saved.status_code == 200
    page = author.get(f"{PAGE}/advanced")
    document = html.fromstring(page.get_data(as_text=True))
    area = document.get_element_by_id("adv-cert_name_short")
    assert "onfocus" not in area.attrib and "autofocus" not in area.attrib
    assert json.loads(area.get("data-initial")) == evil  # the value round-trips as JSON
    assert json.loads(area.text_content()) == evil


def test_saving_one_detail_leaves_the_other_about_files_alone(app, author):
    video = b'<iframe src="https://player.vimeo.com/video/123"></iframe>'
    effort = b"<em>3</em> hours &amp; more"
    with app.app_context():
        edit_course(COURSE, user_id=None, files={"about/video.html": video, "about/effort.html": effort},
                    message="import-like")
    details = author.get(f"{API}/details").get_json()
    assert details["effort"] == "3 hours & more"
    saved = author.put(f"{API}/details", json={**details, "start_date": "2025-02-01T00:00:00Z"})
    assert saved.status_code == 200, saved.get_json()
    assert _draft_file(app, "about/video.html") == video
    assert _draft_file(app, "about/effort.html") == effort
    again = author.put(f"{API}/details", json={"version": saved.get_json()["version"],
                                                "short_description": "Fish & Chips <3"})
    assert again.status_code == 200
    assert again.get_json()["short_description"] == "Fish & Chips <3"
    assert author.get(f"{API}/details").get_json()["short_description"] == "Fish & Chips <3"
    assert _draft_file(app, "about/short_description.html") == b"Fish &amp; Chips &lt;3"
    assert _draft_file(app, "about/video.html") == video


@pytest.mark.parametrize("body", [
    '{"graders": [{"type": "HW", "weight": 100, "min_count": 1e400, "drop_count": 0}], "grade_cutoffs": {"P": 0.5}}',
    '{"graders": [], "grade_cutoffs": {"Pass": 0.5}, "grace_period": {"hours": NaN}}',
    '{"graders": [], "grade_cutoffs": {"Pass": Infinity}}',
])
def test_non_finite_grading_numbers_are_refused(app, author, body):
    before = author.get(f"{API}/grading").get_json()
    answer = _raw(author, "PUT", f"{API}/grading", body)
    assert answer.status_code == 400
    assert answer.get_json()["user_message"]
    assert author.get(f"{API}/grading").get_json()["version"] == before["version"]


@pytest.mark.parametrize("days", [1000000, -1, 3651])
def test_days_early_for_beta_is_bounded(app, author, days):
    version = author.get(f"{API}/advanced").get_json()["version"]
    answer = author.patch(f"{API}/advanced", json={"version": version, "settings": {"days_early_for_beta": days}})
    assert answer.status_code == 400
    assert "days_early_for_beta" in answer.get_json()["field_errors"]


def test_days_early_for_beta_in_range_is_saved(app, author):
    version = author.get(f"{API}/advanced").get_json()["version"]
    answer = author.patch(f"{API}/advanced", json={"version": version, "settings": {"days_early_for_beta": 30}})
    assert answer.status_code == 200


def test_advanced_display_name_is_at_most_255_characters(app, author):
    version = author.get(f"{API}/advanced").get_json()["version"]
    answer = author.patch(f"{API}/advanced", json={"version": version, "settings": {"display_name": "x" * 256}})
    assert answer.status_code == 400
    assert "display_name" in answer.get_json()["field_errors"]


@pytest.mark.parametrize("method,part,body", [
    ("PUT", "handouts", '{"data": "<p>\\udfff</p>"}'),
    ("PUT", "details", '{"display_name": "X\\ud800"}'),
    ("PATCH", "advanced", '{"settings": {"display_name": "Y\\ud800"}}'),
    ("PATCH", "advanced", '{"settings": {"\\ud800": 1}}'),
])
def test_lone_surrogates_are_refused(app, author, method, part, body):
    before = author.get(f"{API}/details").get_json()["version"]
    answer = _raw(author, method, f"{API}/{part}", body)
    assert answer.status_code == 400
    assert "Unicode" in answer.get_json()["user_message"]
    assert author.get(f"{API}/details").get_json()["version"] == before
    assert author.get(f"{PAGE}/details").status_code == 200


def test_start_date_with_an_impossible_offset_is_a_400(app, author):
    bad = "2026-09-01T09:00:00+99:00"
    version = author.get(f"{API}/details").get_json()["version"]
    answer = author.put(f"{API}/details", json={"version": version, "start_date": bad})
    assert answer.status_code == 400
    assert "start_date" in answer.get_json()["field_errors"]
    assert author.post(f"{API}/updates", json={"date": bad, "content": "<p>x</p>"}).status_code == 400
    version = author.get(f"{API}/advanced").get_json()["version"]
    assert author.patch(f"{API}/advanced", json={"version": version,
                                                 "settings": {"announcement": bad}}).status_code == 400
    assert author.get(f"{PAGE}/advanced").status_code == 200


def test_a_new_update_after_imported_text_ids(app, author):
    with app.app_context():
        edit_course(COURSE, user_id=None, files={"info/updates.items.json": json.dumps(
            [{"id": "u1", "date": "May 1, 2025", "content": "<p>x</p>"},
             {"id": "7", "date": "May 2, 2025", "content": "<p>y</p>"}]).encode()}, message="imported")
    listed = author.get(f"{API}/updates")
    assert listed.status_code == 200
    assert all(isinstance(item["id"], int) for item in listed.get_json()["updates"])
    added = author.post(f"{API}/updates", json={"date": "2026-01-01", "content": "<p>z</p>"})
    assert added.status_code in (200, 201), added.get_json()
    ids = [item["id"] for item in author.get(f"{API}/updates").get_json()["updates"]]
    assert len(ids) == len(set(ids)) == 3


def test_prerequisite_picker_lists_only_authored_courses_and_current_prerequisites(app, client_as, author):
    publish_course(app, "course-v1:Mine+M1+2026", {"u": []})
    publish_course(app, "course-v1:Secret+S1+2026", {"u": []})
    publish_course(app, "course-v1:Prereq+P1+2026", {"u": []})
    with app.app_context():
        edit_course(COURSE, user_id=None, fields={"pre_requisite_courses": ["course-v1:Prereq+P1+2026"]},
                    message="prereq")
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        grant_role(db_session, db_session.get(User, author.user.id), "staff", "course-v1:Mine+M1+2026")
    page = author.get(f"{PAGE}/details").get_data(as_text=True)
    assert "course-v1:Secret+S1+2026" not in page
    assert "course-v1:Prereq+P1+2026" in page
    assert "course-v1:Mine+M1+2026" in page


def test_anonymous_visitors_of_settings_pages_go_to_the_login_page(app, course):
    answer = app.test_client().get(f"{PAGE}/details")
    assert answer.status_code == 302
    assert "login" in answer.headers["Location"]
    assert app.test_client().get(f"{API}/details").status_code == 401
