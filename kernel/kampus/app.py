"""The app factory: one Flask app with its own plugin manager, settings and services."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
from flask import Flask, request

from kampus.access_log import mark_secret_path_parts
from kampus.current import current_kampus
from kampus.db import Database, close_session
from kampus.drivers import load_driver
from kampus.errors import StartupError
from kampus.identity.setup import init_identity
from kampus.oauth2.api_access import init_api_access
from kampus.plugins import flatten, load_plugin_manager
from kampus.proxies import TrustedProxyMiddleware, parse_networks
from kampus.rendering.setup import init_rendering
from kampus.settings import Settings, enabled_plugins, read_raw_settings, validate_settings
from kampus.tasks.celery_app import init_celery
from kampus.url_converters import init_url_converters
from kampus.url_rules import SharedBuilderRule

if TYPE_CHECKING:
    from celery import Celery

    from kampus.drivers.blob_store import BlobStore
    from kampus.drivers.mailer import Mailer
    from kampus.drivers.search import SearchEngine

#: ``current_kampus`` lives in :mod:`kampus.current`; it stays importable from here too.
__all__ = ["Kampus", "create_app", "current_kampus"]


T = TypeVar("T")


class Kampus:
    """Everything one app owns: plugin manager, settings, database, Celery, drivers.

    Reach it as ``app.extensions["kampus"]`` or, inside a request or task,
    :func:`current_kampus`.
    """

    def __init__(self, app: Flask, pm: pluggy.PluginManager, settings: Settings):
        self.app = app
        self.pm = pm
        self.hook = pm.hook
        self.settings = settings
        self.db = Database(settings.database_url, echo=settings.database_echo)
        self.celery: Celery | None = None
        self._drivers: dict[str, Any] = {}
        #: Objects kept for the life of this app (never shared with another app in the process):
        #: values gathered once from its plugins, and per-app caches and limiters. See :meth:`kept`.
        self.cache: dict[str, Any] = {}

    def kept(self, key: str, make: Callable[[], T]) -> T:
        """The object this app keeps under ``key``, made by ``make()`` on first use.

        Two threads may both make it the first time; one of the two is kept and returned to both.
        """
        value = self.cache.get(key)
        if value is None:
            value = self.cache.setdefault(key, make())
        return value

    def driver(self, family: str, name: str | None = None, **kwargs: Any) -> Any:
        """The driver of ``family`` (``kampus.<family>`` entry points) named in
        the settings (or ``name``), loaded once per app."""
        key = f"{family}:{name or ''}"
        if key not in self._drivers:
            self._drivers[key] = load_driver(family, name or self.settings[family], self, **kwargs)
        return self._drivers[key]

    @property
    def blob_store(self) -> BlobStore:
        return self.driver("blob_store")

    @property
    def mailer(self) -> Mailer:
        return self.driver("mailer")

    @property
    def search(self) -> SearchEngine:
        """The search engine (driver ``kampus.search`` named by the setting ``search``)."""
        return self.driver("search", owner=self)


def create_app(settings: Mapping[str, Any] | None = None, *, plugins: list[Any] | None = None) -> Flask:
    """Build a Kampus app.

    ``settings`` holds raw setting values (as read from ``kampus.toml``); when
    ``None`` they are read from ``$KAMPUS_HOME/kampus.toml`` and ``KAMPUS_*``
    environment variables. The ``plugins`` entry lists the enabled plugins in
    order; the ``plugins`` argument replaces it (entry-point names, or plugin
    objects such as modules with hook implementations, for tests). Raises
    :class:`~kampus.errors.StartupError` with a one-line message when a
    plugin or setting is wrong.
    """
    raw = dict(read_raw_settings() if settings is None else settings)
    if plugins is not None:
        raw["plugins"] = [item for item in plugins if isinstance(item, str)]
    pm = load_plugin_manager(list(plugins) if plugins is not None else enabled_plugins(raw))
    validated = validate_settings(raw, flatten(pm.hook.kampus_settings()))
    if not validated.secret_key:
        raise StartupError("setting 'secret_key' is empty: run `kampus init` or set KAMPUS_SECRET_KEY")

    trusted_proxies = parse_networks(validated.trusted_proxies)

    app = Flask("kampus", static_folder=None)
    app.url_rule_class = SharedBuilderRule  # URL builders compiled once per process (most of an app's build)
    init_url_converters(app)  # before any route: <int:...> bounded to database ids
    # Client address and scheme from X-Forwarded-* only behind the configured proxies.
    app.wsgi_app = TrustedProxyMiddleware(app.wsgi_app, trusted_proxies)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=validated.secret_key,
        DEBUG=validated.debug,
        MAX_CONTENT_LENGTH=validated.max_request_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=validated.session_cookie_secure,
        SESSION_COOKIE_NAME="kampus_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=validated.session_lifetime_hours),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=validated.session_cookie_secure,
        JSON_SORT_KEYS=False,
    )
    kampus = Kampus(app, pm, validated)
    app.extensions["kampus"] = kampus
    app.teardown_appcontext(close_session)

    @app.before_request
    def request_size_limit() -> None:
        # Registered first, so it applies before anything reads the body (the CSRF check does).
        # A view that takes big uploads names the setting of its own limit.
        view = app.view_functions.get(request.endpoint or "")
        setting = getattr(view, "kampus_max_request_setting", None)
        if setting:
            request.max_content_length = validated[setting]

    @app.before_request
    def secret_paths_out_of_the_access_log() -> None:
        # A path that holds a token (a password-reset link) is logged with the token replaced.
        mark_secret_path_parts(request.environ, request.path, request.view_args)

    # Kernel parts and plugins wire themselves through the same hooks.
    init_rendering(app, kampus)
    init_api_access(app, kampus)
    init_identity(app, kampus)
    init_celery(kampus)
    for blueprint in flatten(pm.hook.kampus_blueprints(app=app)):
        app.register_blueprint(blueprint)
    pm.hook.kampus_app_ready(app=app)
    return app
