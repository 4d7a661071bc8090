"""Absolute links: from the ``base_url`` setting, else from the request, else a stated fallback."""

from __future__ import annotations

from kampus import cli
from kampus.core import kampus_settings
from kampus.settings import validate_settings
from kampus.testing import make_user
from kampus.urls import FALLBACK_BASE_URL, absolute_url


def reset_mail_text(app, **request):
    user = make_user(app)
    client = app.test_client()
    response = client.post("/password/reset", data={"email": user.email}, **request)
    assert response.status_code == 200
    return app.extensions["kampus"].mailer.outbox[-1].get_body(("plain",)).get_content()


def test_base_url_is_empty_by_default(tmp_path):
    assert validate_settings({"home": str(tmp_path)}, kampus_settings()).base_url == ""


def test_without_base_url_links_use_the_host_and_port_of_the_request(make_app):
    app = make_app(settings={"base_url": ""})
    text = reset_mail_text(app, base_url="http://localhost:8765")
    assert "http://localhost:8765/password/reset/" in text
    with app.test_request_context("/x", base_url="https://learn.example.org:8443"):
        assert absolute_url("/courses") == "https://learn.example.org:8443/courses"


def test_a_configured_base_url_wins_over_the_request(make_app):
    app = make_app(settings={"base_url": "https://learn.example.org/"})
    text = reset_mail_text(app, base_url="http://localhost:8765")
    assert "https://learn.example.org/password/reset/" in text and ":8765" not in text
    with app.app_context():
        assert absolute_url("courses") == "https://learn.example.org/courses"


def test_outside_a_request_links_fall_back_to_the_default_address(make_app):
    app = make_app(settings={"base_url": ""})
    with app.app_context():
        assert absolute_url("/login") == FALLBACK_BASE_URL + "/login"


def test_serve_tells_its_embedded_worker_where_it_answers(make_app, monkeypatch):
    assert cli.served_base_url("127.0.0.1", 8765) == "http://127.0.0.1:8765"
    assert cli.served_base_url("::1", 8765) == "http://[::1]:8765"
    assert cli.served_base_url("0.0.0.0", 8765) is None  # every interface: no address to give
    assert cli.served_base_url("127.0.0.1", 0) is None  # a port chosen by the system
    started: list[dict[str, str]] = []
    monkeypatch.setattr(cli.subprocess, "Popen", lambda command, env, **kwargs: started.append(env))

    cli.start_worker_process(make_app(settings={"base_url": ""}).extensions["kampus"], base_url="http://127.0.0.1:8765")
    assert started[-1]["KAMPUS_BASE_URL"] == "http://127.0.0.1:8765"
    configured = make_app(settings={"base_url": "https://learn.example.org"}).extensions["kampus"]
    cli.start_worker_process(configured, base_url="http://127.0.0.1:8765")
    assert started[-1].get("KAMPUS_BASE_URL") != "http://127.0.0.1:8765"  # the site's own setting stays
