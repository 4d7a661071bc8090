"""The garbage collector of a long-running Kampus process: a web server's worker, a background worker.

Such a process holds a few hundred thousand long-lived objects (modules, the app, compiled templates,
course structures and outlines cached per published version). CPython's full collection walks all of them
(about 200 ms with the LMS bench's course) and runs whenever a quarter as many objects again have survived
two young collections, which objects living for one request or one batch of a task do when a collection
falls in the middle of it: about every 40 course pages of the LMS bench one page paid 200 ms, and a
background regrade spent a fifth of its time in collections while it read a batch's score rows.

So a process, once its app is loaded (:func:`settle`), collects and *freezes* what survives
(``gc.freeze()``: those objects are left out of later collections) and raises the young generation's
threshold (:data:`THRESHOLD`: a request's garbage is mostly freed by reference counting before a
collection would look at it); and it freezes again after its first units of work (:class:`WorkCounter`:
requests or tasks, at :data:`REFREEZE_AFTER`), when the caches have been filled. What a frozen object
keeps alive is never collected if it later becomes a garbage cycle (an evicted cache entry holding a
cycle): bounded by the heap at the last freeze.

Tests and short commands do not call this: only ``kampus serve``'s web workers
(:mod:`kampus.web_server`) and ``kampus worker``'s processes (:mod:`kampus.tasks.celery_app`).
"""

from __future__ import annotations

import gc

#: The process's ``gc.set_threshold``: young collections every 7,000 net allocations instead of 700.
THRESHOLD = (7000, 10, 10)
#: A process collects and freezes its heap again after this many units of work (requests, tasks).
REFREEZE_AFTER = (100, 1000, 10000)


def freeze() -> None:
    """Collect, then leave every object that survived out of later collections."""
    gc.collect()
    gc.freeze()


def settle() -> None:
    """What a long-running process does once its app is loaded: :func:`freeze` and :data:`THRESHOLD`."""
    freeze()
    gc.set_threshold(*THRESHOLD)


class WorkCounter:
    """Counts a process's units of work and freezes its heap again at :data:`REFREEZE_AFTER`.

    Not locked: in a process running several threads (a threads pool) an increment may be lost and a refreeze
    skipped, and a refreeze also freezes what the other threads hold at that moment; both are harmless."""

    def __init__(self, refreeze_after: tuple[int, ...] = REFREEZE_AFTER) -> None:
        self.done = 0
        self.refreeze_after = frozenset(refreeze_after)

    def finished_one(self) -> None:
        self.done += 1
        if self.done in self.refreeze_after:
            freeze()
