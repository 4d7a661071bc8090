"""The SQL search driver: the contract on the test database (SQLite, or PostgreSQL / MariaDB with
``KAMPUS_TEST_DB_URL``), plus what is particular to SQL: constant statements per search, the
per-database full text, and the kernel's wiring (setting, entry point, ``Kampus.search``)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kampus.drivers.search import SearchEngine, document_text, normal_date, parse_query, tokenize
from kampus.drivers.search_sql import SqlSearchEngine
from kampus.errors import DriverError
from kampus.testing import recording_statements
from kampus.testing.contracts.search import CATALOG, INDEX, SearchEngineContract, course


class TestSqlSearchEngine(SearchEngineContract):
    @pytest.fixture
    def engine(self, make_app):
        return make_app().extensions["kampus"].search


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def engine(app) -> SqlSearchEngine:
    return app.extensions["kampus"].search


def test_the_kernel_loads_the_sql_driver_by_default(app):
    kampus = app.extensions["kampus"]
    assert kampus.settings.search == "sql"
    assert isinstance(kampus.search, SqlSearchEngine)
    assert kampus.search is kampus.search


def test_an_unknown_driver_is_a_clear_error(make_app):
    app = make_app(settings={"search": "nosuchengine"})
    with pytest.raises(DriverError, match="nosuchengine"):
        _ = app.extensions["kampus"].search


def test_statements_per_search_do_not_grow_with_results(app, engine):
    engine.index(INDEX, [course(f"c{n}", f"Course {n}", "common words here", org=f"Org{n % 7}",
                                language="en", modes=["audit", "honor"]) for n in range(300)])
    engine.search(INDEX, "warm")  # MariaDB: the first search reads InnoDB's word sizes once
    counts = []
    for size in (1, 10, 100):
        with recording_statements(app) as recorder:
            results = engine.search(INDEX, "common", field_dictionary={"language": "en"},
                                    facet_terms=["org", "modes"], size=size, sort="-org")
        assert results["total"] == 300
        assert len(results["results"]) == size
        counts.append(recorder.count)
    assert counts == [2, 2, 2]


def test_statements_to_index_do_not_grow_per_document(app, engine):
    with recording_statements(app) as recorder:
        engine.index(INDEX, [course(f"c{n}", f"Course {n}", org="X", modes=["a", "b"]) for n in range(200)])
    assert recorder.count <= 8


def test_the_full_text_index_follows_writes(app, engine):
    """Replacing and removing keep the per-database full-text index in step (FTS5 triggers,
    the generated tsvector, InnoDB's FULLTEXT)."""
    engine.index(INDEX, CATALOG)
    for round_number in range(3):
        engine.index(INDEX, [course("algebra", f"Round{round_number} algebra")])
        assert [hit["_id"] for hit in engine.search(INDEX, f"round{round_number}")["results"]] == ["algebra"]
        assert engine.search(INDEX, f"round{round_number - 1}")["total"] == 0
    engine.remove(INDEX, ["algebra"])
    assert engine.search(INDEX, "round2")["total"] == 0
    db = app.extensions["kampus"].db
    with db.engine.connect() as connection:
        documents = connection.execute(sa.text("SELECT COUNT(*) FROM kampus_search_document")).scalar()
        fields = connection.execute(sa.text("SELECT COUNT(*) FROM kampus_search_field")).scalar()
    assert documents == len(CATALOG) - 1
    assert fields == sum(_exact_values(doc) for doc in CATALOG if doc["id"] != "algebra")


def _exact_values(document):
    count = 0
    for key, value in document.items():
        if key == "content" or value is None:
            continue
        count += len(value) if isinstance(value, list) else 1
    return count


def test_a_standalone_engine_uses_the_database_given(app):
    engine = SqlSearchEngine(app.extensions["kampus"].settings, database=app.extensions["kampus"].db)
    engine.index(INDEX, CATALOG)
    assert isinstance(engine, SearchEngine)
    assert app.extensions["kampus"].search.search(INDEX, "poetry")["total"] == 1


def test_long_texts_are_cut_not_refused(engine):
    engine.index(INDEX, [course("long", "Long", "word " * 100_000 + "last")])
    assert [hit["_id"] for hit in engine.search(INDEX, "word")["results"]] == ["long"]


def test_parse_query():
    assert [term.words for term in parse_query('Linear "Vector spaces" algeb* x-y')] == [
        ("linear",), ("vector", "spaces"), ("algeb",), ("x", "y")]
    assert [term.prefix for term in parse_query('a "b c" d* e')] == [False, False, True, False]
    assert [term.words for term in parse_query('"foo AND (')] == [("foo", "and")]  # an open quote runs to the end
    assert parse_query("* (( )) -") == []
    assert len(parse_query(" ".join(f"w{n}" for n in range(100)))) == 32


def test_words_and_dates():
    assert tokenize("Ünïcode_words, l'été 3.14 H2O") == ["ünïcode", "words", "l", "été", "3", "14", "h2o"]
    assert document_text({"content": {"a": "One", "b": ["Two", {"c": "Three"}]}, "title": "no"}) == "one two three"
    assert normal_date("2026-01-10T09:30:00+09:00") == "2026-01-10T00:30:00.000000Z"
    assert normal_date("2026-01-10") == "2026-01-10T00:00:00.000000Z"
    assert normal_date("2026-13-10") is None
    assert normal_date("January") is None
