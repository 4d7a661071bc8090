"""The Elasticsearch driver passes the search contract (the in-process fake; a real cluster with
KAMPUS_TEST_ES_URL), and what is particular to it: the requests it sends, its settings, its wiring."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import pytest
from elasticsearch import BadRequestError
from kampus_elasticsearch import plugin as es_plugin
from kampus_elasticsearch.search_engine import ElasticsearchConfigurationError, ElasticsearchSearchEngine

from kampus.drivers.search import TEXT_FIELD, SearchError, ValueRange
from kampus.testing.contracts import driver_settings
from kampus.testing.contracts.search import BAD_QUERY_STRINGS, CATALOG, INDEX, SearchEngineContract, course

from .conftest import FAKE
from .fake_es import fake_elasticsearch


class TestElasticsearchSearchEngine(SearchEngineContract):
    @pytest.fixture
    def engine(self, make_engine):
        return make_engine()


def test_index_mapping(make_engine):
    """content is text (standard tokenizer + lowercase only), the rest keyword/double/date, one shard."""
    engine = make_engine()
    engine.index(INDEX, CATALOG)
    name = engine.es_index(INDEX)
    mapping = engine.request("GET", f"/{name}/_mapping")[name]["mappings"]
    assert mapping["properties"]["content"] == {"type": "text", "analyzer": "kampus_words"}
    assert mapping["properties"]["id"] == {"type": "keyword"}
    assert mapping["properties"]["data"]["enabled"] is False
    assert mapping["dynamic"] == "strict"
    settings = engine.request("GET", f"/{name}")[name]["settings"]["index"]
    assert settings["analysis"]["analyzer"]["kampus_words"] == {
        "type": "custom", "tokenizer": "standard", "filter": ["lowercase"]}
    assert str(settings["number_of_shards"]) == "1"


def test_words_are_the_kernels_words(make_engine):
    """Underscores, apostrophes and dots split words as the kernel's tokenizer does (the text is
    sent already tokenised), whatever Elasticsearch's standard tokenizer would keep together."""
    engine = make_engine()
    engine.index(INDEX, [course("a", "snake_case o'brien 3.14 Straße")])
    for query in ("snake", "case", "brien", "14", "strasse", '"o brien"'):
        assert [hit["_id"] for hit in engine.search(INDEX, query)["results"]] == ["a"], query


def test_long_ids_and_odd_field_names(make_engine):
    engine = make_engine()
    long_id = "é" * 255  # 510 characters of UTF-8... over Elasticsearch's 512-byte _id
    odd = {"id": long_id, TEXT_FIELD: {"t": "odd"}, "a": "x", "a.b": "y", "": "no name", "star*": "s"}
    assert engine.index(INDEX, [odd]) == 1
    (hit,) = engine.search(INDEX, "odd")["results"]
    assert hit["_id"] == long_id and hit["data"] == odd
    assert engine.search(INDEX, field_dictionary={"a.b": "y"})["total"] == 1
    assert engine.search(INDEX, field_dictionary={"a": "x"})["total"] == 1
    assert engine.remove(INDEX, [long_id]) == 1
    assert engine.search(INDEX)["total"] == 0


def test_remove_and_search_on_an_index_never_written(make_engine):
    engine = make_engine()
    assert engine.remove("never", ["x"]) == 0
    assert engine.remove_matching("never", {"org": "x"}) == 0
    assert engine.search("never", "x", facet_terms={"org": {"size": 2}})["facets"] == {
        "org": {"terms": {}, "total": 0, "other": 0}}
    assert engine.index_names() == []


def test_page_beyond_the_result_window_is_a_search_error(make_engine):
    engine = make_engine()
    engine.index(INDEX, CATALOG)
    with pytest.raises(SearchError, match="10000"):
        engine.search(INDEX, from_=9_995, size=10)


def test_index_names_and_delete_index(make_engine):
    engine = make_engine()
    engine.index("one", [course("a", "A")])
    engine.index("two", [course("b", "B")])
    assert engine.index_names() == ["one", "two"]
    assert engine.delete_index("one") is True
    assert engine.delete_index("one") is False
    assert engine.index_names() == ["two"]


