"""The unit editor's REST API: every action, versions and conflicts, bad input, tokens."""

from __future__ import annotations

from typing import Any

from kampus_content.api import DRAFT, get_structure

from .conftest import COURSE

API = f"/api/studio/v1/courses/{COURSE}"


def unit(client: Any, usage_id: str) -> dict[str, Any]:
    response = client.get(f"{API}/units/{usage_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def draft_block(app: Any, usage_id: str) -> Any:
    block_type, block_id = usage_id.split("type@")[1].split("+block@")
    with app.app_context():
        return get_structure(COURSE, DRAFT).blocks.get((block_type, block_id))


def test_read_unit_with_components_and_state(author, course):
    body = unit(author, course["unit1"])
    assert body["display_name"] == "Unit1"
    assert body["state"]["state"] == "published"
    assert [c["usage_id"] for c in body["components"]] == [course["intro"]]
    assert body["components"][0]["editor"] == "html"
    assert [a["display_name"] for a in body["ancestors"]] == ["Week 1", "Lesson 1"]
    assert [(s["usage_id"], s["current"]) for s in body["siblings"]] == [(course["unit1"], True),
                                                                          (course["unit2"], False)]


def test_learners_and_anonymous_are_refused(client, client_as, course):
    assert client.get(f"{API}/units/{course['unit1']}").status_code == 401
    assert client_as("learner", course_id=COURSE).get(f"{API}/units/{course['unit1']}").status_code == 403


def test_rename_and_state_becomes_draft(author, course):
    version = unit(author, course["unit1"])["version"]
    response = author.patch(f"{API}/units/{course['unit1']}", json={"display_name": "Welcome", "version": version})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = unit(author, course["unit1"])
    assert body["display_name"] == "Welcome"
    assert body["state"]["state"] == "draft"
    assert body["version"] == response.get_json()["version"] != version


def test_create_duplicate_reorder_move_delete(app, author, course):
    version = unit(author, course["unit1"])["version"]
    created = author.post(f"{API}/units/{course['unit1']}/components",
                          json={"block_type": "problem", "template": "multiple_choice", "version": version})
    assert created.status_code == 201, created.get_data(as_text=True)
    problem = created.get_json()["usage_id"]
    block = draft_block(app, problem)
    assert "<multiplechoiceresponse>" in block.fields["data"] and block.fields["markdown"].strip()

    copy = author.post(f"{API}/components/{problem}/duplicate", json={"version": created.get_json()["version"]})
    assert copy.status_code == 201
    copy_id = copy.get_json()["usage_id"]
    assert [c["usage_id"] for c in unit(author, course["unit1"])["components"]] == [course["intro"], problem, copy_id]

    order = [copy_id, course["intro"], problem]
    reordered = author.put(f"{API}/units/{course['unit1']}/order",
                           json={"children": order, "version": copy.get_json()["version"]})
    assert reordered.status_code == 200
    assert [c["usage_id"] for c in unit(author, course["unit1"])["components"]] == order

    moved = author.post(f"{API}/components/{copy_id}/move",
                        json={"target_unit": course["unit2"], "version": reordered.get_json()["version"]})
    assert moved.status_code == 200
    assert [c["usage_id"] for c in unit(author, course["unit2"])["components"]] == [copy_id]

    deleted = author.delete(f"{API}/components/{problem}?version={moved.get_json()['version']}")
    assert deleted.status_code == 200
    assert [c["usage_id"] for c in unit(author, course["unit1"])["components"]] == [course["intro"]]
    assert draft_block(app, problem) is None


def test_unit_list_for_the_move_dialog(author, course):
    body = author.get(f"{API}/units").get_json()
    assert [(u["usage_id"], u["path"]) for u in body["units"]] == [
        (course["unit1"], "Week 1 › Lesson 1 › Unit1"), (course["unit2"], "Week 1 › Lesson 1 › Unit2")]


def test_reorder_must_list_the_same_components(author, course):
    response = author.put(f"{API}/units/{course['unit1']}/order", json={"children": [], "version": None})
    assert response.status_code == 400
    assert response.get_json()["developer_message"]


def test_unknown_block_type_and_template_are_refused(author, course):
    url = f"{API}/units/{course['unit1']}/components"
    assert author.post(url, json={"block_type": "no-such-block"}).status_code == 400
    assert author.post(url, json={"block_type": "vertical"}).status_code == 400
    assert author.post(url, json={"block_type": "problem", "template": "nope"}).status_code == 400
    assert author.post(url, data="not json", content_type="application/json").status_code == 400


def test_edit_html_and_settings(app, author, course):
    response = author.patch(f"{API}/components/{course['intro']}",
                            json={"display_name": "Hello", "data": "<p>Changed</p>"})
    assert response.status_code == 200, response.get_data(as_text=True)
    block = draft_block(app, course["intro"])
    assert block.fields["data"] == "<p>Changed</p>" and block.fields["display_name"] == "Hello"


def test_problem_settings_are_checked(app, author, course):
    created = author.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "problem"})
    problem = created.get_json()["usage_id"]
    component = author.get(f"{API}/components/{problem}").get_json()
    names = {setting["name"] for setting in component["settings"]}
    assert {"weight", "max_attempts", "showanswer"} <= names
    bad = author.patch(f"{API}/components/{problem}", json={"settings": {"max_attempts": "three"}})
    assert bad.status_code == 400
    assert "settings.max_attempts" in bad.get_json()["field_errors"]
    assert "max_attempts" not in draft_block(app, problem).fields
    good = author.patch(f"{API}/components/{problem}",
                        json={"settings": {"max_attempts": "3", "weight": "2.5", "showanswer": "always"}})
    assert good.status_code == 200, good.get_data(as_text=True)
    fields = draft_block(app, problem).fields
    assert (fields["max_attempts"], fields["weight"], fields["showanswer"]) == (3, 2.5, "always")
    bad_choice = author.patch(f"{API}/components/{problem}", json={"settings": {"showanswer": "sometimes"}})
    assert bad_choice.status_code == 400
    reset = author.patch(f"{API}/components/{problem}", json={"settings": {"max_attempts": None}})
    assert reset.status_code == 200 and "max_attempts" not in draft_block(app, problem).fields


