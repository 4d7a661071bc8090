"""Open edX's user API: ``/api/user/v1/me``, ``/api/user/v1/accounts[/<username>]`` (GET, PATCH),
``/api/user/v1/preferences/<username>[/<key>]`` and account registration.

Authenticated by session cookie, OAuth2 bearer token, JWT or personal token (:mod:`kampus.oauth2.authn`).
Paths, status codes and JSON fields follow Open edX's ``user_api`` (``AccountViewSet``, the account
serializer and ``ACCOUNT_VISIBILITY_CONFIGURATION``; ``PreferencesView``/``PreferencesDetailView`` with
``IsUserInUrlOrStaff``): changes are ``application/merge-patch+json`` (else 415), invalid fields answer
400 with ``field_errors: {name: {"developer_message", "user_message"}}`` and nothing is written. What
Open edX keeps on ``UserProfile`` lives in :mod:`kampus.identity.profiles`; ``account_privacy``,
``time_zone`` and ``pref-lang`` are preferences (:mod:`kampus.identity.preferences`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from flask import request as flask_request
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, Field, RootModel
from werkzeug.http import parse_options_header
from werkzeug.wrappers import Response

from kampus import db
from kampus.api_docs import ApiSection
from kampus.current import current_kampus
from kampus.identity import preferences as preference_store
from kampus.identity import profile_images, profiles
from kampus.identity.accounts import EMAIL_TAKEN, USERNAME_TAKEN
from kampus.identity.models import User
from kampus.identity.preferences import UserPreference
from kampus.identity.views import register_account
from kampus.rendering.dates import available_locales, forget_request_preferences
from kampus.rendering.setup import error_response

bp = Blueprint("identity_api", __name__)

user_api = ApiSection("user", "Accounts and preferences (Open edX's user API).", errors="openedx")

#: The content type of account and preference changes (Open edX's ``MergePatchParser``).
MERGE_PATCH = "application/merge-patch+json"
#: Open edX's ``UserPreference.key`` validator (a search, not a full match, as Django's ``RegexValidator``).
PREFERENCE_KEY = re.compile(r"[-_a-zA-Z0-9]+")


class Me(BaseModel):
    username: str


class ProfileImage(BaseModel):
    """Open edX's ``profile_image``: the absolute URL of each size (the site's default image without one)."""

    has_image: bool
    image_url_full: str
    image_url_large: str
    image_url_medium: str
    image_url_small: str


class ProfileImageUpload(BaseModel):
    """``multipart/form-data`` with the image as ``file``; or the image as the body, with its type
    (``image/jpeg``, ``image/png``, ``image/gif``) and ``Content-Disposition: attachment; filename=...``."""

    file: bytes = Field(description="A JPEG, PNG or GIF image.")


class ProfileImageError(BaseModel):
    """400: why the upload was refused (Open edX's ``developer_message``/``user_message``)."""

    developer_message: str
    user_message: str | None = None


class LanguageProficiency(BaseModel):
    code: str


class SocialLink(BaseModel):
    platform: str
    social_link: str


class ExtendedProfileField(BaseModel):
    field_name: str
    field_value: Any = None


class Account(BaseModel):
    """An account (Open edX's ``UserReadOnlySerializer``): every field for the user themselves and staff;
    for others ``username``, ``account_privacy``, ``profile_image`` and the fields the owner shares."""

    username: str
    account_privacy: str
    profile_image: ProfileImage
    name: str | None = None
    email: str | None = None
    id: int | None = None
    date_joined: str | None = None
    last_login: str | None = None
    is_active: bool | None = None
    bio: str | None = None
    country: str | None = None
    state: str | None = None
    language_proficiencies: list[LanguageProficiency] | None = None
    level_of_education: str | None = None
    gender: str | None = None
    year_of_birth: int | None = None
    goals: str | None = None
    mailing_address: str | None = None
    phone_number: str | None = None
    requires_parental_consent: bool | None = None
    social_links: list[SocialLink] | None = None
    extended_profile: list[ExtendedProfileField] | None = None
    secondary_email: str | None = None
    secondary_email_enabled: bool | None = None
    time_zone: str | None = None
    language: str | None = None
    course_certificates: Any = None
    verified_name: str | None = None
    pending_name_change: str | None = None
    model_config = {"extra": "forbid"}


class AccountList(RootModel[list[Account]]):
    pass


class AccountQuery(BaseModel):
    username: str | None = Field(None, description="Comma-separated user names.")
    email: str | None = Field(None, description="Comma-separated e-mail addresses (staff only).")
    view: str | None = Field(None, description="`shared`: only the fields others see.")


class AccountView(BaseModel):
    view: str | None = Field(None, description="`shared`: only the fields others see.")


class AccountUpdate(BaseModel):
    """A merge-patch of one's account (``application/merge-patch+json``); unknown fields are ignored."""

    name: str | None = None
    bio: str | None = None
    country: str | None = Field(None, description="ISO 3166 country code.")
    state: str | None = None
    level_of_education: str | None = Field(None, description="p, m, b, a, hs, jhs, el, none or other.")
    gender: str | None = Field(None, description="m, f or o.")
    year_of_birth: int | None = None
    goals: str | None = None
    mailing_address: str | None = None
    phone_number: str | None = None
    language_proficiencies: list[LanguageProficiency] | None = None
    social_links: list[SocialLink] | None = Field(None, description="Merged with the current links; an "
                                                  "empty social_link removes its platform.")
    extended_profile: list[ExtendedProfileField] | None = None
    account_privacy: str | None = Field(None, description="private, all_users or custom.")
    secondary_email: str | None = None


class AccountErrors(BaseModel):
    """400: Open edX's ``field_errors`` (or ``developer_message``/``user_message`` of an update error)."""

    field_errors: dict[str, dict[str, str]] | None = None
    developer_message: str | None = None
    user_message: str | None = None
    detail: str | None = None
    error: dict[str, Any] | None = None


class Preferences(RootModel[dict[str, str | None]]):
    """Preference keys and their values (strings; ``null`` in a PATCH deletes the key)."""


class PreferenceValue(RootModel[str]):
    """One preference's value, a JSON string."""


class PreferenceError(BaseModel):
    """400: why the value was refused."""

    developer_message: str | None = None
    user_message: str | None = None
    detail: str | None = None
    error: dict[str, Any] | None = None


class Registration(BaseModel):
    username: str = Field(description="2 to 150 letters, digits and _ . @ + -")
    email: str
    name: str
    password: str


class RegistrationDone(BaseModel):
    success: bool
    redirect_url: str


def _iso(value: Any) -> str | None:
    """A datetime as DRF renders it (seconds, UTC as ``Z``), like Open edX's ``date_joined``."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _none_if_empty(value: str | None) -> str | None:
    return value or None


def _extended_fields() -> list[str]:
    return list(current_kampus().settings.account_extended_profile_fields)


def account_json(user: User, full: bool, profile: profiles.UserProfile | None = None,
                 preferences: Mapping[str, str] | None = None, *, view: str | None = None) -> dict[str, Any]:
    """Open edX's account representation (``UserReadOnlySerializer``): every field for the user
    themselves and staff (``full``, unless ``view="shared"``), else the fields the owner shares."""
    preferences = preferences or {}
    meta = (profile.meta if profile is not None else None) or {}
    links = (profile.social_links if profile is not None else None) or {}
    data: dict[str, Any] = {
        "username": user.username,
        "email": user.email,
        "id": user.id,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_active": user.is_active,
        "name": user.name,
        "bio": _none_if_empty(profile.bio) if profile else None,
        "country": _none_if_empty(profile.country) if profile else None,
        "state": _none_if_empty(profile.state) if profile else None,
        "profile_image": profile_images.image_json(profile),
        "language_proficiencies": [{"code": code} for code in (profile.language_proficiencies or [])]
        if profile else [],
        "gender": _none_if_empty(profile.gender) if profile else None,
        "goals": _none_if_empty(profile.goals) if profile else None,
        "year_of_birth": profile.year_of_birth if profile else None,
        "level_of_education": _none_if_empty(profile.level_of_education) if profile else None,
        "mailing_address": _none_if_empty(profile.mailing_address) if profile else None,
        "requires_parental_consent": profiles.requires_parental_consent(profile),
        "account_privacy": profiles.privacy_of(profile, preferences),
        "social_links": [{"platform": platform, "social_link": links[platform]} for platform in sorted(links)],
        "extended_profile": [{"field_name": name, "field_value": meta.get(name, "")} for name in _extended_fields()],
        "phone_number": _none_if_empty(profile.phone_number) if profile else None,
        "secondary_email": _none_if_empty(profile.secondary_email) if profile else None,
        "secondary_email_enabled": None,
        "time_zone": preferences.get(preference_store.TIME_ZONE),
        "language": preferences.get(preference_store.LANGUAGE),
        "course_certificates": None,
        "verified_name": None,
        "pending_name_change": None,
    }
    fields = profiles.visible_fields(profile, preferences, full and view != "shared")
    return {name: data.get(name) for name in fields}


def _accounts_json(users: Sequence[User], view: str | None = None) -> list[dict[str, Any]]:
    """The accounts of ``users`` as the requesting user may see them (one query per kind of data)."""
    ids = [user.id for user in users]
    found = profiles.profiles_of(ids)
    rows = db.session().execute(sa.select(UserPreference.user_id, UserPreference.key, UserPreference.value)
                                .where(UserPreference.user_id.in_(ids))).all() if ids else []
    preferences: dict[int, dict[str, str]] = {}
    for row in rows:
        preferences.setdefault(row.user_id, {})[row.key] = row.value
    return [account_json(user, user.id == current_user.id or current_user.is_staff, found.get(user.id),
                         preferences.get(user.id, {}), view=view) for user in users]


def _require_user() -> Response | None:
    if not current_user.is_authenticated:
        return _drf_error(401, _("Authentication credentials were not provided."))
    return None


def _drf_error(status: int, detail: str, **body: Any) -> Response:
    """DRF's error body (``detail``, or Open edX's fields in ``body``) with Kampus's ``error`` object."""
    payload: dict[str, Any] = dict(body) if body else {"detail": detail}
    payload["error"] = {"status": status, "message": detail}
    response = jsonify(payload)
    response.status_code = status
    return response