# -- what the driver sends (the fake records every request) -----------------------------------
@pytest.fixture
def fake_engine(es_target, make_engine):
    if es_target.name != FAKE:
        pytest.skip("inspects the requests the in-process fake recorded")
    return make_engine(), es_target.fake


def _sent(fake, prefix):
    return [(method, path, body) for method, path, _params, body in fake.requests if prefix in path]


def test_no_user_input_is_query_syntax(fake_engine):
    engine, fake = fake_engine
    engine.index(INDEX, CATALOG)
    for query in [*BAD_QUERY_STRINGS, 'algeb* "linear maps" x']:
        engine.search(INDEX, query, facet_terms=["org"])
    searches = [body for method, path, body in _sent(fake, engine.prefix) if path.endswith("/_search")]
    assert len(searches) == len(BAD_QUERY_STRINGS) + 1
    text = json.dumps(searches)
    assert "query_string" not in text and "simple_query_string" not in text and "regexp" not in text
    last = searches[-1]["query"]["bool"]["must"]
    assert last == [{"prefix": {"content": {"value": "algeb"}}},
                    {"match_phrase": {"content": {"query": "linear maps"}}},
                    {"match_phrase": {"content": {"query": "x"}}}]


def test_filters_facets_and_sort_become_term_level_clauses(fake_engine):
    engine, fake = fake_engine
    engine.index(INDEX, CATALOG)
    engine.search(INDEX, field_dictionary={"org": ["MITx", "HarvardX"], "effort": ValueRange(1, 10)},
                  exclude_dictionary={"language": "fr"}, facet_terms={"org": {"size": 2}}, sort="-start")
    (body,) = [body for method, path, body in _sent(fake, engine.prefix) if path.endswith("/_search")]
    assert body["query"]["bool"]["filter"] == [{"terms": {"exact.org": ["HarvardX", "MITx"]}},
                                               {"range": {"number.effort": {"gte": 1.0, "lte": 10.0}}}]
    assert body["query"]["bool"]["must_not"] == [{"terms": {"exact.language": ["fr"]}}]
    assert body["aggs"] == {"facet0": {"terms": {"field": "exact.org", "size": 2,
                                                 "order": [{"_count": "desc"}, {"_key": "asc"}]}}}
    assert body["sort"][:2] == [
        {"number.start": {"order": "desc", "missing": "_last", "unmapped_type": "double"}},
        {"exact.start": {"order": "desc", "missing": "_last", "unmapped_type": "keyword"}}]
    assert body["track_total_hits"] is True


def test_writes_refresh_before_returning(fake_engine):
    engine, fake = fake_engine
    engine.index(INDEX, CATALOG)
    engine.remove(INDEX, ["ai"])
    engine.remove_matching(INDEX, {"org": "KyotoX"})
    calls = [(method, path.rsplit("/", 1)[-1]) for method, path, _body in _sent(fake, engine.prefix)]
    assert calls == [("HEAD", engine.es_index(INDEX)), ("PUT", engine.es_index(INDEX)), ("POST", "_bulk"),
                     ("POST", "_refresh"), ("HEAD", engine.es_index(INDEX)), ("POST", "_bulk"),
                     ("POST", "_refresh"), ("HEAD", engine.es_index(INDEX)), ("POST", "_delete_by_query")]
    _method, _path, params, _body = [r for r in fake.requests if r[1].endswith("/_delete_by_query")][-1]
    assert params["refresh"] == "true"


