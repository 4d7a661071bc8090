"""The kernel's schema and models on SQLite, PostgreSQL and MariaDB.

The server URLs come from ``KAMPUS_TEST_POSTGRES_URL`` and
``KAMPUS_TEST_MARIADB_URL`` (a database the user may connect to; each test run
creates its own ``kampus_dbtest_<random>`` database beside it and drops it at
the end). Without a URL the server's tests are skipped.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kampus.db import Database
from kampus.db.migrate import current_heads, pending, upgrade
from kampus.identity.models import ApiToken, CourseAccessRole, User
from kampus.plugins import load_plugin_manager
from kampus.tasks.models import SUCCESS, TaskRecord
from kampus.testing.databases import empty_database

SERVERS = {
    "postgresql": "KAMPUS_TEST_POSTGRES_URL",
    "mariadb": "KAMPUS_TEST_MARIADB_URL",
}


def _params():
    params = [pytest.param("sqlite", id="sqlite")]
    for backend, variable in SERVERS.items():
        marks = [pytest.mark.db_servers]
        if not os.environ.get(variable):
            marks.append(pytest.mark.skip(reason=f"{variable} is not set: no {backend} server to test against"))
        params.append(pytest.param(backend, id=backend, marks=marks))
    return params


@pytest.fixture(scope="module", params=_params())
def server_database(request, tmp_path_factory):
    """A URL of an empty database of the backend, dropped after the module's tests."""
    backend = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('dbtest') / 'kampus.sqlite'}"
        return
    url = sa.make_url(os.environ[SERVERS[backend]])
    name = f"kampus_dbtest_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            if backend == "postgresql":
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            else:
                connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    except sa.exc.OperationalError as exc:
        pytest.fail(f"{SERVERS[backend]} is set but the server does not answer: {exc}")
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        if backend == "postgresql":
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    admin.dispose()


@pytest.fixture(scope="module")
def pm():
    """The kernel and the example plugin (a plugin branch that depends on the kernel's)."""
    return load_plugin_manager(["example"])


@pytest.fixture(scope="module")
def migrated(server_database, pm):
    """The database, migrated once for the module; returns the heads the first upgrade applied."""
    db = Database(server_database)
    applied = upgrade(db, pm)
    yield db, applied
    db.dispose()


@pytest.fixture
def db(migrated):
    database, _ = migrated
    yield database
    empty_database(database)  # each test starts from empty tables, as the harness's tests do


def new_user(username: str = "ada", **fields) -> User:
    fields.setdefault("email", f"{username}@example.com")
    fields.setdefault("name", "Ada Lovelace")
    return User(username=username, password_hash="argon2$not-a-real-hash", session_token=uuid.uuid4().hex, **fields)


def test_upgrade_creates_the_schema(migrated, pm):
    db, applied = migrated
    assert {"k0001_initial", "e0001_login_count"} <= set(applied)
    tables = set(sa.inspect(db.engine).get_table_names())
    assert {"kampus_user", "kampus_course_access_role", "kampus_api_token", "kampus_task",
            "example_login_count", "alembic_version"} <= tables
    # The example branch depends on the kernel's first revision, so its head stands for both.
    assert "e0001_login_count" in current_heads(db)
    assert not pending(db, pm)


def test_upgrade_again_applies_nothing(migrated, pm):
    db, applied = migrated
    heads = current_heads(db)
    assert upgrade(db, pm) == []
    assert current_heads(db) == heads
    assert not pending(db, pm)


def test_round_trip_user_role_token_task(db):
    joined = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
    confirmed = datetime(2026, 3, 4, 7, 6, 7, 654321, tzinfo=timezone(timedelta(hours=2)))  # = 05:06:07.654321Z
    with db.session_scope() as session:
        user = new_user(date_joined=joined, email_confirmed_at=confirmed, name="Ådá Lövélâcé ✓")
        session.add(user)
        session.flush()
        session.add(CourseAccessRole(user_id=user.id, course_id="course-v1:KampusX+DB101+2026", role="instructor"))
        session.add(ApiToken(user_id=user.id, name="mobile", prefix="kmp_abcd", digest="d" * 64, created_at=joined))
        session.add(TaskRecord(id=str(uuid.uuid4()), name="example.word_count", user_id=user.id, state=SUCCESS,
                               arguments={"args": ["naïve text ✓"], "kwargs": {"n": 3}}, result={"words": 2},
                               created_at=joined, finished_at=confirmed))
        user_id = user.id

    with db.session_scope() as session:
        user = session.scalars(sa.select(User).where(User.username == "ada")).one()
        assert user.id == user_id
        assert user.name == "Ådá Lövélâcé ✓"
        assert user.date_joined == joined
        assert user.date_joined.tzinfo is not None and user.date_joined.microsecond == 123456
        assert user.email_confirmed_at == confirmed
        assert user.email_confirmed_at.utcoffset() == timedelta(0)
        role = session.scalars(sa.select(CourseAccessRole).where(CourseAccessRole.user_id == user_id)).one()
        assert (role.course_id, role.role, role.org) == ("course-v1:KampusX+DB101+2026", "instructor", "")
        assert role.granted_at.tzinfo is not None
        token = session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user_id)).one()
        assert token.created_at == joined and token.revoked_at is None
        task = session.scalars(sa.select(TaskRecord).where(TaskRecord.user_id == user_id)).one()
        assert task.arguments == {"args": ["naïve text ✓"], "kwargs": {"n": 3}}
        assert task.result == {"words": 2}
        assert task.finished_at == confirmed and task.finished_at.microsecond == 654321
        assert task.to_json()["progress"]["percent"] == 100.0