def _no_content() -> Response:
    """204 (a Flask response: SpecTree keeps the status of Flask's responses only)."""
    return current_app.response_class(status=204)


def _not_found() -> Response:
    return _drf_error(404, _("Not found."))


def _forbidden() -> Response:
    return _drf_error(403, _("You do not have permission to perform this action."))


def _merge_patch_body() -> tuple[dict[str, Any] | None, Response | None]:
    """The JSON object of an ``application/merge-patch+json`` request, or the 415/400 answer."""
    if flask_request.mimetype != MERGE_PATCH:
        return None, _drf_error(415, _('Unsupported media type "%(type)s" in request.',
                                       type=flask_request.mimetype or ""))
    return _json_object()


def _json_object() -> tuple[dict[str, Any] | None, Response | None]:
    try:
        body = json.loads(flask_request.get_data(as_text=True) or "null")
    except ValueError as error:
        return None, _drf_error(400, _("JSON parse error - %(error)s", error=str(error)))
    if not isinstance(body, dict):
        message = _("The request body must be a JSON object.")
        return None, _drf_error(400, message, developer_message=message, user_message=message)
    return body, None


def _user_named(username: str) -> User | None:
    return db.session().scalar(sa.select(User).where(User.username == username))


@bp.get("/api/user/v1/me")
@user_api.doc(resp={200: Me, 401: None})
def me() -> Response:
    """The user of the request (Open edX's ``/api/user/v1/me``)."""
    denied = _require_user()
    if denied is not None:
        return denied
    return jsonify({"username": current_user.username})


