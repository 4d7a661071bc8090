"""The MongoDB content store passes the content-store contract.

Against a real server when ``KAMPUS_TEST_MONGO_URL`` is set (a database of its
own per test, dropped afterwards), otherwise against mongomock. The test ids
say which: ``[mongodb]`` or ``[mongomock]``.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from kampus_content.store import DRAFT, Block, ContentStore
from kampus_content.testing.contract import COURSE, ContentStoreContract, small_course
from kampus_mongo.store import MongoContentStore

from kampus.testing import recording_hook_calls

from .conftest import mongo_target

KIND, URL = mongo_target()


class AtomicCompareAndSet:
    """A mongomock collection whose ``find_one_and_update`` runs one call at a time.

    mongomock is not thread-safe: its ``find_one_and_update`` is a find followed
    by an update, so two threads could both see the old draft pointer and both
    "win" the compare-and-set, which a real server never allows. The lock lives
    here in the test fixture, not in the product code, so that the
    concurrent-writers contract test checks the store's compare-and-set rather
    than mongomock's missing atomicity.
    """

    def __init__(self, collection: Any):
        self._collection = collection
        self._lock = threading.Lock()

    def find_one_and_update(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return self._collection.find_one_and_update(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


def make_store() -> tuple[MongoContentStore, Any]:
    """An empty store in a database of its own, and the function that drops it."""
    name = f"kampus_test_{uuid.uuid4().hex[:12]}"
    settings = {"mongo_url": URL or "mongodb://unused", "mongo_database": name}
    if KIND == "mongodb":
        from pymongo import MongoClient

        client = MongoClient(URL, tz_aware=True, serverSelectionTimeoutMS=5000)

        def drop() -> None:
            client.drop_database(name)
            client.close()

        return MongoContentStore(settings, client=client, database=name), drop
    import mongomock

    client = mongomock.MongoClient(tz_aware=True)
    store = MongoContentStore(settings, client=client, database=name)
    store.index = AtomicCompareAndSet(store.index)
    return store, lambda: client.drop_database(name)


@pytest.fixture(params=[KIND])
def mongo_store(request: pytest.FixtureRequest):
    store, cleanup = make_store()
    yield store
    cleanup()


class TestMongoContentStore(ContentStoreContract):
    @pytest.fixture
    def content_store(self, mongo_store: MongoContentStore) -> MongoContentStore:
        return mongo_store


def test_target_is_reported(mongo_store: MongoContentStore) -> None:
    # What the run used is in the test ids ([mongodb] / [mongomock]) and the report header.
    assert KIND in ("mongodb", "mongomock")


def test_split_modulestore_layout(mongo_store: MongoContentStore) -> None:
    blocks = [
        Block("course", "course", {"display_name": "C", "{http://www.w3.org/XML/1998/namespace}lang": "en",
                                   "$odd.key": {"a.b": 1}}, [("html", "h")]),
        Block("html", "h", {"data": "<p>x</p>"}, meta={"attrs.order": ["data"]}),
    ]
    index = mongo_store.create_course(COURSE, blocks, ("course", "course"), user_id=1)
    doc = mongo_store.index.find_one({"_id": COURSE})
    assert doc["versions"] == {"draft": index.draft_version, "published": None}
    assert mongo_store.structures.find_one({"_id": index.draft_version})["course_key"] == COURSE
    mongo_store.structure_cache.clear()  # read back from the database, not the cache
    structure = mongo_store.get_branch(COURSE, DRAFT)
    course = structure.get(("course", "course"))
    assert course.fields["{http://www.w3.org/XML/1998/namespace}lang"] == "en"
    assert course.fields["$odd.key"] == {"a.b": 1}
    assert structure.get(("html", "h")).meta == {"attrs.order": ["data"]}
    assert structure.edited_at.tzinfo is not None
    mongo_store.publish(COURSE, user_id=1)
    assert mongo_store.publish_log.find_one({"course_key": COURSE})["version"] == index.draft_version


def test_driver_entry_point_and_settings(make_app) -> None:
    app = make_app(plugins=["content", "mongo"], settings={"content_store": "mongo", "mongo_database": "kx"})
    kampus = app.extensions["kampus"]
    assert kampus.settings.mongo_url == "mongodb://127.0.0.1:27017"
    mongomock = pytest.importorskip("mongomock")
    from kampus.drivers import load_driver

    with app.app_context():
        store = load_driver("content_store", "mongo", kampus, client=mongomock.MongoClient())
    assert isinstance(store, MongoContentStore)
    assert store.db.name == "kx"


def test_life_cycle_hooks_fire_as_with_every_driver(make_app, mongo_store: MongoContentStore) -> None:
    """The hooks come from the shared store interface: the mongo driver calls them once, after each write."""
    for name in ("create_course", "save_draft", "publish", "rerun", "revert", "discard_draft", "delete_course"):
        assert getattr(MongoContentStore, name) is getattr(ContentStore, name)  # not overridden
    app = make_app(plugins=["content", "mongo"])
    blocks, root = small_course()
    with app.app_context(), recording_hook_calls(app) as calls:
        index = mongo_store.create_course(COURSE, blocks, root, user_id=3)
        version = mongo_store.publish(COURSE, user_id=3)
        mongo_store.delete_course(COURSE)
    life_cycle = [(name, kwargs) for name, kwargs in calls.calls if name.startswith("kampus_content_")]
    assert life_cycle == [
        ("kampus_content_changed", {"course_id": COURSE, "version": index.draft_version, "user_id": 3}),
        ("kampus_content_published", {"course_id": COURSE, "version": version, "user_id": 3}),
        ("kampus_content_deleted", {"course_id": COURSE}),
    ]
