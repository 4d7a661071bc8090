"""One row per key, written by concurrent requests: "UPDATE, else INSERT in a savepoint, else UPDATE"."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kampus import db


def upsert(model: type[Any], key: dict[str, Any], changes: dict[str, Any], *,
           new: dict[str, Any] | None = None) -> None:
    """Set ``changes`` on the row of ``model`` whose columns equal ``key`` (a unique key), adding the row
    (``key``, then ``new``, then ``changes``) when there is none, also when another request adds it at the same
    time: the insert runs in a savepoint and, when it collides with that request's row, the change goes to that
    row. UPDATE is a locking read, so it finds a row committed after the transaction's snapshot (MariaDB's
    repeatable read) where a plain SELECT would not. Without ``changes`` it only makes sure the row exists.
    Flushes; the caller commits."""
    session = db.session()
    where = [getattr(model, name) == value for name, value in key.items()]
    update = sa.update(model).where(*where).values(**changes) if changes else None
    if update is not None:
        if session.execute(update).rowcount:  # type: ignore[attr-defined]
            return
    elif session.scalar(sa.select(sa.literal(1)).select_from(model).where(*where).with_for_update()):
        return
    try:
        with session.begin_nested():
            session.add(model(**{**key, **(new or {}), **changes}))
    except IntegrityError:  # another request added the row meanwhile
        if update is not None:
            session.execute(update)
