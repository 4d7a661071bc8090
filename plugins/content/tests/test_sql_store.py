"""The SQL content store passes the content-store contract (on the harness's database)."""

from __future__ import annotations

import pytest
from kampus_content.store.sql import SqlContentStore
from kampus_content.testing.contract import ContentStoreContract


class TestSqlContentStore(ContentStoreContract):
    @pytest.fixture
    def content_store(self, make_app):
        app = make_app(plugins=["content"])
        kampus = app.extensions["kampus"]
        with app.app_context():
            store = kampus.driver("content_store")
            assert isinstance(store, SqlContentStore)
            yield SqlContentStore(kampus.settings, database=kampus.db)
