"""Account profiles (Open edX's ``UserProfile``): what an account says about its owner beyond the login.

One row per user in ``kampus_user_profile`` (made on the first change; a user without one has every
field empty). Open edX's field names, choices and validation: :func:`validate_update` checks a
merge-patch of the account API and returns Open edX's ``field_errors``; :func:`apply_update` writes it
in the caller's transaction. Who may see which field is :func:`visible_fields` (Open edX's
``ACCOUNT_VISIBILITY_CONFIGURATION`` with ``default_visibility = "all_users"``; accounts of unknown or
young age are private, as Open edX's ``requires_parental_consent`` makes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from email.utils import parseaddr
from typing import Any

import sqlalchemy as sa
from babel import Locale
from sqlalchemy.orm import Mapped, Session, mapped_column

from kampus import db
from kampus.db import Base, UTCDateTime, utcnow

#: Open edX's preference key of the profile's visibility, and its values.
ACCOUNT_PRIVACY = "account_privacy"
PRIVATE = "private"
ALL_USERS = "all_users"
CUSTOM = "custom"
PRIVACY_CHOICES = (PRIVATE, ALL_USERS, CUSTOM)
#: Preference keys ``visibility.<field>`` share single fields under ``custom`` privacy.
VISIBILITY_PREFIX = "visibility."
#: Open edX's ``PARENTAL_CONSENT_AGE_LIMIT``.
PARENTAL_CONSENT_AGE_LIMIT = 13
#: Open edX's ``BIO_MAX_LENGTH`` and ``NAME_MIN_LENGTH``.
BIO_MAX_LENGTH = 300
NAME_MIN_LENGTH = 1
NAME_MAX_LENGTH = 255

#: Open edX's ``UserProfile.GENDER_CHOICES`` and ``LEVEL_OF_EDUCATION_CHOICES`` (codes).
GENDERS = ("m", "f", "o")
LEVELS_OF_EDUCATION = ("p", "m", "b", "a", "hs", "jhs", "el", "none", "other")
#: Open edX's social platforms and the URL a user name on each becomes.
SOCIAL_PLATFORMS: dict[str, str] = {
    "facebook": "https://www.facebook.com/",
    "x": "https://x.com/",
    "linkedin": "https://www.linkedin.com/in/",
}
_SOCIAL_HOSTS = {"facebook": ("facebook.com",), "x": ("x.com", "twitter.com"), "linkedin": ("linkedin.com",)}

#: Open edX's ``ACCOUNT_VISIBILITY_CONFIGURATION``.
PUBLIC_FIELDS = ("account_privacy", "profile_image", "username")
BULK_SHAREABLE_FIELDS = PUBLIC_FIELDS + ("bio", "course_certificates", "country", "date_joined",
                                         "language_proficiencies", "level_of_education", "social_links",
                                         "time_zone")
CUSTOM_SHAREABLE_FIELDS = BULK_SHAREABLE_FIELDS + ("name",)
ADMIN_FIELDS = CUSTOM_SHAREABLE_FIELDS + (
    "email", "id", "verified_name", "extended_profile", "gender", "state", "goals", "is_active", "last_login",
    "mailing_address", "requires_parental_consent", "secondary_email", "secondary_email_enabled",
    "year_of_birth", "phone_number", "pending_name_change", "language",
)

#: Fields the account API reads but never writes (Open edX's read-only serializer fields).
READ_ONLY_FIELDS = frozenset({"username", "date_joined", "is_active", "id", "last_login", "profile_image",
                              "requires_parental_consent", "verified_name", "pending_name_change",
                              "course_certificates", "secondary_email_enabled"})
#: Plain text fields of the profile, with their longest length.
TEXT_FIELDS: dict[str, int] = {"bio": BIO_MAX_LENGTH, "goals": 10_000, "mailing_address": 10_000,
                               "state": 2, "phone_number": 50}


class UserProfile(Base):
    """The profile of one account (Open edX's ``student.UserProfile`` without the name, kept on the user)."""

    __tablename__ = "kampus_user_profile"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), primary_key=True)
    bio: Mapped[str] = mapped_column(sa.Text(), default="")
    country: Mapped[str] = mapped_column(sa.String(2), default="")
    state: Mapped[str] = mapped_column(sa.String(2), default="")
    gender: Mapped[str] = mapped_column(sa.String(6), default="")
    year_of_birth: Mapped[int | None] = mapped_column(sa.Integer(), default=None)
    level_of_education: Mapped[str] = mapped_column(sa.String(6), default="")
    goals: Mapped[str] = mapped_column(sa.Text(), default="")
    mailing_address: Mapped[str] = mapped_column(sa.Text(), default="")
    phone_number: Mapped[str] = mapped_column(sa.String(50), default="")
    secondary_email: Mapped[str] = mapped_column(sa.String(254), default="")
    language_proficiencies: Mapped[list[str]] = mapped_column(sa.JSON(), default=list)
    social_links: Mapped[dict[str, str]] = mapped_column(sa.JSON(), default=dict)
    meta: Mapped[dict[str, Any]] = mapped_column(sa.JSON(), default=dict)
    #: When the profile image was uploaded (Open edX's ``profile_image_uploaded_at``); none without an image.
    profile_image_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    #: The random name of the image's files (see :mod:`kampus.identity.profile_images`); empty without one.
    profile_image_name: Mapped[str] = mapped_column(sa.String(32), default="")
    modified: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


