"""Where the Elasticsearch driver's tests run: an in-process fake Elasticsearch on 127.0.0.1
(``fake_es.py``, always), and a real cluster when ``KAMPUS_TEST_ES_URL`` is set
(``http://127.0.0.1:9200``, or ``https://USER:PASSWORD@host:9200``; ``?api_version=9`` to ask for
the 9.x REST API, ``?verify_certs=false`` for a self-signed test cluster).

Test ids say which ran: ``[in-process-fake]`` or ``[real-es]``. Each engine gets its own index
prefix (``kampus_test_<random>_``); every index under it is deleted after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from kampus_elasticsearch import plugin as es_plugin
from kampus_elasticsearch.search_engine import ElasticsearchSearchEngine

from kampus.testing.contracts import driver_settings

from .fake_es import FakeElasticsearch, fake_elasticsearch

FAKE = "in-process-fake"
REAL = "real-es"


@dataclass(frozen=True)
class EsTarget:
    """A cluster the tests may create indexes on."""

    name: str
    url: str
    settings: dict[str, Any] = field(default_factory=dict)
    fake: FakeElasticsearch | None = None


def real_target() -> EsTarget | None:
    """The cluster named by ``KAMPUS_TEST_ES_URL``, if any."""
    url = os.environ.get("KAMPUS_TEST_ES_URL")
    if not url:
        return None
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    netloc = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    settings: dict[str, Any] = {"elasticsearch_replicas": 0}
    if parts.username:
        settings["elasticsearch_username"] = unquote(parts.username)
        settings["elasticsearch_password"] = unquote(parts.password or "")
    if "api_version" in query:
        settings["elasticsearch_api_version"] = int(query["api_version"][0])
    if query.get("verify_certs", ["true"])[0].lower() == "false":
        settings["elasticsearch_verify_certs"] = False
    return EsTarget(REAL, f"{parts.scheme}://{netloc}", settings)


def pytest_report_header(config: pytest.Config) -> str:
    target = real_target()
    if target:
        return (f"kampus-elasticsearch: search contract against the real Elasticsearch at {target.url} "
                f"(test ids [{REAL}]) and the in-process fake Elasticsearch (test ids [{FAKE}])")
    return (f"kampus-elasticsearch: search contract against the in-process fake Elasticsearch (set KAMPUS_TEST_ES_URL "
            f"for a real server); test ids [{FAKE}]")


@pytest.fixture(scope="session")
def fake_es() -> Iterator[FakeElasticsearch]:
    """The fake Elasticsearch (major version 8) on a free port of 127.0.0.1, for the session."""
    with fake_elasticsearch(version=8) as server:
        yield server


def _targets() -> list[str]:
    return [FAKE, REAL] if real_target() else [FAKE]


@pytest.fixture(params=_targets())
def es_target(request: pytest.FixtureRequest) -> EsTarget:
    if request.param == FAKE:
        server = request.getfixturevalue("fake_es")
        return EsTarget(FAKE, server.url, {"elasticsearch_replicas": 0}, server)
    target = real_target()
    assert target is not None
    return target


@pytest.fixture
def make_engine(es_target: EsTarget, tmp_path: Path) -> Iterator[Callable[..., ElasticsearchSearchEngine]]:
    """Build engines on the target, each under a fresh index prefix; keyword arguments are settings.
    Every index under those prefixes is deleted after the test."""
    made: list[ElasticsearchSearchEngine] = []

    def make(**values: Any) -> ElasticsearchSearchEngine:
        values.setdefault("elasticsearch_index_prefix", f"kampus_test_{uuid.uuid4().hex[:12]}_")
        settings = driver_settings(tmp_path, [es_plugin], search="elasticsearch", elasticsearch_url=es_target.url,
                                   **{**es_target.settings, **values})
        engine = ElasticsearchSearchEngine(settings)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        try:
            for name in engine.index_names():
                engine.delete_index(name)
        finally:
            engine.close()
