"""An in-process fake Elasticsearch for the driver's tests: a small HTTP server on 127.0.0.1.

The real ``elasticsearch`` client talks HTTP to it, so the driver code under test is exactly what
runs against a cluster. It implements only what the driver sends, with Elasticsearch's observable
behaviour where the contract depends on it:

* REST: ``PUT``/``HEAD``/``DELETE /{index}``, ``GET /{index-pattern}``, ``GET /{index}/_mapping``,
  ``POST /{index}/_bulk`` and ``POST /_bulk`` (``index``/``create``/``delete``),
  ``POST /{index}/_refresh``, ``POST /{index}/_search``, ``POST /{index}/_delete_by_query``;
  every answer carries ``X-Elastic-Product: Elasticsearch`` (the client checks it), and the
  ``compatible-with`` media types are checked the way a server of major version ``version``
  does (it serves its own major and the one before: an 8.x server refuses ``compatible-with=9``);
* near-real-time visibility: writes reach searches only after a refresh (``_refresh`` or
  ``?refresh=true|wait_for``), as on a real cluster, so a driver that forgets to refresh fails;
* mappings: ``properties`` (``keyword``, ``text``, ``double``, ``long``, ``date``, ``boolean``,
  objects with ``enabled``/``dynamic``/``subobjects``), ``dynamic: strict``, ``dynamic_templates``
  with ``path_match``; ``text`` fields with the ``standard`` analyzer or a custom one made of the
  ``standard`` tokenizer and a ``lowercase`` filter (anything else is refused, so a mapping the
  fake cannot honour fails loudly). The tokenizer is "standard-ish": runs of letters and digits,
  each CJK ideograph or hiragana character a token of its own, as Unicode's word rules make them;
* query DSL: ``bool`` (``must``/``filter``/``should``/``must_not``, ``minimum_should_match``),
  ``match_all``, ``match_none``, ``match``, ``match_phrase``, ``match_phrase_prefix``,
  ``prefix``, ``term``, ``terms``, ``range``, ``exists``, ``ids``; scores are BM25 (k1 1.2, b 0.75;
  a phrase scores its frequency with the sum of its words' idf), ``prefix`` is constant 1.0;
  any other query (``query_string`` included) is a 400 ``parsing_exception``;
* search: ``from``/``size`` (``from + size`` at most 10000), ``sort`` (``_score``, ``_doc``,
  fields with ``order``, ``missing``, ``unmapped_type``, ``mode``), ``track_total_hits``,
  ``track_scores``, ``_source`` includes, ``terms`` aggregations (``size``, ``order`` by
  ``_count``/``_key``, ``sum_other_doc_count``).

Not emulated: auto-creating an index on a write (the item fails with ``index_not_found_exception``),
shards, replicas, versions beyond a counter, ``_update``, scripts, other aggregations.
"""

from __future__ import annotations

import fnmatch
import json
import math
import re
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

K1 = 1.2
B = 0.75
MAX_RESULT_WINDOW = 10_000
_INDEX_NAME_BAD = re.compile(r'[\\/*?"<>| ,#:A-Z]')
_COMPAT = re.compile(r"compatible-with=(\d+)")
_WORD = re.compile(r"[^\W_]+")


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not log every request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class EsError(Exception):
    """An Elasticsearch error answer."""

    def __init__(self, status: int, kind: str, reason: str):
        super().__init__(reason)
        self.status, self.kind, self.reason = status, kind, reason

    def body(self) -> dict[str, Any]:
        cause = {"type": self.kind, "reason": self.reason}
        return {"error": {"root_cause": [cause], **cause}, "status": self.status}


