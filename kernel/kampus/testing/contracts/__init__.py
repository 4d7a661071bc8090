"""Contract test suites of the driver families.

Every driver of a family must pass its family's suite. A driver author
subclasses the suite in a test module and provides the fixture it names::

    import pytest
    from kampus.testing.contracts import driver_settings
    from kampus.testing.contracts.blob_store import BlobStoreContract

    from kampus_s3.blob_store import S3BlobStore


    class TestS3BlobStore(BlobStoreContract):
        @pytest.fixture
        def blob_store(self, tmp_path):
            return S3BlobStore(driver_settings(tmp_path, s3_bucket="test"))

The suites: :class:`~kampus.testing.contracts.blob_store.BlobStoreContract`
(fixture ``blob_store``), :class:`~kampus.testing.contracts.mailer.MailerContract`
(fixtures ``mailer`` and ``mail_received``),
:class:`~kampus.testing.contracts.event_sink.EventSinkContract` (fixtures
``event_sink`` and ``stored_events``),
:class:`~kampus.testing.contracts.search.SearchEngineContract` (fixture ``engine``). The class names do not start with
``Test``, so pytest collects them only through your subclass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kampus.plugins import flatten, load_plugin_manager
from kampus.settings import validate_settings

# Plain ``assert`` in the suites reports values, as in a test module.
pytest.register_assert_rewrite(
    "kampus.testing.contracts.blob_store",
    "kampus.testing.contracts.mailer",
    "kampus.testing.contracts.event_sink",
    "kampus.testing.contracts.search",
)


def driver_settings(home: str | Path, plugins: list[Any] | None = None, **values: Any) -> Any:
    """Validated settings for building a driver outside an app: every setting
    the kernel (and ``plugins``, modules or entry-point names) declares, with
    its default, ``home`` as the site folder, and ``values`` on top."""
    pm = load_plugin_manager(list(plugins or []))
    raw = {"home": str(home), "secret_key": "contract-tests", **values}
    return validate_settings(raw, flatten(pm.hook.kampus_settings()))


__all__ = ["driver_settings"]
