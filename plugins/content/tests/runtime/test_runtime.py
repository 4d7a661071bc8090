"""The XBlock runtime: field scopes and their storage, batched state reads, handlers, access, events."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from kampus_content.runtime.field_data import UserStateCache
from kampus_content.runtime.user_state import StudentModule
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block, publish_course
from kampus_hookspecs import hookimpl
from xblock.core import XBlock
from xblock.fields import Integer, Scope, String

from kampus.identity.anonymous_ids import anonymous_id_for
from kampus.testing import DEFAULT_COURSE, recording_statements

pytestmark = pytest.mark.kampus_plugins("content")


class CounterBlock(XBlock):
    """A test block with a field in every scope."""

    title = String(scope=Scope.settings, default="Counter")
    body = String(scope=Scope.content, default="")
    count = Integer(scope=Scope.user_state, default=0)
    total = Integer(scope=Scope.user_state_summary, default=0)
    liked = Integer(scope=Scope.preferences, default=0)
    nickname = String(scope=Scope.user_info, default="")

    def student_view(self, context: Any = None) -> Any:
        from web_fragments.fragment import Fragment

        return Fragment(f"<p>{self.title}: count={self.count} total={self.total} liked={self.liked}</p>")

    @XBlock.json_handler
    def increment(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.count += 1
        self.total += 1
        self.liked = data.get("liked", self.liked)
        self.nickname = data.get("nickname", self.nickname)
        return {"count": self.count, "total": self.total, "liked": self.liked, "nickname": self.nickname}

    @XBlock.json_handler
    def rename(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.title = data["title"]
        return {"title": self.title}

    @XBlock.json_handler
    def grade(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        self.runtime.publish(self, "grade", {"value": data["value"], "max_value": 2})
        self.runtime.publish(self, "completion", {"completion": 1.0})
        return {}


@pytest.fixture(autouse=True)
def counter_block():
    with installed_block("counter", CounterBlock):
        yield


@pytest.fixture
def course(app):
    return publish_course(app, DEFAULT_COURSE, {
        "unit1": [Block("counter", "c1", {"title": "First"}), Block("counter", "c2", {"title": "Second"}),
                  Block("html", "h1", {"data": '<p><img src="/static/images/a.png"> hello</p>'})],
        "unit2": [Block("counter", "c3", {})],
    })


def post(client, usage_id, name, data=None, **kwargs):
    return client.post(f"/xblock/{usage_id}/handler/{name}", data=json.dumps(data or {}),
                       content_type="application/json", **kwargs)


def test_user_state_is_per_user_and_summary_shared(client_as, course):
    alice, bob = client_as("learner"), client_as("learner")
    assert post(alice, course["c1"], "increment").get_json()["count"] == 1
    assert post(alice, course["c1"], "increment", {"liked": 3, "nickname": "al"}).get_json() == {
        "count": 2, "total": 2, "liked": 3, "nickname": "al"}
    first_bob = post(bob, course["c1"], "increment").get_json()
    assert first_bob["count"] == 1 and first_bob["total"] == 3 and first_bob["liked"] == 0
    # preferences follow the user to every block of the type; user_info to every block
    assert post(alice, course["c3"], "increment").get_json()["liked"] == 3
    assert post(alice, course["c3"], "increment").get_json()["nickname"] == "al"
    page = alice.get(f"/xblock/{course['unit1']}").get_data(as_text=True)
    assert "First: count=2 total=3 liked=3" in page
    assert "Second: count=0" in page


def test_learners_cannot_change_content(client_as, course, app):
    learner = client_as("learner")
    response = post(learner, course["c1"], "rename", {"title": "Hacked"})
    assert response.status_code == 403
    with app.app_context():
        structure = app.extensions["kampus"].driver("content_store").get_branch(DEFAULT_COURSE, "published")
    assert structure.blocks[("counter", "c1")].fields["title"] == "First"
    # learners may not use the draft branch either
    assert post(learner, course["c1"], "rename", {"title": "x"}, query_string={"branch": "draft"}).status_code == 403


def test_authors_write_content_into_a_new_draft(client_as, course, app):
    author = client_as("staff")
    response = post(author, course["c1"], "rename", {"title": "Renamed"}, query_string={"branch": "draft"})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        assert store.get_branch(DEFAULT_COURSE, "draft").blocks[("counter", "c1")].fields["title"] == "Renamed"
        assert store.get_branch(DEFAULT_COURSE, "published").blocks[("counter", "c1")].fields["title"] == "First"


def test_one_query_loads_the_user_state_of_a_unit(client_as, course, app):
    learner = client_as("learner")
    post(learner, course["c1"], "increment")
    post(learner, course["c2"], "increment")
    with recording_statements(app) as statements:
        page = learner.get(f"/xblock/{course['unit1']}").get_data(as_text=True)
    assert "First: count=1" in page and "Second: count=1" in page
    state_reads = statements.touching("content_student_module")
    assert len(state_reads) == 1, state_reads
    assert not statements.writes("content_student_module")


def test_first_state_write_reads_the_row_once(client_as, course, app):
    """The prefetch found no row: the flush inserts without reading it again (a concurrent request's row
    would make the insert fail and be updated instead)."""
    learner = client_as("learner")
    with recording_statements(app) as statements:
        assert post(learner, course["c1"], "increment").get_json()["count"] == 1
    reads = [q for q in statements.touching("content_student_module") if q.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, reads
    assert len(statements.writes("content_student_module")) == 1
    assert post(learner, course["c1"], "increment").get_json()["count"] == 2


def test_state_row_created_meanwhile_by_another_request_is_updated(client_as, course, app, monkeypatch):
    """A row another request inserted after this one's prefetch found none: the insert fails in its
    savepoint and that row takes this request's state (nothing lost, no error)."""
    learner = client_as("learner")
    original = UserStateCache.flush

    def flush_after_a_concurrent_insert(self, db_session):
        with app.extensions["kampus"].db.session_scope() as other:
            other.add(StudentModule(user_id=learner.user.id, course_key=DEFAULT_COURSE, usage_key=course["c1"],
                                    block_type="counter", state=json.dumps({"count": 7})))
        original(self, db_session)

    monkeypatch.setattr(UserStateCache, "flush", flush_after_a_concurrent_insert)
    assert post(learner, course["c1"], "increment").status_code == 200
    monkeypatch.undo()
    with app.extensions["kampus"].db.session_scope() as db_session:
        [row] = db_session.scalars(sa.select(StudentModule)).all()
        assert json.loads(row.state) == {"count": 1}


