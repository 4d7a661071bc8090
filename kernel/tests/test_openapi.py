"""The OpenAPI document at /api/openapi.json, /api/docs, and validation from the documented schemas."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from kampus.testing import client_as

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")


def test_document_is_valid_openapi_3_and_covers_every_api_route(app) -> None:
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    api_rules = {
        str(rule).replace("<", "{").replace(">", "}").replace("{path:", "{").replace("{int:", "{")
        for rule in app.url_map.iter_rules()
        if str(rule).startswith(("/api/", "/oauth2/", "/user_api/")) and rule.endpoint.split(".")[0] != "openapi"
    }
    assert api_rules <= documented, api_rules - documented
    for path in ("/oauth2/access_token", "/api/courses/v0/import/{course_id}/", "/api/tasks/v1/tasks/",
                 "/api/courses/v1/blocks/", "/api/user/v1/me"):
        assert path in documented
    token = document["paths"]["/oauth2/access_token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"] or \
        "multipart/form-data" in token["requestBody"]["content"]
    assert {"session", "bearer", "jwt"} <= set(document["components"]["securitySchemes"])


def test_document_declares_oauth2_and_the_scopes_each_operation_requires(app) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    schemes = document["components"]["securitySchemes"]
    oauth2 = schemes["oauth2"]
    assert oauth2["type"] == "oauth2"
    assert set(oauth2["flows"]) == {"password", "clientCredentials"}
    for flow in oauth2["flows"].values():
        assert flow["tokenUrl"] == "/oauth2/access_token"
        assert {"read", "grades:read", "certificates:read", "enrollments:read"} <= set(flow["scopes"])
    assert schemes["jwt"] == {"type": "apiKey", "in": "header", "name": "Authorization",
                              "description": schemes["jwt"]["description"]}

    def requirement(path: str, scheme: str) -> list[str]:
        (found,) = [item[scheme] for item in document["paths"][path]["get"]["security"] if scheme in item]
        return found

    for path, scope in (("/api/grades/v1/courses/{course_id}/", "grades:read"),
                        ("/api/grades/v1/courses/", "grades:read"),
                        ("/api/certificates/v0/certificates/{username}/courses/{course_id}/", "certificates:read"),
                        ("/api/certificates/v0/certificates/{username}/", "certificates:read")):
        assert requirement(path, "oauth2") == [scope], path
        assert requirement(path, "jwt") == [scope], path
        assert requirement(path, "session") == [] and requirement(path, "bearer") == []
    # A route without required scopes still takes an OAuth2 token, with no scope named.
    assert requirement("/api/enrollment/v1/enrollments", "oauth2") == []
    # The token endpoint itself needs no credential.
    assert document["paths"]["/oauth2/access_token"]["post"].get("security", []) == []


def test_bad_query_parameter_of_a_documented_endpoint_gets_400_with_field_errors(app) -> None:
    staff = client_as(app, "global_staff")
    response = staff.get("/api/tasks/v1/tasks/", query_string={"course_id": "nonsense"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["field_errors"]["course_id"]["developer_message"] == \
        "'course_id' is not a course id (course-v1:Org+Number+Run)."
    assert body["error"]["status"] == 400 and "not a course id" in body["error"]["message"]
    assert staff.get("/api/tasks/v1/tasks/", query_string={"course_id": "course-v1:A+B+C"}).status_code == 200


def test_a_bad_json_body_gets_400_with_field_errors(app) -> None:
    staff = client_as(app, "global_staff")
    response = staff.post("/api/tasks/v1/tasks/", json={"name": ["not", "a", "name"]})
    assert response.status_code == 400
    assert "name" in response.get_json()["field_errors"]


def test_authentication_comes_before_validation(app) -> None:
    anonymous = app.test_client().get("/api/tasks/v1/tasks/", query_string={"course_id": "nonsense"})
    assert anonymous.status_code == 401


def test_docs_page_is_served_with_local_assets(app) -> None:
    client = app.test_client()
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/static/swagger-ui-bundle.js" in html and "/api/openapi.json" in html
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/docs/static/swagger-ui.css").status_code == 200
    assert client.get("/api/docs/static/../../oauth2/models.py").status_code == 404


def test_responses_match_their_schemas_when_checked(make_app) -> None:
    app = make_app(settings={"api_validate_responses": True})
    client = client_as(app, "global_staff")
    assert client.get("/api/user/v1/me").status_code == 200
    assert client.get(f"/api/user/v1/accounts/{client.user.username}").status_code == 200
    assert client.get("/api/tasks/v1/tasks/").status_code == 200
    assert client.get("/api/tasks/v1/startable/").status_code == 200