def test_naive_datetimes_are_refused(db):
    with pytest.raises(sa.exc.StatementError), db.session_scope() as session:
        session.add(new_user(date_joined=datetime(2026, 1, 1)))
        session.flush()


@pytest.mark.parametrize("field", ["username", "email"])
def test_unique_user_fields(db, field):
    with db.session_scope() as session:
        session.add(new_user("grace"))
    duplicate = new_user("grace2", email="grace2@example.com")
    setattr(duplicate, field, "grace" if field == "username" else "grace@example.com")
    with pytest.raises(IntegrityError), db.session_scope() as session:
        session.add(duplicate)
    with db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_unique_role_and_token_digest(db):
    with db.session_scope() as session:
        user = new_user("linus")
        session.add(user)
        session.flush()
        session.add(CourseAccessRole(user_id=user.id, course_id="course-v1:A+B+C", role="staff"))
        session.add(ApiToken(user_id=user.id, name="one", prefix="p1", digest="e" * 64))
        user_id = user.id
    with pytest.raises(IntegrityError), db.session_scope() as session:
        session.add(CourseAccessRole(user_id=user_id, course_id="course-v1:A+B+C", role="staff"))
    with pytest.raises(IntegrityError), db.session_scope() as session:
        session.add(ApiToken(user_id=user_id, name="two", prefix="p2", digest="e" * 64))


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError), db.session_scope() as session:
        session.add(ApiToken(user_id=987654, name="orphan", prefix="p", digest="f" * 64))


def test_deleting_a_user_cascades(db):
    with db.session_scope() as session:
        user = new_user("ken")
        session.add(user)
        session.flush()
        session.add(CourseAccessRole(user_id=user.id, course_id="course-v1:A+B+C", role="learner"))
        user_id = user.id
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM kampus_user WHERE id = :id"), {"id": user_id})
    with db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CourseAccessRole)) == 0


def test_rolled_back_transaction_leaves_nothing(db):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), db.session_scope() as session:
        user = new_user("barbara")
        session.add(user)
        session.flush()
        session.add(TaskRecord(id=str(uuid.uuid4()), name="x", user_id=user.id))
        session.flush()
        raise Abort
    session = db.sessionmaker()
    try:
        user = new_user("margaret")
        session.add(user)
        session.flush()
        session.rollback()
    finally:
        session.close()
    with db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
        assert session.scalar(sa.select(sa.func.count()).select_from(TaskRecord)) == 0


def test_a_savepoint_commits_only_with_its_transaction(db):
    """Work done in ``begin_nested()`` (a savepoint) before anything else in the transaction is
    rolled back with it. (pysqlite opens no transaction before a SAVEPOINT: unless the kernel
    does, the savepoint's release commits it on its own.)"""
    class Abort(Exception):
        pass

    with pytest.raises(Abort), db.session_scope() as session:
        with session.begin_nested():
            session.add(new_user("grace"))
        raise Abort
    with db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
    with db.session_scope() as session, session.begin_nested():
        session.add(new_user("ada"))
    with db.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_the_harness_empties_what_a_test_wrote(db):
    """``empty_database`` (run before each test of the harness) clears the tables a test wrote to, children
    before parents, and starts their ids again from 1, also for a table whose rows were all deleted."""
    with db.session_scope() as session:
        user = new_user("edsger")
        session.add(user)
        session.flush()
        session.add(CourseAccessRole(user_id=user.id, course_id="course-v1:A+B+C", role="staff"))
        session.add(TaskRecord(id=str(uuid.uuid4()), name="x", user_id=user.id))
        gone = new_user("tony")
        session.add(gone)
        session.flush()
        session.delete(gone)
    empty_database(db)
    with db.session_scope() as session:
        for model in (User, CourseAccessRole, TaskRecord):
            assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
        again = new_user("niklaus")
        session.add(again)
        session.flush()
        assert again.id == 1


def test_the_harness_empties_a_table_with_quotes_in_its_name(db):
    odd = sa.Table("kampus_odd'\"name", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
    odd.create(db.engine)
    try:
        with db.engine.begin() as connection:
            connection.execute(odd.insert(), [{"id": 1}, {"id": 2}])
        empty_database(db)
        with db.engine.connect() as connection:
            assert connection.scalar(sa.select(sa.func.count()).select_from(odd)) == 0
    finally:
        odd.drop(db.engine)
