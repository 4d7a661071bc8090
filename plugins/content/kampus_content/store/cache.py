"""A process-wide cache of immutable structures, shared by every content-store driver."""

from __future__ import annotations

import threading
from collections import OrderedDict

from kampus_content.store.interface import Structure


class StructureCache:
    """A bounded, thread-safe LRU of immutable structures by version id."""

    def __init__(self, size: int = 64):
        self.size = size
        self._items: OrderedDict[str, Structure] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version: str) -> Structure | None:
        with self._lock:
            structure = self._items.get(version)
            if structure is not None:
                self._items.move_to_end(version)
            return structure

    def put(self, structure: Structure) -> None:
        with self._lock:
            self._items[structure.version] = structure
            self._items.move_to_end(structure.version)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop_course(self, course_key: str) -> None:
        with self._lock:
            for version in [v for v, s in self._items.items() if s.course_key == course_key]:
                del self._items[version]
