"""The course blocks API: Open edX's path, parameters and shape; the learner's access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from kampus_content.api import DRAFT, Block, content_store
from opaque_keys.edx.keys import CourseKey

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

COURSE = DEFAULT_COURSE
BASE = "http://localhost"
ALWAYS = {"id", "block_id", "type", "display_name", "student_view_url", "lms_web_url", "legacy_web_url"}


def uid(block_type: str, block_id: str) -> str:
    return str(CourseKey.from_string(COURSE).make_usage_key(block_type, block_id))


ROOT = uid("course", "course")
SOON = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")


def course_blocks() -> list[Block]:
    return [
        Block("course", "course", {"display_name": "Blocks Course", "start": "2020-01-01T00:00:00Z"},
              [("chapter", "ch1"), ("chapter", "ch2"), ("chapter", "ch3"), ("chapter", "ch4")]),
        Block("chapter", "ch1", {"display_name": "Week 1"}, [("sequential", "s1")]),
        Block("sequential", "s1", {"display_name": "Homework 1", "graded": "true", "format": "Homework",
                                   "due": "2030-05-01T12:00:00Z"}, [("vertical", "v1")]),
        Block("vertical", "v1", {"display_name": "Unit 1"}, [("html", "h1"), ("problem", "p1"), ("video", "vid1")]),
        Block("html", "h1", {"display_name": "Intro", "data": "<p>Hi</p>"}),
        Block("problem", "p1", {"display_name": "Q1", "weight": "2"}),
        Block("video", "vid1", {"display_name": "Lecture"}),
        # unreleased
        Block("chapter", "ch2", {"display_name": "Future", "start": "2999-01-01T00:00:00Z"}, [("sequential", "s2")]),
        Block("sequential", "s2", {"display_name": "Later"}, [("vertical", "v2")]),
        Block("vertical", "v2", {"display_name": "Later unit"}, [("html", "h2")]),
        Block("html", "h2", {"display_name": "Later text", "data": "<p>Later</p>"}),
        # staff only
        Block("chapter", "ch3", {"display_name": "Staff notes", "visible_to_staff_only": "true"},
              [("sequential", "s3")]),
        Block("sequential", "s3", {"display_name": "Answers"}),
        # released early for beta testers
        Block("chapter", "ch4", {"display_name": "Beta week", "start": SOON, "days_early_for_beta": "5"}),
    ]


@pytest.fixture
def course(app):
    with app.app_context():
        store = content_store()
        store.create_course(COURSE, course_blocks(), ("course", "course"), user_id=None, message="test")
        store.publish(COURSE, user_id=None)
    return COURSE


def get(client, path="/api/courses/v1/blocks/", **params):
    params.setdefault("course_id", COURSE)
    if params.get("username") is True:
        params["username"] = client.user.username
    return client.get(path, query_string={k: v for k, v in params.items() if v is not None})


def test_default_depth_is_the_root_only_with_the_always_present_fields(course, client_as):
    learner = client_as("learner", course_id=course)
    response = get(learner, username=True)
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["root"] == ROOT
    assert list(data["blocks"]) == [ROOT]
    root = data["blocks"][ROOT]
    assert set(root) == ALWAYS
    assert root == {
        "id": ROOT, "block_id": "course", "type": "course", "display_name": "Blocks Course",
        "student_view_url": f"{BASE}/xblock/{ROOT}",
        "lms_web_url": f"{BASE}/courses/{COURSE}/jump_to/{ROOT}",
        "legacy_web_url": f"{BASE}/courses/{COURSE}/jump_to/{ROOT}?experience=legacy",
    }


def test_learner_sees_released_blocks_with_requested_fields(course, client_as):
    learner = client_as("learner", course_id=course)
    data = get(learner, username=True, depth="all",
               requested_fields="children,graded,format,due,start,has_score,weight,student_view_multi_device").get_json()
    assert list(data["blocks"]) == [ROOT, uid("chapter", "ch1"), uid("sequential", "s1"), uid("vertical", "v1"),
                                    uid("html", "h1"), uid("problem", "p1"), uid("video", "vid1")]
    blocks = data["blocks"]
    assert blocks[ROOT]["children"] == [uid("chapter", "ch1")]
    seq = blocks[uid("sequential", "s1")]
    assert seq["graded"] is True and seq["format"] == "Homework" and seq["due"] == "2030-05-01T12:00:00Z"
    assert seq["start"] == "2020-01-01T00:00:00Z"  # inherited from the course
    assert blocks[uid("html", "h1")]["graded"] is True  # inherited from the sequential
    assert blocks[uid("problem", "p1")]["has_score"] is True and blocks[uid("problem", "p1")]["weight"] == 2.0
    assert blocks[uid("html", "h1")]["has_score"] is False
    assert blocks[uid("html", "h1")]["student_view_multi_device"] is True
    assert blocks[uid("vertical", "v1")]["student_view_multi_device"] is False
    assert "children" not in blocks[uid("html", "h1")]
    assert "format" not in blocks[ROOT] and "due" not in blocks[ROOT]  # fields without data are left out
    assert blocks[uid("chapter", "ch1")]["type"] == "chapter"


def test_depth_cuts_the_tree_and_its_children_lists(course, client_as):
    learner = client_as("learner", course_id=course)
    data = get(learner, username=True, depth="1", requested_fields="children").get_json()
    assert list(data["blocks"]) == [ROOT, uid("chapter", "ch1")]
    assert "children" not in data["blocks"][uid("chapter", "ch1")]
    data = get(learner, username=True, depth="2", requested_fields="children").get_json()
    assert data["blocks"][uid("chapter", "ch1")]["children"] == [uid("sequential", "s1")]


def test_bad_parameters_are_400(course, client_as):
    learner = client_as("learner", course_id=course)
    response = get(learner, username=True, depth="deep")
    assert response.status_code == 400
    assert response.get_json()["field_errors"]["depth"]["developer_message"] == "'deep' is not a valid depth value."
    assert get(learner, username=True, return_type="tree").status_code == 400
    assert get(learner, username=True, nav_depth="-1").status_code == 400
    missing = learner.get("/api/courses/v1/blocks/", query_string={"username": learner.user.username})
    assert missing.status_code == 400 and missing.get_json()["developer_message"] == "course_id is required."
    assert get(learner, username=True, course_id="not a key").status_code == 400
    no_user = get(learner)
    assert no_user.status_code == 400
    assert "username" in no_user.get_json()["field_errors"]


def test_unknown_course_and_block_are_404(course, client_as):
    staff = client_as("staff", course_id=course)
    assert get(staff, username=True, course_id="course-v1:No+Such+Course").status_code == 404
    response = staff.get(f"/api/courses/v1/blocks/{uid('html', 'nope')}",
                         query_string={"username": staff.user.username})
    assert response.status_code == 404
    assert "developer_message" in response.get_json()


def test_staff_see_unreleased_and_staff_only_blocks(course, client_as):
    staff = client_as("staff", course_id=course)
    data = get(staff, username=True, depth="all").get_json()
    assert uid("html", "h2") in data["blocks"] and uid("sequential", "s3") in data["blocks"]
    assert len(data["blocks"]) == len(course_blocks())
    learner = client_as("learner", course_id=course)
    learner_view = get(learner, username=True, depth="all").get_json()["blocks"]
    for hidden in (uid("chapter", "ch2"), uid("html", "h2"), uid("chapter", "ch3"), uid("sequential", "s3"),
                   uid("chapter", "ch4")):
        assert hidden not in learner_view


def test_beta_testers_see_content_early(course, client_as):
    beta = client_as("beta_tester", course_id=course)
    blocks = get(beta, username=True, depth="all").get_json()["blocks"]
    assert uid("chapter", "ch4") in blocks
    assert uid("chapter", "ch2") not in blocks and uid("chapter", "ch3") not in blocks


def test_all_blocks_is_for_staff_only(course, client_as):
    staff = client_as("staff", course_id=course)
    data = get(staff, all_blocks="true", depth="all").get_json()
    assert len(data["blocks"]) == len(course_blocks())
    learner = client_as("learner", course_id=course)
    response = get(learner, all_blocks="true")
    assert response.status_code == 403
    assert "does not have permission to access all blocks" in response.get_json()["developer_message"]


def test_a_learner_may_only_ask_for_themselves(course, client_as):
    learner = client_as("learner", course_id=course)
    other = client_as("learner", course_id=course)
    response = get(learner, username=other.user.username)
    assert response.status_code == 403
    # staff may ask for a learner's view, which hides what the learner cannot see
    staff = client_as("staff", course_id=course)
    blocks = get(staff, username=learner.user.username, depth="all").get_json()["blocks"]
    assert uid("chapter", "ch1") in blocks and uid("chapter", "ch2") not in blocks
    assert get(staff, username="nobody_here").status_code == 404
    # the username is compared without case, as Open edX does
    assert get(learner, username=learner.user.username.upper()).status_code == 200


def test_users_without_access_and_anonymous(course, client_as, client):
    outsider = client_as("user", course_id=course)
    assert get(outsider, username=outsider.user.username).status_code == 403
    response = client.get("/api/courses/v1/blocks/", query_string={"course_id": COURSE, "username": ""})
    assert response.status_code == 401
    assert response.is_json


def test_block_types_filter_keeps_descendants_under_kept_ancestors(course, client_as):
    staff = client_as("staff", course_id=course)
    data = get(staff, username=True, depth="all", requested_fields="children",
               block_types_filter="sequential,html").get_json()
    assert data["root"] == ROOT
    assert {b["type"] for b in data["blocks"].values()} == {"sequential", "html"}
    assert data["blocks"][uid("sequential", "s1")]["children"] == [uid("html", "h1")]
    assert data["blocks"][uid("sequential", "s2")]["children"] == [uid("html", "h2")]


def test_block_counts_nav_depth_student_view_data_and_list(course, client_as):
    learner = client_as("learner", course_id=course)
    data = get(learner, username=True, depth="all", block_counts="video,html", nav_depth="1",
               student_view_data="html").get_json()
    blocks = data["blocks"]
    assert blocks[ROOT]["block_counts"] == {"video": 1, "html": 1}
    assert blocks[uid("vertical", "v1")]["block_counts"] == {"video": 1, "html": 1}
    assert blocks[uid("problem", "p1")]["block_counts"] == {"video": 0, "html": 0}
    assert blocks[ROOT]["descendants"] == [uid("chapter", "ch1")]
    assert blocks[uid("chapter", "ch1")]["descendants"] == [
        uid("sequential", "s1"), uid("vertical", "v1"), uid("html", "h1"), uid("problem", "p1"), uid("video", "vid1"),
    ]
    assert "descendants" not in blocks[uid("sequential", "s1")]
    assert blocks[uid("html", "h1")]["student_view_data"] == {"enabled": True, "html": "<p>Hi</p>"}
    assert "student_view_data" not in blocks[uid("video", "vid1")]
    listed = get(learner, username=True, depth="all", return_type="list").get_json()
    assert isinstance(listed, list) and listed[0]["id"] == ROOT and len(listed) == 7


def test_subtree_by_usage_id_and_v2(course, client_as):
    learner = client_as("learner", course_id=course)
    response = learner.get(f"/api/courses/v1/blocks/{uid('sequential', 's1')}/",
                           query_string={"username": learner.user.username, "depth": "all"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["root"] == uid("sequential", "s1")
    assert list(data["blocks"]) == [uid("sequential", "s1"), uid("vertical", "v1"), uid("html", "h1"),
                                    uid("problem", "p1"), uid("video", "vid1")]
    # an unreleased subtree stays hidden when asked for directly
    hidden = learner.get(f"/api/courses/v1/blocks/{uid('html', 'h2')}",
                         query_string={"username": learner.user.username})
    assert hidden.get_json()["blocks"] == {}
    v2 = get(learner, "/api/courses/v2/blocks/", username=True, depth="all").get_json()
    assert v2["root"] == ROOT and uid("video", "vid1") in v2["blocks"]


def test_draft_branch_is_for_authors_only(app, course, client_as):
    with app.app_context():
        store = content_store()
        draft = store.get_branch(COURSE, DRAFT)
        blocks = draft.edit()
        blocks[("chapter", "ch1")].fields["display_name"] = "Week One (draft)"
        store.save_draft(COURSE, blocks.values(), draft.root, expected_version=draft.version, user_id=None)
    learner = client_as("learner", course_id=course)
    assert get(learner, username=True, branch="draft").status_code == 403
    staff = client_as("staff", course_id=course)
    draft_view = get(staff, username=True, depth="1", branch="draft").get_json()
    assert draft_view["blocks"][uid("chapter", "ch1")]["display_name"] == "Week One (draft)"
    published = get(staff, username=True, depth="1").get_json()
    assert published["blocks"][uid("chapter", "ch1")]["display_name"] == "Week 1"
    assert get(staff, username=True, branch="elsewhere").status_code == 400


def test_unpublished_course_is_404_for_learners(app, client_as):
    with app.app_context():
        content_store().create_course(COURSE, course_blocks(), ("course", "course"), user_id=None)
    learner = client_as("learner", course_id=COURSE)
    assert get(learner, username=True).status_code == 404
    staff = client_as("staff", course_id=COURSE)
    assert get(staff, username=True, branch="draft").status_code == 200


def test_bearer_token(app, course):
    from kampus.identity.tokens import create_token
    from kampus.testing import make_user

    user = make_user(app, "learner", course_id=course)
    with app.app_context():
        kampus = app.extensions["kampus"]
        with kampus.db.session_scope() as db_session:
            from kampus.identity.models import User

            _record, token = create_token(db_session, db_session.get(User, user.id), "mobile")
    client = app.test_client()
    response = client.get("/api/courses/v1/blocks/", query_string={"course_id": COURSE, "username": user.username},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["root"] == ROOT
    bad = client.get("/api/courses/v1/blocks/", query_string={"course_id": COURSE, "username": user.username},
                     headers={"Authorization": "Bearer kmp_wrong"})
    assert bad.status_code == 401


# -- kept answers ------------------------------------------------------------------------------------------------


class _Clock:
    """``datetime`` of the blocks API with a settable ``now``."""

    moment = datetime.now(UTC)

    @classmethod
    def now(cls, tz=None):
        return cls.moment


def test_a_kept_answer_ends_when_the_next_block_is_released(course, client_as, monkeypatch):
    from kampus_content import blocks_api

    clock = type("FakeDatetime", (datetime,), {"now": _Clock.now})
    monkeypatch.setattr(blocks_api, "datetime", clock)
    _Clock.moment = datetime.now(UTC)
    learner, beta = client_as("learner", course_id=course), client_as("beta_tester", course_id=course)
    first = get(learner, username=True, depth="all")
    assert uid("chapter", "ch4") not in first.get_json()["blocks"]
    assert get(learner, username=True, depth="all").data == first.data  # kept
    assert uid("chapter", "ch4") in get(beta, username=True, depth="all").get_json()["blocks"]  # beta: its own
    _Clock.moment = datetime.now(UTC) + timedelta(days=3)  # ch4 starts in two days
    later = get(learner, username=True, depth="all").get_json()["blocks"]
    assert uid("chapter", "ch4") in later and uid("chapter", "ch2") not in later


def test_a_kept_answer_is_not_reused_for_other_parameters_views_or_versions(app, course, client_as):
    learner, staff = client_as("learner", course_id=course), client_as("staff", course_id=course)
    everything = get(learner, username=True, depth="all").get_json()["blocks"]
    assert set(get(learner, username=True, depth="1").get_json()["blocks"]) < set(everything)
    assert uid("chapter", "ch3") in get(staff, username=True, depth="all").get_json()["blocks"]
    assert uid("chapter", "ch3") not in get(learner, username=True, depth="all").get_json()["blocks"]
    with app.app_context():
        store = content_store()
        draft = store.get_branch(COURSE, DRAFT)
        blocks = [Block(b.type, b.id, {**b.fields, "display_name": "Welcome"} if b.id == "h1" else b.fields,
                        b.children) for b in draft.blocks.values()]
        store.save_draft(COURSE, blocks, draft.root, expected_version=draft.version, user_id=None)
        store.publish(COURSE, user_id=None)
    again = get(learner, username=True, depth="all").get_json()["blocks"]
    assert again[uid("html", "h1")]["display_name"] == "Welcome"
