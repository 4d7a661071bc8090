"""The account page: profile and its image, preferences (time zone, language), password change, personal
API tokens."""

from __future__ import annotations

import sqlalchemy as sa
from babel import Locale
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from kampus import db
from kampus.current import current_kampus
from kampus.identity import accounts, preferences, profile_images, tokens
from kampus.identity.models import ApiToken
from kampus.identity.passwords import verify_password
from kampus.identity.views import Page, bp, password_changed_event, start_session
from kampus.rendering.dates import available_locales, forget_request_preferences


def _languages() -> list[tuple[str, str]]:
    """The languages a user may choose: ``(code, name in that language)``, by name."""
    return sorted(((code, Locale.parse(code).get_display_name(code) or code) for code in available_locales()),
                  key=lambda pair: pair[1].casefold())


def _account_page(status: int = 200, new_token: str | None = None, errors: dict[str, str] | None = None) -> Page:
    api_tokens = db.session().scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()
    page = render_template("kampus/identity/account.html", api_tokens=api_tokens, new_token=new_token,
                           errors=errors or {}, time_zones=preferences.TIME_ZONES, languages=_languages(),
                           preferences=preferences.user_preferences(current_user.id),
                           site_time_zone=current_kampus().settings.default_timezone,
                           profile_image=profile_images.image_of_user(current_user.id),
                           profile_image_max_size=profile_images.friendly_size(
                               int(current_kampus().settings.profile_image_max_bytes)))
    return page, status


@bp.get("/account")
@login_required
def account() -> Page:
    return _account_page()


@bp.post("/account/profile-image")
@login_required
def upload_profile_image() -> Page:
    """A new profile image (the checks and sizes of the account API's upload)."""
    uploaded = request.files.get("file")
    limit = int(current_kampus().settings.profile_image_max_bytes)
    try:
        if uploaded is None or not uploaded.filename:
            raise profile_images.no_file()
        upload = profile_images.Upload(uploaded.stream.read(limit + 1), uploaded.filename, uploaded.mimetype)
        previous = profile_images.save(db.session(), current_user.id, upload)
    except profile_images.ImageValidationError as refused:
        db.session().rollback()
        return _account_page(400, errors={"profile_image": refused.user_message})
    db.session().commit()
    profile_images.delete_files(previous)
    flash(_("Your profile picture is changed."), "success")
    return redirect(url_for("identity.account"))


upload_profile_image.kampus_max_request_setting = "profile_image_max_request_bytes"  # type: ignore[attr-defined]


@bp.post("/account/profile-image/remove")
@login_required
def remove_profile_image() -> Page:
    name = profile_images.clear(db.session(), current_user.id)
    db.session().commit()
    profile_images.delete_files(name)
    flash(_("Your profile picture is removed."), "success")
    return redirect(url_for("identity.account"))


@bp.post("/account/preferences")
@login_required
def save_preferences() -> Page:
    """The time zone (Open edX's ``time_zone`` preference) and language (``pref-lang``); empty: the site's."""
    zone = request.form.get("time_zone", "").strip()
    language = request.form.get("language", "").strip()
    errors: dict[str, str] = {}
    if zone and not preferences.is_valid_time_zone(zone):
        errors["time_zone"] = _("Choose a time zone from the list.")
    if language and language not in available_locales():
        errors["language"] = _("Choose a language from the list.")
    if errors:
        return _account_page(400, errors=errors)
    preferences.set_preference(current_user.id, preferences.TIME_ZONE, zone or None)
    preferences.set_preference(current_user.id, preferences.LANGUAGE, language or None)
    db.session().commit()
    forget_request_preferences()
    flash(_("Your preferences are saved."), "success")
    return redirect(url_for("identity.account"))


@bp.post("/account/password")
@login_required
def change_password() -> Page:
    user = current_user._get_current_object()
    errors: dict[str, str] = {}
    new = request.form.get("new_password", "")
    if not verify_password(user.password_hash, request.form.get("current_password", "")):
        errors["current_password"] = _("The current password is wrong.")
    elif new != request.form.get("new_password_again", ""):
        errors["new_password_again"] = _("The two passwords differ.")
    else:
        try:
            accounts.set_password(user, new)  # ends every other session
        except accounts.AccountError as exc:
            errors["new_password"] = _(exc.message)
    if errors:
        db.session().rollback()
        return _account_page(400, errors=errors)
    start_session(user)  # this session goes on with the new session token
    db.session().commit()
    password_changed_event(user)
    flash(_("Your password is changed. Other sessions were logged out."), "success")
    return redirect(url_for("identity.account"))


@bp.post("/account/tokens")
@login_required
def create_api_token() -> Page:
    name = request.form.get("name", "").strip()
    if not name:
        return _account_page(400, errors={"token_name": _("Give the token a name.")})
    db_session = db.session()
    _record, token = tokens.create_token(db_session, current_user, name)
    db_session.commit()
    # Shown once, in this response only (not stored, not flashed into the session).
    return _account_page(200, new_token=token)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int) -> Page:
    db_session = db.session()
    if tokens.revoke_token(db_session, current_user, token_id):
        db_session.commit()
        flash(_("The token is revoked."), "success")
    else:
        flash(_("No such token."), "error")
    return redirect(url_for("identity.account"))