@bp.get("/api/user/v1/accounts/<username>")
@user_api.doc(query=AccountView, resp={200: Account, 401: None, 404: None})
def account_detail(username: str) -> Response:
    """One account (Open edX's ``GET /api/user/v1/accounts/{username}``): every field for the user and
    staff, the shared fields for others (``?view=shared``: what others see)."""
    denied = _require_user()
    if denied is not None:
        return denied
    user = _user_named(username)
    if user is None or (not user.is_active and not current_user.is_staff):
        return _not_found()
    return jsonify(_accounts_json([user], view=flask_request.args.get("view"))[0])


@bp.patch("/api/user/v1/accounts/<username>")
@user_api.doc(json=AccountUpdate, resp={200: Account, 400: AccountErrors, 401: None, 403: None, 415: None},
              validate=False)
def account_update(username: str) -> Response:
    """Change one's own account (Open edX's ``PATCH /api/user/v1/accounts/{username}``, body
    ``application/merge-patch+json``). Read-only and invalid fields: 400 with ``field_errors``; another
    user's account: 403; other content types: 415. Unknown fields are ignored, as in Open edX."""
    denied = _require_user()
    if denied is not None:
        return denied
    if flask_request.mimetype != MERGE_PATCH:
        return _merge_patch_body()[1]  # type: ignore[return-value]
    if username != current_user.username:
        return _forbidden()
    update, bad = _json_object()
    if bad is not None or update is None:
        return bad  # type: ignore[return-value]
    user = db.session().get(User, current_user.id)
    if user is None:
        return _not_found()
    if "email" in update and update["email"] != user.email:
        message = _("Email address changes have been disabled by the site operators.")
        return _drf_error(400, message, developer_message=message, user_message=message)
    update.pop("email", None)
    errors = profiles.validate_update(update, user.email, user.name, _extended_fields())
    if errors:
        return _drf_error(400, next(iter(errors.values()))["developer_message"], field_errors=errors)
    if "name" in update:
        user.name = update["name"].strip()
    profile_fields = {key: value for key, value in update.items()
                      if key not in ("name", "account_privacy") and key in profiles.ADMIN_FIELDS}
    if profile_fields:
        profiles.apply_update(db.session(), user.id, profile_fields)
    if "account_privacy" in update:
        preference_store.set_preference(user.id, profiles.ACCOUNT_PRIVACY, update["account_privacy"])
    db.session().commit()
    return jsonify(_accounts_json([user])[0])


