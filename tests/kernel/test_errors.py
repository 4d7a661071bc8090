"""Error pages: in the layout for browsers, JSON under /api/, never a traceback."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort
from kampus_hookspecs import hookimpl

SECRET = "very-secret-internal-detail"


class FailingRoutes:
    @hookimpl
    def kampus_blueprints(self, app):
        bp = Blueprint("failing", __name__)

        @bp.get("/boom")
        def boom():
            raise RuntimeError(SECRET)

        @bp.get("/api/failing/v1/boom")
        def api_boom():
            raise RuntimeError(SECRET)

        @bp.get("/bad")
        def bad():
            abort(400)

        @bp.get("/forbidden")
        def forbidden():
            abort(403)

        @bp.get("/api/failing/v1/forbidden")
        def api_forbidden():
            abort(403)

        return [bp]


@pytest.fixture
def client(make_app):
    return make_app(plugins=[FailingRoutes()]).test_client()


def assert_layout(response, status):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<nav" in html and "</html>" in html  # the site layout
    assert f">{status}<" in html
    assert "Traceback" not in html and SECRET not in html
    return html


def test_404_page_in_the_layout(client):
    assert_layout(client.get("/no/such/page"), 404)


def test_404_json_for_api_paths(client):
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["status"] == 404


def test_500_page_without_traceback(client):
    assert_layout(client.get("/boom"), 500)


def test_500_json_without_traceback(client):
    response = client.get("/api/failing/v1/boom")
    assert response.status_code == 500
    assert response.get_json()["error"]["status"] == 500
    body = response.get_data(as_text=True)
    assert SECRET not in body and "Traceback" not in body


def test_400_page(client):
    assert_layout(client.get("/bad"), 400)


def test_403_page_and_json(client):
    assert_layout(client.get("/forbidden"), 403)
    response = client.get("/api/failing/v1/forbidden")
    assert response.status_code == 403 and response.get_json()["error"]["status"] == 403


def test_csrf_failure_is_a_400_page(client):
    response = client.post("/logout", csrf=False)
    assert_layout(response, 400)


def test_405_lists_allowed_methods(client):
    response = client.post("/boom")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
