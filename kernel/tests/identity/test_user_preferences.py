"""User preferences (Open edX's ``time_zone`` and ``pref-lang``) and dates shown in the user's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string
from flask_login import login_user

from kampus.identity.preferences import (
    LANGUAGE,
    TIME_ZONE,
    InvalidPreference,
    get_preference,
    preference_of_users,
    set_preference,
    user_preferences,
)
from kampus.rendering.dates import format_user_datetime, iso_datetime, time_tag, user_timezone
from kampus.testing import make_user, recording_statements

MOMENT = datetime(2027, 1, 5, 23, 30, tzinfo=UTC)


def test_one_preference_of_many_users_in_one_query(app):
    with app.app_context():
        users = [make_user(app, "user") for _ in range(3)]
        set_preference(users[0].id, TIME_ZONE, "Asia/Tokyo")
        set_preference(users[2].id, TIME_ZONE, "Europe/Paris")
        set_preference(users[1].id, LANGUAGE, "fr")
        with recording_statements(app) as recorder:
            found = preference_of_users([user.id for user in users] + [987654], TIME_ZONE)
        assert found == {users[0].id: "Asia/Tokyo", users[2].id: "Europe/Paris"}
        assert recorder.count == 1
        assert preference_of_users([], TIME_ZONE) == {}


def test_set_get_and_delete_preferences(app):
    with app.app_context():
        user = make_user(app, "user")
        set_preference(user.id, TIME_ZONE, "Asia/Tokyo")
        set_preference(user.id, "dark-mode", "on")
        assert get_preference(user.id, TIME_ZONE) == "Asia/Tokyo"
        assert user_preferences(user.id) == {TIME_ZONE: "Asia/Tokyo", "dark-mode": "on"}
        set_preference(user.id, TIME_ZONE, "Europe/Paris")  # replaces, one row per key
        assert user_preferences(user.id, [TIME_ZONE]) == {TIME_ZONE: "Europe/Paris"}
        set_preference(user.id, TIME_ZONE, None)
        assert get_preference(user.id, TIME_ZONE, "none") == "none"


@pytest.mark.parametrize("key,value", [(TIME_ZONE, "Mars/Olympus"), (TIME_ZONE, "utc+3"), ("", "x"), ("k" * 256, "x")])
def test_invalid_preferences_are_refused(app, key, value):
    with app.app_context():
        user = make_user(app, "user")
        with pytest.raises(InvalidPreference):
            set_preference(user.id, key, value)
        assert user_preferences(user.id) == {}


def test_dates_use_the_site_time_zone_without_a_preference(make_app):
    app = make_app(settings={"default_timezone": "America/New_York"})
    with app.test_request_context():
        assert str(user_timezone()) == "America/New_York"
        assert format_user_datetime(MOMENT, "yyyy-MM-dd HH:mm") == "2027-01-05 18:30"
        assert format_user_datetime(MOMENT, date_only=True) == "Jan 5, 2027"


def test_account_page_saves_the_time_zone_and_pages_apply_it(app, client_as):
    client = client_as("user")
    page = client.get("/account").get_data(as_text=True)
    assert 'id="time_zone"' in page and '<option value="Asia/Tokyo">' in page and "The site's time zone (UTC)" in page
    response = client.post("/account/preferences", data={"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert '<option value="Asia/Tokyo" selected>' in page
    with app.app_context():
        assert get_preference(client.user.id, TIME_ZONE) == "Asia/Tokyo"

    # the request of a logged-in user formats dates in their zone, in one query
    with app.test_request_context():
        login_user(client.user)
        with recording_statements(app) as statements:
            assert format_user_datetime(MOMENT, "yyyy-MM-dd HH:mm zzz") == "2027-01-06 08:30 +0900"
            assert format_user_datetime(MOMENT, "HH:mm") == "08:30"
        assert len(statements.touching("kampus_user_preference")) == 1

    # back to the site's zone
    client.post("/account/preferences", data={"time_zone": ""})
    with app.app_context():
        assert get_preference(client.user.id, TIME_ZONE) is None


def test_account_page_refuses_an_unknown_time_zone(app, client_as):
    client = client_as("user")
    response = client.post("/account/preferences", data={"time_zone": "Atlantis/Capital"})
    assert response.status_code == 400
    assert "Choose a time zone from the list." in response.get_data(as_text=True)
    with app.app_context():
        assert user_preferences(client.user.id) == {}


def test_unavailable_language_preference_is_refused_and_ignored(app, client_as):
    client = client_as("user")
    assert client.post("/account/preferences", data={"language": "xx"}).status_code == 400
    with app.app_context():
        set_preference(client.user.id, LANGUAGE, "xx")  # e.g. a language the site no longer has
    assert client.get("/account").status_code == 200  # falls back to the site's language


def test_time_tag_filter_wraps_the_iso_date(make_app):
    app = make_app(settings={"default_timezone": "Europe/Paris"})
    with app.test_request_context():
        html = render_template_string("{{ when|time_tag('yyyy-MM-dd HH:mm') }}|{{ day|user_date('long') }}|"
                                      "{{ none|time_tag }}|{{ when|user_datetime('HH:mm') }}",
                                      when=MOMENT, day=date(2027, 3, 1), none=None)
        assert html == ('<time datetime="2027-01-05T23:30:00+00:00">2027-01-06 00:30</time>|March 1, 2027||00:30')
        assert iso_datetime(datetime(2027, 1, 5, 12, 0)) == "2027-01-05T12:00:00+00:00"  # naive means UTC
        assert str(time_tag(MOMENT, date_only=True)) == '<time datetime="2027-01-05T23:30:00+00:00">Jan 6, 2027</time>'
