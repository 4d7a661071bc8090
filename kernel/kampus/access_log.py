"""What the access log may show of a request's path.

A path can hold a secret itself (``/password/reset/<token>``, ``/confirm/<token>``).
The app knows which part is one (the view's URL variable is named ``token``, ``key``, ...):
before the view runs it leaves the path to log, with those parts replaced, in the WSGI
environ under :data:`LOG_PATH_KEY`, where ``kampus serve``'s access logger
(:class:`kampus.web_server.KampusAccessLogger`) takes it.
"""

from __future__ import annotations

from typing import Any

#: The WSGI environ key under which the app leaves the path to log, when the real one holds a secret.
LOG_PATH_KEY = "kampus.log_path"
#: URL variables whose values are secrets (a view's ``<token>``): never written to the access log.
SECRET_URL_VARIABLES = frozenset({"token", "key", "secret", "password"})
REDACTED = "[redacted]"


def mark_secret_path_parts(environ: dict[str, Any], path: str, view_args: dict[str, Any] | None) -> None:
    """Leave in ``environ`` the ``path`` to log with the values of secret URL variables replaced."""
    secrets = [str(value) for name, value in (view_args or {}).items()
               if name in SECRET_URL_VARIABLES and value not in (None, "")]
    if not secrets:
        return
    parts = path.split("/")
    environ[LOG_PATH_KEY] = "/".join(REDACTED if part in secrets else part for part in parts)
