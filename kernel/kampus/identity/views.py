"""Pages of identity: register, log in, log out, account."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from kampus import db
from kampus.db import utcnow
from kampus.events import emit
from kampus.identity import accounts
from kampus.identity.passwords import verify_password

bp = Blueprint("identity", __name__)


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a relative path on this site, else ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def start_session(user: Any) -> None:
    """Log ``user`` in with a fresh session."""
    session.clear()
    session["_sid"] = secrets.token_hex(16)
    session.permanent = True
    login_user(user)
    user.last_login = utcnow()


@bp.route("/register", methods=["GET", "POST"])
def register() -> str | Response:
    errors: dict[str, str] = {}
    form = {"username": "", "email": "", "name": ""}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in form}
        password = request.form.get("password", "")
        db_session = db.session()
        try:
            user = accounts.create_user(db_session, form["username"], form["email"], password, name=form["name"])
        except accounts.AccountError as exc:
            errors[exc.field] = exc.message
        else:
            db_session.commit()
            emit("edx.user.registered", {"user_id": user.id, "username": user.username},
                 username=user.username, user_id=user.id)
            flash("Your account is created. Log in to continue.", "success")
            return redirect(url_for("identity.login"))
    return render_template("kampus/identity/register.html", form=form, errors=errors), (400 if errors else 200)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    error = None
    username = ""
    next_url = safe_next(request.values.get("next"))
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        db_session = db.session()
        user = accounts.find_user(db_session, username)
        if user is not None and user.is_active and verify_password(user.password_hash, password):
            start_session(user)
            db_session.commit()
            emit("edx.user.login", {"user_id": user.id, "username": user.username})
            return redirect(next_url)
        error = "The user name or password is wrong."
    status = 400 if error else 200
    return render_template("kampus/identity/login.html", error=error, username=username, next=next_url), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        emit("edx.user.logout", {"user_id": current_user.id, "username": current_user.username})
    logout_user()
    session.clear()
    return redirect(safe_next(request.values.get("next")))


@bp.get("/account")
@login_required
def account() -> str:
    return render_template("kampus/identity/account.html")


@bp.get("/staff/users")
@login_required
def staff_users() -> str:
    if not current_user.is_staff:
        abort(403)
    return render_template("kampus/identity/staff_users.html")
