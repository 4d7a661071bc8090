"""The services the Kampus runtime offers XBlocks: i18n, user, settings, rebind_user, replace_urls."""

from __future__ import annotations

import gettext
import importlib
import importlib.resources
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kampus_content.author_html import rewrite_course_urls

if TYPE_CHECKING:
    from kampus_content.runtime.runtime import KampusRuntime

# Open edX's attribute names in XBlockUser.opt_attrs, which third-party blocks read.
ATTR_KEY_ANONYMOUS_USER_ID = "edx-platform.anonymous_user_id"
ATTR_KEY_IS_AUTHENTICATED = "edx-platform.is_authenticated"
ATTR_KEY_USER_ID = "edx-platform.user_id"
ATTR_KEY_USERNAME = "edx-platform.username"
ATTR_KEY_USER_IS_STAFF = "edx-platform.user_is_staff"
ATTR_KEY_USER_ROLE = "edx-platform.user_role"
ATTR_KEY_REQUEST_COUNTRY_CODE = "edx-platform.request_country_code"


class XBlockUser:
    """XBlock's user model (``xblock.reference.user_service.XBlockUser``, whose module imports Django)."""

    def __init__(self, is_current_user: bool = False, emails: list[str] | None = None,
                 full_name: str | None = None):
        self.is_current_user = is_current_user
        self.emails = emails or []
        self.full_name = full_name
        self.display_name: str | None = None
        self.opt_attrs: dict[str, Any] = {}


class I18nService:
    """Translations for one block: its package's ``translations/<lang>/LC_MESSAGES/text.mo``
    when it ships one (edx-platform's convention), else the identity."""

    STRFTIME_FORMATS = {
        "SHORT_DATE_FORMAT": "%b %d, %Y",
        "LONG_DATE_FORMAT": "%A, %B %d, %Y",
        "TIME_FORMAT": "%I:%M:%S %p",
        "DATE_TIME_FORMAT": "%b %d, %Y at %H:%M",
    }

    def __init__(self, locale: str, block_module: str | None = None):
        self.locale = locale
        self._translations: gettext.NullTranslations = self._load(locale, block_module)

    @staticmethod
    def _load(locale: str, block_module: str | None) -> gettext.NullTranslations:
        if not block_module or locale.split("_")[0] == "en":
            return gettext.NullTranslations()
        package = block_module.split(".")[0]
        try:
            root = importlib.resources.files(package)
        except (ModuleNotFoundError, TypeError):
            return gettext.NullTranslations()
        for folder in ("translations", "conf/locale"):
            for lang in (locale, locale.split("_")[0]):
                for domain in ("text", "django"):
                    candidate = root.joinpath(folder, lang, "LC_MESSAGES", f"{domain}.mo")
                    try:
                        if candidate.is_file():
                            with candidate.open("rb") as handle:
                                return gettext.GNUTranslations(handle)
                    except OSError:
                        continue
        return gettext.NullTranslations()

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, number: int) -> str:
        return self._translations.ngettext(singular, plural, number)

    def pgettext(self, context: str, message: str) -> str:
        return self._translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, number: int) -> str:
        return self._translations.npgettext(context, singular, plural, number)

    ugettext = gettext
    ungettext = ngettext

    def strftime(self, dtime: datetime, format: str) -> str:
        return dtime.strftime(self.STRFTIME_FORMATS.get(format + "_FORMAT", format))

    def get_javascript_i18n_catalog_url(self, block: Any) -> str | None:
        return None


class KampusUserService:
    """The ``user`` service: the current user as an :class:`XBlockUser` with Open edX's opt_attrs."""

    def __init__(self, runtime: KampusRuntime):
        self.runtime = runtime

    def get_current_user(self) -> XBlockUser:
        user = self.runtime.user
        xuser = XBlockUser(is_current_user=True)
        if user is None or not getattr(user, "is_authenticated", False):
            xuser.opt_attrs[ATTR_KEY_IS_AUTHENTICATED] = False
            return xuser
        xuser.emails = [user.email] if getattr(user, "email", None) else []
        xuser.full_name = getattr(user, "full_name", None) or getattr(user, "name", None) or user.username
        xuser.display_name = user.username
        xuser.opt_attrs.update({
            ATTR_KEY_IS_AUTHENTICATED: True,
            ATTR_KEY_USER_ID: user.id,
            ATTR_KEY_USERNAME: user.username,
            ATTR_KEY_USER_IS_STAFF: self.runtime.user_is_staff,
            ATTR_KEY_USER_ROLE: "staff" if self.runtime.user_is_staff else "student",
            ATTR_KEY_ANONYMOUS_USER_ID: self.runtime.anonymous_student_id,
        })
        return xuser

    def get_anonymous_user_id(self, username: str, course_id: str) -> str | None:
        user = self.runtime.user
        if user is not None and getattr(user, "username", None) == username:
            return self.runtime.anonymous_student_id
        return None

    def get_user_by_anonymous_id(self, uid: str | None = None) -> XBlockUser | None:
        if uid is None or uid == self.runtime.anonymous_student_id:
            return self.get_current_user()
        return None


class SettingsService:
    """The ``settings`` service: per-block-type settings buckets (``XBLOCK_SETTINGS`` in Open edX)."""

    def __init__(self, buckets: dict[str, Any] | None = None):
        self.buckets = buckets or {}

    def get_settings_bucket(self, block: Any, default: Any = None) -> Any:
        key = getattr(block, "block_settings_key", None) or type(block).__name__
        return self.buckets.get(key, default if default is not None else {})


class RebindUserService:
    """The ``rebind_user`` service: have a block act for another user (instructor tools)."""

    def __init__(self, runtime: KampusRuntime):
        self.runtime = runtime

    def rebind_noauth_module_to_user(self, block: Any, real_user: Any) -> None:
        self.runtime.rebind_user(real_user)
        block.scope_ids = block.scope_ids._replace(user_id=getattr(real_user, "id", None))
        block.force_save_fields([])  # drop cached field values read for the previous user
        block._field_data_cache.clear()
        block._dirty_fields.clear()


class ReplaceURLService:
    """The ``replace_urls`` service (Open edX's ``ReplaceURLService``): ``/static/`` URLs of course assets,
    and unless ``static_replace_only`` the ``/jump_to_id/`` and ``/course/`` links, made this course's."""

    def __init__(self, course_key: str):
        self._course_key = str(course_key)

    def replace_urls(self, text: str, static_replace_only: bool = False) -> str:
        return rewrite_course_urls(text, self._course_key, static_only=static_replace_only)
