"""The ``kampus.search`` driver ``elasticsearch``: the search index in an Elasticsearch cluster.

It follows :mod:`kampus.drivers.search` and passes its contract suite
(:class:`kampus.testing.contracts.search.SearchEngineContract`). A Kampus index ``name`` is the
Elasticsearch index ``<elasticsearch_index_prefix><name>``, created on the first write with one
shard (so facet counts are exact) and this mapping:

* ``id`` (``keyword``): the document's id (``_id`` too, unless longer than Elasticsearch's 512
  bytes: then ``_id`` is a SHA-256 of it), the last sort key;
* ``content`` (``text``, analyzer ``standard`` tokenizer + ``lowercase`` filter only: no stemming,
  no stop words): the words of every string under the document's ``content``, as
  :func:`~kampus.drivers.search.document_text` gives them (Unicode NFC, case-folded, so ``Straße``
  is ``strasse`` and punctuation never joins two words);
* ``data`` (an object with ``enabled: false``: kept, never indexed): the document as given;
* ``exact.<field>`` (``keyword``): every exact field (dotted path) in its normal form
  (:func:`~kampus.drivers.search.normal_value`: ``"5"``, ``"true"``, dates as
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ``), for terms filters, facets and sorting;
  ``number.<field>`` (``double``) its numbers and ``date.<field>`` (``date``) its dates, for ranges
  and sorting. The three are objects with ``subobjects: false``, so a field ``a`` and a field
  ``a.b`` never conflict (Elasticsearch 8.3 and later).

A query string never reaches Elasticsearch as query syntax: :func:`~kampus.drivers.search.parse_query`
keeps its words, and each term becomes a ``match_phrase`` clause (a word or a quoted phrase), a
``prefix`` clause (``algeb*``) or a ``match_phrase_prefix`` clause (``limits-and-deriv*``) under
``bool.must``; no words is ``match_all`` (score 1.0). Filters become ``terms``/``range``/``exists``
clauses under ``bool.filter``/``bool.must_not``, facets ``terms`` aggregations ordered by count
then value, sorting ``number.<f>`` then ``exact.<f>`` (missing last), then ``_score`` and ``id``.

Writes go through ``_bulk`` (in chunks) and refresh the index before returning, so a search right
after a write sees it. Documents are all checked before anything is sent; Elasticsearch has no
transactions, so a batch the cluster refuses midway (a full disk, a field limit) may be half
written: :class:`~kampus.drivers.search.SearchError` says so.

Every request asks for REST API compatibility with ``elasticsearch_api_version`` (``Accept`` and
``Content-Type: application/vnd.elasticsearch+json; compatible-with=8``): version 8 is served by
Elasticsearch 8.x and 9.x servers alike, whatever the major version of the installed client.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from elasticsearch import ApiError, Elasticsearch, NotFoundError

from kampus.drivers.search import (
    MAX_FIELD_CHARS,
    QueryTerm,
    SearchEngine,
    SearchError,
    ValueRange,
    check_index_name,
    check_page,
    document_id,
    document_text,
    empty_results,
    exact_fields,
    facet_specs,
    filter_values,
    json_document,
    normal_date,
    parse_query,
    range_bound,
    sort_fields,
)

#: Documents per ``_bulk`` request.
BULK_CHUNK = 500
#: Ids per ``terms`` clause (Elasticsearch's default ``index.max_terms_count`` is 65536).
TERMS_CHUNK = 10_000
#: The most terms a facet shows when its spec gives no size.
MAX_FACET_TERMS = 10_000
#: Terms a ``match_phrase_prefix`` clause expands its last word to.
PHRASE_PREFIX_EXPANSIONS = 1_000
#: The longest text kept per document, in characters.
MAX_BODY_CHARS = 200_000
#: Elasticsearch's longest ``_id``, in UTF-8 bytes.
MAX_ES_ID_BYTES = 512
#: Elasticsearch's ``index.max_result_window`` default: ``from_ + size`` may not exceed it.
MAX_RESULT_WINDOW = 10_000
ANALYZER = "kampus_words"
API_VERSIONS = (8, 9)
_PREFIX = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")


class ElasticsearchConfigurationError(ValueError):
    """The settings do not describe a usable cluster (no URL, a bad prefix or API version)."""


def _setting(settings: Any, name: str, default: Any) -> Any:
    value = getattr(settings, name, default)
    return default if value is None else value


def index_body(replicas: int = 1) -> dict[str, Any]:
    """Settings and mappings of a new index (see the module's doc)."""
    return {
        "settings": {
            "number_of_shards": 1,
            "number_of_replicas": replicas,
            "analysis": {"analyzer": {ANALYZER: {"type": "custom", "tokenizer": "standard",
                                                 "filter": ["lowercase"]}}},
        },
        "mappings": {
            "dynamic": "strict",
            "date_detection": False,
            "numeric_detection": False,
            "dynamic_templates": [
                {"exact_values": {"path_match": "exact.*", "mapping": {"type": "keyword"}}},
                {"number_values": {"path_match": "number.*", "mapping": {"type": "double"}}},
                {"date_values": {"path_match": "date.*",
                                 "mapping": {"type": "date", "format": "strict_date_optional_time"}}},
            ],
            "properties": {
                "id": {"type": "keyword"},
                "content": {"type": "text", "analyzer": ANALYZER},
                "data": {"type": "object", "enabled": False},
                "exact": {"type": "object", "dynamic": True, "subobjects": False},
                "number": {"type": "object", "dynamic": True, "subobjects": False},
                "date": {"type": "object", "dynamic": True, "subobjects": False},
            },
        },
    }


def es_id(doc_id: str) -> str:
    """The ``_id`` of a document: its id, or ``sha256:<hex>`` of it when too long for Elasticsearch."""
    if len(doc_id.encode("utf-8")) <= MAX_ES_ID_BYTES:
        return doc_id
    return "sha256:" + hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def indexable_field(name: str) -> bool:
    """Whether an exact field of this name can be an Elasticsearch field (no empty part between
    dots, no ``*`` that ``exists`` would take as a pattern, not too long)."""
    return 0 < len(name) <= MAX_FIELD_CHARS and "*" not in name and all(part.strip() for part in name.split("."))


def is_date_text(text: str) -> bool:
    """Whether an exact value in normal form is a date."""
    return len(text) == 27 and normal_date(text) == text


def es_source(doc_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The Elasticsearch document for a JSON-ready Kampus document (see the module's doc)."""
    exact: dict[str, list[str]] = {}
    numbers: dict[str, list[float]] = {}
    dates: dict[str, list[str]] = {}
    for name, values in exact_fields(data).items():
        if not indexable_field(name):
            continue
        exact[name] = [text for text, _number in values]
        found = [number for _text, number in values if number is not None]
        if found:
            numbers[name] = found
        when = [text for text, _number in values if is_date_text(text)]
        if when:
            dates[name] = when
    return {"id": doc_id, "content": document_text(data)[:MAX_BODY_CHARS], "data": data,
            "exact": exact, "number": numbers, "date": dates}


def text_clause(term: QueryTerm) -> dict[str, Any]:
    """The clause of one query-string term on ``content``."""
    text = " ".join(term.words)
    if term.prefix and len(term.words) == 1:
        return {"prefix": {"content": {"value": text}}}
    if term.prefix:
        return {"match_phrase_prefix": {"content": {"query": text, "max_expansions": PHRASE_PREFIX_EXPANSIONS}}}
    return {"match_phrase": {"content": {"query": text}}}


def field_clause(name: str, value: Any) -> dict[str, Any]:
    """The clause "the exact field ``name`` matches ``value``" (a value, values or a range)."""
    wanted = filter_values(value)
    if isinstance(wanted, ValueRange):
        lower, upper = range_bound(wanted.lower), range_bound(wanted.upper)
        numbers = [number for _text, number in (lower, upper) if number is not None]
        texts = [text for text, _number in (lower, upper) if text is not None]
        if numbers and texts:
            raise SearchError(f"range of {name!r} mixes a number and a text bound")
        if not indexable_field(name):
            return {"match_none": {}}
        if not numbers and not texts:  # both sides open: the field has a value
            return {"exists": {"field": f"exact.{name}"}}
        if numbers:
            field, bounds = f"number.{name}", (lower[1], upper[1])
        elif texts and all(is_date_text(text) for text in texts):
            field, bounds = f"date.{name}", (lower[0], upper[0])
        else:
            field, bounds = f"exact.{name}", (lower[0], upper[0])
        limits = {key: bound for key, bound in zip(("gte", "lte"), bounds, strict=True) if bound is not None}
        return {"range": {field: limits}}
    texts = sorted({text for text, _number in wanted if text is not None})
    if not texts or not indexable_field(name):
        return {"match_none": {}}
    return {"terms": {f"exact.{name}": texts}}


def has_field_clause(name: str) -> dict[str, Any]:
    """The clause "the document has the exact field ``name``"."""
    if not indexable_field(name):
        return {"match_none": {}}
    return {"exists": {"field": f"exact.{name}"}}


def build_query(terms: list[QueryTerm], field_dictionary: Mapping[str, Any] | None,
                filter_dictionary: Mapping[str, Any] | None,
                exclude_dictionary: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``bool`` query of a search (see the module's doc)."""
    must = [text_clause(term) for term in terms] or [{"match_all": {}}]
    filters = [field_clause(name, value) for name, value in (field_dictionary or {}).items()]
    filters += [{"bool": {"should": [field_clause(name, value), {"bool": {"must_not": [has_field_clause(name)]}}],
                          "minimum_should_match": 1}}
                for name, value in (filter_dictionary or {}).items()]
    must_not = [field_clause(name, value) for name, value in (exclude_dictionary or {}).items()]
    query: dict[str, Any] = {"must": must}
    if filters:
        query["filter"] = filters
    if must_not:
        query["must_not"] = must_not
    return {"bool": query}


def build_sort(sorting: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Sort keys: each field's numbers then its normal text (documents without it last), then
    the score and the id."""
    keys: list[dict[str, Any]] = []
    for name, descending in sorting:
        if not indexable_field(name):
            continue
        order = "desc" if descending else "asc"
        keys.append({f"number.{name}": {"order": order, "missing": "_last", "unmapped_type": "double"}})
        keys.append({f"exact.{name}": {"order": order, "missing": "_last", "unmapped_type": "keyword"}})
    return [*keys, {"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]


def facet_results(facets: dict[str, int | None], aggregations: Mapping[str, Any]) -> dict[str, Any]:
    """The ``facets`` of a result from the ``terms`` aggregations ``facet<i>``."""
    result = {}
    for position, (name, size) in enumerate(facets.items()):
        aggregation = aggregations.get(f"facet{position}") or {}
        buckets = [(str(bucket.get("key_as_string", bucket["key"])), int(bucket["doc_count"]))
                   for bucket in aggregation.get("buckets", ())]
        total = sum(count for _value, count in buckets) + int(aggregation.get("sum_other_doc_count", 0))
        shown = buckets if size is None else buckets[:max(size, 0)]
        result[name] = {"terms": dict(shown), "total": total,
                        "other": total - sum(count for _value, count in shown)}
    return result


class ElasticsearchSearchEngine(SearchEngine):
    """The search index in Elasticsearch (see the module's doc).

    Built by the kernel from the app's settings (``elasticsearch_*``); ``client=`` gives a ready
    :class:`elasticsearch.Elasticsearch` instead (tests). Each engine has its own client
    (thread-safe, with its own connection pool).
    """

    def __init__(self, settings: Any, *, client: Elasticsearch | None = None, **context: Any):
        super().__init__(settings, **context)
        self.prefix = str(_setting(settings, "elasticsearch_index_prefix", "kampus_"))
        if self.prefix and not _PREFIX.fullmatch(self.prefix):
            raise ElasticsearchConfigurationError(
                f"bad elasticsearch_index_prefix {self.prefix!r}: lower-case letters, digits, _ . -, "
                "starting with a letter or digit, at most 100")
        self.api_version = int(_setting(settings, "elasticsearch_api_version", 8))
        if self.api_version not in API_VERSIONS:
            raise ElasticsearchConfigurationError(
                f"elasticsearch_api_version must be one of {API_VERSIONS}, not {self.api_version}")
        self.replicas = max(int(_setting(settings, "elasticsearch_replicas", 1)), 0)
        self.client = client if client is not None else self._make_client(settings)

    @staticmethod
    def _make_client(settings: Any) -> Elasticsearch:
        urls = [url.strip() for url in str(_setting(settings, "elasticsearch_url", "")).split(",") if url.strip()]
        if not urls:
            raise ElasticsearchConfigurationError(
                "search = \"elasticsearch\" needs the setting elasticsearch_url (e.g. http://127.0.0.1:9200)")
        options: dict[str, Any] = {
            "request_timeout": float(_setting(settings, "elasticsearch_timeout", 10.0)),
            "max_retries": int(_setting(settings, "elasticsearch_max_retries", 3)),
            "retry_on_timeout": True,
        }
        username = str(_setting(settings, "elasticsearch_username", ""))
        if username:
            options["basic_auth"] = (username, str(_setting(settings, "elasticsearch_password", "")))
        api_key = str(_setting(settings, "elasticsearch_api_key", ""))
        if api_key:
            options["api_key"] = api_key
        ca_certs = str(_setting(settings, "elasticsearch_ca_certs", ""))
        if ca_certs:
            options["ca_certs"] = ca_certs
        if not _setting(settings, "elasticsearch_verify_certs", True):
            options["verify_certs"] = False
        return Elasticsearch(urls, **options)

    # -- requests ------------------------------------------------------------------------------
    def _headers(self, body: Any, ndjson: bool) -> dict[str, str]:
        compatible = f"compatible-with={self.api_version}"
        headers = {"accept": f"application/vnd.elasticsearch+json; {compatible}"}
        if body is not None:
            kind = "x-ndjson" if ndjson else "json"
            headers["content-type"] = f"application/vnd.elasticsearch+{kind}; {compatible}"
        return headers

    def request(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None,
                ndjson: bool = False) -> Any:
        """One REST request with this engine's compatibility headers; the decoded body
        (``True``/``False`` for ``HEAD``). Errors are the client's (:class:`elasticsearch.ApiError`...)."""
        response = self.client.perform_request(method, path, params=dict(params or {}) or None,
                                               headers=self._headers(body, ndjson), body=body)
        if method == "HEAD":
            return 200 <= response.meta.status < 300
        return response.body

    def es_index(self, index_name: str) -> str:
        """The Elasticsearch index holding the Kampus index ``index_name``."""
        name = self.prefix + check_index_name(index_name)
        if name[0] in "._-+":
            raise SearchError(f"index {name!r} cannot be an Elasticsearch index (set elasticsearch_index_prefix)")
        return name

    def _ensure_index(self, name: str) -> None:
        if self.request("HEAD", f"/{name}"):
            return
        try:
            self.request("PUT", f"/{name}", body=index_body(self.replicas))
        except ApiError as error:
            if "resource_already_exists_exception" not in str(error):
                raise

    def index_names(self) -> list[str]:
        """The Kampus indexes that exist under this engine's prefix."""
        if not self.prefix:
            raise SearchError("listing indexes needs an elasticsearch_index_prefix")
        found = self.request("GET", f"/{self.prefix}*", params={"allow_no_indices": "true"})
        return sorted(name[len(self.prefix):] for name in found if name.startswith(self.prefix))

    def delete_index(self, index_name: str) -> bool:
        """Delete a Kampus index with all its documents; whether it existed."""
        try:
            self.request("DELETE", f"/{self.es_index(index_name)}")
        except NotFoundError:
            return False
        return True

    def _bulk(self, name: str, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Send ``_bulk`` operations to ``name`` (not refreshed); their items. :class:`SearchError`
        when one failed."""
        answer = self.request("POST", f"/{name}/_bulk", body=operations, ndjson=True)
        items = [next(iter(item.values())) for item in answer.get("items", ())]
        failed = [item for item in items if item.get("error")]
        if failed:
            error = failed[0]["error"]
            reason = error.get("reason", error) if isinstance(error, Mapping) else error
            raise SearchError(f"elasticsearch refused {len(failed)} of {len(items)} operations on {name} "
                              f"(some of the batch may be written): {reason}")
        return items

    def _refresh(self, name: str) -> None:
        self.request("POST", f"/{name}/_refresh")

    # -- writing -------------------------------------------------------------------------------
    def index(self, index_name: str, documents: Iterable[Mapping[str, Any]]) -> int:
        name = self.es_index(index_name)
        prepared: dict[str, dict[str, Any]] = {}
        for document in documents:  # all checked before anything is sent; the last of equal ids wins
            doc_id = document_id(document)
            prepared[doc_id] = es_source(doc_id, json_document(document))
        if not prepared:
            return 0
        self._ensure_index(name)
        sources = list(prepared.values())
        for start in range(0, len(sources), BULK_CHUNK):
            operations: list[dict[str, Any]] = []
            for source in sources[start:start + BULK_CHUNK]:
                operations += [{"index": {"_id": es_id(source["id"])}}, source]
            self._bulk(name, operations)
        self._refresh(name)
        return len(sources)

    def remove(self, index_name: str, doc_ids: Iterable[str]) -> int:
        name = self.es_index(index_name)
        ids = sorted({str(doc_id) for doc_id in doc_ids})
        if not ids or not self.request("HEAD", f"/{name}"):
            return 0
        removed = 0
        for start in range(0, len(ids), BULK_CHUNK):
            items = self._bulk(name, [{"delete": {"_id": es_id(doc_id)}} for doc_id in ids[start:start + BULK_CHUNK]])
            removed += sum(1 for item in items if item.get("result") == "deleted")
        self._refresh(name)
        return removed

    def remove_matching(self, index_name: str, field_dictionary: Mapping[str, Any],
                        *, keep_ids: Collection[str] = ()) -> int:
        name = self.es_index(index_name)
        query = build_query([], field_dictionary, None, None)["bool"]
        keep = sorted({str(doc_id) for doc_id in keep_ids})
        if keep:
            query["must_not"] = [{"terms": {"id": keep[start:start + TERMS_CHUNK]}}
                                 for start in range(0, len(keep), TERMS_CHUNK)]
        if not self.request("HEAD", f"/{name}"):
            return 0
        answer = self.request("POST", f"/{name}/_delete_by_query",
                              params={"refresh": "true", "conflicts": "proceed"}, body={"query": {"bool": query}})
        if answer.get("failures"):
            raise SearchError(f"elasticsearch could not remove some documents of {name}: {answer['failures'][0]}")
        return int(answer.get("deleted", 0))

    # -- searching -----------------------------------------------------------------------------
    def search(
        self,
        index_name: str,
        query_string: str | None = None,
        *,
        field_dictionary: Mapping[str, Any] | None = None,
        filter_dictionary: Mapping[str, Any] | None = None,
        exclude_dictionary: Mapping[str, Any] | None = None,
        facet_terms: Mapping[str, Any] | Iterable[str] | None = None,
        size: int = 20,
        from_: int = 0,
        sort: str | Iterable[str] | None = None,
    ) -> dict[str, Any]:
        name = self.es_index(index_name)
        size, from_ = check_page(size, from_)
        if from_ + size > MAX_RESULT_WINDOW:
            raise SearchError(f"bad page: from_ + size may not exceed {MAX_RESULT_WINDOW} on Elasticsearch")
        sorting = sort_fields(sort)
        facets = facet_specs(facet_terms)
        body: dict[str, Any] = {
            "query": build_query(parse_query(query_string), field_dictionary, filter_dictionary, exclude_dictionary),
            "from": from_,
            "size": size,
            "sort": build_sort(sorting),
            "track_total_hits": True,
            "track_scores": True,
            "_source": ["id", "data"],
        }
        aggregations = {}
        for position, (facet, facet_size) in enumerate(facets.items()):
            if indexable_field(facet):
                wanted = MAX_FACET_TERMS if facet_size is None else min(max(facet_size, 1), MAX_FACET_TERMS)
                aggregations[f"facet{position}"] = {"terms": {
                    "field": f"exact.{facet}", "size": wanted, "order": [{"_count": "desc"}, {"_key": "asc"}]}}
        if aggregations:
            body["aggs"] = aggregations
        try:
            answer = self.request("POST", f"/{name}/_search", body=body)
        except NotFoundError as error:
            if "index_not_found_exception" not in str(error):
                raise
            results = empty_results()
            results["facets"] = facet_results(facets, {})
            return results
        hits = answer["hits"]
        total = int(hits["total"]["value"])
        results = [{"_id": hit["_source"]["id"], "_index": index_name, "score": float(hit.get("_score") or 0.0),
                    "data": hit["_source"]["data"]} for hit in hits["hits"]]
        max_score = hits.get("max_score")
        return {
            "took": int(answer.get("took", 0)),
            "total": total,
            "max_score": float(max_score) if total and max_score is not None else None,
            "results": results,
            "facets": facet_results(facets, answer.get("aggregations") or {}),
        }

    def close(self) -> None:
        self.client.close()


__all__ = ["ElasticsearchConfigurationError", "ElasticsearchSearchEngine", "index_body"]