def test_broken_problem_xml_is_400_with_line_and_nothing_saved(app, author, course):
    created = author.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "problem"})
    problem = created.get_json()["usage_id"]
    before = dict(draft_block(app, problem).fields)
    broken = "<problem>\n<multiplechoiceresponse>\n<choicegroup>\n<choice correct='true'>a</choice>\n</problem>\n"
    response = author.patch(f"{API}/components/{problem}", json={"data": broken, "use_markdown": False})
    assert response.status_code == 400
    body = response.get_json()
    assert body["errors"][0]["line"] == 5
    assert "line 5" in body["user_message"]
    assert "data" in body["field_errors"]
    assert draft_block(app, problem).fields == before
    wrong_root = author.patch(f"{API}/components/{problem}", json={"data": "<html/>", "use_markdown": False})
    assert wrong_root.status_code == 400 and "<problem>" in wrong_root.get_json()["developer_message"]


def test_markdown_that_makes_bad_xml_is_refused(app, author, course):
    created = author.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "problem"})
    problem = created.get_json()["usage_id"]
    before = dict(draft_block(app, problem).fields)
    response = author.patch(f"{API}/components/{problem}", json={"markdown": ">>Q<<\n\n( ) a & b <c\n(x) d\n"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["errors"][0]["line"]
    assert draft_block(app, problem).fields == before


def test_markdown_round_trip(app, author, course):
    created = author.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "problem"})
    problem = created.get_json()["usage_id"]
    markdown = ">>What is 2 + 2?<<\n\n( ) 3\n(x) 4\n( ) 5\n"
    preview = author.post("/api/studio/v1/problem_markdown", json={"markdown": markdown})
    assert preview.status_code == 200 and preview.get_json()["errors"] == []
    saved = author.patch(f"{API}/components/{problem}", json={"markdown": markdown})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    component = author.get(f"{API}/components/{problem}").get_json()
    assert component["markdown"] == markdown
    assert component["data"] == preview.get_json()["xml"]
    assert '<choice correct="true">4</choice>' in component["data"]
    # the advanced editor drops the Markdown, as Open edX's does
    raw = author.patch(f"{API}/components/{problem}", json={"data": component["data"], "use_markdown": False})
    assert raw.status_code == 200
    assert author.get(f"{API}/components/{problem}").get_json()["markdown"] is None


