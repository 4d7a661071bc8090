"""Open edX's account and preference API (``/api/user/v1/accounts/<username>``, ``/api/user/v1/preferences/...``)
driven as an Open edX client would: OAuth2 bearer tokens and JWTs from ``/oauth2/access_token``."""

from __future__ import annotations

import json
import re

import pytest
from openapi_spec_validator import validate

from kampus.identity import preferences as preference_store
from kampus.oauth2.clients import create_client
from kampus.testing import TEST_PASSWORD, make_user, recording_statements

MERGE = "application/merge-patch+json"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

#: Open edX's ``UserReadOnlySerializer`` fields for the owner and staff (``admin_fields``), with their JSON types.
FULL_SHAPE = {
    "username": str, "name": str, "email": str, "id": int, "date_joined": str, "last_login": (str, type(None)),
    "is_active": bool, "bio": (str, type(None)), "country": (str, type(None)), "state": (str, type(None)),
    "profile_image": dict, "language_proficiencies": list, "level_of_education": (str, type(None)),
    "gender": (str, type(None)), "year_of_birth": (int, type(None)), "goals": (str, type(None)),
    "mailing_address": (str, type(None)), "phone_number": (str, type(None)), "requires_parental_consent": bool,
    "account_privacy": str, "social_links": list, "extended_profile": list, "secondary_email": (str, type(None)),
    "secondary_email_enabled": (bool, type(None)), "time_zone": (str, type(None)), "language": (str, type(None)),
    "course_certificates": (list, type(None)), "verified_name": (str, type(None)),
    "pending_name_change": (str, type(None)),
}
PROFILE_IMAGE_SHAPE = {"has_image", "image_url_full", "image_url_large", "image_url_medium", "image_url_small"}
#: ``public_fields`` (private accounts) and ``bulk_shareable_fields`` (``all_users``).
PUBLIC_SHAPE = {"username", "account_privacy", "profile_image"}
SHARED_SHAPE = PUBLIC_SHAPE | {"bio", "course_certificates", "country", "date_joined", "language_proficiencies",
                               "level_of_education", "social_links", "time_zone"}