def profiles_of(user_ids: Iterable[int], *, db_session: Session | None = None) -> dict[int, UserProfile]:
    """The profiles of ``user_ids`` that exist, by user id (one query)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = (db_session or db.session()).scalars(sa.select(UserProfile).where(UserProfile.user_id.in_(ids)))
    return {row.user_id: row for row in rows}


def requires_parental_consent(profile: UserProfile | None, today: datetime | None = None) -> bool:
    """Open edX's ``UserProfile.requires_parental_consent()``: true without a year of birth, or under 13."""
    year = profile.year_of_birth if profile is not None else None
    if year is None:
        return True
    return ((today or utcnow()).year - year) <= PARENTAL_CONSENT_AGE_LIMIT


def privacy_of(profile: UserProfile | None, preferences: Mapping[str, str]) -> str:
    """Open edX's ``get_profile_visibility``: private for minors (and unknown ages), else the user's choice."""
    if requires_parental_consent(profile):
        return PRIVATE
    chosen = preferences.get(ACCOUNT_PRIVACY)
    return chosen if chosen in PRIVACY_CHOICES else ALL_USERS


def visible_fields(profile: UserProfile | None, preferences: Mapping[str, str], full: bool) -> tuple[str, ...]:
    """The account fields shown: every field to the user and staff (``full``), else by the owner's privacy."""
    if full:
        return ADMIN_FIELDS
    privacy = privacy_of(profile, preferences)
    if privacy == ALL_USERS:
        return BULK_SHAREABLE_FIELDS
    if privacy == CUSTOM:
        shared = tuple(name for name in CUSTOM_SHAREABLE_FIELDS
                       if preferences.get(VISIBILITY_PREFIX + name) == ALL_USERS and name not in PUBLIC_FIELDS)
        return PUBLIC_FIELDS + shared
    return PUBLIC_FIELDS


# -- validation ------------------------------------------------------------------------------------------


#: CLDR's regions that are not ISO 3166 countries (django-countries, which Open edX uses, has none of them).
_NOT_COUNTRIES = frozenset({"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"})


def _countries() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES)


def _languages() -> frozenset[str]:
    return frozenset(code for code in Locale("en").languages if len(code) == 2)


def _invalid(name: str, value: Any, error: str) -> dict[str, str]:
    """Open edX's ``add_serializer_errors`` entry."""
    return {"developer_message": f"Value '{value}' is not valid for field '{name}': {error}",
            "user_message": "This value is invalid."}


def _message(text: str) -> dict[str, str]:
    return {"developer_message": text, "user_message": text}


def _is_email(value: str) -> bool:
    return bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value)) and parseaddr(value)[1] == value


