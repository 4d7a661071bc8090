"""Pages of identity: register, confirm, log in, log out, password reset.

The account page is in :mod:`kampus.identity.account_views`, the staff pages
in :mod:`kampus.identity.staff_views`; all share the ``identity`` blueprint.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.events import emit
from kampus.identity import accounts, links, throttle
from kampus.identity.passwords import hash_password, needs_rehash, verify_password
from kampus.rendering.setup import error_response

bp = Blueprint("identity", __name__)

#: Open edX's event names (sent to Segment there; to the tracking log here).
EVENT_REGISTERED = "edx.bi.user.account.registered"
EVENT_LOGIN = "edx.bi.user.account.authenticated"
EVENT_LOGOUT = "edx.user.logout"
EVENT_SETTINGS_CHANGED = "edx.user.settings.changed"

Page = str | Response | tuple[str, int] | tuple[Response, int]


def _settings() -> Any:
    return current_kampus().settings


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` when it is a relative path on this site, else ``default``."""
    if not target:
        return default
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def start_session(user: Any) -> None:
    """Log ``user`` in with a fresh session (a new session id: no fixation)."""
    session.clear()
    session["_sid"] = secrets.token_hex(16)
    session.permanent = True
    login_user(user)
    user.last_login = utcnow()


def password_changed_event(user: Any) -> None:
    """Open edX's settings-changed event for a password change (no values)."""
    emit(EVENT_SETTINGS_CHANGED, {"setting": "password", "old": None, "new": None, "truncated": [],
                                  "user_id": user.id, "table": "auth_user"},
         username=user.username, user_id=user.id)


# -- registration and confirmation -------------------------------------------------------


def register_account(username: str, email: str, name: str, password: str) -> tuple[Any, dict[str, str]]:
    """Create an account from a registration (the form or the API): commit it, emit Open edX's events,
    then e-mail the confirmation link or, when the site needs none, log the new user in.

    Returns ``(user, {})``, or ``(None, errors)`` with every field's problem (translated), nothing written.
    """
    db_session = db.session()
    try:
        user = accounts.create_user(db_session, username, email, password, name=name)
    except accounts.AccountError as exc:
        db_session.rollback()
        return None, {field: _(message) for field, message in exc.errors.items()}
    db_session.commit()
    emit(EVENT_REGISTERED, {"category": "conversion", "label": None, "provider": None},
         username=user.username, user_id=user.id)
    accounts.announce_account(user)
    if _settings().require_email_confirmation:
        links.send_confirmation(user)
        return user, {}
    start_session(user)
    db_session.commit()
    emit(EVENT_LOGIN, {"category": "conversion", "label": None, "provider": None},
         username=user.username, user_id=user.id)
    return user, {}


@bp.route("/register", methods=["GET", "POST"])
def register() -> Page:
    settings = _settings()
    if not settings.registration_open:
        abort(403, _("Registration is closed on this site."))
    errors: dict[str, str] = {}
    form = {"username": "", "email": "", "name": ""}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in form}
        user, errors = register_account(form["username"], form["email"], form["name"],
                                        request.form.get("password", ""))
        if user is not None:
            if settings.require_email_confirmation:
                return render_template("kampus/identity/message.html", title=_("Check your e-mail"), message=_(
                    "We sent a link to %(email)s. Open it to confirm your address, then log in.", email=user.email))
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.display_name), "success")
            return redirect(safe_next(request.args.get("next")))
    status = 400 if errors else 200
    return render_template("kampus/identity/register.html", form=form, errors=errors), status


@bp.get("/confirm/<token>")
def confirm_email(token: str) -> Page:
    user = links.user_from_confirmation_token(token)
    if user is None:
        return render_template("kampus/identity/message.html", title=_("This link does not work"), message=_(
            "The confirmation link is wrong or has expired. Ask for a new one below."), resend=True), 400
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session().commit()
        emit(EVENT_SETTINGS_CHANGED, {"setting": "email_confirmed", "old": None, "new": None, "truncated": [],
                                           "user_id": user.id, "table": "auth_user"},
             username=user.username, user_id=user.id)
        accounts.announce_confirmation(user)
    flash(_("Your e-mail address is confirmed. You can log in now."), "success")
    if current_user.is_authenticated:
        return redirect("/")
    return redirect(url_for("identity.login"))


