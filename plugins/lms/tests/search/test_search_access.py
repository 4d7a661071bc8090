"""Who may search a course: the courseware's rule (``kampus_lms.access.course_access``), one rule for
who may see a course's content — course staff, enrolled learners, and holders of the ``learner`` or
``beta_tester`` course role once the course has started for them; beta testers find content
``days_early_for_beta`` early."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment.api import enroll
from kampus_lms.search.api import SearchAccessError, search_course_content

from kampus.testing import login, make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:Org+Find+1"
PAST = "2020-01-01T00:00:00Z"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _publish(app, start: str = PAST) -> dict[str, str]:
    soon = datetime.now(UTC) + timedelta(days=3)
    return publish_course(app, COURSE, {
        "now": [Block("html", "open", {"data": "<p>Photosynthesis happens in leaves.</p>"})],
        "soon": [Block("html", "early", {"data": "<p>Photosynthesis needs chlorophyll.</p>",
                                         "start": _iso(soon), "days_early_for_beta": 7})],
        "later": [Block("html", "late", {"data": "<p>Photosynthesis at night.</p>", "start": "2999-01-01T00:00:00Z",
                                         "days_early_for_beta": 7})],
    }, course_fields={"display_name": "Botany", "start": start})


def _search(client, words: str, status: int = 200) -> dict[str, Any]:
    response = client.post(f"/search/{COURSE}", data={"search_string": words})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _found(client) -> set[str]:
    return {hit["_id"].rsplit("@", 1)[1] for hit in _search(client, "photosynthesis")["results"]}


def test_the_learner_course_role_searches_without_an_enrollment(app) -> None:
    _publish(app)
    learner = login(app.test_client(), make_user(app, "learner", COURSE))
    assert _found(learner) == {"open"}


def test_beta_testers_find_content_days_early_for_beta_early(app) -> None:
    _publish(app)
    beta = login(app.test_client(), make_user(app, "beta_tester", COURSE))
    enrolled = make_user(app, "user")
    with app.test_request_context():
        enroll(enrolled, COURSE, check_access=False)
    assert _found(beta) == {"open", "early"}  # 3 days to go, 7 days early: released for beta testers
    assert _found(login(app.test_client(), enrolled)) == {"open"}


def test_an_enrolled_learner_cannot_search_a_course_that_has_not_started(app) -> None:
    _publish(app, start="2999-01-01T00:00:00Z")
    user = make_user(app, "user")
    with app.test_request_context():
        enroll(user, COURSE, check_access=False)
        with pytest.raises(SearchAccessError) as refused:
            search_course_content(COURSE, "photosynthesis", user=user)
    assert refused.value.status == 403 and "not started" in refused.value.message
    assert "not started" in _search(login(app.test_client(), user), "photosynthesis", status=403)["error"]
    staff = login(app.test_client(), make_user(app, "staff", COURSE))
    assert _found(staff) == {"open", "early", "late"}  # course staff see everything, before the start too


def test_outsiders_are_refused_with_the_courseware_reason(app, client) -> None:
    _publish(app)
    assert "Log in" in _search(client, "photosynthesis", status=403)["error"]
    outsider = login(app.test_client(), make_user(app, "user"))
    assert "Enroll" in _search(outsider, "photosynthesis", status=403)["error"]
    other_course = login(app.test_client(), make_user(app, "learner", "course-v1:Org+Other+1"))
    assert _search(other_course, "photosynthesis", status=403)["error"]
