"""Open edX's user API: ``/api/user/v1/me``, ``/api/user/v1/accounts`` and account registration.

Authenticated by session cookie or by a personal token
(``Authorization: Bearer kmp_...``). Field names follow Open edX's
``user_api`` account serializer.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, jsonify
from flask import request as flask_request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.current import current_kampus
from kampus.identity.accounts import EMAIL_TAKEN, USERNAME_TAKEN
from kampus.identity.models import User
from kampus.identity.views import register_account
from kampus.rendering.setup import error_response

bp = Blueprint("identity_api", __name__)

user_api = ApiSection("user", "Accounts (Open edX's user API).", errors="openedx")


class Me(BaseModel):
    username: str


class Account(BaseModel):
    """An account: every field for the user themselves and staff, ``username``, ``account_privacy`` and
    ``profile_image`` for others."""

    username: str
    model_config = {"extra": "allow"}


class AccountList(RootModel[list[Account]]):
    pass


class AccountQuery(BaseModel):
    username: str | None = Field(None, description="Comma-separated user names.")
    email: str | None = Field(None, description="Comma-separated e-mail addresses (staff only).")


class Registration(BaseModel):
    username: str = Field(description="2 to 150 letters, digits and _ . @ + -")
    email: str
    name: str
    password: str


class RegistrationDone(BaseModel):
    success: bool
    redirect_url: str


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _profile_image() -> dict[str, Any]:
    return {"has_image": False, "image_url_full": None, "image_url_large": None, "image_url_medium": None,
            "image_url_small": None}


def account_json(user: User, full: bool) -> dict[str, Any]:
    """Open edX's account representation; ``full`` for the user themselves and staff."""
    if not full:
        # Open edX's "private" visibility: what other users may see.
        return {"username": user.username, "account_privacy": "private", "profile_image": _profile_image()}
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_active": user.is_active,
        "activation_key": None,
        "bio": None,
        "country": None,
        "state": None,
        "profile_image": _profile_image(),
        "language_proficiencies": [],
        "level_of_education": None,
        "gender": None,
        "year_of_birth": None,
        "mailing_address": None,
        "goals": None,
        "requires_parental_consent": False,
        "secondary_email": None,
        "time_zone": None,
        "social_links": [],
        "extended_profile": [],
        "account_privacy": "private",
        "accomplishments_shared": False,
    }


def _require_user() -> Response | None:
    if not current_user.is_authenticated:
        return error_response(401, _("Authentication credentials were not provided."))
    return None


@bp.get("/api/user/v1/me")
@user_api.doc(resp={200: Me, 401: None})
def me() -> Response:
    """The user of the request (Open edX's ``/api/user/v1/me``)."""
    denied = _require_user()
    if denied is not None:
        return denied
    return jsonify({"username": current_user.username})


@bp.get("/api/user/v1/accounts/<username>")
@user_api.doc(resp={200: Account, 401: None, 404: None})
def account_detail(username: str) -> Response:
    denied = _require_user()
    if denied is not None:
        return denied
    user = db.session().scalar(sa.select(User).where(User.username == username))
    is_self = user is not None and user.id == current_user.id
    if user is None or (not user.is_active and not current_user.is_staff):
        return error_response(404, _("No such user."))
    return jsonify(account_json(user, full=is_self or current_user.is_staff))


@bp.get("/api/user/v1/accounts")
@user_api.doc(query=AccountQuery, resp={200: AccountList, 401: None, 403: None, 404: None})
def account_list() -> Response:
    """``?username=a,b`` (anyone logged in) or ``?email=`` (staff only), like Open edX."""
    denied = _require_user()
    if denied is not None:
        return denied
    usernames = [name for name in flask_request.args.get("username", "").split(",") if name]
    emails = [email.lower() for email in flask_request.args.get("email", "").split(",") if email]
    if emails and not current_user.is_staff:
        return error_response(403, _("Only staff may look up accounts by e-mail address."))
    if not usernames and not emails:
        usernames = [current_user.username]
    stmt = sa.select(User).where(sa.or_(User.username.in_(usernames), sa.func.lower(User.email).in_(emails)))
    if not current_user.is_staff:
        stmt = stmt.where(User.is_active.is_(True))
    users = db.session().scalars(stmt.order_by(User.username)).all()
    if not users:
        return error_response(404, _("No such user."))
    return jsonify([account_json(user, full=user.id == current_user.id or current_user.is_staff) for user in users])


@bp.post("/user_api/v1/account/registration/")
@bp.post("/api/user/v2/account/registration/")
@user_api.doc(form=Registration, resp={200: RegistrationDone, 400: None, 403: None, 409: None}, public=True,
              validate=False)
def registration() -> Response:
    """Create an account (Open edX's ``RegistrationView``): form fields ``username``, ``email``,
    ``name``, ``password``. Every field's problems come back at once:
    ``{"<field>": [{"user_message": "..."}], "error_code": "..."}``, with 409 and
    ``duplicate-email``/``duplicate-username``/``duplicate-email-username`` when the only problem is
    an existing account, else 400 and ``validation-error``. The request needs the CSRF token, like
    every POST with a session."""
    if not current_kampus().settings.registration_open:
        return error_response(403, _("Registration is closed on this site."))
    form = {key: flask_request.form.get(key, "").strip() for key in ("username", "email", "name")}
    user, errors = register_account(form["username"], form["email"], form["name"],
                                    flask_request.form.get("password", ""))
    if user is not None:
        redirect_url = "/" if current_user.is_authenticated else "/login"
        return jsonify({"success": True, "redirect_url": redirect_url})
    taken = {"email": _(EMAIL_TAKEN), "username": _(USERNAME_TAKEN)}
    duplicates = [field for field in ("email", "username") if field in errors and errors[field] == taken[field]]
    only_duplicates = len(duplicates) == len(errors)
    body: dict[str, Any] = {field: [{"user_message": message}] for field, message in errors.items()}
    body["error_code"] = "duplicate-" + "-".join(duplicates) if only_duplicates else "validation-error"
    response = jsonify(body)
    response.status_code = 409 if only_duplicates else 400
    return response
