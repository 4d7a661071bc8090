"""The acceptance tests of the identity issue."""

from __future__ import annotations

import logging
from pathlib import Path

import sqlalchemy as sa

from kampus.identity.models import User
from kampus.testing import client_as

from .conftest import link_in, log_in

SECRET = "Zebra-Quartz-7781-unique-pw"
NEW_SECRET = "Otter-Basalt-4402-unique-pw"


def test_post_without_csrf_token_is_400(app, client, user):
    for path, data in (("/login", {"username": user.username, "password": "x" * 9}), ("/logout", {})):
        response = client.post(path, data=data, csrf=False)
        assert response.status_code == 400, path
    logged_in = client_as(app, "user")
    response = logged_in.post("/account/tokens", data={"name": "script"}, csrf=False)
    assert response.status_code == 400
    assert "could not be accepted" in response.get_data(as_text=True)
    # The same requests with the token pass the check.
    assert logged_in.post("/account/tokens", data={"name": "script"}).status_code == 200


def test_eleventh_wrong_password_within_a_minute_is_429(client, user):
    for _attempt in range(10):
        response = log_in(client, user.username, "wrong-password")
        assert response.status_code == 400
    response = log_in(client, user.username, "wrong-password")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Too many failed logins" in response.get_data(as_text=True)
    # Refused before the password is checked: the right one is refused too.
    assert log_in(client, user.username).status_code == 429


def test_no_plaintext_password_in_database_logs_or_events(app, client, events, mailbox, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post("/register", data={"username": "zed", "email": "zed@example.com", "password": SECRET})
    assert response.status_code == 200
    client.get(link_in(mailbox[-1]))
    assert log_in(client, "zed", "wrong-" + SECRET).status_code == 400
    assert log_in(client, SECRET, SECRET).status_code == 400  # a password typed as the user name
    assert log_in(client, "zed", SECRET).status_code == 302
    client.post("/account/password", data={"current_password": SECRET, "new_password": NEW_SECRET,
                                           "new_password_again": NEW_SECRET})
    client.post("/logout")
    client.post("/password/reset", data={"email": "zed@example.com"})
    reset = client.post(link_in(mailbox[-1]), data={"password": SECRET + "!", "password_again": SECRET + "!"})
    assert reset.status_code == 302
    assert log_in(client, "zed", SECRET + "!").status_code == 302

    kampus = app.extensions["kampus"]
    dumped = []
    with kampus.db.engine.connect() as connection:
        for name in sa.inspect(connection).get_table_names():
            table = sa.Table(name, sa.MetaData(), autoload_with=connection)
            dumped.extend(repr(tuple(row)) for row in connection.execute(sa.select(table)))
        assert connection.execute(sa.select(sa.func.count()).select_from(User.__table__)).scalar() == 1
    database_text = "\n".join(dumped)
    assert "zed@example.com" in database_text  # the scan does see the data
    tracking = Path(kampus.settings.tracking_log)
    assert tracking.exists()
    places = {
        "database": database_text,
        "logs": caplog.text,
        "events": repr(events.events),
        "tracking log": tracking.read_text(),
    }
    assert events.of_type("edx.bi.user.account.registered")
    for place, text in places.items():
        for password in (SECRET, NEW_SECRET, "wrong-" + SECRET):
            assert password not in text, f"a password appears in the {place}"
