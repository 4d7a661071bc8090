"""The staff page of OAuth2 clients."""

from __future__ import annotations

from kampus.testing import client_as


def test_staff_register_and_disable_clients(app) -> None:
    staff = client_as(app, "global_staff")
    assert client_as(app, "user").get("/staff/oauth2/clients").status_code == 403
    assert staff.get("/staff/oauth2/clients").status_code == 200
    made = staff.post("/staff/oauth2/clients", data={"name": "Server", "client_type": "confidential",
                                                     "client_id": "server-1", "username": staff.user.username,
                                                     "grant_types": ["client_credentials"], "scopes": ["read"]})
    assert made.status_code == 201
    html = made.get_data(as_text=True)
    assert 'id="new-client-secret"' in html and "server-1" in html
    secret = html.split('id="new-client-secret" class="text-break">', 1)[1].split("<", 1)[0]
    client = app.test_client()
    token = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "client_id": "server-1",
                                                      "client_secret": secret})
    assert token.status_code == 200 and token.get_json()["scope"] == "read"
    bad = staff.post("/staff/oauth2/clients", data={"name": "", "client_type": "public"})
    assert bad.status_code == 400 and "is-invalid" in bad.get_data(as_text=True)
    listing = staff.get("/staff/oauth2/clients").get_data(as_text=True)
    client_pk = listing.split("/staff/oauth2/clients/", 1)[1].split("/", 1)[0]
    assert staff.post(f"/staff/oauth2/clients/{client_pk}/disable").status_code == 302
    bearer = {"Authorization": f"Bearer {token.get_json()['access_token']}"}
    assert client.get("/api/user/v1/me", headers=bearer).status_code == 401
    again = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "client_id": "server-1",
                                                      "client_secret": secret})
    assert again.status_code in (400, 401) and again.get_json()["error"] == "invalid_client"


def test_staff_register_a_restricted_client_with_organisations(app) -> None:
    staff = client_as(app, "global_staff")
    made = staff.post("/staff/oauth2/clients", data={
        "name": "Partner", "client_type": "public", "client_id": "partner-1", "grant_types": ["password"],
        "scopes": ["read", "grades:read"], "restricted": "on", "orgs": "edX, MITx"})
    assert made.status_code == 201, made.get_data(as_text=True)
    html = staff.get("/staff/oauth2/clients").get_data(as_text=True)
    assert "restricted" in html and "content_org:edX" in html and "content_org:MITx" in html
    bad = staff.post("/staff/oauth2/clients", data={"name": "Open", "client_type": "public", "orgs": "edX"})
    assert bad.status_code == 400 and 'id="orgs"' in bad.get_data(as_text=True)
    assert "is-invalid" in bad.get_data(as_text=True)


def test_too_many_organisations_are_refused_with_a_message_not_a_database_error(app) -> None:
    orgs = [f"Organisation{number:03d}" for number in range(60)]  # 60 x 'content_org:Organisation000 ' > 825
    staff = client_as(app, "global_staff")
    refused = staff.post("/staff/oauth2/clients", data={
        "name": "Partner", "client_type": "public", "client_id": "partner-many", "grant_types": ["password"],
        "scopes": ["read"], "restricted": "on", "orgs": ", ".join(orgs)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Too many organisations" in html and "at most 825" in html
    fits = staff.post("/staff/oauth2/clients", data={
        "name": "Partner", "client_type": "public", "client_id": "partner-some", "grant_types": ["password"],
        "scopes": ["read"], "restricted": "on", "orgs": ", ".join(orgs[:29])})
    assert fits.status_code == 201, fits.get_data(as_text=True)
    with app.app_context():
        from kampus import db
        from kampus.oauth2.models import OAuthClient
        names = [client.client_id for client in db.session().query(OAuthClient)]
        assert "partner-many" not in names and "partner-some" in names