def token_for(app, user, token_type: str = "bearer") -> dict[str, str]:
    """An ``Authorization`` header from the password grant, as Open edX's mobile apps get one."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        create_client(db_session, "Mobile", "public", client_id=f"mobile-{user.username}")
    response = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "password", "client_id": f"mobile-{user.username}", "username": user.username,
        "password": TEST_PASSWORD, "token_type": token_type})
    assert response.status_code == 200, response.text
    scheme = "JWT" if token_type == "jwt" else "Bearer"
    return {"Authorization": f"{scheme} {response.get_json()['access_token']}"}


def patch(client, path: str, body, headers=None, content_type: str = MERGE):
    return client.patch(path, data=json.dumps(body), content_type=content_type, headers=headers or {})


def check_shape(body: dict, shape: dict) -> None:
    assert set(body) == set(shape), set(body) ^ set(shape)
    for name, kind in shape.items():
        assert isinstance(body[name], kind), (name, body[name])


@pytest.mark.parametrize("token_type", ["bearer", "jwt"])
def test_own_account_has_every_field_with_open_edx_types(app, token_type) -> None:
    user = make_user(app, name="Grace Hopper")
    headers = token_for(app, user, token_type)
    client = app.test_client()
    response = client.get(f"/api/user/v1/accounts/{user.username}", headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    check_shape(body, FULL_SHAPE)
    assert set(body["profile_image"]) == PROFILE_IMAGE_SHAPE and body["profile_image"]["has_image"] is False
    assert ISO_Z.match(body["date_joined"])
    assert body["username"] == user.username and body["name"] == "Grace Hopper" and body["email"] == user.email
    # No year of birth: Open edX requires parental consent and keeps the profile private.
    assert body["requires_parental_consent"] is True and body["account_privacy"] == "private"
    assert body["social_links"] == [] and body["language_proficiencies"] == [] and body["extended_profile"] == []


def test_patch_updates_profile_fields_and_answers_the_account(app) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    response = patch(client, f"/api/user/v1/accounts/{user.username}", {
        "name": "Ada King", "bio": "Analyst.", "country": "GB", "year_of_birth": 1990, "gender": "f",
        "level_of_education": "m", "language_proficiencies": [{"code": "en"}, {"code": "fr"}],
        "social_links": [{"platform": "x", "social_link": "ada"},
                         {"platform": "linkedin", "social_link": "https://www.linkedin.com/in/ada"}],
        "account_privacy": "all_users", "goals": "Engines", "unknown_field": "ignored"}, headers)
    assert response.status_code == 200, response.text
    body = response.get_json()
    check_shape(body, FULL_SHAPE)
    assert body["name"] == "Ada King" and body["bio"] == "Analyst." and body["country"] == "GB"
    assert body["year_of_birth"] == 1990 and body["gender"] == "f" and body["level_of_education"] == "m"
    assert body["language_proficiencies"] == [{"code": "en"}, {"code": "fr"}]
    assert body["social_links"] == [{"platform": "linkedin", "social_link": "https://www.linkedin.com/in/ada"},
                                    {"platform": "x", "social_link": "https://x.com/ada"}]
    assert body["requires_parental_consent"] is False and body["account_privacy"] == "all_users"
    # Social links merge; an empty link removes its platform.
    body = patch(client, f"/api/user/v1/accounts/{user.username}",
                 {"social_links": [{"platform": "x", "social_link": ""}]}, headers).get_json()
    assert body["social_links"] == [{"platform": "linkedin", "social_link": "https://www.linkedin.com/in/ada"}]
    # Others now see the shareable fields (all_users), and with view=shared the owner sees the same.
    other = make_user(app)
    seen = app.test_client().get(f"/api/user/v1/accounts/{user.username}", headers=token_for(app, other)).get_json()
    assert set(seen) == SHARED_SHAPE and seen["bio"] == "Analyst." and "email" not in seen
    shared = client.get(f"/api/user/v1/accounts/{user.username}?view=shared", headers=headers).get_json()
    assert set(shared) == SHARED_SHAPE
    # Private again: the public fields only.
    patch(client, f"/api/user/v1/accounts/{user.username}", {"account_privacy": "private"}, headers)
    seen = app.test_client().get(f"/api/user/v1/accounts/{user.username}", headers=token_for(app, make_user(app)))
    assert set(seen.get_json()) == PUBLIC_SHAPE


def test_patch_errors_are_open_edx_bodies_and_write_nothing(app) -> None:
    user = make_user(app, name="Before")
    headers = token_for(app, user)
    client = app.test_client()
    path = f"/api/user/v1/accounts/{user.username}"
    response = patch(client, path, {"name": "After", "gender": "x", "username": "new", "country": "ZZ",
                                    "bio": "b" * 301, "year_of_birth": "abc"}, headers)
    assert response.status_code == 400
    errors = response.get_json()["field_errors"]
    assert set(errors) == {"gender", "username", "country", "bio", "year_of_birth"}
    for error in errors.values():
        assert set(error) == {"developer_message", "user_message"}
    assert errors["username"]["developer_message"] == "This field is not editable via this API"
    assert client.get(path, headers=headers).get_json()["name"] == "Before"
    # Content type: only merge-patch.
    response = patch(client, path, {"bio": "x"}, headers, content_type="application/json")
    assert response.status_code == 415 and "detail" in response.get_json()
    # Bad JSON, a body that is not an object.
    response = client.patch(path, data="{not json", content_type=MERGE, headers=headers)
    assert response.status_code == 400 and response.get_json()["detail"].startswith("JSON parse error")
    assert patch(client, path, [1, 2], headers).status_code == 400
    # E-mail changes are not offered.
    response = patch(client, path, {"email": "new@example.com"}, headers)
    assert response.status_code == 400 and response.get_json()["developer_message"]
    # Someone else's account: 403 (staff included); no credentials: 401.
    staff = make_user(app, "global_staff")
    assert patch(client, path, {"bio": "x"}, token_for(app, staff)).status_code == 403
    assert patch(app.test_client(), path, {"bio": "x"}).status_code == 401
    assert client.get("/api/user/v1/accounts/nobody-at-all", headers=headers).status_code == 404


def test_staff_sees_every_field_and_lists_in_constant_queries(app) -> None:
    users = [make_user(app) for _ in range(6)]
    staff = make_user(app, "global_staff")
    headers = token_for(app, staff)
    client = app.test_client()
    body = client.get(f"/api/user/v1/accounts/{users[0].username}", headers=headers).get_json()
    check_shape(body, FULL_SHAPE)

    def count(names) -> int:
        with recording_statements(app) as statements:
            response = client.get("/api/user/v1/accounts?username=" + ",".join(u.username for u in names),
                                  headers=headers)
            assert response.status_code == 200 and len(response.get_json()) == len(names)
        return statements.count
    assert count(users[:2]) == count(users)


def test_preferences_api(app) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    base = f"/api/user/v1/preferences/{user.username}"
    assert client.get(base, headers=headers).get_json() == {}
    response = patch(client, base, {"time_zone": "Europe/Paris", "pref-lang": "en", "my-key": 5}, headers)
    assert response.status_code == 204, response.text
    assert client.get(base, headers=headers).get_json() == {"time_zone": "Europe/Paris", "pref-lang": "en",
                                                            "my-key": "5"}
    # Validation: every bad key at once, nothing written.
    response = patch(client, base, {"time_zone": "Mars/Olympus", "pref-lang": "xx-nope", "ok-key": "v",
                                    "empty": "  "}, headers)
    assert response.status_code == 400
    errors = response.get_json()["field_errors"]
    assert set(errors) == {"time_zone", "pref-lang", "empty"}
    assert errors["time_zone"]["user_message"] == "Value 'Mars/Olympus' is not a valid time zone selection."
    assert client.get(f"{base}/ok-key", headers=headers).status_code == 404
    assert patch(client, base, {}, headers).status_code == 400
    assert patch(client, base, {"a": "b"}, headers, content_type="application/json").status_code == 415
    # null deletes.
    assert patch(client, base, {"my-key": None}, headers).status_code == 204
    assert "my-key" not in client.get(base, headers=headers).get_json()
    # One key: GET gives a JSON string, PUT a JSON string, DELETE.
    assert client.get(f"{base}/time_zone", headers=headers).get_json() == "Europe/Paris"
    response = client.put(f"{base}/time_zone", data=json.dumps("Asia/Tokyo"), content_type="application/json",
                          headers=headers)
    assert response.status_code == 204
    with app.app_context():
        assert preference_store.get_preference(user.id, "time_zone") == "Asia/Tokyo"
    response = client.put(f"{base}/time_zone", data=json.dumps("Nowhere"), content_type="application/json",
                          headers=headers)
    assert response.status_code == 400 and set(response.get_json()) >= {"developer_message", "user_message"}
    assert client.delete(f"{base}/time_zone", headers=headers).status_code == 204
    assert client.delete(f"{base}/time_zone", headers=headers).status_code == 404
    assert client.get(f"{base}/time_zone", headers=headers).status_code == 404


def test_preferences_of_others(app) -> None:
    owner = make_user(app)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        preference_store.set_preference(owner.id, "time_zone", "Europe/Paris", db_session=db_session)
    other, staff = make_user(app), make_user(app, "global_staff")
    base = f"/api/user/v1/preferences/{owner.username}"
    client = app.test_client()
    # Users: 404, hiding whether the account exists.
    assert client.get(base, headers=token_for(app, other)).status_code == 404
    # Staff: may read, never write (403).
    staff_headers = token_for(app, staff)
    assert client.get("/api/user/v1/preferences/nobody-at-all", headers=staff_headers).status_code == 404
    assert patch(client, base, {"time_zone": "Asia/Tokyo"}, staff_headers).status_code == 403
    assert client.delete(f"{base}/time_zone", headers=staff_headers).status_code == 403
    assert app.test_client().get(base).status_code == 401


def test_openapi_document_declares_the_user_api(app) -> None:
    document = app.test_client().get("/api/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    assert {"get", "patch"} <= set(paths["/api/user/v1/accounts/{username}"])
    assert {"get", "patch"} <= set(paths["/api/user/v1/preferences/{username}"])
    assert {"get", "put", "delete"} <= set(paths["/api/user/v1/preferences/{username}/{preference_key}"])