def test_state_rows_look_like_student_modules(client_as, course, app):
    learner = client_as("learner")
    post(learner, course["c1"], "increment")
    with app.extensions["kampus"].db.session_scope() as db_session:
        row = db_session.scalars(sa.select(StudentModule)).one()
        assert row.user_id == learner.user.id
        assert row.course_key == DEFAULT_COURSE
        assert row.usage_key == course["c1"]
        assert row.block_type == "counter"
        assert json.loads(row.state) == {"count": 1}


def test_handler_needs_csrf_token(client_as, course):
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['c1']}/handler/increment", data="{}",
                            content_type="application/json", csrf=False)
    assert response.status_code == 400


def test_unknown_handler_and_block_are_404(client_as, course):
    learner = client_as("learner")
    assert post(learner, course["c1"], "no_such_handler").status_code == 404
    assert post(learner, course["c1"], "student_view").status_code == 404  # a view is not a handler
    missing = course["c1"].replace("block@c1", "block@nope")
    assert learner.get(f"/xblock/{missing}").status_code == 404
    assert learner.get("/xblock/not-a-key").status_code == 404


def test_access(client_as, client, course, app):
    anonymous = client.get(f"/xblock/{course['unit1']}")
    assert anonymous.status_code in (302, 401)
    stranger = client_as("user")
    assert stranger.get(f"/xblock/{course['unit1']}").status_code == 403
    assert post(stranger, course["c1"], "increment").status_code == 403
    other_course = client_as("learner", course_id="course-v1:Other+X+1")
    assert other_course.get(f"/xblock/{course['unit1']}").status_code == 403
    assert client_as("learner").get(f"/xblock/{course['unit1']}").status_code == 200


def test_unreleased_and_staff_only_content(client_as, app):
    course = publish_course(app, DEFAULT_COURSE, {
        "later": [Block("html", "h1", {"data": "<p>future</p>"})],
        "hidden": [Block("html", "h2", {"data": "<p>secret</p>"})],
        "open": [Block("html", "h3", {"data": "<p>open</p>"})],
    }, unit_fields={"later": {"start": "2999-01-01T00:00:00Z"}, "hidden": {"visible_to_staff_only": "true"}})
    learner = client_as("learner")
    assert learner.get(f"/xblock/{course['later']}").status_code == 404
    assert learner.get(f"/xblock/{course['h1']}").status_code == 404  # inherits the unit's start
    assert learner.get(f"/xblock/{course['hidden']}").status_code == 404
    assert learner.get(f"/xblock/{course['open']}").status_code == 200
    sequence = learner.get(f"/xblock/{course['lesson1']}").get_data(as_text=True)
    assert "Later" not in sequence and "Hidden" not in sequence and "open" in sequence
    staff = client_as("staff")
    assert staff.get(f"/xblock/{course['later']}").status_code == 200
    assert "secret" in staff.get(f"/xblock/{course['hidden']}").get_data(as_text=True)


