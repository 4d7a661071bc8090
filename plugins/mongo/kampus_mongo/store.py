"""The MongoDB content store, laid out like Open edX's split modulestore.

Collections (in the ``mongo_database`` database):

``course_index``
    one document per course, ``_id`` = the course key, with the branch pointers
    ``versions: {draft, published}``;
``structures``
    immutable block trees, ``_id`` = the version id, with ``course_key``,
    ``previous_version``, ``root`` and ``blocks`` (one sub-document per block);
``publish_log``
    one document per publish (course key, version, who, when).

Saving a draft inserts a new structure, then moves the draft pointer with a
compare-and-set (``find_one_and_update`` filtered on the expected draft
version); when the pointer moved meanwhile the new structure is deleted again
and :class:`VersionConflict` raised. Structures never change once written, so
loaded ones are kept in the driver's own version cache (a driver belongs to one
app). The public operations and their life-cycle hooks come from the content
store interface; this module writes the primitives. It imports only
:mod:`kampus_content.api`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kampus_content.api import (
    DRAFT,
    PUBLISHED,
    Block,
    BlockKey,
    ContentStore,
    CourseExists,
    CourseIndex,
    CourseNotFound,
    Structure,
    VersionCache,
    VersionConflict,
    VersionInfo,
    VersionNotFound,
    new_version_id,
)
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from pymongo import ASCENDING, DESCENDING, MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

INDEX = "course_index"
STRUCTURES = "structures"
PUBLISH_LOG = "publish_log"


def _now() -> datetime:
    # MongoDB keeps milliseconds; round now so that what we return equals what a later read returns.
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


# Field names are free text (OLX attributes such as ``{http://www.w3.org/XML/1998/namespace}lang``);
# MongoDB reserves "." and a leading "$" in keys, so keys of stored dicts are escaped reversibly.
def _escape_key(key: str) -> str:
    if "." not in key and "%" not in key and not key.startswith("$"):
        return key
    key = key.replace("%", "%25").replace(".", "%2E")
    return "%24" + key[1:] if key.startswith("$") else key


def _unescape_key(key: str) -> str:
    if "%" not in key:
        return key
    return key.replace("%2E", ".").replace("%24", "$").replace("%25", "%")


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return {_escape_key(str(k)): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unescape_key(k): _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _block_document(block: Block) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": block.type,
        "id": block.id,
        "fields": _encode(block.fields),
        "children": [list(child) for child in block.children],
    }
    if block.meta:
        doc["meta"] = _encode(block.meta)
    return doc


def _block(doc: dict[str, Any]) -> Block:
    return Block(
        doc["type"], doc["id"], _decode(doc.get("fields") or {}), [tuple(c) for c in doc.get("children") or ()],
        _decode(doc.get("meta") or {}),
    )


def _split_key(course_key: str) -> tuple[str, str, str]:
    try:
        key = CourseKey.from_string(course_key)
    except InvalidKeyError:
        raise ValueError(f"not a course key: {course_key!r}") from None
    return key.org, key.course, key.run


def _index(doc: dict[str, Any]) -> CourseIndex:
    versions = doc.get("versions") or {}
    return CourseIndex(
        course_key=doc["_id"],
        org=doc["org"],
        course=doc["course"],
        run=doc["run"],
        versions={DRAFT: versions.get(DRAFT), PUBLISHED: versions.get(PUBLISHED)},
        created_by=doc.get("created_by"),
        created_at=_aware(doc.get("created_at")),
        edited_by=doc.get("edited_by"),
        edited_at=_aware(doc.get("edited_at")),
    )


class MongoContentStore(ContentStore):
    """The ``mongo`` content store driver.

    Built with the app's settings (``mongo_url``, ``mongo_database``); tests may
    inject a ``client`` (a :class:`pymongo.MongoClient` or a mongomock one) and a
    ``database`` name.
    """

    def __init__(self, settings: Any, *, client: Any = None, database: str | None = None):
        self.settings = settings
        if client is None:
            client = MongoClient(_setting(settings, "mongo_url", "mongodb://127.0.0.1:27017"), tz_aware=True)
        self.client = client
        self.db = client[database or _setting(settings, "mongo_database", "kampus")]
        self.index = self.db[INDEX]
        self.structures = self.db[STRUCTURES]
        self.publish_log = self.db[PUBLISH_LOG]
        #: Structures read by this store, by version id.
        self.structure_cache: VersionCache[Structure] = VersionCache()
        self._indexes_made = False

    def ensure_indexes(self) -> None:
        """Create the secondary indexes (idempotent; done before the first write)."""
        if self._indexes_made:
            return
        self.structures.create_index([("course_key", ASCENDING), ("edited_at", DESCENDING)])
        self.publish_log.create_index([("course_key", ASCENDING), ("published_at", DESCENDING)])
        self.index.create_index([("org", ASCENDING)])
        self._indexes_made = True

    # -- reading ---------------------------------------------------------------------------------------------

    def get_course_index(self, course_key: str) -> CourseIndex:
        doc = self.index.find_one({"_id": course_key})
        if doc is None:
            raise CourseNotFound(f"no course {course_key}")
        return _index(doc)

    def list_courses(self) -> list[CourseIndex]:
        return [_index(doc) for doc in self.index.find({}).sort("_id", ASCENDING)]

    def get_structure(self, course_key: str, version: str) -> Structure:
        cached = self.structure_cache.get(version)
        if cached is not None and cached.course_key == course_key:
            return cached
        doc = self.structures.find_one({"_id": version, "course_key": course_key})
        if doc is None:
            raise VersionNotFound(f"no version {version} of {course_key}")
        blocks: dict[BlockKey, Block] = {}
        for item in doc.get("blocks") or ():
            block = _block(item)
            blocks[block.key] = block
        structure = Structure(
            version=doc["_id"],
            course_key=doc["course_key"],
            root=tuple(doc["root"]),
            blocks=blocks,
            previous_version=doc.get("previous_version"),
            edited_by=doc.get("edited_by"),
            edited_at=_aware(doc.get("edited_at")),
            message=doc.get("message") or "",
        )
        return self.structure_cache.put(version, structure)

    def history(self, course_key: str, limit: int = 100) -> list[VersionInfo]:
        index = self.get_course_index(course_key)
        rows = {
            doc["_id"]: doc
            for doc in self.structures.find(
                {"course_key": course_key},
                {"_id": 1, "previous_version": 1, "edited_by": 1, "edited_at": 1, "message": 1},
            )
        }
        published = {doc["version"] for doc in self.publish_log.find({"course_key": course_key}, {"version": 1})}
        out: list[VersionInfo] = []
        version: str | None = index.draft_version
        while version is not None and version in rows and len(out) < limit:
            row = rows[version]
            out.append(VersionInfo(
                version, row.get("previous_version"), row.get("edited_by"), _aware(row.get("edited_at")),
                row.get("message") or "", published=version in published,
            ))
            version = row.get("previous_version")
        return out

    # -- writing ---------------------------------------------------------------------------------------------

    def _insert_structure(
        self, course_key: str, version: str, previous: str | None, root: BlockKey, blocks: list[Block],
        user_id: int | None, now: datetime, message: str,
    ) -> None:
        self.structures.insert_one({
            "_id": version,
            "course_key": course_key,
            "previous_version": previous,
            "edited_by": user_id,
            "edited_at": now,
            "message": message,
            "root": list(root),
            "blocks": [_block_document(block) for block in blocks],
        })

    def _create_course(
        self, course_key: str, blocks: list[Block], root: BlockKey, *, user_id: int | None, message: str
    ) -> CourseIndex:
        org, course, run = _split_key(course_key)
        self.ensure_indexes()
        if self.index.find_one({"_id": course_key}, {"_id": 1}) is not None:
            raise CourseExists(f"course {course_key} exists already")
        version = new_version_id()
        now = _now()
        self._insert_structure(course_key, version, None, root, blocks, user_id, now, message or "created")
        doc = {
            "_id": course_key, "org": org, "course": course, "run": run,
            "versions": {DRAFT: version, PUBLISHED: None},
            "created_by": user_id, "created_at": now, "edited_by": user_id, "edited_at": now,
        }
        try:
            self.index.insert_one(doc)
        except DuplicateKeyError:
            self.structures.delete_one({"_id": version})
            raise CourseExists(f"course {course_key} exists already") from None
        return _index(doc)

    def _save_draft(
        self, course_key: str, blocks: list[Block], root: BlockKey, *, expected_version: str,
        user_id: int | None, message: str,
    ) -> Structure:
        version = new_version_id()
        now = _now()
        message = message[:500]
        self._insert_structure(course_key, version, expected_version, root, blocks, user_id, now, message)
        # The compare-and-set that keeps two writers from losing an edit.
        moved = self.index.find_one_and_update(
            {"_id": course_key, f"versions.{DRAFT}": expected_version},
            {"$set": {f"versions.{DRAFT}": version, "edited_by": user_id, "edited_at": now}},
            projection={"_id": 1},
            return_document=ReturnDocument.AFTER,
        )
        if moved is None:
            self.structures.delete_one({"_id": version})
            current = self.index.find_one({"_id": course_key}, {"versions": 1})
            if current is None:
                raise CourseNotFound(f"no course {course_key}")
            raise VersionConflict(course_key, expected_version, (current.get("versions") or {}).get(DRAFT))
        return Structure(
            version=version, course_key=course_key, root=tuple(root), blocks={b.key: b for b in blocks},
            previous_version=expected_version, edited_by=user_id, edited_at=now, message=message,
        )

    def _publish(self, course_key: str, *, user_id: int | None, expected_version: str | None) -> str:
        while True:
            index = self.get_course_index(course_key)
            draft = index.draft_version
            if expected_version is not None and draft != expected_version:
                raise VersionConflict(course_key, expected_version, draft)
            now = _now()
            moved = self.index.find_one_and_update(
                {"_id": course_key, f"versions.{DRAFT}": draft},
                {"$set": {f"versions.{PUBLISHED}": draft, "edited_by": user_id, "edited_at": now}},
                projection={"_id": 1},
            )
            if moved is not None:
                break
            # The draft moved between our read and the update: read again (or conflict, above).
        self.publish_log.insert_one(
            {"course_key": course_key, "version": draft, "published_by": user_id, "published_at": now}
        )
        return draft

    def _delete_course(self, course_key: str) -> None:
        if self.index.delete_one({"_id": course_key}).deleted_count == 0:
            raise CourseNotFound(f"no course {course_key}")
        self.structures.delete_many({"course_key": course_key})
        self.publish_log.delete_many({"course_key": course_key})
        self.structure_cache.drop(lambda _version, structure: structure.course_key != course_key)


def _setting(settings: Any, name: str, default: str) -> str:
    try:
        value = settings[name]
    except (KeyError, TypeError):
        value = None
    return value or default
