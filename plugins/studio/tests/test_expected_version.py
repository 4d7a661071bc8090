"""``expected_version`` on Studio's REST edits: optional everywhere (without it the last writer wins, as in
Open edX), a stale one refused with 409 and a message saying to reload; the OpenAPI document says so."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.api import DRAFT, content_store, get_structure, update_fields
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

COURSE = DEFAULT_COURSE
VERSION_NAMES = ("expected_version", "version")


@pytest.fixture
def kampus_plugins() -> list[str]:
    return ["content", "problems", "studio"]


@pytest.fixture
def course(app: Any) -> dict[str, str]:
    return publish_course(app, COURSE, {"unit1": [Block("html", "intro", {"display_name": "Intro",
                                                                            "data": "<p>Hello</p>"})]})


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def test_the_openapi_document_marks_the_version_optional_on_every_studio_edit(client) -> None:
    document = client.get("/api/openapi.json").get_json()
    versioned: list[str] = []
    for path, operations in document["paths"].items():
        if not path.startswith("/api/studio/v1/"):
            continue
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete"):
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                parameter = _resolve(document, parameter)
                if parameter.get("name") in VERSION_NAMES and parameter.get("in") == "query":
                    versioned.append(where)
                    assert not parameter.get("required"), where
            for content in operation.get("requestBody", {}).get("content", {}).values():
                schema = _resolve(document, content.get("schema", {}))
                named = [name for name in VERSION_NAMES if name in schema.get("properties", {})]
                if named:
                    versioned.append(where)
                    assert not set(named) & set(schema.get("required", [])), where
    # the outline, unit, settings, files and history edits all take it
    for area in ("/blocks/", "/components/", "/settings/", "/assets/", "/history/"):
        assert any(area in where for where in versioned), (area, versioned)


def test_history_revert_documents_an_optional_version(client) -> None:
    document = client.get("/api/openapi.json").get_json()
    revert = document["paths"]["/api/studio/v1/courses/{course_id}/history/{version}/revert"]["post"]
    schema = _resolve(document, revert["requestBody"]["content"]["application/json"]["schema"])
    assert "expected_version" in schema["properties"] and "expected_version" not in schema.get("required", [])


def test_settings_take_expected_version_like_the_other_studio_apis(app, client_as, course) -> None:
    author = client_as("staff", course_id=COURSE)
    api = f"/api/studio/v1/courses/{COURSE}/settings/details"
    seen = author.get(api).get_json()["version"]
    with app.app_context():
        update_fields(COURSE, ("html", "intro"), {"data": "<p>Moved on</p>"}, user_id=None)
        now = get_structure(COURSE, DRAFT).version
    stale = author.patch(api, json={"effort": "2 hours", "expected_version": seen})
    assert stale.status_code == 409, stale.get_json()
    assert "Reload" in stale.get_json()["developer_message"] and stale.get_json()["current_version"] == now
    with app.app_context():
        assert get_structure(COURSE, DRAFT).version == now  # nothing written
    fresh = author.patch(api, json={"effort": "2 hours", "expected_version": now})
    assert fresh.status_code == 200, fresh.get_json()
    assert fresh.get_json()["effort"] == "2 hours"
    # without a version: applied to the draft as it is now
    assert author.patch(api, json={"effort": "3 hours"}).get_json()["effort"] == "3 hours"
    wrong = author.patch(api, json={"effort": "4 hours", "expected_version": 7})
    assert wrong.status_code == 400


EDITS = {
    "unit component": ("patch", "/components/{intro}", {"data": "<p>Mine</p>"}),
    "outline item": ("patch", "/blocks/{lesson1}", {"display_name": "Mine"}),
    "settings details": ("patch", "/settings/details", {"effort": "9 hours"}),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_without_a_version_lands_even_when_another_edit_gets_in_first(app, client_as, course, monkeypatch,
                                                                            edit) -> None:
    """Last writer wins: another author's save between reading the draft and writing it is no conflict for an
    edit sent without a version (it is applied on top); with the version it is a 409."""
    author = client_as("staff", course_id=COURSE)
    with app.app_context():
        store = content_store()
    save_draft = type(store).save_draft
    raced: list[str] = []

    def racing_save(self, course_id, *args, **kwargs):
        if not raced:  # another author's edit commits first
            raced.append("raced")
            update_fields(COURSE, ("vertical", "unit1"), {"display_name": "Renamed by someone else"}, user_id=None)
        return save_draft(self, course_id, *args, **kwargs)

    monkeypatch.setattr(type(store), "save_draft", racing_save)
    method, path, body = EDITS[edit]
    api = f"/api/studio/v1/courses/{COURSE}" + path.format(**course)
    answer = getattr(author, method)(api, json=body)
    assert answer.status_code == 200, answer.get_json()
    assert raced
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[("vertical", "unit1")].fields["display_name"] == "Renamed by someone else"
        assert {"unit component": draft.blocks[("html", "intro")].fields.get("data") == "<p>Mine</p>",
                "outline item": draft.blocks[("sequential", "lesson1")].fields.get("display_name") == "Mine",
                "settings details": author.get(api).get_json().get("effort") == "9 hours"}[edit]
    raced.clear()
    with app.app_context():
        seen = get_structure(COURSE, DRAFT).version
    stale = getattr(author, method)(api, json={**body, "expected_version": seen})
    assert stale.status_code == 409 and "Reload" in stale.get_json()["developer_message"]
