"""Bearer tokens record their last use at most once per interval, not on every request."""

from __future__ import annotations

from datetime import timedelta

from kampus.db import utcnow
from kampus.identity import tokens
from kampus.identity.models import ApiToken
from kampus.testing import make_user, recording_statements


def token_for(app):
    user = make_user(app)
    with app.extensions["kampus"].db.session_scope() as db_session:
        record, token = tokens.create_token(db_session, user, "script")
    return record.id, token


def token_updates(app, client, token, requests):
    """The UPDATE statements on the token table while ``requests`` API calls run."""
    with recording_statements(app) as statements:
        for _ in range(requests):
            response = client.get("/api/user/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200
    return statements.writes("kampus_api_token")


def last_used(app, token_id):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.get(ApiToken, token_id).last_used_at


def test_two_requests_write_the_last_use_once(app):
    token_id, token = token_for(app)
    client = app.test_client()
    assert len(token_updates(app, client, token, 2)) == 1
    first = last_used(app, token_id)
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    assert token_updates(app, client, token, 3) == []
    assert last_used(app, token_id) == first


def test_the_last_use_is_written_again_after_the_interval(app):
    token_id, token = token_for(app)
    client = app.test_client()
    token_updates(app, client, token, 1)
    old = utcnow() - tokens.LAST_USED_PRECISION - timedelta(seconds=5)
    with app.extensions["kampus"].db.session_scope() as db_session:
        db_session.get(ApiToken, token_id).last_used_at = old
    assert len(token_updates(app, client, token, 2)) == 1
    assert last_used(app, token_id) > old + timedelta(seconds=4)