def _single_char_token(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA"))


def standard_tokens(text: str, lowercase: bool = True) -> list[str]:
    """Tokens of ``text`` by the fake's standard tokenizer (and the ``lowercase`` filter)."""
    tokens: list[str] = []
    for run in _WORD.findall(text):
        current = ""
        for char in run:
            if _single_char_token(char):
                if current:
                    tokens.append(current)
                    current = ""
                tokens.append(char)
            else:
                current += char
        if current:
            tokens.append(current)
    return [token.lower() for token in tokens] if lowercase else tokens


def parse_date(value: Any) -> float:
    """Epoch milliseconds of a ``strict_date_optional_time`` string or an epoch-millis number."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a date")
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str) or not re.fullmatch(
            r"\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?", value):
        raise ValueError(f"failed to parse date field [{value}] with format [strict_date_optional_time]")
    text = value.replace("Z", "+00:00")
    fraction = re.search(r"\.(\d+)", text)
    if fraction and len(fraction.group(1)) > 6:
        text = text.replace(fraction.group(0), "." + fraction.group(1)[:6])
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() * 1000


@dataclass
class Doc:
    """One stored document: its source and its indexed values by field path."""

    doc_id: str
    source: dict[str, Any]
    version: int
    seq: int
    values: dict[str, list[Any]] = field(default_factory=dict)
    tokens: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class FakeIndex:
    """One index: its mapping, its documents as written (``live``) and as searched (``searchable``)."""

    def __init__(self, name: str, body: dict[str, Any]):
        self.name = name
        settings = body.get("settings") or {}
        settings = settings.get("index", settings)
        self.settings = settings
        self.mappings = body.get("mappings") or {}
        self.analyzers = self._analyzers(settings)
        self.fields: dict[str, dict[str, Any]] = {}  # leaf path -> mapping
        self.objects: dict[str, dict[str, Any]] = {"": self.mappings}
        self._collect(self.mappings.get("properties") or {}, "")
        self.templates = [next(iter(item.items())) for item in self.mappings.get("dynamic_templates") or []]
        for _name, template in self.templates:
            self._check_field_mapping(template.get("mapping") or {}, "dynamic template")
        self.live: dict[str, Doc] = {}
        self.searchable: dict[str, Doc] = {}
        self.seq = 0

    @staticmethod
    def _analyzers(settings: dict[str, Any]) -> dict[str, bool]:
        """Analyzer name -> lowercases; only the standard tokenizer is known."""
        analyzers = {"standard": True}
        for name, spec in ((settings.get("analysis") or {}).get("analyzer") or {}).items():
            filters = spec.get("filter") or []
            if spec.get("type", "custom") != "custom" or spec.get("tokenizer") != "standard" \
                    or any(item != "lowercase" for item in filters):
                raise EsError(400, "illegal_argument_exception",
                              f"fake Elasticsearch: analyzer [{name}] is not the standard tokenizer with "
                              "an optional lowercase filter")
            analyzers[name] = "lowercase" in filters
        return analyzers

    def _check_field_mapping(self, mapping: dict[str, Any], where: str) -> None:
        kind = mapping.get("type", "object")
        if kind not in ("keyword", "text", "double", "long", "date", "boolean", "object"):
            raise EsError(400, "mapper_parsing_exception", f"fake Elasticsearch: type [{kind}] of {where}")
        if kind == "text" and mapping.get("analyzer", "standard") not in self.analyzers:
            raise EsError(400, "mapper_parsing_exception",
                          f"analyzer [{mapping.get('analyzer')}] has not been configured")

    def _collect(self, properties: dict[str, Any], prefix: str) -> None:
        for key, mapping in properties.items():
            path = prefix + key
            self._check_field_mapping(mapping, f"field [{path}]")
            if mapping.get("type", "object") == "object":
                self.objects[path] = mapping
                self._collect(mapping.get("properties") or {}, path + ".")
            else:
                self.fields[path] = mapping

    # -- writing -------------------------------------------------------------------------------
    def _parent_object(self, path: str) -> tuple[str, dict[str, Any]]:
        parts = path.split(".")
        for cut in range(len(parts) - 1, -1, -1):
            parent = ".".join(parts[:cut])
            if parent in self.objects:
                return parent, self.objects[parent]
        return "", self.mappings

    def _dynamic(self, parent: str) -> Any:
        while True:
            mapping = self.objects.get(parent, {})
            if "dynamic" in mapping:
                return mapping["dynamic"]
            if not parent:
                return True
            parent = parent.rpartition(".")[0]

    def _leaves(self, value: Any, path: str, out: dict[str, list[Any]], new: dict[str, dict[str, Any]]) -> None:
        if path and path in self.objects and self.objects[path].get("enabled", True) is False:
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if not str(key).strip(". ") or ".." in str(key):
                    raise EsError(400, "mapper_parsing_exception", f"field name [{key}] is not valid")
                self._leaves(item, f"{path}.{key}" if path else str(key), out, new)
            return
        if isinstance(value, list):
            for item in value:
                self._leaves(item, path, out, new)
            return
        if value is None:
            return
        if path not in self.fields and path not in new:
            parent, _mapping = self._parent_object(path)
            dynamic = str(self._dynamic(parent)).lower()
            if dynamic == "strict":
                raise EsError(400, "strict_dynamic_mapping_exception",
                              f"mapping set to strict, dynamic introduction of [{path}] within [{parent or '_doc'}] "
                              "is not allowed")
            if dynamic == "false":
                return
            for _name, template in self.templates:
                if fnmatch.fnmatchcase(path, template.get("path_match", "*")):
                    new[path] = template["mapping"]
                    break
            else:
                raise EsError(400, "mapper_parsing_exception",
                              f"fake Elasticsearch: no dynamic template for [{path}] (dynamic type guessing is "
                              "not emulated)")
        out.setdefault(path, []).append(value)

    def _coerce(self, mapping: dict[str, Any], path: str, value: Any) -> Any:
        kind = mapping["type"]
        try:
            if kind == "keyword":
                if isinstance(value, bool):
                    return "true" if value else "false"
                return value if isinstance(value, str) else json.dumps(value)
            if kind in ("double", "long"):
                if isinstance(value, bool):
                    raise ValueError("a boolean is not a number")
                number = float(value)
                return float(int(number)) if kind == "long" else number
            if kind == "date":
                return parse_date(value)
            if kind == "boolean":
                if value in (True, "true"):
                    return True
                if value in (False, "false"):
                    return False
                raise ValueError(f"failed to parse boolean [{value}]")
            if kind == "text":
                if isinstance(value, dict | list):
                    raise ValueError("not a string")
                return str(value)
        except (TypeError, ValueError) as exc:
            raise EsError(400, "document_parsing_exception", f"failed to parse field [{path}] of type [{kind}]: {exc}")
        raise EsError(400, "mapper_parsing_exception", f"type [{kind}]")

    def put(self, doc_id: str, source: dict[str, Any], *, create: bool = False) -> tuple[str, int]:
        if len(doc_id.encode("utf-8")) > 512:
            raise EsError(400, "illegal_argument_exception", "id [...] is too long, must be no longer than 512 bytes")
        if create and doc_id in self.live:
            raise EsError(409, "version_conflict_engine_exception", f"[{doc_id}]: version conflict, document exists")
        raw: dict[str, list[Any]] = {}
        new: dict[str, dict[str, Any]] = {}
        self._leaves(source, "", raw, new)
        mappings = {**self.fields, **new}
        values: dict[str, list[Any]] = {}
        tokens: dict[str, list[tuple[str, int]]] = {}
        for path, items in raw.items():
            mapping = mappings[path]
            coerced = [self._coerce(mapping, path, item) for item in items]
            if mapping["type"] == "text":
                lowercase = self.analyzers[mapping.get("analyzer", "standard")]
                position, found = 0, []
                for text in coerced:
                    for token in standard_tokens(text, lowercase):
                        found.append((token, position))
                        position += 1
                    position += 100  # position_increment_gap between values
                tokens[path] = found
            else:
                values[path] = coerced
        self.fields.update(new)
        self.seq += 1
        old = self.live.get(doc_id)
        version = old.version + 1 if old else 1
        self.live[doc_id] = Doc(doc_id, source, version, self.seq, values, tokens)
        return ("updated" if old else "created"), version

    def refresh(self) -> None:
        self.searchable = dict(self.live)

    # -- searching -----------------------------------------------------------------------------
    def field_type(self, path: str) -> str | None:
        mapping = self.fields.get(path)
        return mapping["type"] if mapping else None

    def analyze(self, path: str, text: str) -> list[str]:
        mapping = self.fields.get(path) or {}
        if mapping.get("type") != "text":
            return [text]
        return standard_tokens(text, self.analyzers[mapping.get("analyzer", "standard")])


class Searcher:
    """Runs queries over the searchable documents of an index, with BM25 statistics."""

    def __init__(self, index: FakeIndex):
        self.index = index
        self.docs = list(index.searchable.values())
        self._stats: dict[str, tuple[int, float, dict[str, int]]] = {}

    def stats(self, path: str) -> tuple[int, float, dict[str, int]]:
        if path not in self._stats:
            with_field = [doc for doc in self.docs if doc.tokens.get(path)]
            lengths = [len(doc.tokens[path]) for doc in with_field]
            frequencies: dict[str, int] = {}
            for doc in with_field:
                for token in {token for token, _position in doc.tokens[path]}:
                    frequencies[token] = frequencies.get(token, 0) + 1
            average = sum(lengths) / len(lengths) if lengths else 1.0
            self._stats[path] = (len(with_field), average, frequencies)
        return self._stats[path]

    def bm25(self, path: str, doc: Doc, words: list[str], frequency: int) -> float:
        count, average, frequencies = self.stats(path)
        idf = sum(math.log(1 + (count - frequencies.get(word, 0) + 0.5) / (frequencies.get(word, 0) + 0.5))
                  for word in words)
        length = len(doc.tokens.get(path, ()))
        return idf * frequency * (K1 + 1) / (frequency + K1 * (1 - B + B * length / average))

    # Each query returns the score of a matching document, or None.
    def run(self, query: dict[str, Any], doc: Doc) -> float | None:
        if not isinstance(query, dict) or len(query) != 1:
            raise EsError(400, "parsing_exception", "a query is an object with one key")
        (kind, spec), = query.items()
        method = getattr(self, f"q_{kind}", None)
        if method is None:
            raise EsError(400, "parsing_exception", f"unknown query [{kind}]")
        return method(spec, doc)

    @staticmethod
    def _field_spec(spec: dict[str, Any], key: str) -> tuple[str, dict[str, Any]]:
        items = [(name, value) for name, value in spec.items() if name not in ("boost", "_name")]
        if len(items) != 1:
            raise EsError(400, "parsing_exception", "query does not support multiple fields")
        path, value = items[0]
        return path, value if isinstance(value, dict) else {key: value}

    def q_match_all(self, spec: dict[str, Any], doc: Doc) -> float | None:
        return float(spec.get("boost", 1.0))

    def q_match_none(self, spec: dict[str, Any], doc: Doc) -> float | None:
        return None

    def q_bool(self, spec: dict[str, Any], doc: Doc) -> float | None:
        def clauses(key: str) -> list[dict[str, Any]]:
            value = spec.get(key) or []
            return value if isinstance(value, list) else [value]

        unknown = set(spec) - {"must", "filter", "should", "must_not", "minimum_should_match", "boost"}
        if unknown:
            raise EsError(400, "parsing_exception", f"[bool] query does not support {sorted(unknown)}")
        score = 0.0
        for clause in clauses("must"):
            found = self.run(clause, doc)
            if found is None:
                return None
            score += found
        for clause in clauses("filter"):
            if self.run(clause, doc) is None:
                return None
        for clause in clauses("must_not"):
            if self.run(clause, doc) is not None:
                return None
        should = clauses("should")
        matched = 0
        for clause in should:
            found = self.run(clause, doc)
            if found is not None:
                matched += 1
                score += found
        default = 0 if clauses("must") or clauses("filter") else (1 if should else 0)
        if matched < int(spec.get("minimum_should_match", default)):
            return None
        return score * float(spec.get("boost", 1.0))

    def _values(self, doc: Doc, path: str) -> list[Any]:
        if self.index.field_type(path) == "text":
            return [token for token, _position in doc.tokens.get(path, ())]
        return doc.values.get(path, [])

    def _typed(self, path: str, value: Any) -> Any:
        kind = self.index.field_type(path)
        if kind is None:
            return value
        if kind == "text":
            return str(value)
        return self.index._coerce(self.index.fields[path], path, value)

    def q_term(self, spec: dict[str, Any], doc: Doc) -> float | None:
        path, options = self._field_spec(spec, "value")
        wanted = self._typed(path, options["value"])
        return float(options.get("boost", 1.0)) if wanted in self._values(doc, path) else None

    def q_terms(self, spec: dict[str, Any], doc: Doc) -> float | None:
        boost = float(spec.get("boost", 1.0))
        path, values = next((name, value) for name, value in spec.items() if name != "boost")
        if not isinstance(values, list):
            raise EsError(400, "parsing_exception", "[terms] query does not support a single value")
        wanted = {self._typed(path, value) for value in values}
        return boost if wanted & set(self._values(doc, path)) else None

    def q_ids(self, spec: dict[str, Any], doc: Doc) -> float | None:
        return 1.0 if doc.doc_id in set(spec.get("values") or []) else None

    def q_exists(self, spec: dict[str, Any], doc: Doc) -> float | None:
        pattern = spec["field"]
        paths = [path for path in self.index.fields if fnmatch.fnmatchcase(path, pattern)]
        return 1.0 if any(doc.values.get(path) or doc.tokens.get(path) for path in paths) else None

    def q_range(self, spec: dict[str, Any], doc: Doc) -> float | None:
        path, options = self._field_spec(spec, "gte")
        kind = self.index.field_type(path)
        if kind is None:
            return None
        if kind == "text":
            raise EsError(400, "illegal_argument_exception", "fake Elasticsearch: range on a text field")
        checks = []
        for key, compare in (("gte", "__ge__"), ("gt", "__gt__"), ("lte", "__le__"), ("lt", "__lt__")):
            if options.get(key) is not None:
                checks.append((compare, self._typed(path, options[key])))
        for value in doc.values.get(path, []):
            if all(getattr(value, compare)(bound) for compare, bound in checks):
                return float(options.get("boost", 1.0))
        return None

    def q_prefix(self, spec: dict[str, Any], doc: Doc) -> float | None:
        path, options = self._field_spec(spec, "value")
        wanted = str(options["value"])
        found = any(str(value).startswith(wanted) for value in self._values(doc, path))
        return float(options.get("boost", 1.0)) if found else None

    def q_match(self, spec: dict[str, Any], doc: Doc) -> float | None:
        path, options = self._field_spec(spec, "query")
        words = self.index.analyze(path, str(options["query"]))
        if self.index.field_type(path) != "text":
            return 1.0 if words and self._typed(path, words[0]) in self._values(doc, path) else None
        present = [token for token, _position in doc.tokens.get(path, ())]
        found = [word for word in words if word in present]
        if not found or (str(options.get("operator", "or")).lower() == "and" and len(set(found)) < len(set(words))):
            return None
        return sum(self.bm25(path, doc, [word], present.count(word)) for word in set(found))

    def _phrase_count(self, doc: Doc, path: str, words: list[str], last_prefix: list[str] | None) -> int:
        positions: dict[int, str] = {position: token for token, position in doc.tokens.get(path, ())}
        count = 0
        for start, token in positions.items():
            if token != words[0] and not (len(words) == 1 and last_prefix is not None):
                continue
            ok = True
            for offset, word in enumerate(words):
                here = positions.get(start + offset)
                last = offset == len(words) - 1
                if last and last_prefix is not None:
                    ok = here in last_prefix
                elif here != word:
                    ok = False
                if not ok:
                    break
            count += ok
        return count

    def q_match_phrase(self, spec: dict[str, Any], doc: Doc) -> float | None:
        path, options = self._field_spec(spec, "query")
        words = self.index.analyze(path, str(options["query"]))
        if not words:
            return None
        if self.index.field_type(path) != "text":
            return 1.0 if self._typed(path, options["query"]) in self._values(doc, path) else None
        count = self._phrase_count(doc, path, words, None)
        return self.bm25(path, doc, words, count) if count else None

    def q_match_phrase_prefix(self, spec: dict[str, Any], doc: Doc) -> float | None:
        path, options = self._field_spec(spec, "query")
        words = self.index.analyze(path, str(options["query"]))
        if not words or self.index.field_type(path) != "text":
            return None
        _count, _average, frequencies = self.stats(path)
        expansions = sorted(token for token in frequencies if token.startswith(words[-1]))
        expansions = expansions[:int(options.get("max_expansions", 50))]
        count = self._phrase_count(doc, path, words, expansions)
        return self.bm25(path, doc, words[:-1], count) + 1.0 if count else None


class FakeElasticsearch:
    """The fake server (see the module's doc): ``with FakeElasticsearch() as url: ...``.

    ``version`` is the major version it behaves as (the ``compatible-with`` it accepts);
    ``requests`` records ``(method, path, params, body)`` of every request, for tests.
    """

    def __init__(self, version: int = 8):
        self.version = version
        self.indexes: dict[str, FakeIndex] = {}
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.lock = threading.RLock()
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> str:
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-elasticsearch", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- HTTP ------------------------------------------------------------------------------------
    def _compat(self, request: Request) -> int | None:
        accept = _COMPAT.search(request.headers.get("Accept", ""))
        content = _COMPAT.search(request.headers.get("Content-Type", "")) if request.content_length else None
        versions = {int(match.group(1)) for match in (accept, content) if match}
        if not versions:
            return None
        wanted = versions.pop()
        if versions or wanted not in (self.version, self.version - 1) \
                or (request.content_length and bool(accept) != bool(content)):
            raise EsError(400, "media_type_header_exception",
                          f"Invalid media-type value on headers [Accept, Content-Type]: this server (major "
                          f"version {self.version}) serves compatible-with={self.version - 1} or {self.version}")
        return wanted

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        compat: int | None = None
        try:
            compat = self._compat(request)
            raw = request.get_data(as_text=True)
            ndjson = request.path.endswith("/_bulk")
            if ndjson:
                body: Any = [json.loads(line) for line in raw.splitlines() if line.strip()]
            else:
                body = json.loads(raw) if raw.strip() else None
            params = dict(request.args)
            with self.lock:
                self.requests.append((request.method, request.path, params, body))
                status, answer = self.route(request.method, request.path, params, body)
        except EsError as error:
            status, answer = error.status, error.body()
        except (ValueError, KeyError, TypeError) as error:
            status, answer = 400, EsError(400, "parsing_exception", f"fake Elasticsearch: {error!r}").body()
        mimetype = f"application/vnd.elasticsearch+json;compatible-with={compat}" if compat else "application/json"
        response = Response(json.dumps(answer), status=status, mimetype=None, content_type=mimetype,
                            headers={"X-Elastic-Product": "Elasticsearch"})
        return response(environ, start_response)

    def route(self, method: str, path: str, params: dict[str, str], body: Any) -> tuple[int, Any]:
        parts = [part for part in path.split("/") if part]
        if not parts:
            return 200, {"name": "fake", "cluster_name": "fake", "version": {"number": f"{self.version}.0.0"},
                         "tagline": "You Know, for Search"}
        if parts == ["_bulk"]:
            return self.bulk(None, params, body)
        if len(parts) == 1:
            name = parts[0]
            if method == "PUT":
                return self.create_index(name, body or {})
            if method == "HEAD":
                return (200 if name in self.indexes else 404), {}
            if method == "DELETE":
                return self.delete_index(name)
            if method == "GET":
                return self.get_indexes(name, params)
        elif len(parts) == 2:
            name, action = parts
            if action == "_bulk" and method in ("POST", "PUT"):
                return self.bulk(name, params, body)
            index = self._index(name)
            if action == "_refresh" and method in ("POST", "GET"):
                index.refresh()
                return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
            if action == "_search" and method in ("POST", "GET"):
                return 200, self.search(index, body or {})
            if action == "_delete_by_query" and method == "POST":
                return self.delete_by_query(index, params, body or {})
            if action == "_mapping" and method == "GET":
                return 200, {name: {"mappings": index.mappings}}
        raise EsError(405 if method not in ("GET", "POST", "PUT", "DELETE", "HEAD") else 400,
                      "illegal_argument_exception", f"fake Elasticsearch: no handler for {method} {path}")

    # -- indexes ---------------------------------------------------------------------------------
    def _index(self, name: str) -> FakeIndex:
        index = self.indexes.get(name)
        if index is None:
            raise EsError(404, "index_not_found_exception", f"no such index [{name}]")
        return index

    def create_index(self, name: str, body: dict[str, Any]) -> tuple[int, Any]:
        if _INDEX_NAME_BAD.search(name) or name[0] in "-_+" or name in (".", "..") \
                or len(name.encode("utf-8")) > 255:
            raise EsError(400, "invalid_index_name_exception", f"Invalid index name [{name}]")
        if name in self.indexes:
            raise EsError(400, "resource_already_exists_exception", f"index [{name}] already exists")
        self.indexes[name] = FakeIndex(name, body)
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def delete_index(self, name: str) -> tuple[int, Any]:
        if "*" in name or name == "_all":
            raise EsError(400, "illegal_argument_exception",
                          "Wildcard expressions or all indices are not allowed (action.destructive_requires_name)")
        for item in name.split(","):
            self._index(item)
        for item in name.split(","):
            del self.indexes[item]
        return 200, {"acknowledged": True}

    def get_indexes(self, pattern: str, params: dict[str, str]) -> tuple[int, Any]:
        found = {}
        for item in pattern.split(","):
            if "*" in item:
                found.update({name: index for name, index in self.indexes.items() if fnmatch.fnmatchcase(name, item)})
            else:
                found[item] = self._index(item)
        return 200, {name: {"aliases": {}, "mappings": index.mappings, "settings": {"index": index.settings}}
                     for name, index in sorted(found.items())}

    # -- writes ----------------------------------------------------------------------------------
    def bulk(self, default_index: str | None, params: dict[str, str], lines: list[Any]) -> tuple[int, Any]:
        started = time.perf_counter()
        items, errors, touched = [], False, set()
        position = 0
        while position < len(lines):
            action = lines[position]
            (kind, meta), = action.items()
            position += 1
            name = meta.get("_index", default_index)
            doc_id = meta.get("_id")
            try:
                if kind in ("index", "create"):
                    source = lines[position]
                    position += 1
                    if doc_id is None:
                        doc_id = f"auto{time.monotonic_ns()}"
                    index = self._index(name)
                    result, version = index.put(str(doc_id), source, create=kind == "create")
                    status = 201 if result == "created" else 200
                elif kind == "delete":
                    index = self._index(name)
                    existed = index.live.pop(str(doc_id), None)
                    result, status = ("deleted", 200) if existed else ("not_found", 404)
                    version = (existed.version + 1) if existed else 1
                else:
                    raise EsError(400, "illegal_argument_exception", f"fake Elasticsearch: bulk action [{kind}]")
                touched.add(name)
                items.append({kind: {"_index": name, "_id": doc_id, "_version": version, "result": result,
                                     "status": status}})
            except EsError as error:
                errors = True
                items.append({kind: {"_index": name, "_id": doc_id, "status": error.status,
                                     "error": {"type": error.kind, "reason": error.reason}}})
        if params.get("refresh") in ("", "true", "wait_for"):
            for name in touched:
                self.indexes[name].refresh()
        return 200, {"took": round((time.perf_counter() - started) * 1000), "errors": errors, "items": items}

    def delete_by_query(self, index: FakeIndex, params: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        searcher = Searcher(index)
        query = body.get("query") or {"match_all": {}}
        matched = [doc for doc in searcher.docs if searcher.run(query, doc) is not None]
        deleted = conflicts = 0
        for doc in matched:
            current = index.live.get(doc.doc_id)
            if current is not None and current.version != doc.version:
                if params.get("conflicts") != "proceed":
                    raise EsError(409, "version_conflict_engine_exception", f"[{doc.doc_id}]: version conflict")
                conflicts += 1
                continue
            if current is not None:
                del index.live[doc.doc_id]
                deleted += 1
        if params.get("refresh") in ("", "true"):
            index.refresh()
        return 200, {"took": 0, "timed_out": False, "total": len(matched), "deleted": deleted, "batches": 1,
                     "version_conflicts": conflicts, "noops": 0, "failures": []}

    # -- search ----------------------------------------------------------------------------------
    def search(self, index: FakeIndex, body: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        known = {"query", "from", "size", "sort", "track_total_hits", "track_scores", "_source", "aggs",
                 "aggregations"}
        if set(body) - known:
            raise EsError(400, "parsing_exception", f"fake Elasticsearch: unknown keys {sorted(set(body) - known)}")
        from_, size = int(body.get("from", 0)), int(body.get("size", 10))
        if from_ < 0 or size < 0:
            raise EsError(400, "illegal_argument_exception", "[from] and [size] must be at least 0")
        if from_ + size > MAX_RESULT_WINDOW:
            raise EsError(400, "illegal_argument_exception",
                          f"Result window is too large, from + size must be less than or equal to: "
                          f"[{MAX_RESULT_WINDOW}] but was [{from_ + size}]")
        searcher = Searcher(index)
        query = body.get("query") or {"match_all": {}}
        matches = []
        for doc in searcher.docs:
            score = searcher.run(query, doc)
            if score is not None:
                matches.append((doc, score))
        sort = body.get("sort")
        scored = not sort or bool(body.get("track_scores"))
        keys = self._sort_keys(index, sort)
        matches.sort(key=lambda item: [key(item) for key in keys])
        page = matches[from_:from_ + size]
        total = len(matches)
        tracked = body.get("track_total_hits", MAX_RESULT_WINDOW)
        hits_total = {"value": total, "relation": "eq"}
        if tracked is not True:
            limit = 0 if tracked is False else int(tracked)
            if total > limit:
                hits_total = {"value": limit, "relation": "gte"}
        answer_hits = []
        for doc, score in page:
            hit: dict[str, Any] = {"_index": index.name, "_id": doc.doc_id, "_score": score if scored else None}
            source = self._source(doc.source, body.get("_source", True))
            if source is not None:
                hit["_source"] = source
            answer_hits.append(hit)
        max_score = max((score for _doc, score in matches), default=None) if scored else None
        answer: dict[str, Any] = {
            "took": round((time.perf_counter() - started) * 1000),
            "timed_out": False,
            "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
            "hits": {"total": hits_total, "max_score": max_score, "hits": answer_hits},
        }
        aggs = body.get("aggs") or body.get("aggregations")
        if aggs:
            answer["aggregations"] = {name: self._terms_aggregation(index, spec, [doc for doc, _s in matches])
                                      for name, spec in aggs.items()}
        if tracked is False:
            del answer["hits"]["total"]
        return answer

    @staticmethod
    def _source(source: dict[str, Any], spec: Any) -> dict[str, Any] | None:
        if spec is True:
            return source
        if spec is False:
            return None
        includes = spec if isinstance(spec, list) else [spec] if isinstance(spec, str) else spec.get("includes", [])
        return {key: value for key, value in source.items()
                if any(key == item or fnmatch.fnmatchcase(key, item) for item in includes)}

    def _sort_keys(self, index: FakeIndex, sort: Any) -> list[Any]:
        specs = sort if isinstance(sort, list) else [sort] if sort else ["_score"]
        keys = []
        for spec in specs:
            if isinstance(spec, str):
                name, options = spec, {}
            else:
                (name, options), = spec.items()
                options = options if isinstance(options, dict) else {"order": options}
            descending = options.get("order", "desc" if name == "_score" else "asc") == "desc"
            if name == "_score":
                keys.append(lambda item, d=descending: -item[1] if d else item[1])
                continue
            if name == "_doc":
                keys.append(lambda item, d=descending: -item[0].seq if d else item[0].seq)
                continue
            kind = index.field_type(name)
            if kind is None and "unmapped_type" not in options:
                raise EsError(400, "query_shard_exception", f"No mapping found for [{name}] in order to sort on")
            if kind == "text":
                raise EsError(400, "illegal_argument_exception",
                              f"Text fields are not optimised for operations that require per-document field data "
                              f"like aggregations and sorting, so these operations are disabled by default. "
                              f"[{name}]")
            missing_first = options.get("missing", "_last") == "_first"
            mode = options.get("mode", "max" if descending else "min")
            keys.append(_FieldKey(name, descending, missing_first, mode))
        return keys

    def _terms_aggregation(self, index: FakeIndex, spec: dict[str, Any], docs: list[Doc]) -> dict[str, Any]:
        (kind, options), = ((key, value) for key, value in spec.items() if key != "meta")
        if kind != "terms":
            raise EsError(400, "parsing_exception", f"fake Elasticsearch: aggregation [{kind}]")
        path = options["field"]
        field_kind = index.field_type(path)
        if field_kind == "text":
            raise EsError(400, "illegal_argument_exception", f"Text fields are not optimised ... [{path}]")
        counts: dict[Any, int] = {}
        for doc in docs:
            for value in set(doc.values.get(path, ())):
                counts[value] = counts.get(value, 0) + 1
        order = options.get("order", [{"_count": "desc"}, {"_key": "asc"}])
        order = order if isinstance(order, list) else [order]
        buckets = list(counts.items())
        for item in reversed(order + ([{"_key": "asc"}] if not any("_key" in o for o in order) else [])):
            (by, direction), = item.items()
            buckets.sort(key=lambda bucket, b=by: bucket[1] if b == "_count" else bucket[0],
                         reverse=direction == "desc")
        size = int(options.get("size", 10))
        if size < 1:
            raise EsError(400, "illegal_argument_exception", "[size] must be greater than 0")
        shown = buckets[:size]

        def bucket(key: Any, count: int) -> dict[str, Any]:
            if field_kind == "date":
                moment = datetime.fromtimestamp(key / 1000, UTC)
                return {"key": int(key), "key_as_string": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                        "doc_count": count}
            return {"key": key, "doc_count": count}

        return {"doc_count_error_upper_bound": 0,
                "sum_other_doc_count": sum(count for _key, count in buckets[size:]),
                "buckets": [bucket(key, count) for key, count in shown]}


class _FieldKey:
    """Sort key of one field: its min or max value, documents without it first or last."""

    def __init__(self, path: str, descending: bool, missing_first: bool, mode: str):
        self.path, self.descending, self.missing_first, self.mode = path, descending, missing_first, mode

    def __call__(self, item: tuple[Doc, float]) -> Any:
        values = item[0].values.get(self.path, [])
        if not values:
            return _Edge(first=self.missing_first)
        value = min(values) if self.mode == "min" else max(values)
        return _Reversed(value) if self.descending else _Plain(value)


class _Plain:
    def __init__(self, value: Any):
        self.value = value

    def __lt__(self, other: Any) -> bool:
        if isinstance(other, _Edge):
            return not other.first
        return self.value < other.value

    def __eq__(self, other: Any) -> bool:
        return not isinstance(other, _Edge) and self.value == other.value

    __hash__ = None  # type: ignore[assignment]


class _Reversed(_Plain):
    def __lt__(self, other: Any) -> bool:
        if isinstance(other, _Edge):
            return not other.first
        return other.value < self.value


class _Edge:
    """A missing value, sorted before or after every value."""

    def __init__(self, first: bool):
        self.first = first

    def __lt__(self, other: Any) -> bool:
        if isinstance(other, _Edge):
            return False
        return self.first

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, _Edge)

    __hash__ = None  # type: ignore[assignment]


@contextmanager
def fake_elasticsearch(version: int = 8) -> Iterator[FakeElasticsearch]:
    """A started :class:`FakeElasticsearch`, stopped on exit."""
    server = FakeElasticsearch(version)
    server.start()
    try:
        yield server
    finally:
        server.stop()