# -- profile image ---------------------------------------------------------------------------------------

#: DRF's answer to a raw upload without a file name (Open edX's ``TypedFileUploadParser``).
MISSING_FILENAME = ("Missing filename. Request should include a Content-Disposition header with a filename "
                    "parameter.")


def _developer_error(status: int, message: str) -> Response:
    """Open edX's ``DeveloperErrorViewMixin`` body (``developer_message``) with Kampus's ``error`` object."""
    return _drf_error(status, message, developer_message=message)


def _image_owner(username: str, staff_may: bool) -> tuple[User | None, Response | None]:
    """Open edX's ``IsUserInUrl``: one's own account; another's is 403 to staff and 404 to others (the
    account's existence stays hidden). ``staff_may``: staff act on any account (404 when there is none)."""
    denied = _require_user()
    if denied is not None:
        return None, denied
    if username.lower() != current_user.username.lower():
        if not current_user.is_staff:
            return None, _not_found()
        if not staff_may:
            return None, _forbidden()
    user = db.session().scalar(sa.select(User).where(sa.func.lower(User.username) == username.lower()))
    if user is None:
        return None, _not_found()
    return user, None


def _uploaded_image(limit: int) -> tuple[profile_images.Upload | None, Response | None]:
    """The image of a multipart ``file`` field, or of a raw body with an image type and a file name (Open
    edX's parsers: ``MultiPartParser``, ``FormParser``, ``TypedFileUploadParser``); at most ``limit + 1``
    bytes are read (enough to say it is too big)."""
    mimetype = flask_request.mimetype
    if mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        uploaded = flask_request.files.get("file")
        if uploaded is None or not uploaded.filename:  # an empty file field is no file (as in Django)
            return None, None
        return profile_images.Upload(uploaded.stream.read(limit + 1), uploaded.filename, uploaded.mimetype), None
    if mimetype not in profile_images.UPLOAD_MEDIA_TYPES:
        return None, _developer_error(415, _('Unsupported media type "%(type)s" in request.', type=mimetype))
    _disposition, options = parse_options_header(flask_request.headers.get("Content-Disposition", ""))
    filename = str(options.get("filename") or "")
    if not filename:
        return None, _developer_error(400, MISSING_FILENAME)
    return profile_images.Upload(flask_request.stream.read(limit + 1), filename, mimetype), None