def test_a_big_batch_goes_in_several_bulk_requests(fake_engine):
    engine, fake = fake_engine
    assert engine.index(INDEX, [course(f"d{number}", f"Topic {number}") for number in range(1203)]) == 1203
    bulks = [body for method, path, body in _sent(fake, engine.prefix) if path.endswith("/_bulk")]
    assert [len(body) // 2 for body in bulks] == [500, 500, 203]
    assert engine.search(INDEX, "topic", size=0)["total"] == 1203


# -- REST API compatibility ----------------------------------------------------------------------
def test_requests_ask_for_the_8_api_which_es_8_and_9_serve(tmp_path):
    for version in (8, 9):
        with fake_elasticsearch(version=version) as server:
            engine = ElasticsearchSearchEngine(driver_settings(
                tmp_path, [es_plugin], elasticsearch_url=server.url, elasticsearch_replicas=0))
            engine.index(INDEX, CATALOG[:1])
            assert engine.search(INDEX, "algebra")["total"] == 1
            engine.close()


def test_the_9_api_is_refused_by_an_es_8_server(tmp_path):
    with fake_elasticsearch(version=8) as server:
        engine = ElasticsearchSearchEngine(driver_settings(
            tmp_path, [es_plugin], elasticsearch_url=server.url, elasticsearch_api_version=9))
        with pytest.raises(BadRequestError, match="media_type_header_exception"):
            engine.search(INDEX, "algebra")
        with pytest.raises(BadRequestError):  # a HEAD answer has no body to say why
            engine.index(INDEX, CATALOG[:1])
        engine.close()
    with fake_elasticsearch(version=9) as server:
        engine = ElasticsearchSearchEngine(driver_settings(
            tmp_path, [es_plugin], elasticsearch_url=server.url, elasticsearch_api_version=9,
            elasticsearch_replicas=0))
        assert engine.index(INDEX, CATALOG[:1]) == 1
        engine.close()


# -- settings and wiring -------------------------------------------------------------------------
def test_a_url_is_required(tmp_path):
    with pytest.raises(ElasticsearchConfigurationError, match="elasticsearch_url"):
        ElasticsearchSearchEngine(driver_settings(tmp_path, [es_plugin]))


@pytest.mark.parametrize("prefix", ["UPPER_", "_x", "a b", "x/"])
def test_a_bad_prefix_is_refused(tmp_path, prefix):
    with pytest.raises(ElasticsearchConfigurationError, match="elasticsearch_index_prefix"):
        ElasticsearchSearchEngine(driver_settings(tmp_path, [es_plugin], elasticsearch_url="http://127.0.0.1:9",
                                                  elasticsearch_index_prefix=prefix))


def test_credentials_reach_the_client(tmp_path):
    engine = ElasticsearchSearchEngine(driver_settings(
        tmp_path, [es_plugin], elasticsearch_url="http://127.0.0.1:9, http://127.0.0.2:9",
        elasticsearch_username="kampus", elasticsearch_password="s3cret", elasticsearch_timeout=2.5))
    transport = engine.client.transport
    assert len(transport.node_pool.all()) == 2
    assert engine.client._headers["authorization"].startswith("Basic ")
    assert engine.client._request_timeout == 2.5
    engine.close()


def test_registered_as_the_elasticsearch_search_driver():
    found = {ep.name: ep.value for ep in entry_points(group="kampus.search")}
    assert found.get("elasticsearch") == "kampus_elasticsearch.search_engine:ElasticsearchSearchEngine"
    plugins = {ep.name: ep.value for ep in entry_points(group="kampus.plugins")}
    assert plugins.get("elasticsearch") == "kampus_elasticsearch.plugin"


def test_not_enabled_on_init():
    assert es_plugin.kampus_site_defaults().enable_on_init is False


def test_a_site_with_search_elasticsearch_uses_the_cluster(make_app, fake_es):
    app = make_app(plugins=["elasticsearch"], settings={
        "search": "elasticsearch", "elasticsearch_url": fake_es.url, "elasticsearch_replicas": 0,
        "elasticsearch_index_prefix": "kampus_site_test_"})
    search = app.extensions["kampus"].search
    try:
        assert isinstance(search, ElasticsearchSearchEngine)
        search.index("course_info", CATALOG)
        assert "kampus_site_test_course_info" in fake_es.indexes
        assert [hit["_id"] for hit in search.search("course_info", "poetry")["results"]] == ["poetry"]
    finally:
        search.delete_index("course_info")