@bp.route("/confirm/resend", methods=["GET", "POST"])
def resend_confirmation() -> Page:
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        user = accounts.find_user(db.session(), email) if "@" in email else None
        if user is not None and user.is_active and user.email_confirmed_at is None:
            links.send_confirmation(user)
        return render_template("kampus/identity/message.html", title=_("Check your e-mail"), message=_(
            "If an account with this address is waiting for confirmation, we sent it a new link."))
    return render_template("kampus/identity/resend.html")


# -- login and logout ------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    settings = _settings()
    next_url = safe_next(request.values.get("next"))
    if request.method == "GET" and current_user.is_authenticated and request.args.get("next"):
        return redirect(next_url)
    error = None
    unconfirmed = False
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        ip = request.remote_addr or ""
        db_session = db.session()
        user = accounts.find_user(db_session, username) if username else None
        key = throttle.account_key(user, username)
        wait = throttle.retry_after(db_session, key, ip, settings.login_failure_limit, settings.login_failure_window)
        if wait is not None:
            response = error_response(429, _("Too many failed logins. Wait a minute, then try again."))
            response.headers["Retry-After"] = str(wait)
            return response
        # verify_password runs even without a user (against a dummy hash), so timing tells nothing.
        password_ok = verify_password(user.password_hash if user else "", password)
        if user is None or not user.is_active or not password_ok:
            throttle.record_failure(db_session, key, ip)
            db_session.commit()
            error = _("The user name or password is wrong.")
        elif settings.require_email_confirmation and user.email_confirmed_at is None:
            unconfirmed = True
            error = _("Confirm your e-mail address first: open the link we sent you.")
        else:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            throttle.clear_failures(db_session, key)
            start_session(user)
            db_session.commit()
            emit(EVENT_LOGIN, {"category": "conversion", "label": None, "provider": None},
                 username=user.username, user_id=user.id)
            return redirect(next_url)
    status = 400 if error else 200
    return render_template("kampus/identity/login.html", error=error, username=username, next=next_url,
                           unconfirmed=unconfirmed, registration_open=settings.registration_open), status


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        emit(EVENT_LOGOUT, {"user_id": current_user.id}, username=current_user.username, user_id=current_user.id)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(safe_next(request.values.get("next")))


# -- password reset --------------------------------------------------------------------


@bp.route("/password/reset", methods=["GET", "POST"])
def password_reset() -> Page:
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        user = accounts.find_user(db.session(), email) if "@" in email else None
        if user is not None and user.is_active:
            links.send_password_reset(user)
        return render_template("kampus/identity/message.html", title=_("Check your e-mail"), message=_(
            "If an account uses this address, we sent it a link to choose a new password. The link works for "
            "24 hours."))
    return render_template("kampus/identity/password_reset.html")


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def password_reset_confirm(token: str) -> Page:
    user = links.user_from_reset_token(token)
    if user is None:
        return render_template("kampus/identity/message.html", title=_("This link does not work"), message=_(
            "The password reset link is wrong, was already used or has expired."), reset_again=True), 400
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("password_again", ""):
            errors["password_again"] = _("The two passwords differ.")
        else:
            try:
                accounts.set_password(user, password)  # rotates the session token: other sessions end
            except accounts.AccountError as exc:
                errors["password"] = _(exc.message)
        if not errors:
            db_session = db.session()
            newly_confirmed = user.email_confirmed_at is None
            if newly_confirmed:
                user.email_confirmed_at = utcnow()  # the link proved the address
            throttle.clear_failures(db_session, user.username)
            if current_user.is_authenticated:
                logout_user()
                session.clear()
            db_session.commit()
            password_changed_event(user)
            if newly_confirmed:
                accounts.announce_confirmation(user)
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("identity.login"))
    status = 400 if errors else 200
    return render_template("kampus/identity/password_reset_form.html", user=user, errors=errors), status
