"""The event sink driver family (``kampus.event_sink``): where tracking events go.

A sink is built with the app's settings and receives every emitted event (a
dict in the Open edX tracking-log shape) through :meth:`EventSink.write`. The
setting ``event_sinks`` names the sinks of a site. Every driver passes
:class:`kampus.testing.contracts.event_sink.EventSinkContract`.

The kernel's ``file`` sink appends one JSON object a line to
``settings.tracking_log``, as Open edX's tracking log does, so the analytics
tools that read Open edX logs read Kampus's too.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from abc import ABC, abstractmethod
from datetime import date, datetime, time
from pathlib import Path
from typing import Any


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def event_line(event: dict[str, Any]) -> bytes:
    """One tracking-log line: compact JSON, UTF-8, ending with a newline.

    U+2028 and U+2029 are escaped, so readers that split on every Unicode line
    break (Python's ``str.splitlines``) still see one event a line.
    """
    text = json.dumps(event, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return (text + "\n").encode("utf-8")


class EventSink(ABC):
    """Interface of the ``kampus.event_sink`` drivers; built with the app's settings."""

    def __init__(self, settings: Any):
        self.settings = settings

    @abstractmethod
    def write(self, event: dict[str, Any]) -> None:
        """Store one event. Must not change ``event``; safe to call from several threads."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files and connections; the default does nothing."""


class FileEventSink(EventSink):
    """Appends JSON lines to ``settings.tracking_log`` and rotates it.

    Several processes (gunicorn workers, Celery workers) may share one file:
    it is opened with ``O_APPEND`` and each event is a single ``write()``;
    an exclusive ``flock`` covers the size check, the rotation and the write.
    Past ``tracking_log_max_bytes`` the file becomes ``tracking.log.1`` (older
    ones move up to ``.2`` ...) and at most ``tracking_log_backups`` are kept
    (``0``: the full log is dropped; a size of ``0`` turns rotation off).
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.path = Path(settings.tracking_log)
        self.max_bytes = int(getattr(settings, "tracking_log_max_bytes", 0) or 0)
        self.backups = int(getattr(settings, "tracking_log_backups", 0) or 0)
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    # -- file handle -------------------------------------------------------
    def _open(self) -> int:
        """The open file descriptor (reopened after a fork or a rotation)."""
        if self._fd is not None and self._pid != os.getpid():
            # A forked child shares the parent's open file description, and
            # with it the flock: it needs its own.
            self._fd = None
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o640)
            self._pid = os.getpid()
        return self._fd

    def _drop(self) -> None:
        if self._fd is not None:
            if self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    def _is_current(self, fd: int) -> bool:
        """Whether ``fd`` is still the file at :attr:`path` (no one rotated it away)."""
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)

    # -- writing -----------------------------------------------------------
    def write(self, event: dict[str, Any]) -> None:
        line = event_line(event)
        with self._lock:
            for _attempt in range(100):
                fd = self._open()
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    if not self._is_current(fd):
                        stale = True
                    else:
                        stale = False
                        size = os.fstat(fd).st_size
                        if self.max_bytes > 0 and size > 0 and size + len(line) > self.max_bytes:
                            self._rotate()
                            stale = True
                        else:
                            _write_all(fd, line)
                            return
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                if stale:
                    self._drop()
            raise OSError(f"cannot append to {self.path}: it keeps being replaced")

    def _rotate(self) -> None:
        """Shift ``log.N-1`` to ``log.N`` ... and ``log`` to ``log.1`` (the caller holds the lock)."""
        base = str(self.path)
        if self.backups <= 0:
            os.unlink(base)
            return
        for index in range(self.backups - 1, 0, -1):
            source = f"{base}.{index}"
            if os.path.exists(source):
                os.replace(source, f"{base}.{index + 1}")
        os.replace(base, f"{base}.1")

    def close(self) -> None:
        with self._lock:
            self._drop()

    def __del__(self) -> None:
        try:
            self._drop()
        except Exception:  # nothing to do at interpreter exit
            pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


__all__ = ["EventSink", "FileEventSink", "event_line"]
