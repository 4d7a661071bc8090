"""Release rules beyond dates and staff-only: ``hide_after_due`` (content hidden from learners once the due
date passed) and ``group_access`` (content groups: shown to staff only until partitions exist)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kampus_content.api import get_structure, release_info
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

PAST = "2021-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _publish(app, unit_fields, course_fields=None):
    return publish_course(app, DEFAULT_COURSE, {
        "gone": [Block("html", "h1", {"data": "<p>gone body</p>"})],
        "later": [Block("html", "h2", {"data": "<p>later body</p>"})],
        "open": [Block("html", "h3", {"data": "<p>open body</p>"})],
    }, unit_fields=unit_fields, course_fields=course_fields)


def test_hide_after_due_hides_the_content_once_the_due_date_passed(app):
    _publish(app, {"gone": {"hide_after_due": "true", "due": PAST},
                   "later": {"hide_after_due": "true", "due": FUTURE}})
    with app.app_context():
        structure = get_structure(DEFAULT_COURSE)
        info = release_info(structure)
        assert info.hidden_after_due(("vertical", "gone"), NOW)
        assert info.hidden_after_due(("html", "h1"), NOW)  # the setting and the due date are inherited
        assert info.under_hidden_content(("html", "h1"), NOW)
        assert not info.under_hidden_content(("vertical", "gone"), NOW)  # the hiding block itself shows the message
        assert not info.hidden_after_due(("vertical", "later"), NOW)
        assert not info.hidden_after_due(("vertical", "open"), NOW)
        # hiding is about viewing: the release rule (grading uses it) still counts the block as released
        assert info.visible(("html", "h1"), NOW)


def test_a_self_paced_course_hides_at_the_course_end(app):
    _publish(app, {"gone": {"hide_after_due": "true"}}, course_fields={"self_paced": "true", "end": PAST})
    with app.app_context():
        info = release_info(get_structure(DEFAULT_COURSE))
        assert info.hidden_after_due(("vertical", "gone"), NOW)
        assert not info.hidden_after_due(("vertical", "open"), NOW)


def test_the_xblock_page_refuses_hidden_content_to_learners_and_shows_it_to_staff(client_as, app):
    course = _publish(app, {"gone": {"hide_after_due": "true", "due": PAST}})
    learner = client_as("learner")
    for block in ("gone", "h1"):
        response = learner.get(f"/xblock/{course[block]}")
        assert response.status_code == 403, block
        assert "The due date for this assignment has passed" in response.get_data(as_text=True)
    sequence = learner.get(f"/xblock/{course['lesson1']}").get_data(as_text=True)
    assert "gone body" not in sequence and "Gone" not in sequence and "later body" in sequence
    staff = client_as("staff")
    assert "gone body" in staff.get(f"/xblock/{course['gone']}").get_data(as_text=True)


@pytest.mark.parametrize("value, restricted", [
    ('{"50": [1, 2]}', True),
    ({"50": [1]}, True),
    ("{}", False),
    ({"50": []}, False),
    ("not json", True),  # unreadable: kept from learners rather than shown to everybody
])
def test_group_access_is_staff_only_until_partitions_exist(app, client_as, value, restricted):
    course = _publish(app, {"gone": {"group_access": value}})
    with app.app_context():
        info = release_info(get_structure(DEFAULT_COURSE))
        assert info.visible(("html", "h1"), NOW) is not restricted
        release = info.block_release(("vertical", "gone"), NOW)
        assert (release.visible_to_staff_only or bool(release.group_access)) is restricted
        # a learner in group 1 of partition 50 sees what is restricted to it (not what cannot be read)
        assert info.visible(("html", "h1"), NOW, groups={50: 1}) is (value != "not json")
    expected = 404 if restricted else 200
    assert client_as("learner").get(f"/xblock/{course['h1']}").status_code == expected
    assert client_as("staff").get(f"/xblock/{course['h1']}").status_code == 200
