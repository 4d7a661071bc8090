"""Studio's history: versions with who and when, what each changed, revert with conflict detection."""

from __future__ import annotations

import re

from kampus_content.api import (
    DRAFT,
    Block,
    content_store,
    create_block,
    get_structure,
    move_block,
    publish,
    update_fields,
)
from kampus_content.testing.xblocks import publish_course

COURSE = "course-v1:KampusX+Hist+1"
API = f"/api/studio/v1/courses/{COURSE}/history/"


def _edit(app, user_id: int) -> dict[str, str]:
    """Three edits after the published course: an HTML change, a new unit, a move. Returns versions."""
    publish_course(app, COURSE, {"unit_a": [Block("html", "intro", {"display_name": "Intro",
                                                                       "data": "<p>one</p>\n<p>two</p>"})],
                                 "unit_b": []})
    with app.app_context():
        v0 = get_structure(COURSE, DRAFT).version
        s1 = update_fields(COURSE, ("html", "intro"), {"data": "<p>one</p>\n<p>TWO</p>\n<p>three</p>"},
                           user_id=user_id, expected_version=v0)
        v1 = s1.version if hasattr(s1, "version") else get_structure(COURSE, DRAFT).version
        create_block(COURSE, ("sequential", "lesson1"), "vertical", user_id=user_id,
                     expected_version=get_structure(COURSE, DRAFT).version, fields={"display_name": "Unit C"},
                     block_id="unit_c")
        v2 = get_structure(COURSE, DRAFT).version
        move_block(COURSE, ("html", "intro"), ("vertical", "unit_b"), user_id=user_id,
                   expected_version=v2)
        v3 = get_structure(COURSE, DRAFT).version
    return {"v0": v0, "v1": v1, "v2": v2, "v3": v3}


def test_history_lists_versions_with_who_and_when(app, client_as) -> None:
    client = client_as("staff", course_id=COURSE)
    versions = _edit(app, client.user.id)
    listed = client.get(API).get_json()
    assert [row["version"] for row in listed["results"][:4]] == [versions[k] for k in ("v3", "v2", "v1", "v0")]
    newest = listed["results"][0]
    assert newest["username"] == client.user.username and newest["edited_at"] and newest["is_draft"]
    assert listed["results"][3]["published"] and listed["results"][3]["is_live"]
    assert not newest["published"]
    page = client.get(f"/studio/course/{COURSE}/history").get_data(as_text=True)
    assert client.user.username in page and "Live" in page and "Current draft" in page
    assert "Revert to this version" in page
    # Pagination.
    first = client.get(API + "?page_size=2").get_json()
    second = client.get(API + "?page_size=2&page=2").get_json()
    assert len(first["results"]) == 2 and first["next_page"] == 2
    assert [r["version"] for r in second["results"]] == [versions["v1"], versions["v0"]]
    assert client.get(API + "?page_size=0").status_code == 400
    assert "Older" in client.get(f"/studio/course/{COURSE}/history?page=1").get_data(as_text=True)


def test_diff_shows_changed_text_added_and_moved_blocks(app, client_as) -> None:
    client = client_as("staff", course_id=COURSE)
    versions = _edit(app, client.user.id)
    changed = client.get(API + f"{versions['v1']}/diff").get_json()
    assert changed["old_version"] == versions["v0"]
    [change] = changed["changed"]
    assert change["block"]["id"] == "intro" and change["fields"][0]["name"] == "data"
    diff_lines = change["fields"][0]["text_diff"]
    assert "-<p>two</p>" in diff_lines and "+<p>TWO</p>" in diff_lines and "+<p>three</p>" in diff_lines
    added = client.get(API + f"{versions['v2']}/diff").get_json()
    assert [b["display_name"] for b in added["added"]] == ["Unit C"]
    moved = client.get(API + f"{versions['v3']}/diff").get_json()
    [move] = moved["moved"]
    assert move["block"]["id"] == "intro"
    assert move["old_parent"]["id"] == "unit_a" and move["new_parent"]["id"] == "unit_b"
    # Any two versions.
    both = client.get(API + f"{versions['v3']}/diff?against={versions['v0']}").get_json()
    assert both["added"] and both["moved"] and both["changed"]
    reverse = client.get(API + f"{versions['v0']}/diff?against={versions['v2']}").get_json()
    assert [b["id"] for b in reverse["removed"]] == ["unit_c"]
    # The page shows it.
    page = client.get(f"/studio/course/{COURSE}/history/{versions['v1']}").get_data(as_text=True)
    assert "&lt;p&gt;TWO&lt;/p&gt;" in page and "Changed" in page
    page = client.get(f"/studio/course/{COURSE}/history/{versions['v3']}?against={versions['v0']}")
    assert "Moved" in page.get_data(as_text=True)
    assert client.get(API + "nope/diff").status_code == 404
    assert client.get(f"/studio/course/{COURSE}/history/nope").status_code == 404


