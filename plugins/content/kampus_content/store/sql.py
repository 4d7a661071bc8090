"""The SQL content store: structures as JSON documents, a course index with branch pointers.

Structures are immutable, so a loaded structure is kept in the driver's
:class:`~kampus_content.store.cache.VersionCache` by version id (a driver
belongs to one app); only the small index row is read to learn where a branch
points. The public operations and their life-cycle hooks are the interface's;
this module writes the primitives.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, Session, mapped_column

from kampus import current_kampus
from kampus.db import Base, Database, UTCDateTime, utcnow
from kampus_content.store.cache import VersionCache
from kampus_content.store.interface import (
    DRAFT,
    PUBLISHED,
    Block,
    BlockKey,
    ContentStore,
    CourseExists,
    CourseIndex,
    CourseNotFound,
    Structure,
    VersionConflict,
    VersionInfo,
    VersionNotFound,
    new_version_id,
)

LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")


class CourseIndexRow(Base):
    __tablename__ = "content_course_index"

    course_key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    org: Mapped[str] = mapped_column(sa.String(255), index=True)
    course: Mapped[str] = mapped_column(sa.String(255))
    run: Mapped[str] = mapped_column(sa.String(255))
    draft_version: Mapped[str] = mapped_column(sa.String(32))
    published_version: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    created_by: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    edited_by: Mapped[int | None] = mapped_column(default=None)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class StructureRow(Base):
    __tablename__ = "content_structure"

    version: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    course_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    previous_version: Mapped[str | None] = mapped_column(sa.String(32), default=None)
    edited_by: Mapped[int | None] = mapped_column(default=None)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    message: Mapped[str] = mapped_column(sa.String(500), default="")
    document: Mapped[str] = mapped_column(LongText)


class PublishRow(Base):
    __tablename__ = "content_publish_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_key: Mapped[str] = mapped_column(sa.String(255), index=True)
    version: Mapped[str] = mapped_column(sa.String(32))
    published_by: Mapped[int | None] = mapped_column(default=None)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _split_key(course_key: str) -> tuple[str, str, str]:
    try:
        key = CourseKey.from_string(course_key)
    except InvalidKeyError:
        raise ValueError(f"not a course key: {course_key!r}") from None
    return key.org, key.course, key.run


def _document(root: BlockKey, blocks: Iterable[Block]) -> str:
    return json.dumps(
        {"root": list(root), "blocks": [block.to_json() for block in blocks]},
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _structure(row: StructureRow) -> Structure:
    data = json.loads(row.document)
    blocks: dict[BlockKey, Block] = {}
    for item in data["blocks"]:
        block = Block.from_json(item)
        blocks[(block.type, block.id)] = block
    return Structure(
        version=row.version,
        course_key=row.course_key,
        root=tuple(data["root"]),
        blocks=blocks,
        previous_version=row.previous_version,
        edited_by=row.edited_by,
        edited_at=row.edited_at,
        message=row.message,
    )


#: :meth:`SqlContentStore.get_course_index`'s read, built once.
_INDEX_OF = sa.select(*CourseIndexRow.__table__.columns).where(CourseIndexRow.course_key == sa.bindparam("course_key"))


def _index(row: Any) -> CourseIndex:
    return CourseIndex(
        course_key=row.course_key,
        org=row.org,
        course=row.course,
        run=row.run,
        versions={DRAFT: row.draft_version, PUBLISHED: row.published_version},
        created_by=row.created_by,
        created_at=row.created_at,
        edited_by=row.edited_by,
        edited_at=row.edited_at,
    )


class SqlContentStore(ContentStore):
    """The default content store, in the site's SQL database."""

    def __init__(self, settings: Any, database: Database | None = None):
        self.settings = settings
        self._database = database
        #: Structures read or written by this store, by version id.
        self.structure_cache: VersionCache[Structure] = VersionCache()

    @property
    def db(self) -> Database:
        if self._database is not None:
            return self._database
        return current_kampus().db

    def _session(self) -> Session:
        return self.db.sessionmaker()

    def _create_course(
        self, course_key: str, blocks: list[Block], root: BlockKey, *, user_id: int | None, message: str
    ) -> CourseIndex:
        org, course, run = _split_key(course_key)
        version = new_version_id()
        with self.db.session_scope() as db_session:
            if db_session.get(CourseIndexRow, course_key) is not None:
                raise CourseExists(f"course {course_key} exists already")
            db_session.add(StructureRow(
                version=version, course_key=course_key, previous_version=None, edited_by=user_id,
                message=message or "created", document=_document(root, blocks),
            ))
            row = CourseIndexRow(
                course_key=course_key, org=org, course=course, run=run, draft_version=version,
                created_by=user_id, edited_by=user_id,
            )
            db_session.add(row)
            try:
                db_session.flush()
            except sa.exc.IntegrityError:
                raise CourseExists(f"course {course_key} exists already") from None
            return _index(row)

    def get_course_index(self, course_key: str) -> CourseIndex:
        with self.db.engine.connect() as connection:  # a plain read: no ORM session to build (every page asks)
            row = connection.execute(_INDEX_OF, {"course_key": course_key}).first()
        if row is None:
            raise CourseNotFound(f"no course {course_key}")
        return _index(row)

    def list_courses(self) -> list[CourseIndex]:
        with self._session() as db_session:
            rows = db_session.scalars(sa.select(CourseIndexRow).order_by(CourseIndexRow.course_key))
            return [_index(row) for row in rows]

    def get_structure(self, course_key: str, version: str) -> Structure:
        cached = self.structure_cache.get(version)
        if cached is not None and cached.course_key == course_key:
            return cached
        with self._session() as db_session:
            row = db_session.get(StructureRow, version)
            if row is None or row.course_key != course_key:
                raise VersionNotFound(f"no version {version} of {course_key}")
            structure = _structure(row)
        return self.structure_cache.put(version, structure)

    def _save_draft(
        self, course_key: str, blocks: list[Block], root: BlockKey, *, expected_version: str,
        user_id: int | None, message: str,
    ) -> Structure:
        version = new_version_id()
        now = utcnow()
        with self.db.session_scope() as db_session:
            db_session.add(StructureRow(
                version=version, course_key=course_key, previous_version=expected_version, edited_by=user_id,
                edited_at=now, message=message[:500], document=_document(root, blocks),
            ))
            db_session.flush()
            # The compare-and-set that keeps two writers from losing an edit.
            moved = db_session.execute(
                sa.update(CourseIndexRow)
                .where(CourseIndexRow.course_key == course_key, CourseIndexRow.draft_version == expected_version)
                .values(draft_version=version, edited_by=user_id, edited_at=now)
            ).rowcount
            if moved != 1:
                actual = db_session.scalar(
                    sa.select(CourseIndexRow.draft_version).where(CourseIndexRow.course_key == course_key)
                )
                db_session.rollback()
                if actual is None:
                    raise CourseNotFound(f"no course {course_key}")
                raise VersionConflict(course_key, expected_version, actual)
        structure = Structure(
            version=version, course_key=course_key, root=tuple(root), blocks={b.key: b for b in blocks},
            previous_version=expected_version, edited_by=user_id, edited_at=now, message=message[:500],
        )
        return structure

    def _publish(self, course_key: str, *, user_id: int | None, expected_version: str | None) -> str:
        now = utcnow()
        with self.db.session_scope() as db_session:
            row = db_session.get(CourseIndexRow, course_key, with_for_update=True)
            if row is None:
                raise CourseNotFound(f"no course {course_key}")
            if expected_version is not None and row.draft_version != expected_version:
                raise VersionConflict(course_key, expected_version, row.draft_version)
            row.published_version = row.draft_version
            row.edited_by = user_id
            row.edited_at = now
            db_session.add(PublishRow(course_key=course_key, version=row.draft_version, published_by=user_id,
                                      published_at=now))
            return row.draft_version

    def _replace_course(
        self, course_key: str, published: list[Block], draft: list[Block] | None, root: BlockKey, *,
        user_id: int | None, message: str, draft_message: str, expected_version: str | None = None,
    ) -> tuple[str, str]:
        """One transaction: the new published structure, the draft structure on top, both pointers
        (with ``expected_version``, only when the draft is still there)."""
        org, course, run = _split_key(course_key)
        now = utcnow()
        published_version = new_version_id()
        draft_version = new_version_id() if draft is not None else published_version
        with self.db.session_scope() as db_session:
            row = db_session.get(CourseIndexRow, course_key, with_for_update=True)
            if expected_version is not None and (row is None or row.draft_version != expected_version):
                if row is None:
                    raise CourseNotFound(f"no course {course_key}")
                raise VersionConflict(course_key, expected_version, row.draft_version)
            db_session.add(StructureRow(
                version=published_version, course_key=course_key, previous_version=row.draft_version if row else None,
                edited_by=user_id, edited_at=now, message=message or "import", document=_document(root, published),
            ))
            if draft is not None:
                db_session.add(StructureRow(
                    version=draft_version, course_key=course_key, previous_version=published_version,
                    edited_by=user_id, edited_at=now, message=draft_message or "import (draft)",
                    document=_document(root, draft),
                ))
            if row is None:
                db_session.add(CourseIndexRow(
                    course_key=course_key, org=org, course=course, run=run, draft_version=draft_version,
                    published_version=published_version, created_by=user_id, edited_by=user_id,
                ))
            else:
                row.draft_version, row.published_version = draft_version, published_version
                row.edited_by, row.edited_at = user_id, now
            db_session.add(PublishRow(course_key=course_key, version=published_version, published_by=user_id,
                                      published_at=now))
            try:
                db_session.flush()
            except sa.exc.IntegrityError:
                raise CourseExists(f"course {course_key} was created meanwhile") from None
        return published_version, draft_version

    def history(self, course_key: str, limit: int = 100) -> list[VersionInfo]:
        index = self.get_course_index(course_key)
        with self._session() as db_session:
            rows = db_session.execute(
                sa.select(StructureRow.version, StructureRow.previous_version, StructureRow.edited_by,
                          StructureRow.edited_at, StructureRow.message)
                .where(StructureRow.course_key == course_key)
            ).all()
            published = set(db_session.scalars(
                sa.select(PublishRow.version).where(PublishRow.course_key == course_key)
            ))
        by_version = {row.version: row for row in rows}
        out: list[VersionInfo] = []
        version: str | None = index.draft_version
        while version is not None and version in by_version and len(out) < limit:
            row = by_version[version]
            out.append(VersionInfo(row.version, row.previous_version, row.edited_by, row.edited_at, row.message,
                                   published=row.version in published))
            version = row.previous_version
        return out

    def _delete_course(self, course_key: str) -> None:
        with self.db.session_scope() as db_session:
            if db_session.get(CourseIndexRow, course_key) is None:
                raise CourseNotFound(f"no course {course_key}")
            db_session.execute(sa.delete(CourseIndexRow).where(CourseIndexRow.course_key == course_key))
            db_session.execute(sa.delete(StructureRow).where(StructureRow.course_key == course_key))
            db_session.execute(sa.delete(PublishRow).where(PublishRow.course_key == course_key))
        self.structure_cache.drop(lambda _version, structure: structure.course_key != course_key)
