"""Fixtures of the bulk e-mail tests: a published course, enrolled learners, a cohort, bearer tokens."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from kampus_content.testing.xblocks import publish_course
from kampus_lms.api import add_users_to_cohort, create_cohort, enroll, set_cohorted

from kampus.identity.models import User
from kampus.oauth2.clients import create_client
from kampus.oauth2.models import OAuthClient
from kampus.testing import TEST_PASSWORD

COURSE = "course-v1:KampusX+Mail101+2026"
CLIENT_ID = "bulk-email-tests-app"


@pytest.fixture
def kampus_plugins() -> list[Any]:
    return ["content", "problems", "lms", "instructor"]


@pytest.fixture
def kampus_settings() -> dict[str, Any]:
    return {"api_validate_responses": True, "instructor_bulk_email_retry_seconds": 0.0,
            "instructor_bulk_email_batch_size": 3, "base_url": "https://kampus.test"}


@pytest.fixture
def course(app: Flask) -> str:
    publish_course(app, COURSE, {"unit1": []}, course_fields={"display_name": "Mail course"})
    return COURSE


def enroll_many(app: Flask, count: int, prefix: str = "learner", course_id: str = COURSE) -> list[Any]:
    """Create ``count`` accounts and enroll them; returns the users (detached)."""
    kampus = app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        users = [User(username=f"{prefix}{i:05d}", email=f"{prefix}{i:05d}@example.com", name=f"Learner {i}",
                      is_active=True) for i in range(count)]
        db_session.add_all(users)
        db_session.flush()
        ids = [user.id for user in users]
    with app.app_context():
        from kampus import db

        for user in db.session().scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)):
            enroll(user, course_id, check_access=False)
    with kampus.db.session_scope() as db_session:
        accounts = list(db_session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.id)))
        db_session.expunge_all()
    return accounts


def make_cohort(app: Flask, name: str, usernames: list[str], course_id: str = COURSE) -> int:
    with app.app_context():
        set_cohorted(course_id, True)
        cohort = create_cohort(course_id, name)
        if usernames:
            add_users_to_cohort(course_id, cohort.id, usernames)
        return cohort.id


def bearer(app: Flask, user: Any) -> dict[str, str]:
    """The ``Authorization`` header of a password-grant token of ``user``."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        if db_session.scalar(sa.select(OAuthClient).where(OAuthClient.client_id == CLIENT_ID)) is None:
            create_client(db_session, "Bulk e-mail tests", "public", client_id=CLIENT_ID)
    response = app.test_client().post("/oauth2/access_token", data={
        "grant_type": "password", "client_id": CLIENT_ID, "username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}