def social_link_url(platform: str, link: str) -> str | None:
    """Open edX's ``format_social_link``: a user name or a URL on the platform as the profile's URL;
    ``""`` for an empty link (removes it); ``None`` when the link is not on the platform."""
    link = link.strip()
    if not link:
        return ""
    if "://" not in link and "/" not in link and "." not in link:
        return SOCIAL_PLATFORMS[platform] + link if re.fullmatch(r"[\w.-]{1,100}", link) else None
    if "://" not in link:
        link = "https://" + link
    match = re.fullmatch(r"https?://(?:www\.)?([^/?#]+)(/[^\s]*)?", link)
    if match is None or match.group(1).lower() not in _SOCIAL_HOSTS[platform] or not (match.group(2) or "").strip("/"):
        return None
    return link


def validate_update(update: Mapping[str, Any], user_email: str, current_name: str,
                    extended_fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """Open edX's ``field_errors`` of an account merge-patch (empty when it may be applied)."""
    errors: dict[str, dict[str, str]] = {}
    for name in sorted(set(update) & READ_ONLY_FIELDS):
        errors[name] = {"developer_message": "This field is not editable via this API",
                        "user_message": f"The '{name}' field cannot be edited."}
    if "name" in update:
        value = update["name"]
        if not isinstance(value, str):
            errors["name"] = _invalid("name", value, "Not a valid string.")
        elif value != current_name:
            if len(value.strip()) < NAME_MIN_LENGTH:
                errors["name"] = _invalid("name", value,
                                          f"The name field must be at least {NAME_MIN_LENGTH} character long.")
            elif len(value) > NAME_MAX_LENGTH:
                errors["name"] = _invalid("name", value,
                                          f"Ensure this field has no more than {NAME_MAX_LENGTH} characters.")
            elif re.search(r"[<>]", value) or re.search(r"https?://|www\.", value, re.IGNORECASE):
                errors["name"] = {"developer_message": "Error thrown from validate_name: 'Enter a valid name'",
                                  "user_message": "Enter a valid name"}
    for name, limit in TEXT_FIELDS.items():
        if name in update and update[name] is not None:
            value = update[name]
            if not isinstance(value, str):
                errors[name] = _invalid(name, value, "Not a valid string.")
            elif name == "bio" and len(value) > limit:
                errors[name] = _invalid(name, value, f"The about me field must be at most {limit} characters long.")
            elif len(value) > limit:
                errors[name] = _invalid(name, value, f"Ensure this field has no more than {limit} characters.")
    for name, choices in (("gender", GENDERS), ("level_of_education", LEVELS_OF_EDUCATION)):
        if name in update and update[name] not in (None, "") and update[name] not in choices:
            errors[name] = _invalid(name, update[name], f'"{update[name]}" is not a valid choice.')
    if "country" in update and update["country"] not in (None, "") and update["country"] not in _countries():
        errors["country"] = _invalid("country", update["country"], f'"{update["country"]}" is not a valid choice.')
    if "year_of_birth" in update and update["year_of_birth"] not in (None, ""):
        year = update["year_of_birth"]
        this_year = utcnow().year
        if isinstance(year, bool) or not isinstance(year, (int, str)) or not str(year).strip().isdigit():
            errors["year_of_birth"] = _invalid("year_of_birth", year, "A valid integer is required.")
        elif not this_year - 120 <= int(year) <= this_year:
            errors["year_of_birth"] = _invalid("year_of_birth", year, f'"{year}" is not a valid choice.')
    if "language_proficiencies" in update:
        value = update["language_proficiencies"]
        codes = [item.get("code") for item in value if isinstance(item, Mapping)] if isinstance(value, list) else None
        if codes is None or len(codes) != len(value) or not all(isinstance(code, str) for code in codes):
            errors["language_proficiencies"] = _invalid("language_proficiencies", value,
                                                        'Expected a list of items like {"code": "en"}.')
        elif any(code not in _languages() for code in codes):
            bad = next(code for code in codes if code not in _languages())
            errors["language_proficiencies"] = _invalid("language_proficiencies", value,
                                                        f'"{bad}" is not a valid choice.')
        elif len(set(codes)) != len(codes):
            errors["language_proficiencies"] = _invalid(
                "language_proficiencies", value, "The language_proficiencies field must consist of unique languages.")
    if "social_links" in update:
        error = _social_links_error(update["social_links"])
        if error:
            errors["social_links"] = error
    if "extended_profile" in update:
        value = update["extended_profile"]
        allowed = set(extended_fields)
        if not isinstance(value, list) or not all(isinstance(item, Mapping) and isinstance(item.get("field_name"), str)
                                                  and "field_value" in item for item in value):
            errors["extended_profile"] = _invalid("extended_profile", value,
                                                  'Expected a list of {"field_name", "field_value"} items.')
        elif any(item["field_name"] not in allowed for item in value):
            bad = next(item["field_name"] for item in value if item["field_name"] not in allowed)
            errors["extended_profile"] = _message(f"'{bad}' is not an extended profile field of this site.")
    if "account_privacy" in update and update["account_privacy"] not in PRIVACY_CHOICES:
        value = update["account_privacy"]
        errors["account_privacy"] = {
            "developer_message": f"Value '{value}' not valid for preference 'account_privacy'.",
            "user_message": f"Value '{value}' is not valid for user preference 'account_privacy'."}
    if "secondary_email" in update and update["secondary_email"] not in (None, ""):
        value = update["secondary_email"]
        if not isinstance(value, str) or not _is_email(value):
            errors["secondary_email"] = _message("Valid e-mail address required.")
        elif value.lower() == user_email.lower():
            errors["secondary_email"] = _message("This email address is already your account's primary email.")
    return errors


def _social_links_error(value: Any) -> dict[str, str] | None:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        return _invalid("social_links", value, 'Expected a list of {"platform", "social_link"} items.')
    platforms = [item.get("platform") for item in value]
    for item in value:
        platform, link = item.get("platform"), item.get("social_link")
        if platform not in SOCIAL_PLATFORMS:
            return _invalid("social_links", value, "The social platform must be facebook, x or linkedin")
        if not isinstance(link, str) or social_link_url(platform, link) is None:
            message = f"Make sure that you are providing a valid username or a URL that contains \"{platform}\"."
            return {"developer_message": f"Error when adding new social link: '{message}'", "user_message": message}
    if len(set(platforms)) != len(platforms):
        return _invalid("social_links", value, "The social_links field must consist of unique social platforms.")
    return None


# -- writing ---------------------------------------------------------------------------------------------


def profile_row(db_session: Session, user_id: int) -> UserProfile:
    """The profile of ``user_id`` to change, made (empty) in the caller's transaction when it has none."""
    profile = db_session.get(UserProfile, user_id)
    if profile is None:
        profile = UserProfile(user_id=user_id, language_proficiencies=[], social_links={}, meta={})
        db_session.add(profile)
    return profile


def apply_update(db_session: Session, user_id: int, update: Mapping[str, Any]) -> None:
    """Write a validated merge-patch's profile fields (creating the profile), in the caller's transaction.

    Social links merge with the existing ones (an empty link removes its platform), as in Open edX."""
    profile = profile_row(db_session, user_id)
    for name in ("bio", "goals", "mailing_address", "state", "phone_number", "gender", "level_of_education",
                 "country", "secondary_email"):
        if name in update:
            setattr(profile, name, update[name] or "")
    if "year_of_birth" in update:
        year = update["year_of_birth"]
        profile.year_of_birth = int(year) if year not in (None, "") else None
    if "country" in update and update["country"] != "US":
        profile.state = ""  # Open edX: a state only with the United States
    if "language_proficiencies" in update:
        profile.language_proficiencies = sorted(item["code"] for item in update["language_proficiencies"])
    if "social_links" in update:
        links = dict(profile.social_links or {})
        for item in update["social_links"]:
            url = social_link_url(item["platform"], item["social_link"]) or ""
            if url:
                links[item["platform"]] = url
            else:
                links.pop(item["platform"], None)
        profile.social_links = links
    if "extended_profile" in update:
        meta = dict(profile.meta or {})
        for item in update["extended_profile"]:
            meta[item["field_name"]] = item["field_value"]
        profile.meta = meta
    db_session.flush()
