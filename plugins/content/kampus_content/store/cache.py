"""The one cache of the content plugin: values computed from an immutable structure, by version id.

A structure never changes once written, so anything derived from it alone
(the structure itself, its release facts, its course tree, its locked assets)
can be kept for as long as there is room, keyed by the structure's version id.
Every such cache is a :class:`VersionCache`, and every one is held per app:
a content-store driver keeps its structures on itself (a driver belongs to one
app), derived facts live in the app's ``kampus.cache`` (see :func:`app_version_cache`).
No module-level cache exists, so two apps in one process never share an entry.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from kampus import current_kampus

T = TypeVar("T")

#: Entries kept per cache unless a cache says otherwise.
DEFAULT_SIZE = 64


class VersionCache(Generic[T]):
    """A bounded, thread-safe LRU of values keyed by structure version id."""

    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, version: object) -> bool:
        return version in self._items

    def get(self, version: str) -> T | None:
        """The value kept for ``version``, or ``None``."""
        with self._lock:
            value = self._items.get(version)
            if value is not None:
                self._items.move_to_end(version)
            return value

    def put(self, version: str, value: T) -> T:
        """Keep ``value`` for ``version`` (dropping the least recently used beyond ``size``); returns it."""
        with self._lock:
            self._items[version] = value
            self._items.move_to_end(version)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def get_or_compute(self, version: str, compute: Callable[[], T]) -> T:
        """The value for ``version``, computed (outside the lock) and kept when missing."""
        value = self.get(version)
        if value is None:
            value = self.put(version, compute())
        return value

    def drop(self, keep: Callable[[str, T], bool]) -> None:
        """Forget every entry for which ``keep(version, value)`` is false."""
        with self._lock:
            for version in [v for v, value in self._items.items() if not keep(v, value)]:
                del self._items[version]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


def app_version_cache(name: str, size: int = DEFAULT_SIZE) -> VersionCache:
    """The :class:`VersionCache` called ``name`` of the current app (made on first use)."""
    return current_kampus().kept(f"kampus_content.version_cache.{name}", lambda: VersionCache(size))