@bp.post("/api/user/v1/accounts/<username>/image")
@user_api.doc(form=ProfileImageUpload, validate=False,
              resp={204: None, 400: ProfileImageError, 401: None, 403: None, 404: None, 413: None, 415: None})
def profile_image_upload(username: str) -> Response:
    """Set one's profile image (Open edX's ``ProfileImageView.post``): a JPEG, PNG or GIF of
    ``profile_image_min_bytes`` to ``profile_image_max_bytes``, cropped square and kept in Open edX's sizes
    (500, 120, 50, 30 pixels). 204; 400 with ``developer_message``/``user_message`` when the file cannot
    be one; another user's account: 403 for staff, 404 for others."""
    user, denied = _image_owner(username, staff_may=False)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    limit = int(current_kampus().settings.profile_image_max_bytes)
    upload, bad = _uploaded_image(limit)
    if bad is not None:
        return bad
    try:
        if upload is None:
            raise profile_images.no_file()
        previous = profile_images.save(db.session(), user.id, upload)
    except profile_images.ImageValidationError as refused:
        db.session().rollback()
        return _drf_error(400, refused.developer_message, **refused.body())
    db.session().commit()
    profile_images.delete_files(previous)
    return _no_content()


profile_image_upload.kampus_max_request_setting = "profile_image_max_request_bytes"  # type: ignore[attr-defined]


@bp.delete("/api/user/v1/accounts/<username>/image")
@user_api.doc(resp={204: None, 401: None, 403: None, 404: None})
def profile_image_remove(username: str) -> Response:
    """Remove a profile image (Open edX's ``ProfileImageView.delete``): one's own, or as staff anyone's
    (404 when there is no such account); 204 also when there was none."""
    user, denied = _image_owner(username, staff_may=True)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    name = profile_images.clear(db.session(), user.id)
    db.session().commit()
    profile_images.delete_files(name)
    return _no_content()


# -- preferences -----------------------------------------------------------------------------------------


def _preferences_owner(username: str, write: bool) -> tuple[User | None, Response | None]:
    """Open edX's ``IsUserInUrlOrStaff`` then ``_get_authorized_user``: others' preferences are 404 to
    users (the account's existence stays hidden), readable by staff, never writable (403)."""
    denied = _require_user()
    if denied is not None:
        return None, denied
    is_self = username.lower() == current_user.username.lower()
    if not is_self and not current_user.is_staff:
        return None, _not_found()
    if write and username != current_user.username:
        return None, _forbidden()
    user = _user_named(username)
    if user is None:
        return None, _not_found()
    return user, None


def _preference_error(key: str, value: str | None) -> dict[str, str] | None:
    """Open edX's ``validate_user_preference_serializer`` (plus Kampus's language and length checks)."""
    if value is None or not value.strip():
        message = "Preference '{preference_key}' cannot be set to an empty value."
        return {"developer_message": message.format(preference_key=key),
                "user_message": _("Preference '%(key)s' cannot be set to an empty value.", key=key)}
    if not PREFERENCE_KEY.search(key) or len(key) > preference_store.MAX_KEY_LENGTH:
        return {"developer_message": f"Value '{value}' not valid for preference '{key}': {{'key': ['Invalid key.']}}",
                "user_message": _("Invalid user preference key '%(key)s'.", key=key)}
    if len(value) > preference_store.MAX_VALUE_LENGTH:
        return {"developer_message": f"Value '{value[:40]}…' not valid for preference '{key}': too long.",
                "user_message": _("Value '%(value)s' is not valid for user preference '%(key)s'.",
                                  value=value[:40] + "…", key=key)}
    if key == preference_store.TIME_ZONE and not preference_store.is_valid_time_zone(value):
        return {"developer_message": f"Value '{value}' not valid for preference '{key}': Not in timezone set.",
                "user_message": _("Value '%(value)s' is not a valid time zone selection.", value=value)}
    if key == preference_store.LANGUAGE and value not in available_locales():
        return {"developer_message": f"Value '{value}' not valid for preference '{key}': Not a site language.",
                "user_message": _("Value '%(value)s' is not a valid language selection.", value=value)}
    if key == profiles.ACCOUNT_PRIVACY and value not in profiles.PRIVACY_CHOICES:
        return {"developer_message": f"Value '{value}' not valid for preference '{key}'.",
                "user_message": _("Value '%(value)s' is not valid for user preference '%(key)s'.",
                                  value=value, key=key)}
    return None


