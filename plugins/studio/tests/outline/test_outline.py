"""The outline editor: every action through REST, the page, states, conflicts and permissions."""

from __future__ import annotations

import pytest
from kampus_content.api import DRAFT, PUBLISHED, get_structure

COURSE = "course-v1:TestX+OUT+2027"
API = f"/api/studio/v1/courses/{COURSE}"


@pytest.fixture
def author(client_as):
    staff = client_as("global_staff")
    answer = staff.post("/api/studio/v1/courses/", json={"org": "TestX", "number": "OUT", "run": "2027",
                                                        "display_name": "Outline course"})
    assert answer.status_code == 201
    return staff


def outline(client):
    answer = client.get(f"{API}/outline")
    assert answer.status_code == 200, answer.json
    return answer.json


def add(client, parent, category, name=None, **extra):
    body = {"parent": parent, "category": category, "expected_version": outline(client)["version"], **extra}
    if name:
        body["display_name"] = name
    answer = client.post(f"{API}/blocks", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json["usage_id"]


def names(node):
    return [child["display_name"] for child in node["children"]]


@pytest.fixture
def built(author):
    """Two sections, two subsections in the first, two units in the first subsection."""
    root = outline(author)["root"]["usage_id"]
    s1 = add(author, root, "chapter", "Section 1")
    s2 = add(author, root, "chapter", "Section 2")
    sub1 = add(author, s1, "sequential", "Sub 1")
    sub2 = add(author, s1, "sequential", "Sub 2")
    u1 = add(author, sub1, "vertical", "Unit 1")
    u2 = add(author, sub1, "vertical", "Unit 2")
    return {"root": root, "s1": s1, "s2": s2, "sub1": sub1, "sub2": sub2, "u1": u1, "u2": u2}


def test_create_and_read_the_tree(author, built):
    tree = outline(author)
    assert names(tree["root"]) == ["Section 1", "Section 2"]
    assert names(tree["root"]["children"][0]) == ["Sub 1", "Sub 2"]
    assert names(tree["root"]["children"][0]["children"][0]) == ["Unit 1", "Unit 2"]
    assert tree["root"]["children"][0]["state"] == "never_published"
    assert tree["published_version"] is None and tree["has_changes"] is True
    assert "Homework" in tree["assignment_types"]
    # a default name, a position, wrong parents and categories
    first = add(author, built["root"], "chapter", index=0)
    assert names(outline(author)["root"])[0] == "Section"
    assert first.startswith("block-v1:TestX+OUT+2027+type@chapter")
    version = outline(author)["version"]
    for body in ({"parent": built["root"], "category": "vertical"}, {"parent": built["s1"], "category": "chapter"},
                 {"parent": built["s1"], "category": "html"}, {"parent": "nonsense", "category": "chapter"}):
        answer = author.post(f"{API}/blocks", json={**body, "expected_version": version})
        assert answer.status_code == 400, body
        assert answer.json["developer_message"]
    assert author.post(f"{API}/blocks", json={"parent": built["root"].replace("OUT", "OTHER"), "category": "chapter"}
                       ).status_code == 404


def test_rename_and_settings(app, author, built):
    version = outline(author)["version"]
    answer = author.patch(f"{API}/blocks/{built['sub1']}", json={
        "display_name": "Lesson one", "start": "2026-01-05T10:00", "due": "2026-02-01T12:00:00Z",
        "format": "Homework", "visible_to_staff_only": True, "hide_from_toc": True, "expected_version": version})
    assert answer.status_code == 200, answer.json
    sub = outline(author)["root"]["children"][0]["children"][0]
    assert sub["display_name"] == "Lesson one"
    assert sub["start"] == "2026-01-05T10:00:00Z" and sub["due"] == "2026-02-01T12:00:00Z"
    assert sub["format"] == "Homework" and sub["graded"] is True
    assert sub["visible_to_staff_only"] and sub["staff_only"] and sub["hide_from_toc"]
    assert sub["children"][0]["staff_only"] is True  # inherited
    # clearing
    answer = author.patch(f"{API}/blocks/{built['sub1']}", json={"format": None, "due": None,
                                                                 "visible_to_staff_only": False})
    assert answer.status_code == 200
    sub = outline(author)["root"]["children"][0]["children"][0]
    assert sub["format"] is None and sub["graded"] is False and sub["due"] is None
    assert sub["visible_to_staff_only"] is False
    with app.test_request_context():
        fields = get_structure(COURSE, DRAFT).blocks[("sequential", built["sub1"].rsplit("@", 1)[1])].fields
        assert "due" not in fields and "format" not in fields and fields["graded"] is False
    # bad input
    for body, field in (({"display_name": " "}, "display_name"), ({"start": "next tuesday-ish"}, "start"),
                        ({"format": "Pottery"}, "format"), ({"due": "2020-01-01T00:00"}, "due"),
                        ({"visible_to_staff_only": "yes"}, None)):
        answer = author.patch(f"{API}/blocks/{built['sub1']}", json=body)
        assert answer.status_code == 400, body
        if field:
            assert field in answer.json["field_errors"], answer.json
    # a unit has no due date
    assert author.patch(f"{API}/blocks/{built['u1']}", json={"due": "2027-01-01"}).status_code == 400


def test_reorder_move_duplicate_delete(author, built):
    # reorder units
    answer = author.post(f"{API}/blocks/{built['sub1']}/reorder", json={"children": [built["u2"], built["u1"]]})
    assert answer.status_code == 200, answer.json
    assert names(outline(author)["root"]["children"][0]["children"][0]) == ["Unit 2", "Unit 1"]
    assert author.post(f"{API}/blocks/{built['sub1']}/reorder", json={"children": [built["u2"]]}).status_code == 400
    # move within the parent (index among the others), then to another subsection
    moved = author.post(f"{API}/blocks/{built['u2']}/move", json={"parent": built["sub1"], "index": 1})
    assert moved.status_code == 200
    assert names(outline(author)["root"]["children"][0]["children"][0]) == ["Unit 1", "Unit 2"]
    assert author.post(f"{API}/blocks/{built['u2']}/move", json={"parent": built["sub2"]}).status_code == 200
    tree = outline(author)["root"]
    assert names(tree["children"][0]["children"][0]) == ["Unit 1"]
    assert names(tree["children"][0]["children"][1]) == ["Unit 2"]
    # a subsection to another section; a unit cannot go under a section
    moved = author.post(f"{API}/blocks/{built['sub2']}/move", json={"parent": built["s2"], "index": 0})
    assert moved.status_code == 200
    assert names(outline(author)["root"]["children"][1]) == ["Sub 2"]
    assert author.post(f"{API}/blocks/{built['u1']}/move", json={"parent": built["s2"]}).status_code == 400
    # duplicate
    answer = author.post(f"{API}/blocks/{built['sub1']}/duplicate", json={})
    assert answer.status_code == 201
    tree = outline(author)["root"]
    assert names(tree["children"][0]) == ["Sub 1", "Duplicate of 'Sub 1'"]
    assert names(tree["children"][0]["children"][1]) == ["Unit 1"]
    assert answer.json["usage_id"] != built["sub1"]
    # delete
    answer = author.delete(f"{API}/blocks/{built['s2']}")
    assert answer.status_code == 200
    assert names(outline(author)["root"]) == ["Section 1"]
    assert author.delete(f"{API}/blocks/{built['s2']}").status_code == 404
    assert author.delete(f"{API}/blocks/{built['root']}").status_code == 400


def test_publish_states_and_discard(app, author, built, hook_calls):
    version = outline(author)["version"]
    answer = author.post(f"{API}/publish", json={"expected_version": version})
    assert answer.status_code == 200 and answer.json["published_version"] == version
    assert "kampus_content_published" in hook_calls.names()
    tree = outline(author)
    assert tree["has_changes"] is False
    section = tree["root"]["children"][0]
    assert section["state"] == "ready"  # the course starts in 2030
    # release a section in the past: only it becomes live after publishing
    author.patch(f"{API}/blocks/{built['s1']}", json={"start": "2020-01-01T00:00"})
    tree = outline(author)
    assert tree["has_changes"] is True
    assert tree["root"]["children"][0]["state"] == "unpublished_changes"
    assert tree["root"]["children"][1]["state"] == "ready"
    assert tree["root"]["state"] == "unpublished_changes"
    # discard goes back to the published version
    answer = author.post(f"{API}/discard", json={"expected_version": tree["version"]})
    assert answer.status_code == 200
    tree = outline(author)
    assert tree["root"]["children"][0]["start"] is None and tree["has_changes"] is False
    # a new unit is "never published"; the course start moved back: live; staff only
    new_unit = add(author, built["sub2"], "vertical", "Fresh")
    root_id = built["root"]
    with app.test_request_context():
        from kampus_content.api import update_fields
        structure = get_structure(COURSE, DRAFT)
        update_fields(COURSE, structure.root, {"start": "2020-01-01T00:00:00Z"}, user_id=None)
    author.patch(f"{API}/blocks/{built['s2']}", json={"visible_to_staff_only": True})
    author.post(f"{API}/publish", json={})
    tree = outline(author)["root"]
    assert tree["usage_id"] == root_id
    assert tree["children"][0]["state"] == "live"
    assert tree["children"][1]["state"] == "staff_only"
    author.patch(f"{API}/blocks/{built['u1']}", json={"display_name": "Unit one"})
    tree = outline(author)["root"]
    assert tree["children"][0]["children"][0]["children"][0]["state"] == "unpublished_changes"
    assert tree["children"][0]["children"][1]["state"] == "live"  # Sub 2, untouched
    assert new_unit in [u["usage_id"] for u in tree["children"][0]["children"][1]["children"]]
    with app.test_request_context():
        assert get_structure(COURSE, PUBLISHED).version != get_structure(COURSE, DRAFT).version


def test_publish_one_unit_or_subsection(app, author, built, hook_calls):
    assert author.post(f"{API}/publish", json={}).status_code == 200
    author.patch(f"{API}/blocks/{built['u1']}", json={"display_name": "Unit one v2"})
    author.patch(f"{API}/blocks/{built['u2']}", json={"display_name": "Unit two v2"})
    version = outline(author)["version"]
    answer = author.post(f"{API}/blocks/{built['u1']}/publish", json={"expected_version": version})
    assert answer.status_code == 200, answer.json
    assert answer.json["published_version"] != answer.json["version"]
    units = outline(author)["root"]["children"][0]["children"][0]["children"]
    assert [u["state"] for u in units] == ["ready", "unpublished_changes"]
    with app.test_request_context():
        live = get_structure(COURSE, PUBLISHED)
        assert live.blocks[("vertical", built["u1"].rsplit("@", 1)[1])].fields["display_name"] == "Unit one v2"
        assert live.blocks[("vertical", built["u2"].rsplit("@", 1)[1])].fields["display_name"] == "Unit 2"
    # a new subsection with its unit, published alone; the stale version is refused
    sub3 = add(author, built["s2"], "sequential", "Sub 3")
    add(author, sub3, "vertical", "Unit 3")
    assert author.post(f"{API}/blocks/{sub3}/publish", json={"expected_version": version}).status_code == 409
    assert author.post(f"{API}/blocks/{sub3}/publish", json={}).status_code == 200
    tree = outline(author)["root"]
    assert tree["children"][1]["children"][0]["state"] == "ready"
    assert tree["children"][1]["children"][0]["children"][0]["state"] == "ready"
    assert tree["children"][0]["children"][0]["children"][1]["state"] == "unpublished_changes"
    assert author.post(f"{API}/blocks/{built['root']}/publish", json={}).status_code == 400
    assert hook_calls.names().count("kampus_content_published") == 3


def test_never_published_course_cannot_discard(author, built):
    answer = author.post(f"{API}/discard", json={})
    assert answer.status_code == 409 and "never published" in answer.json["user_message"]


def test_a_stale_version_is_a_conflict_and_writes_nothing(app, author, built):
    stale = outline(author)["version"]
    assert author.patch(f"{API}/blocks/{built['u1']}", json={"display_name": "First",
                                                            "expected_version": stale}).status_code == 200
    current = outline(author)["version"]
    for method, path, body in (
        ("patch", f"/blocks/{built['u1']}", {"display_name": "Second"}),
        ("post", "/blocks", {"parent": built["sub1"], "category": "vertical"}),
        ("post", f"/blocks/{built['u1']}/move", {"parent": built["sub2"]}),
        ("post", f"/blocks/{built['sub1']}/reorder", {"children": [built["u2"], built["u1"]]}),
        ("post", f"/blocks/{built['u1']}/duplicate", {}),
        ("post", "/publish", {}),
        ("post", "/discard", {}),
    ):
        answer = getattr(author, method)(API + path, json={**body, "expected_version": stale})
        assert answer.status_code == 409, (path, answer.json)
        assert "Reload the page" in answer.json["user_message"]
        assert answer.json["current_version"] == current
    answer = author.delete(f"{API}/blocks/{built['u1']}?expected_version={stale}")
    assert answer.status_code == 409
    assert outline(author)["version"] == current
    assert names(outline(author)["root"]["children"][0]["children"][0]) == ["First", "Unit 2"]


def test_permissions(client_as, author, built):
    for role, status in (("learner", 403), ("ta", 403), ("user", 403), ("anonymous", 401)):
        client = client_as(role, course_id=COURSE)
        assert client.get(f"{API}/outline").status_code == status, role
        assert client.post(f"{API}/blocks", json={"parent": built["s1"], "category": "sequential"}
                           ).status_code == status, role
        assert client.post(f"{API}/publish", json={}).status_code == status, role
        page = client.get(f"/studio/course/{COURSE}/")
        assert page.status_code == (302 if role == "anonymous" else 403), role
    staff = client_as("staff", course_id=COURSE)
    assert staff.get(f"{API}/outline").status_code == 200
    assert staff.patch(f"{API}/blocks/{built['u1']}", json={"display_name": "By course staff"}).status_code == 200
    assert client_as("global_staff").get("/api/studio/v1/courses/course-v1:No+Such+Run/outline").status_code == 404


def test_the_page_shows_the_outline(author, built):
    page = author.get(f"/studio/course/{COURSE}/")
    assert page.status_code == 200
    html = page.data.decode()
    for text in ("Section 1", "Sub 2", "Unit 2", "Draft (never published)", 'data-action="up"', "outline.js",
                 "New section", f'data-version="{outline(author)["version"]}"'):
        assert text in html, text
    assert "View live" not in html.split("outline-sections")[1]
    author.post(f"{API}/publish", json={})
    html = author.get(f"/studio/course/{COURSE}/").data.decode()
    assert f"/courses/{COURSE}/jump_to/{built['u1']}" in html
    assert "Published not yet released" in html


def test_a_large_outline_loads_sections_when_opened(author, built, monkeypatch):
    from kampus_studio.outline import views
    monkeypatch.setattr(views, "FULL_RENDER_ROWS", 3)
    html = author.get(f"/studio/course/{COURSE}/").data.decode()
    assert "Section 1" in html and "Unit 1" not in html and 'data-lazy="true"' in html
    fragment = author.get(f"/studio/course/{COURSE}/outline/section/{built['s1']}")
    assert fragment.status_code == 200 and b"Unit 1" in fragment.data and b"<html" not in fragment.data
    assert author.get(f"/studio/course/{COURSE}/outline/section/{built['sub1']}").status_code == 404


def test_openapi_documents_the_endpoints(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for path in ("/api/studio/v1/courses/{course_id}/outline", "/api/studio/v1/courses/{course_id}/blocks",
                 "/api/studio/v1/courses/{course_id}/blocks/{usage_id}/move",
                 "/api/studio/v1/courses/{course_id}/publish", "/api/studio/v1/courses/",
                 "/api/studio/v1/courses/{course_id}/team/{user_id}"):
        assert path in paths, path