def test_two_authors_on_one_unit_second_gets_409(app, client_as, course):
    first, second = client_as("staff", course_id=COURSE), client_as("instructor", course_id=COURSE)
    seen = unit(first, course["unit1"])["version"]
    assert unit(second, course["unit1"])["version"] == seen
    ok = first.patch(f"{API}/components/{course['intro']}", json={"data": "<p>First's text</p>", "version": seen})
    assert ok.status_code == 200
    late = second.patch(f"{API}/components/{course['intro']}", json={"data": "<p>Second's text</p>", "version": seen})
    assert late.status_code == 409
    body = late.get_json()
    assert "Reload" in body["user_message"] and body["current_version"] == ok.get_json()["version"]
    assert draft_block(app, course["intro"]).fields["data"] == "<p>First's text</p>"
    # after reloading, the second author's change goes through
    again = second.patch(f"{API}/components/{course['intro']}",
                         json={"data": "<p>Second's text</p>", "version": unit(second, course["unit1"])["version"]})
    assert again.status_code == 200


def test_an_edit_elsewhere_in_the_course_is_no_conflict(app, client_as, course):
    first, second = client_as("staff", course_id=COURSE), client_as("instructor", course_id=COURSE)
    seen = unit(first, course["unit1"])["version"]
    other = second.post(f"{API}/units/{course['unit2']}/components", json={"block_type": "html", "version": seen})
    assert other.status_code == 201
    mine = first.patch(f"{API}/components/{course['intro']}", json={"data": "<p>Mine</p>", "version": seen})
    assert mine.status_code == 200, mine.get_data(as_text=True)


def test_component_types_menu(author, course):
    body = author.get(f"{API}/component_types").get_json()
    groups = {group["type"]: group for group in body["groups"]}
    assert list(groups)[:4] == ["html", "problem", "video", "discussion"]
    templates = {t["id"] for t in groups["problem"]["templates"]}
    assert {"blank", "multiple_choice", "checkboxes", "dropdown", "numerical_input", "text_input"} <= templates
    assert "done" in {t["id"] for t in groups["advanced"]["templates"]}


def test_video_and_discussion_settings(app, author, course):
    for block_type, settings in (("video", {"youtube_id_1_0": "3_yD_cEKoCk", "html5_sources": "https://example.com/a.mp4"}),
                                 ("discussion", {"discussion_id": "topic-1", "discussion_category": "Week 1"})):
        created = author.post(f"{API}/units/{course['unit2']}/components", json={"block_type": block_type})
        assert created.status_code == 201
        usage_id = created.get_json()["usage_id"]
        assert author.get(f"{API}/components/{usage_id}").get_json()["editor"] == "settings"
        saved = author.patch(f"{API}/components/{usage_id}", json={"settings": settings})
        assert saved.status_code == 200, saved.get_data(as_text=True)
        fields = draft_block(app, usage_id).fields
        for name, value in settings.items():
            assert fields[name] == ([value] if name == "html5_sources" else value)


def test_bearer_token_works_without_csrf(app, author, course):
    from .token import bearer_header

    headers = bearer_header(app, author.user)
    plain = app.test_client()
    assert plain.get(f"{API}/units/{course['unit1']}", headers=headers).status_code == 200
    response = plain.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "html"}, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert plain.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "html"}).status_code in (
        400, 401, 403)  # without the token (and without a session's CSRF token) nothing is done


def test_documented_in_openapi(client):
    from openapi_spec_validator import validate

    document = client.get("/api/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    edit = paths["/api/studio/v1/courses/{course_id}/components/{usage_id}"]["patch"]
    schema = edit["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"expected_version", "markdown", "data", "settings"} <= set(
        document["components"]["schemas"][schema]["properties"])
    for path in ("/api/studio/v1/courses/{course_id}/units/{usage_id}",
                 "/api/studio/v1/courses/{course_id}/units/{usage_id}/components",
                 "/api/studio/v1/courses/{course_id}/components/{usage_id}",
                 "/api/studio/v1/courses/{course_id}/components/{usage_id}/move",
                 "/api/studio/v1/problem_markdown"):
        assert path in paths, path