def _preference_text(value: Any) -> str | None:
    """Open edX stores ``str(value)`` of a non-null JSON value."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    return json.dumps(value) if isinstance(value, (list, dict)) else str(value)


@bp.get("/api/user/v1/preferences/<username>")
@user_api.doc(resp={200: Preferences, 401: None, 404: None})
def preferences_detail(username: str) -> Response:
    """Every preference of a user (Open edX's ``GET /api/user/v1/preferences/{username}``): the user and staff."""
    user, denied = _preferences_owner(username, write=False)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    return jsonify(preference_store.user_preferences(user.id))


@bp.patch("/api/user/v1/preferences/<username>")
@user_api.doc(json=Preferences, resp={204: None, 400: AccountErrors, 401: None, 403: None, 404: None, 415: None},
              validate=False)
def preferences_update(username: str) -> Response:
    """Set several preferences at once (``application/merge-patch+json``; ``null`` deletes one): 204,
    or 400 with every invalid one in ``field_errors`` and nothing written."""
    user, denied = _preferences_owner(username, write=True)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    update, bad = _merge_patch_body()
    if bad is not None or update is None:
        return bad  # type: ignore[return-value]
    if not update:
        message = _("No data provided for user preference update")
        return _drf_error(400, message, developer_message=message, user_message=message)
    values = {key: _preference_text(value) for key, value in update.items()}
    errors = {key: error for key, value in values.items() if value is not None
              for error in [_preference_error(key, value)] if error is not None}
    if errors:
        return _drf_error(400, next(iter(errors.values()))["developer_message"], field_errors=errors)
    for key, value in values.items():
        preference_store.set_preference(user.id, key, value)
    db.session().commit()
    forget_request_preferences()
    return _no_content()


@bp.get("/api/user/v1/preferences/<username>/<preference_key>")
@user_api.doc(resp={200: PreferenceValue, 401: None, 404: None})
def preference_detail(username: str, preference_key: str) -> Response:
    """One preference's value, as a JSON string; 404 when unset."""
    user, denied = _preferences_owner(username, write=False)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    value = preference_store.get_preference(user.id, preference_key)
    if value is None:
        return _not_found()
    return jsonify(value)


@bp.put("/api/user/v1/preferences/<username>/<preference_key>")
@user_api.doc(json=PreferenceValue, resp={204: None, 400: PreferenceError, 401: None, 403: None, 404: None},
              validate=False)
def preference_set(username: str, preference_key: str) -> Response:
    """Set one preference (body: a JSON string): 204; 400 with ``developer_message``/``user_message``."""
    user, denied = _preferences_owner(username, write=True)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    try:
        value = _preference_text(json.loads(flask_request.get_data(as_text=True) or "null"))
    except ValueError as error:
        return _drf_error(400, _("JSON parse error - %(error)s", error=str(error)))
    error = _preference_error(preference_key, value)
    if error is not None:
        return _drf_error(400, error["developer_message"], **error)
    preference_store.set_preference(user.id, preference_key, value)
    db.session().commit()
    forget_request_preferences()
    return _no_content()


@bp.delete("/api/user/v1/preferences/<username>/<preference_key>")
@user_api.doc(resp={204: None, 401: None, 403: None, 404: None})
def preference_delete(username: str, preference_key: str) -> Response:
    """Delete one preference: 204, or 404 when it was not set."""
    user, denied = _preferences_owner(username, write=True)
    if denied is not None or user is None:
        return denied  # type: ignore[return-value]
    if preference_store.get_preference(user.id, preference_key) is None:
        return _not_found()
    preference_store.set_preference(user.id, preference_key, None)
    db.session().commit()
    forget_request_preferences()
    return _no_content()


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
    return jsonify(_accounts_json(users, view=flask_request.args.get("view")))


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
