"""The contract every ``kampus.search`` driver passes (the behaviour :mod:`kampus.drivers.search` documents).

Subclass :class:`SearchEngineContract` and provide an ``engine`` fixture that returns an engine
over an empty index. The kernel's SQL driver runs it on SQLite, PostgreSQL and MariaDB
(``kernel/tests/drivers/test_search_sql.py``, with ``KAMPUS_TEST_DB_URL`` for a server)::

    class TestSqlSearchEngine(SearchEngineContract):
        @pytest.fixture
        def engine(self, make_app):
            return make_app().extensions["kampus"].search

The Elasticsearch driver (plugin ``kampus-elasticsearch``, not written yet) will pass the same
suite against a test cluster: its fixture creates uniquely named indexes, deletes them after the
test, and its ``index``/``remove`` refresh the index before returning (the suite searches right
after writing, as a page does after a publish). It maps the top-level ``content`` object as
``text`` with a ``standard`` tokenizer and ``lowercase`` filter only (no stemming, no stop
words), every other field as ``keyword`` (dates as ``date``); the query string becomes a
``bool`` query of ``match`` / ``match_phrase`` / ``prefix`` clauses built from
:func:`kampus.drivers.search.parse_query`, never a ``query_string`` query, so no user input is
query syntax; filters become ``term``/``terms``/``range`` clauses, facets ``terms``
aggregations.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kampus.drivers.search import TEXT_FIELD, DateRange, SearchEngine, SearchError, ValueRange

INDEX = "contract_docs"

BAD_QUERY_STRINGS = [
    '"foo AND (',
    "*",
    "**",
    "((",
    ")",
    '"',
    '""',
    "'",
    "o'brien",
    "a:b",
    "title:(x OR y)",
    "-",
    "- + ~ < > ( ) @ ^ !",
    "NOT",
    "foo OR",
    "AND OR NOT NEAR",
    "\\",
    "%",
    "_",
    "%_%",
    "'; DROP TABLE kampus_search_document; --",
    "x" * 5000,
    "a* *b c*d",
    "{}[]|&",
    "tab\tnew\nline",
    "\x00",
]


def _ids(results: dict[str, Any]) -> list[str]:
    return [hit["_id"] for hit in results["results"]]


def course(doc_id: str, name: str, overview: str = "", **fields: Any) -> dict[str, Any]:
    """A course-like document: text under ``content``, exact fields beside it."""
    return {"id": doc_id, TEXT_FIELD: {"display_name": name, "overview": overview}, **fields}


CATALOG = [
    course("algebra", "Linear Algebra", "Vectors, matrices and linear maps.", org="MITx", language="en",
           modes=["audit", "verified"], start="2025-09-01T00:00:00+00:00", effort=5),
    course("calculus", "Calculus One", "Limits and derivatives, with a little linear algebra at the end.",
           org="MITx", language="en", modes=["audit"], start="2026-09-01T00:00:00+00:00", effort=10),
    course("poetry", "French Poetry", "Poèmes de l'été, lus à voix haute.", org="HarvardX", language="fr",
           modes=["honor"], start="2024-01-15T00:00:00+00:00", effort=2),
    course("ai", "Intro to AI", "What AI is about, and the history of it.", org="HarvardX", language="en",
           modes=["audit", "honor"], effort=12),
    course("japanese", "日本語 入門", "Learning Japanese: Straße of kana.", org="KyotoX", language="ja",
           modes=["audit"], start="2026-01-10T09:30:00+09:00", effort=3),
]


class SearchEngineContract:
    """Behaviour shared by every search driver. Needs an ``engine`` fixture (an empty index)."""

    @pytest.fixture
    def engine(self) -> SearchEngine:
        raise NotImplementedError("provide an `engine` fixture returning an engine over an empty index")

    @pytest.fixture
    def catalog(self, engine: SearchEngine) -> SearchEngine:
        assert engine.index(INDEX, CATALOG) == len(CATALOG)
        return engine

    # -- indexing ------------------------------------------------------------------------------
    def test_is_a_search_engine(self, engine: SearchEngine) -> None:
        assert isinstance(engine, SearchEngine)

    def test_empty_index(self, engine: SearchEngine) -> None:
        results = engine.search(INDEX, "anything", facet_terms=["org"])
        assert results["total"] == 0
        assert results["results"] == []
        assert results["max_score"] is None
        assert results["facets"] == {"org": {"terms": {}, "total": 0, "other": 0}}

    def test_result_shape(self, catalog: SearchEngine) -> None:
        results = catalog.search(INDEX, "poetry")
        assert set(results) >= {"took", "total", "max_score", "results", "facets"}
        assert isinstance(results["took"], int)
        assert results["total"] == 1
        (hit,) = results["results"]
        assert hit["_id"] == "poetry"
        assert hit["_index"] == INDEX
        assert isinstance(hit["score"], float) and hit["score"] > 0
        assert results["max_score"] == hit["score"]
        assert hit["data"] == CATALOG[2]

    def test_data_comes_back_as_json(self, engine: SearchEngine) -> None:
        when = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        engine.index(INDEX, [{"id": "d", TEXT_FIELD: {"t": "dated"}, "start": when, "n": 1.5, "ok": True,
                              "nested": {"a": [1, 2]}}])
        (hit,) = engine.search(INDEX, "dated")["results"]
        assert hit["data"] == {"id": "d", TEXT_FIELD: {"t": "dated"}, "start": when.isoformat(), "n": 1.5,
                               "ok": True, "nested": {"a": [1, 2]}}

    def test_index_replaces_a_document_with_the_same_id(self, catalog: SearchEngine) -> None:
        catalog.index(INDEX, [course("poetry", "German Poetry", "Gedichte", org="TUMx", language="de")])
        assert catalog.search(INDEX)["total"] == len(CATALOG)
        assert catalog.search(INDEX, "french")["total"] == 0
        (hit,) = catalog.search(INDEX, "german")["results"]
        assert hit["data"]["org"] == "TUMx"
        assert catalog.search(INDEX, field_dictionary={"org": "HarvardX"})["total"] == 1
        assert catalog.search(INDEX, field_dictionary={"language": "fr"})["total"] == 0

    def test_the_last_of_equal_ids_in_one_call_wins(self, engine: SearchEngine) -> None:
        engine.index(INDEX, [course("x", "first"), course("x", "second")])
        assert _ids(engine.search(INDEX, "second")) == ["x"]
        assert engine.search(INDEX)["total"] == 1

    def test_index_is_all_or_nothing(self, engine: SearchEngine) -> None:
        with pytest.raises(ValueError):
            engine.index(INDEX, [course("good", "kept?"), {TEXT_FIELD: {"t": "no id"}}])
        with pytest.raises(ValueError):
            engine.index(INDEX, [course("good", "kept?"), {"id": "bad", "value": object()}])
        with pytest.raises(ValueError):
            engine.index(INDEX, [{"id": "", TEXT_FIELD: {}}])
        assert engine.search(INDEX)["total"] == 0

    def test_indexes_are_separate(self, catalog: SearchEngine) -> None:
        catalog.index("other_index", [course("algebra", "Abstract Algebra")])
        assert _ids(catalog.search("other_index", "algebra")) == ["algebra"]
        assert catalog.search("other_index", "linear")["total"] == 0
        assert catalog.search(INDEX, "abstract")["total"] == 0
        catalog.remove("other_index", ["algebra"])
        assert _ids(catalog.search(INDEX, "linear algebra")) == ["algebra", "calculus"]

    def test_remove(self, catalog: SearchEngine) -> None:
        assert catalog.remove(INDEX, ["poetry", "ai", "never-indexed"]) == 2
        assert catalog.search(INDEX, "poetry")["total"] == 0
        assert catalog.search(INDEX)["total"] == len(CATALOG) - 2
        assert catalog.search(INDEX, facet_terms=["org"])["facets"]["org"]["terms"] == {"MITx": 2, "KyotoX": 1}
        assert catalog.remove(INDEX, ["poetry"]) == 0
        assert catalog.remove(INDEX, []) == 0

    def test_remove_matching_keeps_the_ids_given(self, catalog: SearchEngine) -> None:
        assert catalog.remove_matching(INDEX, {"org": "MITx"}, keep_ids={"calculus"}) == 1
        assert sorted(_ids(catalog.search(INDEX, field_dictionary={"org": "MITx"}))) == ["calculus"]
        assert catalog.remove_matching(INDEX, {"org": "HarvardX"}) == 2
        assert catalog.search(INDEX)["total"] == 2

    def test_replace_matching(self, catalog: SearchEngine) -> None:
        catalog.replace_matching(INDEX, {"org": "HarvardX"}, [
            course("ai", "Intro to AI, second edition", org="HarvardX"),
            course("rhetoric", "Rhetoric", org="HarvardX"),
        ])
        harvard = catalog.search(INDEX, field_dictionary={"org": "HarvardX"}, sort="id")
        assert sorted(_ids(harvard)) == ["ai", "rhetoric"]
        assert catalog.search(INDEX, "edition")["total"] == 1
        assert catalog.search(INDEX, field_dictionary={"org": "MITx"})["total"] == 2

    # -- the query string ----------------------------------------------------------------------
    def test_no_words_matches_everything(self, catalog: SearchEngine) -> None:
        for query in (None, "", "   ", "*", "(("):
            results = catalog.search(INDEX, query, size=100)
            assert results["total"] == len(CATALOG), query
            assert sorted(_ids(results)) == sorted(doc["id"] for doc in CATALOG)
            assert {hit["score"] for hit in results["results"]} == {1.0}

    def test_terms_are_anded(self, catalog: SearchEngine) -> None:
        assert sorted(_ids(catalog.search(INDEX, "linear"))) == ["algebra", "calculus"]
        assert _ids(catalog.search(INDEX, "linear limits")) == ["calculus"]
        assert catalog.search(INDEX, "linear poetry")["total"] == 0

    def test_relevance_order(self, engine: SearchEngine) -> None:
        engine.index(INDEX, [
            course("once", "Graphs", "A course on many topics where graphs appear once among other words."),
            course("often", "Graphs and graphs", "Graphs, graphs, graphs: all about graphs."),
            course("none1", "Poetry", "Nothing about the subject."),
            course("none2", "History", "Old things and older things."),
            course("none3", "Music", "Sounds."),
        ])
        results = engine.search(INDEX, "graphs")
        assert _ids(results) == ["often", "once"]
        assert results["results"][0]["score"] > results["results"][1]["score"]
        assert results["max_score"] == results["results"][0]["score"]

    def test_whole_words_without_stemming(self, catalog: SearchEngine) -> None:
        assert _ids(catalog.search(INDEX, "learning")) == ["japanese"]
        assert catalog.search(INDEX, "learn")["total"] == 0
        assert catalog.search(INDEX, "vector")["total"] == 0
        assert _ids(catalog.search(INDEX, "vectors")) == ["algebra"]
        assert catalog.search(INDEX, "alg")["total"] == 0

    def test_case_does_not_matter(self, catalog: SearchEngine) -> None:
        assert _ids(catalog.search(INDEX, "POETRY")) == ["poetry"]
        assert _ids(catalog.search(INDEX, "Calculus ONE")) == ["calculus"]

    def test_short_words_and_common_words_are_found(self, catalog: SearchEngine) -> None:
        assert _ids(catalog.search(INDEX, "AI")) == ["ai"]
        assert _ids(catalog.search(INDEX, "intro to ai")) == ["ai"]
        assert _ids(catalog.search(INDEX, "about")) == ["ai"]
        assert _ids(catalog.search(INDEX, "the history of it")) == ["ai"]
        assert catalog.search(INDEX, "a")["total"] == 1  # "a little linear algebra"

    def test_phrases(self, catalog: SearchEngine) -> None:
        assert sorted(_ids(catalog.search(INDEX, '"linear algebra"'))) == ["algebra", "calculus"]
        assert catalog.search(INDEX, '"algebra linear"')["total"] == 0
        assert _ids(catalog.search(INDEX, '"linear maps"')) == ["algebra"]
        assert _ids(catalog.search(INDEX, '"intro to ai"')) == ["ai"]
        assert _ids(catalog.search(INDEX, '"a little" end')) == ["calculus"]
        assert _ids(catalog.search(INDEX, '"linear algebra" limits')) == ["calculus"]

    def test_prefixes(self, catalog: SearchEngine) -> None:
        assert sorted(_ids(catalog.search(INDEX, "algeb*"))) == ["algebra", "calculus"]
        assert _ids(catalog.search(INDEX, "calc*")) == ["calculus"]
        assert _ids(catalog.search(INDEX, "deriv* lim*")) == ["calculus"]
        assert _ids(catalog.search(INDEX, "hi*")) == ["ai"]
        assert catalog.search(INDEX, "zzz*")["total"] == 0

    def test_words_joined_by_punctuation_are_a_phrase(self, catalog: SearchEngine) -> None:
        assert _ids(catalog.search(INDEX, "limits-and-derivatives")) == ["calculus"]
        assert catalog.search(INDEX, "derivatives-and-limits")["total"] == 0

    def test_unicode_words(self, catalog: SearchEngine) -> None:
        assert _ids(catalog.search(INDEX, "été")) == ["poetry"]
        assert _ids(catalog.search(INDEX, "ÉTÉ")) == ["poetry"]
        assert catalog.search(INDEX, "ete")["total"] == 0
        assert _ids(catalog.search(INDEX, "poèmes")) == ["poetry"]
        assert _ids(catalog.search(INDEX, "日本語")) == ["japanese"]
        assert _ids(catalog.search(INDEX, "STRASSE")) == ["japanese"]

    def test_only_content_is_text(self, catalog: SearchEngine) -> None:
        assert catalog.search(INDEX, "MITx")["total"] == 0
        assert catalog.search(INDEX, "verified")["total"] == 0

    @pytest.mark.parametrize("query", BAD_QUERY_STRINGS, ids=repr)
    def test_no_query_string_is_an_error(self, catalog: SearchEngine, query: str) -> None:
        results = catalog.search(INDEX, query, facet_terms=["org"])
        assert isinstance(results["total"], int)
        assert catalog.search(INDEX)["total"] == len(CATALOG)

    def test_operator_words_are_plain_words(self, engine: SearchEngine) -> None:
        engine.index(INDEX, [course("ops", "Logic", "true AND false OR not NEAR"), course("other", "Plain")])
        assert _ids(engine.search(INDEX, "AND")) == ["ops"]
        assert _ids(engine.search(INDEX, "false OR")) == ["ops"]
        assert engine.search(INDEX, "plain OR logic")["total"] == 0

    # -- exact fields ----------------------------------------------------------------------------
    def test_field_dictionary(self, catalog: SearchEngine) -> None:
        assert sorted(_ids(catalog.search(INDEX, field_dictionary={"org": "MITx"}))) == ["algebra", "calculus"]
        assert catalog.search(INDEX, field_dictionary={"org": "mitx"})["total"] == 0
        assert _ids(catalog.search(INDEX, "linear", field_dictionary={"org": "MITx", "modes": "verified"})) == [
            "algebra"]
        assert sorted(_ids(catalog.search(INDEX, field_dictionary={"language": ["fr", "ja"]}))) == [
            "japanese", "poetry"]
        assert catalog.search(INDEX, field_dictionary={"nonexistent": "x"})["total"] == 0
        assert catalog.search(INDEX, field_dictionary={"org": []})["total"] == 0

    def test_numbers_and_booleans(self, engine: SearchEngine) -> None:
        engine.index(INDEX, [{"id": "a", "n": 5, "flag": True}, {"id": "b", "n": 5.0, "flag": False},
                             {"id": "c", "n": 9}, {"id": "d", "n": 10}, {"id": "e", "n": 12.5}])
        assert sorted(_ids(engine.search(INDEX, field_dictionary={"n": 5}))) == ["a", "b"]
        assert _ids(engine.search(INDEX, field_dictionary={"flag": True})) == ["a"]
        assert sorted(_ids(engine.search(INDEX, field_dictionary={"n": ValueRange(6, 10)}))) == ["c", "d"]
        assert sorted(_ids(engine.search(INDEX, field_dictionary={"n": ValueRange(10, None)}))) == ["d", "e"]
        assert _ids(engine.search(INDEX, sort="-n", size=2)) == ["e", "d"]

    def test_filter_dictionary_lets_missing_fields_through(self, catalog: SearchEngine) -> None:
        now = datetime(2025, 12, 1, tzinfo=UTC)
        started = catalog.search(INDEX, filter_dictionary={"start": DateRange(None, now)})
        assert sorted(_ids(started)) == ["ai", "algebra", "poetry"]
        assert sorted(_ids(catalog.search(INDEX, filter_dictionary={"language": "en"}))) == [
            "ai", "algebra", "calculus"]

    def test_exclude_dictionary(self, catalog: SearchEngine) -> None:
        assert sorted(_ids(catalog.search(INDEX, exclude_dictionary={"org": "MITx"}))) == [
            "ai", "japanese", "poetry"]
        assert sorted(_ids(catalog.search(INDEX, exclude_dictionary={"modes": ["audit", "verified"]}))) == [
            "poetry"]
        assert catalog.search(INDEX, exclude_dictionary={"nonexistent": "x"})["total"] == len(CATALOG)

    def test_date_ranges(self, catalog: SearchEngine) -> None:
        # japanese starts 2026-01-10T09:30+09:00, which is 2026-01-10T00:30Z
        assert _ids(catalog.search(INDEX, field_dictionary={
            "start": DateRange(datetime(2026, 1, 10, 0, 30, tzinfo=UTC), datetime(2026, 1, 10, 0, 30, tzinfo=UTC))
        })) == ["japanese"]
        assert catalog.search(INDEX, field_dictionary={
            "start": DateRange("2026-01-10T00:31:00Z", "2026-06-01")})["total"] == 0
        assert sorted(_ids(catalog.search(INDEX, field_dictionary={"start": DateRange("2026-01-01", None)}))) == [
            "calculus", "japanese"]
        naive = datetime(2025, 9, 1)  # taken as UTC
        assert _ids(catalog.search(INDEX, field_dictionary={"start": DateRange(naive, naive)})) == ["algebra"]
        assert _ids(catalog.search(INDEX, field_dictionary={"start": "2024-01-15T01:00:00+01:00"})) == ["poetry"]
        soon = datetime.now(UTC) + timedelta(days=3650)
        assert catalog.search(INDEX, field_dictionary={"start": DateRange(None, soon)})["total"] == 4

    def test_nested_fields_are_dotted(self, engine: SearchEngine) -> None:
        engine.index(INDEX, [{"id": "n", "location": {"section": "Week 1", "tags": ["x", "y"]}},
                             {"id": "m", "location": {"section": "Week 2"}}])
        assert _ids(engine.search(INDEX, field_dictionary={"location.section": "Week 1"})) == ["n"]
        assert _ids(engine.search(INDEX, field_dictionary={"location.tags": "y"})) == ["n"]

    def test_bad_requests(self, catalog: SearchEngine) -> None:
        for bad in ("", "UPPER", "a b", "x" * 100, "../x"):
            with pytest.raises(SearchError):
                catalog.search(bad)
        with pytest.raises(SearchError):
            catalog.search(INDEX, size=-1)
        with pytest.raises(SearchError):
            catalog.search(INDEX, from_=-5)
        with pytest.raises(SearchError):
            catalog.search(INDEX, field_dictionary={"start": ValueRange(1, "2026-01-01")})

    # -- facets ----------------------------------------------------------------------------------
    def test_facets(self, catalog: SearchEngine) -> None:
        results = catalog.search(INDEX, facet_terms={"org": {}, "language": {}, "modes": {}}, size=1)
        assert len(results["results"]) == 1
        facets = results["facets"]
        assert facets["org"] == {"terms": {"HarvardX": 2, "MITx": 2, "KyotoX": 1}, "total": 5, "other": 0}
        assert list(facets["org"]["terms"]) == ["HarvardX", "MITx", "KyotoX"]
        assert facets["language"]["terms"] == {"en": 3, "fr": 1, "ja": 1}
        assert facets["modes"]["terms"] == {"audit": 4, "honor": 2, "verified": 1}
        assert facets["modes"]["total"] == 7

    def test_facets_follow_the_query_and_filters(self, catalog: SearchEngine) -> None:
        facets = catalog.search(INDEX, "linear", facet_terms=["org", "modes"])["facets"]
        assert facets["org"]["terms"] == {"MITx": 2}
        assert facets["modes"]["terms"] == {"audit": 2, "verified": 1}
        facets = catalog.search(INDEX, field_dictionary={"language": "en"},
                                exclude_dictionary={"org": "MITx"}, facet_terms=["org"])["facets"]
        assert facets["org"]["terms"] == {"HarvardX": 1}

    def test_facet_size_counts_the_rest_as_other(self, catalog: SearchEngine) -> None:
        facet = catalog.search(INDEX, facet_terms={"org": {"size": 1}})["facets"]["org"]
        assert facet == {"terms": {"HarvardX": 2}, "total": 5, "other": 3}

    def test_facet_of_a_missing_field(self, catalog: SearchEngine) -> None:
        assert catalog.search(INDEX, facet_terms=["colour"])["facets"] == {
            "colour": {"terms": {}, "total": 0, "other": 0}}

    def test_facets_of_dates_are_in_normal_form(self, catalog: SearchEngine) -> None:
        terms = catalog.search(INDEX, "japanese", facet_terms=["start"])["facets"]["start"]["terms"]
        assert terms == {"2026-01-10T00:30:00.000000Z": 1}

    # -- paging and sorting ------------------------------------------------------------------------
    def test_paging(self, engine: SearchEngine) -> None:
        engine.index(INDEX, [course(f"doc{number:02d}", f"Topic {number}", "shared words") for number in range(25)])
        seen: list[str] = []
        for start in (0, 10, 20):
            page = engine.search(INDEX, "shared", size=10, from_=start)
            assert page["total"] == 25
            seen += _ids(page)
        assert len(seen) == 25 and len(set(seen)) == 25
        beyond = engine.search(INDEX, "shared", size=10, from_=40)
        assert beyond["results"] == [] and beyond["total"] == 25
        counted = engine.search(INDEX, "shared", size=0, facet_terms=["missing"])
        assert counted["results"] == [] and counted["total"] == 25

    def test_sort_by_fields(self, catalog: SearchEngine) -> None:
        assert _ids(catalog.search(INDEX, sort="start")) == ["poetry", "algebra", "japanese", "calculus", "ai"]
        assert _ids(catalog.search(INDEX, sort="-start")) == ["calculus", "japanese", "algebra", "poetry", "ai"]
        assert _ids(catalog.search(INDEX, sort=["org", "-effort"])) == [
            "ai", "poetry", "japanese", "calculus", "algebra"]
        assert _ids(catalog.search(INDEX, sort="effort", size=2, from_=1)) == ["japanese", "algebra"]
        with pytest.raises(SearchError):
            catalog.search(INDEX, sort="-")


__all__ = ["BAD_QUERY_STRINGS", "SearchEngineContract"]
