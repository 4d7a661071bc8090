"""Accounts: creating users, loading them for a session, checking credentials."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.errors import KampusError
from kampus.identity.models import User
from kampus.identity.passwords import hash_password, password_problem

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{2,150}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


#: Longest full name (Open edX's ``UserProfile.name``).
NAME_MAX_CHARS = 255
#: The problems that mean another account has the value (Open edX's registration API answers 409).
USERNAME_TAKEN = "This user name is taken."
EMAIL_TAKEN = "An account with this e-mail address exists."


class AccountError(KampusError):
    """An account cannot be created or changed; ``field`` names the (first) culprit, ``errors`` holds
    every field's problem (``{field: message}``) so that a form can show them all at once."""

    def __init__(self, field: str, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.errors = errors or {field: message}


def new_session_token() -> str:
    return secrets.token_hex(16)


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: ``"<id>:<session token>"`` from the session cookie."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session().get(User, int(user_id))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def find_user(db_session: Session, username_or_email: str) -> User | None:
    """The user with this user name or e-mail address (case-insensitive e-mail)."""
    value = username_or_email.strip()
    if "@" in value:
        return db_session.scalar(sa.select(User).where(sa.func.lower(User.email) == value.lower()))
    return db_session.scalar(sa.select(User).where(User.username == value))


def create_user(
    db_session: Session,
    username: str,
    email: str,
    password: str | None,
    *,
    name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    confirmed: bool = False,
) -> User:
    """Add a new user to ``db_session`` (not committed). Raises :class:`AccountError` with every
    field's problem (see :func:`account_problems`)."""
    username = username.strip()
    email = email.strip()
    name = name.strip()
    problems = account_problems(db_session, username, email, password, name)
    if problems:
        field, message = next(iter(problems.items()))
        raise AccountError(field, message, problems)
    user = User(
        username=username,
        email=email,
        name=name,
        password_hash=hash_password(password) if password else "",
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
        email_confirmed_at=utcnow() if confirmed else None,
        session_token=new_session_token(),
    )
    db_session.add(user)
    db_session.flush()
    return user


def announce_account(user: User) -> None:
    """Tell the plugins about a new account once it is committed (``kampus_account_created``).

    Every way of making an account calls it after its commit (the registration page and API,
    ``kampus create-user``, ``kampus init``), inside an app context.
    """
    current_kampus().hook.kampus_account_created(user_id=user.id, username=user.username, email=user.email)


def announce_confirmation(user: User) -> None:
    """Tell the plugins that ``user``'s e-mail address is now confirmed, once that is committed
    (``kampus_account_confirmed``): the confirmation link and the password reset link call it."""
    current_kampus().hook.kampus_account_confirmed(user_id=user.id, username=user.username, email=user.email)


def account_problems(
    db_session: Session, username: str, email: str, password: str | None, name: str = ""
) -> dict[str, str]:
    """Every problem of the fields of a new account, by field name (``{}``: it can be created).

    The messages are English source strings; views translate them.
    """
    problems: dict[str, str] = {}
    if not USERNAME_RE.match(username):
        problems["username"] = "Use 2 to 150 letters, digits and . _ @ + - only."
    elif db_session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        problems["username"] = USERNAME_TAKEN
    if not EMAIL_RE.match(email) or len(email) > 254:
        problems["email"] = "Enter a valid e-mail address."
    elif db_session.scalar(sa.select(User.id).where(sa.func.lower(User.email) == email.lower())) is not None:
        problems["email"] = EMAIL_TAKEN
    if len(name) > NAME_MAX_CHARS:
        problems["name"] = "The full name is too long: use at most 255 characters."
    if password is not None:
        problem = password_problem(password, username)
        if problem:
            problems["password"] = problem
    return problems


def set_password(user: User, password: str) -> None:
    """Change the password and end every existing session and reset link."""
    problem = password_problem(password, user.username)
    if problem:
        raise AccountError("password", problem)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