def test_revert_with_expected_version_and_conflict(app, client_as) -> None:
    client = client_as("staff", course_id=COURSE)
    versions = _edit(app, client.user.id)
    stale = client.post(API + f"{versions['v0']}/revert", json={"expected_version": versions["v2"]})
    assert stale.status_code == 409
    assert stale.get_json()["draft_version"] == versions["v3"] and "reload" in stale.get_json()["user_message"]
    with app.app_context():
        assert get_structure(COURSE, DRAFT).version == versions["v3"]
    assert client.post(API + f"{versions['v0']}/revert", json={"expected_version": 3}).status_code == 400
    assert client.post(API + f"{versions['v0']}/revert", data="{", content_type="application/json").status_code == 400
    done = client.post(API + f"{versions['v0']}/revert", json={"expected_version": versions["v3"]})
    assert done.status_code == 200
    with app.app_context():
        draft, old = get_structure(COURSE, DRAFT), content_store().get_structure(COURSE, versions["v0"])
        assert draft.version == done.get_json()["draft_version"]
        assert {k: (b.fields, b.children) for k, b in draft.blocks.items()} == \
            {k: (b.fields, b.children) for k, b in old.blocks.items()}
        publish(COURSE, user_id=None)
    # The page's form: a stale page gets a 409 with a way to reload; a fresh one reverts.
    page = client.get(f"/studio/course/{COURSE}/history").get_data(as_text=True)
    draft_now = re.search(r'name="expected_version" value="([0-9a-f]+)"', page).group(1)
    conflict = client.post(f"/studio/course/{COURSE}/history/{versions['v3']}/revert",
                           data={"expected_version": versions["v3"]})
    assert conflict.status_code == 409 and "Reload the history" in conflict.get_data(as_text=True)
    reverted = client.post(f"/studio/course/{COURSE}/history/{versions['v3']}/revert",
                           data={"expected_version": draft_now})
    assert reverted.status_code == 302
    assert "Publish it to show it to learners" in client.get(reverted.headers["Location"]).get_data(as_text=True)


def test_revert_without_expected_version_applies_to_the_draft_as_it_is(app, client_as) -> None:
    """As Open edX, the version is optional: the revert applies to the current draft (the last writer wins)."""
    client = client_as("staff", course_id=COURSE)
    versions = _edit(app, client.user.id)
    done = client.post(API + f"{versions['v0']}/revert")
    assert done.status_code == 200, done.get_json()
    with app.app_context():
        draft, old = get_structure(COURSE, DRAFT), content_store().get_structure(COURSE, versions["v0"])
        assert draft.version == done.get_json()["draft_version"] != versions["v3"]
        assert {k: b.fields for k, b in draft.blocks.items()} == {k: b.fields for k, b in old.blocks.items()}
    assert client.post(API + f"{versions['v1']}/revert", json={}).status_code == 200


def test_history_access(app, client_as, client) -> None:
    publish_course(app, COURSE, {"unit_a": []})
    assert client.get(API).status_code == 401
    learner = client_as("learner", course_id=COURSE)
    assert learner.get(API).status_code == 403
    assert learner.get(f"/studio/course/{COURSE}/history").status_code == 403
    assert learner.post(API + "x/revert", json={"expected_version": "y"}).status_code == 403
    assert client_as("staff", course_id="course-v1:KampusX+None+1").get(
        "/api/studio/v1/courses/course-v1:KampusX+None+1/history/").status_code == 404


def test_endpoints_are_in_the_openapi_document(client) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    base = "/api/studio/v1/courses/{course_id}/"
    for path, method in (("history/", "get"), ("history/{version}/diff", "get"), ("history/{version}/revert", "post"),
                         ("import/uploads/", "post"), ("import/uploads/{upload_id}", "put"),
                         ("import/uploads/{upload_id}", "get"), ("import/uploads/{upload_id}/finish", "post"),
                         ("export/", "post"), ("export/{task_id}", "get"), ("export/{task_id}/download", "get")):
        assert method in paths.get(base + path, {}), (path, method)
    assert "HistoryError" in str(paths[base + "history/{version}/revert"]["post"]["responses"]["409"])
