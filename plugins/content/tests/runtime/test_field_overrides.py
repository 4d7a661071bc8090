"""``kampus_field_overrides`` (hook API 1.5): a learner's own value of an inherited setting, asked once per
runtime, wins over the block's own value and over what it inherits; for the blocks under it, it changes only
what they inherit (a child that sets the field itself keeps its own value, as in Open edX); other learners,
anonymous users and authors see the course's values."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kampus_content.api import KampusRuntime, get_structure
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block, publish_course
from kampus_hookspecs import hookimpl
from opaque_keys.edx.keys import CourseKey
from xblock.core import XBlock
from xblock.fields import Date, Scope, String

from kampus.testing import DEFAULT_COURSE, client_as

COURSE_DUE = "2020-01-01T00:00:00+00:00"
EXTENDED = "2099-05-01T12:00:00+00:00"
OWN_DUE = "2021-03-01T00:00:00+00:00"


class DueBlock(XBlock):
    """A block that tells the due date it sees."""

    due = Date(scope=Scope.settings, default=None)
    title = String(scope=Scope.settings, default="")

    @XBlock.json_handler
    def seen(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        return {"due": self.due.isoformat() if self.due else None, "title": self.title}


class Extensions:
    """A plugin answering ``kampus_field_overrides`` for one learner."""

    def __init__(self) -> None:
        self.user_id: int | None = None
        self.overrides: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, int]] = []

    @hookimpl
    def kampus_field_overrides(self, course_id: str, user_id: int) -> dict[str, dict[str, Any]] | None:
        self.calls.append((course_id, user_id))
        return self.overrides if user_id == self.user_id else None


@pytest.fixture(autouse=True)
def due_block():
    with installed_block("dueblock", DueBlock):
        yield


def test_an_override_on_a_parent_wins_for_that_learner_only(make_app):
    plugin = Extensions()
    app = make_app(plugins=["content", plugin])
    locator = CourseKey.from_string(DEFAULT_COURSE)
    course = publish_course(app, DEFAULT_COURSE, {"u": [Block("dueblock", "own", {"due": OWN_DUE}),
                                                       Block("dueblock", "inherits", {})],
                                                 "v": [Block("dueblock", "in_dated_unit", {})]},
                            course_fields={"due": COURSE_DUE}, unit_fields={"v": {"due": OWN_DUE}})
    learner, other = client_as(app, "learner"), client_as(app, "learner")
    plugin.user_id = learner.user.id
    plugin.overrides = {str(locator.make_usage_key("sequential", "lesson1")): {"due": EXTENDED},
                        "not a usage id": {"due": EXTENDED},
                        course["own"]: {"title": "not an inherited setting: ignored"}}

    def seen(client, block: str) -> dict[str, Any]:
        answer = client.post(f"/xblock/{course[block]}/handler/seen", data=json.dumps({}),
                             content_type="application/json")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()

    # the subsection's extension changes what its blocks inherit; a block's (or unit's) own due date wins
    assert seen(learner, "inherits")["due"] == EXTENDED
    assert seen(learner, "own") == {"due": OWN_DUE, "title": ""}
    assert seen(learner, "in_dated_unit")["due"] == OWN_DUE
    assert seen(other, "own")["due"] == OWN_DUE and seen(other, "inherits")["due"] == COURSE_DUE
    # an override on the block itself wins over its own value
    plugin.overrides[course["own"]] = {"due": EXTENDED}
    assert seen(client_as(app, "learner"), "own")["due"] == OWN_DUE  # (another learner: no override)
    fresh = client_as(app, "learner")
    plugin.user_id = fresh.user.id
    assert seen(fresh, "own")["due"] == EXTENDED
    plugin.user_id = learner.user.id
    del plugin.overrides[course["own"]]
    plugin.overrides[course["own"]] = {"title": "not an inherited setting: ignored"}
    plugin.calls.clear()
    seen(learner, "own")
    assert plugin.calls == [(DEFAULT_COURSE, learner.user.id)]  # once per request's runtime
    with app.test_request_context():
        structure = get_structure(DEFAULT_COURSE)
        author = KampusRuntime(structure, user=learner.user, authoring=True)
        assert author.get_block(course["inherits"]).due.isoformat() == COURSE_DUE  # authors see the course's
        anonymous = KampusRuntime(structure, user=None)
        assert anonymous.get_block(course["inherits"]).due.isoformat() == COURSE_DUE
