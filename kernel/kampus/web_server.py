"""How ``kampus serve`` configures gunicorn: bind address, workers, and the access log.

The access log goes to the site folder (the ``access_log`` setting, default
``{home}/logs/access.log``), one line per request, rotated by size
(``access_log_max_bytes``, ``access_log_backups`` old files kept). It
records the path only: query strings and the Referer header often carry
tokens (a password-reset link, an API key, an LTI launch), and a log is read
by more people than the site's users would like. Paths that carry a secret
themselves (``/password/reset/<token>``, ``/confirm/<token>``) are logged as
the app marks them in the WSGI environ (:mod:`kampus.access_log`): the secret
replaced by ``[redacted]``. The client address in it is the one
:mod:`kampus.proxies` resolved (gunicorn reads the WSGI environ the app changed).

Several gunicorn workers append to one file, so the handler
(:class:`SharedRotatingFileHandler`) rotates under a file lock and reopens
the file when another worker rotated it; a plain ``RotatingFileHandler``
per process would rotate the same file twice and lose lines.

gunicorn's own handling of ``X-Forwarded-Proto`` is turned off
(``forwarded_allow_ips`` empty): which proxies are believed is decided in one
place, the ``trusted_proxies`` setting.

A worker settles its heap once the app is loaded (:mod:`kampus.process_heap`): collected, frozen and
frozen again after its first requests.
"""

from __future__ import annotations

import copy
import fcntl
import logging
import logging.handlers
import os
from pathlib import Path
from typing import Any

from gunicorn.glogging import CONFIG_DEFAULTS, Logger

from kampus import process_heap
from kampus.access_log import LOG_PATH_KEY
from kampus.settings import Settings

#: gunicorn's access-log line without the query string (``%(U)s`` is the path alone; ``%(r)s``, ``%(q)s``
#: and the Referer ``%(f)s`` would log query strings): address, user, time, method, path, protocol,
#: status, response bytes, duration in seconds, user agent.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'


class SharedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A size-rotated log file that several processes append to (see the module's documentation)."""

    def __init__(self, filename: str, *args: Any, **kwargs: Any):
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(filename, *args, **kwargs)
        self._lock_path = self.baseFilename + ".lock"
        self._identity = self._open_identity()

    def _open_identity(self) -> tuple[int, int] | None:
        if self.stream is None:
            return None
        status = os.fstat(self.stream.fileno())
        return status.st_dev, status.st_ino

    def _rotated_elsewhere(self) -> bool:
        try:
            status = os.stat(self.baseFilename)
        except FileNotFoundError:
            return True
        return (status.st_dev, status.st_ino) != self._identity

    def _reopen(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.stream = self._open()
        self._identity = self._open_identity()

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not None and self._rotated_elsewhere():
            self._reopen()
        super().emit(record)

    def doRollover(self) -> None:
        with open(self._lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self._rotated_elsewhere():
                self._reopen()  # another worker rotated it while we waited
                return
            super().doRollover()
            self._identity = self._open_identity()


class KampusAccessLogger(Logger):
    """gunicorn's logger, writing the path the app marked (:data:`LOG_PATH_KEY`) where it holds a secret."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        marked = environ.get(LOG_PATH_KEY)
        if marked:
            atoms["U"] = marked
        return atoms


def access_log_config(path: str, max_bytes: int, backups: int, loglevel: str = "warning") -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its defaults plus the rotated access-log file at ``path``; gunicorn's
    own messages at ``loglevel`` on stderr, once (its defaults would also pass them up to the root logger)."""
    config = copy.deepcopy(CONFIG_DEFAULTS)
    config["loggers"]["gunicorn.error"].update(level=loglevel.upper(), propagate=False)
    config["formatters"]["kampus_access"] = {"format": "%(message)s"}
    config["handlers"]["kampus_access"] = {
        "class": f"{__name__}.SharedRotatingFileHandler",
        "filename": path,
        "maxBytes": max_bytes,
        "backupCount": backups,
        "encoding": "utf-8",
        "formatter": "kampus_access",
    }
    config["loggers"]["gunicorn.access"] = {
        "level": "INFO", "handlers": ["kampus_access"], "propagate": False, "qualname": "gunicorn.access",
    }
    return config


def worker_ready(worker: Any) -> None:
    """gunicorn's ``post_worker_init``: the app is loaded; settle the worker's heap (:mod:`kampus.process_heap`)."""
    worker.kampus_requests = process_heap.WorkCounter()
    process_heap.settle()


def request_served(worker: Any, _request: Any, _environ: Any, _response: Any) -> None:
    """gunicorn's ``post_request``: count the worker's requests (its heap is frozen again after its first ones)."""
    counter = getattr(worker, "kampus_requests", None)
    if counter is not None:
        counter.finished_one()


def gunicorn_settings(
    settings: Settings, host: str, port: int, workers: int, loglevel: str = "warning"
) -> dict[str, Any]:
    """gunicorn's settings for ``kampus serve`` on ``host:port``."""
    options: dict[str, Any] = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "errorlog": "-",
        "loglevel": loglevel,
        "timeout": 120,
        "forwarded_allow_ips": "",
        # gunicorn 23+'s control socket defaults to one path per OS user (~/.gunicorn/gunicorn.ctl):
        # two sites served by one user would fight over it, and Kampus does not use it.
        "control_socket_disable": True,
        "post_worker_init": worker_ready,
        "post_request": request_served,
    }
    if settings.access_log:
        options["access_log_format"] = ACCESS_LOG_FORMAT
        options["logger_class"] = f"{__name__}.KampusAccessLogger"
        options["logconfig_dict"] = access_log_config(
            settings.access_log, settings.access_log_max_bytes, settings.access_log_backups, loglevel
        )
    return options
