"""A minimal Django, configured lazily, for third-party XBlocks that use Django utilities.

Blocks such as done-xblock, xblock-poll and xblock-drag-and-drop-v2 render
their templates with ``django.template`` (through ``xblock.utils.resources``)
and read the active language with ``django.utils.translation``. They need
Django settings but no database, no apps and no edx-platform code.

:func:`ensure_django` configures such settings the first time a block class
that is not Kampus's own is loaded. Nothing else in Kampus imports Django: the
kernel and the core blocks never do.
"""

from __future__ import annotations

import secrets
import threading

_lock = threading.Lock()
_ready = False


def ensure_django() -> None:
    """Configure and set up Django once per process (no-op when the host already did)."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        import django
        from django.conf import settings

        if not settings.configured:
            settings.configure(
                DEBUG=False,
                SECRET_KEY=secrets.token_hex(32),  # Django refuses to start without one; nothing is signed with it
                INSTALLED_APPS=[],
                DATABASES={},
                TEMPLATES=[{
                    "BACKEND": "django.template.backends.django.DjangoTemplates",
                    "DIRS": [],
                    "APP_DIRS": True,
                    "OPTIONS": {"debug": False},
                }],
                USE_I18N=True,
                USE_TZ=True,
                LANGUAGE_CODE="en",
                STATIC_URL="/static/",
                LOGGING_CONFIG=None,
            )
        django.setup(set_prefix=False)
        _ready = True


def activate_language(locale: str | None) -> None:
    """Make ``locale`` Django's active language in this thread, when Django is in use."""
    if not _ready or not locale:
        return
    from django.utils import translation

    translation.activate(locale.replace("_", "-").lower())


def django_in_use() -> bool:
    return _ready
