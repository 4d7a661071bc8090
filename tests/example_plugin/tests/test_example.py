"""Tests of the example plugin, written with the Kampus harness fixtures only."""

from __future__ import annotations

import os
import time

import pytest

from kampus.testing import TEST_PASSWORD

PLUGINS = ["example"]


@pytest.fixture
def kampus_plugins():
    return PLUGINS


def test_hello_page_uses_the_layout_and_the_default_greeting(client):
    response = client.get("/hello")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="example-greeting">Hello!' in html
    assert 'class="navbar' in html  # rendered inside kampus/base.html


def test_greeting_setting(make_app):
    app = make_app(plugins=PLUGINS, settings={"example_greeting": "Bonjour"})
    html = app.test_client().get("/hello").get_data(as_text=True)
    assert "Bonjour" in html


def test_greeting_setting_must_be_declared_type(make_app):
    from kampus.errors import SettingsError

    with pytest.raises(SettingsError, match="example_greeting"):
        make_app(plugins=PLUGINS, settings={"example_greeting": ["not", "a", "string"]})


def test_setting_unknown_without_the_plugin(make_app):
    from kampus.errors import SettingsError

    with pytest.raises(SettingsError, match="example_greeting"):
        make_app(plugins=[], settings={"example_greeting": "Hi"})


def test_nav_item(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/hello"' in html
    assert ">Hello</a>" in html


def test_nav_item_absent_without_plugin(make_app):
    app = make_app(plugins=[])
    client = app.test_client()
    assert 'href="/hello"' not in client.get("/").get_data(as_text=True)
    assert client.get("/hello").status_code == 404


def test_logins_are_counted(app, client_as, events):
    client = client_as("learner")
    user = client.user
    for expected in (1, 2):
        client.post("/logout")
        response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        html = client.get("/hello").get_data(as_text=True)
        assert f"You logged in {expected} time" in html
    assert len(events.of_type("edx.bi.user.account.authenticated")) == 2


def test_other_events_are_not_counted(client_as, events):
    client = client_as("learner")
    html = client.get("/hello").get_data(as_text=True)
    assert "You logged in 0 times" in html


def test_hooks_are_called(client_as, hook_calls):
    client = client_as("learner")
    client.get("/hello")
    assert "kampus_nav_items" in hook_calls.names()


def test_word_count_task_eager(client_as):
    client = client_as("learner")
    text = "one two three\n" * 250
    response = client.post("/hello/count", json={"text": text})
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.get_json()
    record = client.get(body["url"]).get_json()
    assert record["state"] == "SUCCESS"
    assert record["result"] == {"words": 750, "lines": 250}
    assert record["progress"]["current"] == record["progress"]["total"] == 250
    assert record["user_id"] == client.user.id


def test_word_count_form_redirects_to_the_task_page(client_as):
    client = client_as("learner")
    response = client.post("/hello/count", data={"text": "a b c"})
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/tasks/")
    assert client.get(response.headers["Location"]).status_code == 200


def test_word_count_needs_login_and_text(client, client_as):
    assert client.post("/hello/count", json={"text": "x"}).status_code in (302, 401)
    assert client_as("learner").post("/hello/count", json={"text": "  "}).status_code == 400


def test_word_count_needs_csrf(client_as):
    client = client_as("learner")
    assert client.post("/hello/count", json={"text": "x"}, csrf=False).status_code in (400, 403)


@pytest.mark.real_celery
@pytest.mark.skipif(not os.environ.get("KAMPUS_TEST_BROKER_URL"), reason="KAMPUS_TEST_BROKER_URL is not set (RabbitMQ)")
def test_word_count_task_real_worker(make_app):
    from kampus.testing import client_as

    app = make_app(plugins=PLUGINS, celery="real")
    client = client_as(app, "learner")
    response = client.post("/hello/count", json={"text": "alpha beta\ngamma"})
    assert response.status_code == 202
    url = response.get_json()["url"]
    deadline = time.monotonic() + 30
    record = client.get(url).get_json()
    while record["state"] not in ("SUCCESS", "FAILURE") and time.monotonic() < deadline:
        time.sleep(0.1)
        record = client.get(url).get_json()
    assert record["state"] == "SUCCESS", record
    assert record["result"] == {"words": 3, "lines": 2}