def test_course_without_start_is_not_released(client_as, app):
    course = publish_course(app, DEFAULT_COURSE, {"u": [Block("html", "h", {"data": "x"})]},
                            course_fields={"start": None})
    assert client_as("learner").get(f"/xblock/{course['u']}").status_code == 404


def test_author_and_studio_views_need_edit_rights(client_as, course):
    learner = client_as("learner")
    assert learner.get(f"/xblock/{course['h1']}?view=studio_view").status_code == 403
    assert learner.get(f"/xblock/{course['unit1']}?view=author_view").status_code == 403
    staff = client_as("staff")
    studio = staff.get(f"/xblock/{course['h1']}?view=studio_view")
    assert studio.status_code == 200
    assert "<textarea" in studio.get_data(as_text=True)
    assert staff.get(f"/xblock/{course['unit1']}?view=author_view").status_code == 200
    assert learner.get(f"/xblock/{course['h1']}?view=nonsense").status_code == 404


def test_html_block_edit_through_studio_handler(client_as, course, app):
    staff = client_as("staff")
    response = post(staff, course["h1"], "studio_submit", {"data": "<p>new text</p>", "display_name": "Intro"},
                    query_string={"branch": "draft"})
    assert response.status_code == 200
    with app.app_context():
        draft = app.extensions["kampus"].driver("content_store").get_branch(DEFAULT_COURSE, "draft")
    assert draft.blocks[("html", "h1")].fields == {"data": "<p>new text</p>", "display_name": "Intro"}


def test_html_static_urls_point_at_course_assets(client_as, course):
    page = client_as("learner").get(f"/xblock/{course['h1']}").get_data(as_text=True)
    assert f'src="/assets/{DEFAULT_COURSE}/images/a.png"' in page


def test_core_block_pages_keep_the_strict_policy(client_as, course):
    response = client_as("learner").get(f"/xblock/{course['h1']}")
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


class ScoreRecorder:
    def __init__(self) -> None:
        self.scores: list[dict[str, Any]] = []

    @hookimpl
    def kampus_score_changed(self, user_id, course_id, usage_id, earned, possible, only_if_higher):
        self.scores.append({"user_id": user_id, "course_id": course_id, "usage_id": usage_id,
                            "earned": earned, "possible": possible, "only_if_higher": only_if_higher})


def test_publish_grade_calls_score_hook_and_emits(make_app):
    from kampus.testing import client_as

    recorder = ScoreRecorder()
    app = make_app(plugins=["content", recorder])
    course = publish_course(app, DEFAULT_COURSE, {"u": [Block("counter", "c1", {})]})
    learner = client_as(app, "learner")
    assert post(learner, course["c1"], "grade", {"value": 1}).status_code == 200
    assert recorder.scores == [{"user_id": learner.user.id, "course_id": DEFAULT_COURSE, "usage_id": course["c1"],
                                "earned": 1.0, "possible": 2.0, "only_if_higher": False}]
    types = app.kampus_events.types()
    assert "edx.grades.problem.submitted" in types and "completion" in types
    graded = app.kampus_events.of_type("edx.grades.problem.submitted")[0]
    assert graded["context"]["course_id"] == DEFAULT_COURSE
    assert graded["username"] == learner.user.username


def test_json_handler_errors_pass_through(client_as, course):
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['c1']}/handler/increment", data="not json",
                            content_type="application/json")
    assert response.status_code == 400


def test_form_encoded_json_body_reaches_the_handler(client_as, course):
    """jQuery's default: a JSON string posted as application/x-www-form-urlencoded."""
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['c1']}/handler/increment", data='{"liked": 5}',
                            content_type="application/x-www-form-urlencoded; charset=UTF-8")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["liked"] == 5
    without = learner.post(f"/xblock/{course['c1']}/handler/increment", data='{"liked": 5}',
                           content_type="application/x-www-form-urlencoded", csrf=False)
    assert without.status_code == 400


def test_html_user_id_is_the_learners_pseudonym_and_read_only_when_shown(client_as, app):
    ids = publish_course(app, DEFAULT_COURSE, {
        "unit1": [Block("html", "plain", {"data": "<p>no id here</p>"})],
        "unit2": [Block("html", "named", {"data": "<p>id=%%USER_ID%%</p>"})],
    })
    learner = client_as("learner")
    with recording_statements(app) as plain:
        assert "no id here" in learner.get(f"/xblock/{ids['unit1']}").get_data(as_text=True)
    assert plain.touching("kampus_anonymous_user_id") == []  # nothing to substitute: no pseudonym read
    page = learner.get(f"/xblock/{ids['unit2']}").get_data(as_text=True)
    with app.app_context():
        pseudonym = anonymous_id_for(learner.user.id, DEFAULT_COURSE)
    assert f"id={pseudonym}" in page and "%%USER_ID%%" not in page
