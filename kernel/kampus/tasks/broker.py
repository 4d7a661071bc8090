"""The embedded broker: kombu's SQLAlchemy transport, tuned for a SQLite file.

kombu hands every transport option to ``sqlalchemy.create_engine``, so options
meant for kombu itself (``polling_interval``) would break it; this transport
keeps them apart. On SQLite it also turns on WAL (readers never block the
writer) and a busy timeout, so the web processes and the worker can share the
file without "database is locked" errors.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from kombu.transport import sqlalchemy as kombu_sqla

#: Transport options that are kombu's, not ``create_engine``'s.
KOMBU_OPTIONS = ("polling_interval",)
#: Prefix of broker URLs served by this transport.
URL_PREFIX = "sqla+"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Channel(kombu_sqla.Channel):
    _engines: dict[str, Any] = {}  # our own cache: engines here carry the SQLite pragmas

    def _engine_from_config(self) -> sa.Engine:
        conninfo = self.connection.client
        options = dict(conninfo.transport_options)
        for name in (*KOMBU_OPTIONS, "queue_tablename", "message_tablename", "callback", "errback", "max_retries",
                     "interval_start", "interval_step", "interval_max", "retry_errors"):
            options.pop(name, None)
        url = sa.make_url(conninfo.hostname)
        if url.get_backend_name() == "sqlite":
            options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
            engine = sa.create_engine(url, **options)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return sa.create_engine(url, **options)


class Transport(kombu_sqla.Transport):
    Channel = Channel


def celery_broker_conf(url: str, polling_interval: float) -> dict[str, Any]:
    """Celery settings for the broker ``url``."""
    if url.startswith(URL_PREFIX):
        return {
            "broker_url": url[len(URL_PREFIX):],
            "broker_transport": f"{__name__}:Transport",
            "broker_transport_options": {"polling_interval": polling_interval},
        }
    conf: dict[str, Any] = {"broker_url": url}
    if not url.startswith(("amqp", "pyamqp")):
        conf["broker_transport_options"] = {"polling_interval": polling_interval}
    return conf
