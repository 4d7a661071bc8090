"""Anonymous learner ids: stored once per user and course, stable when the secret key changes."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from kampus.errors import KampusError
from kampus.identity.anonymous_ids import anonymous_id_for, user_id_for_anonymous_id
from kampus.identity.models import AnonymousUserId, LoginFailure
from kampus.testing import make_user

COURSE_A = "course-v1:KampusX+A101+2026"
COURSE_B = "course-v1:KampusX+B101+2026"


def stored_rows(app):
    with app.extensions["kampus"].db.session_scope() as db_session:
        return db_session.execute(
            sa.select(AnonymousUserId.user_id, AnonymousUserId.course_id, AnonymousUserId.anonymous_user_id)
        ).all()


def test_one_id_per_user_and_course_kept_in_the_table(app):
    ada, bob = make_user(app), make_user(app)
    with app.app_context():
        first = anonymous_id_for(ada.id, COURSE_A)
        assert len(first) == 32 and first == anonymous_id_for(ada.id, COURSE_A)
        assert anonymous_id_for(ada.id, COURSE_B) != first
        assert anonymous_id_for(bob.id, COURSE_A) != first
        assert anonymous_id_for(ada.id) not in {first, anonymous_id_for(ada.id, COURSE_B)}
        assert user_id_for_anonymous_id(first) == ada.id
        assert user_id_for_anonymous_id("0" * 32) is None
    assert len(stored_rows(app)) == 4


def test_id_survives_a_secret_key_rotation(make_app):
    app = make_app()
    ada = make_user(app)
    with app.app_context():
        before = anonymous_id_for(ada.id, COURSE_A)
    rotated = make_app(settings={"secret_key": "a-brand-new-secret-key-after-rotation"})
    rotated.extensions["kampus"].db = app.extensions["kampus"].db  # the same site, a new key
    assert rotated.secret_key != app.secret_key
    with rotated.app_context():
        assert anonymous_id_for(ada.id, COURSE_A) == before
        # a new course gets an id derived from the new key, and keeps it too
        fresh = anonymous_id_for(ada.id, COURSE_B)
    with app.app_context():
        assert anonymous_id_for(ada.id, COURSE_B) == fresh


def test_unknown_user_is_refused_and_nothing_is_stored(app):
    with app.app_context(), pytest.raises(KampusError, match="no such user"):
        anonymous_id_for(999_999, COURSE_A)
    assert stored_rows(app) == []


def test_concurrent_first_uses_agree_on_one_row(app):
    ada = make_user(app)
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        try:
            with app.app_context():
                start.wait()
                results.append(anonymous_id_for(ada.id, COURSE_A))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1 and len(results) == 4
    assert len(stored_rows(app)) == 1


def test_the_migration_creates_the_table_with_its_unique_constraints(app):
    inspector = sa.inspect(app.extensions["kampus"].db.engine)
    assert "kampus_anonymous_user_id" in inspector.get_table_names()
    uniques = {tuple(item["column_names"]) for item in inspector.get_unique_constraints("kampus_anonymous_user_id")}
    indexes = {tuple(item["column_names"]) for item in inspector.get_indexes("kampus_anonymous_user_id")
               if item.get("unique")}
    assert {("user_id", "course_id"), ("anonymous_user_id",)} <= uniques | indexes


def test_a_caller_that_already_wrote_on_sqlite_does_not_lock_itself_out(app):
    """On SQLite the caller's open write transaction holds the only write lock: the row goes through
    a savepoint of the caller's session instead of waiting for the lock (10 s, then an error)."""
    ada = make_user(app)
    kampus = app.extensions["kampus"]
    with app.app_context(), kampus.db.sessionmaker() as caller:
        caller.add(LoginFailure(username="someone", ip="10.0.0.1"))
        caller.flush()  # the caller now holds a write transaction
        started = time.monotonic()
        value = anonymous_id_for(ada.id, COURSE_A, db_session=caller)
        assert time.monotonic() - started < 5
        assert anonymous_id_for(ada.id, COURSE_A, db_session=caller) == value
        caller.commit()
    with app.app_context():
        assert anonymous_id_for(ada.id, COURSE_A) == value
    assert len(stored_rows(app)) == 1


def test_a_stored_id_is_read_in_the_callers_session_without_a_second_connection(app):
    ada = make_user(app)
    engine = app.extensions["kampus"].db.engine
    with app.app_context():
        created = anonymous_id_for(ada.id, COURSE_A)
        with app.extensions["kampus"].db.sessionmaker() as caller:
            caller.execute(sa.select(1))  # the caller's session holds its connection
            checkouts = []

            def checked_out(*_args):
                checkouts.append(1)

            sa.event.listen(engine, "checkout", checked_out)
            try:
                assert anonymous_id_for(ada.id, COURSE_A, db_session=caller) == created
                assert anonymous_id_for(ada.id, COURSE_B, db_session=caller) != created  # a new one still works
            finally:
                sa.event.remove(engine, "checkout", checked_out)
    assert len(checkouts) == 1  # the new id's own session only
    assert len(stored_rows(app)) == 2
