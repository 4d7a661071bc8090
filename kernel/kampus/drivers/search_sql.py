"""The SQL search driver (``search = "sql"``): the search index in the site's own database.

Two tables (migration ``k0003_search_index``): ``kampus_search_document`` holds each document
(index name, id, its JSON, and ``body``: the words of its text, normalised by
:func:`kampus.drivers.search.document_text` and joined by spaces), and ``kampus_search_field``
one row per exact field value (index, document, field, value, number) for filters, ranges,
sorting and facet counts, the same on every database. Full text per database:

* SQLite: an FTS5 table over ``body`` (external content, kept in step by triggers), ranked by
  ``bm25()``;
* PostgreSQL: a generated ``tsvector`` column (``simple`` configuration: no stemming, no stop
  words) with a GIN index, ranked by ``ts_rank``;
* MariaDB/MySQL: a ``FULLTEXT`` index (created with stop words off) searched with
  ``MATCH ... AGAINST`` in boolean mode. InnoDB does not index words shorter than
  ``innodb_ft_min_token_size`` (3 by default) or longer than ``innodb_ft_max_token_size`` (84),
  and may drop its stop words (:data:`MYSQL_STOPWORDS`): terms with such words (and prefix
  phrases) are matched with ``LIKE`` over the word list instead, slower but the same answer.
  The two sizes are read from the server on the first search.

The query string never reaches a database as syntax: :func:`~kampus.drivers.search.parse_query`
keeps only words, and each dialect's query is built from them (quoted, bound as a parameter).
A search runs two statements whatever the number of results: the page and the facet counts (one
``GROUP BY``). On PostgreSQL and MariaDB/MySQL the page is the ranked page (``ORDER BY ... LIMIT``)
joined to one row counting every match (and their best score), never a window function over every
match (MariaDB evaluated ``MATCH`` again per row of the window's temporary table: minutes for
50,000 matches); SQLite computes the total and the best score as window functions (``bm25()`` is
not allowed in an aggregate) and runs a third, counting statement only for an empty page.
Writes run in one transaction each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, Database, UTCDateTime, utcnow
from kampus.drivers.search import (
    QueryTerm,
    SearchEngine,
    SearchError,
    ValueRange,
    check_index_name,
    check_page,
    document_id,
    document_text,
    exact_fields,
    facet_specs,
    filter_values,
    json_document,
    parse_query,
    range_bound,
    sort_fields,
)

if TYPE_CHECKING:
    from kampus.app import Kampus

#: The longest text kept per document, in characters (PostgreSQL's tsvector holds at most 1 MB).
MAX_BODY_CHARS = 200_000
#: InnoDB's default stop words (``INFORMATION_SCHEMA.INNODB_FT_DEFAULT_STOPWORD``). The migration
#: creates the index with stop words off, but a table rebuild (``TRUNCATE``, ``OPTIMIZE``, an
#: ``ALTER``) re-creates it with the server's setting, so these are matched with ``LIKE`` always.
MYSQL_STOPWORDS = frozenset({
    "a", "about", "an", "are", "as", "at", "be", "by", "com", "de", "en", "for", "from", "how", "i", "in", "is",
    "it", "la", "of", "on", "or", "that", "the", "this", "to", "was", "what", "when", "where", "who", "will",
    "with", "und", "www",
})
_CHUNK = 500


def _exact(length: int) -> sa.types.TypeEngine[Any]:
    return sa.String(length).with_variant(mysql.VARCHAR(length, collation="utf8mb4_bin"), "mysql")


def _long_text(binary: bool = False) -> sa.types.TypeEngine[Any]:
    variant = mysql.MEDIUMTEXT(collation="utf8mb4_bin") if binary else mysql.MEDIUMTEXT()
    return sa.Text().with_variant(variant, "mysql")


class SearchDocument(Base):
    """One indexed document."""

    __tablename__ = "kampus_search_document"
    __table_args__ = (sa.UniqueConstraint("index_name", "doc_id"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    index_name: Mapped[str] = mapped_column(_exact(64))
    doc_id: Mapped[str] = mapped_column(_exact(255))
    data: Mapped[str] = mapped_column(_long_text())
    body: Mapped[str] = mapped_column(_long_text(binary=True))
    updated: Mapped[Any] = mapped_column(UTCDateTime(), default=utcnow)


class SearchField(Base):
    """One value of one exact field of a document."""

    __tablename__ = "kampus_search_field"
    __table_args__ = (
        sa.Index("ix_kampus_search_field_document_id", "document_id", "field"),
        sa.Index("ix_kampus_search_field_value", "index_name", "field", "value"),
        sa.Index("ix_kampus_search_field_number", "index_name", "field", "number"),
    )

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("kampus_search_document.id", ondelete="CASCADE"))
    index_name: Mapped[str] = mapped_column(_exact(64))
    field: Mapped[str] = mapped_column(_exact(128))
    value: Mapped[str] = mapped_column(_exact(255))
    number: Mapped[float | None] = mapped_column(sa.Float, nullable=True)


DOCS = SearchDocument.__table__
FIELDS = SearchField.__table__
FTS = sa.table("kampus_search_fts", sa.column("rowid"))


class SqlSearchEngine(SearchEngine):
    """The search index in the site's database (see the module's doc).

    Built by the kernel with ``owner=`` (the app's :class:`~kampus.app.Kampus`: it uses that
    app's database, read at each call); a standalone engine takes ``database=`` or opens
    ``settings.database_url``.
    """

    def __init__(self, settings: Any, *, owner: Kampus | None = None, database: Database | None = None,
                 **context: Any):
        super().__init__(settings, **context)
        self._owner = owner
        self._database = database
        self._word_sizes: dict[str, tuple[int, int]] = {}

    @property
    def db(self) -> Database:
        """The database the index lives in."""
        if self._database is not None:
            return self._database
        if self._owner is not None:
            return self._owner.db
        self._database = Database(self.settings.database_url)
        return self._database

    # -- writing ---------------------------------------------------------------------------------
    def index(self, index_name: str, documents: Iterable[Mapping[str, Any]]) -> int:
        prepared = self._prepare(index_name, documents)
        if not prepared:
            return 0
        with self.db.engine.begin() as connection:
            self._write(connection, index_name, prepared)
        return len(prepared)

    def remove(self, index_name: str, doc_ids: Iterable[str]) -> int:
        check_index_name(index_name)
        ids = sorted({str(doc_id) for doc_id in doc_ids})
        if not ids:
            return 0
        with self.db.engine.begin() as connection:
            return self._delete_ids(connection, index_name, ids)

    def remove_matching(self, index_name: str, field_dictionary: Mapping[str, Any],
                        *, keep_ids: Collection[str] = ()) -> int:
        check_index_name(index_name)
        with self.db.engine.begin() as connection:
            return self._remove_matching(connection, index_name, field_dictionary, set(keep_ids))

    def replace_matching(self, index_name: str, field_dictionary: Mapping[str, Any],
                         documents: Iterable[Mapping[str, Any]]) -> int:
        prepared = self._prepare(index_name, documents)
        with self.db.engine.begin() as connection:
            self._write(connection, index_name, prepared)
            self._remove_matching(connection, index_name, field_dictionary, {doc_id for doc_id, *_ in prepared})
        return len(prepared)

    @staticmethod
    def _prepare(index_name: str, documents: Iterable[Mapping[str, Any]]
                 ) -> list[tuple[str, str, str, dict[str, list[tuple[str, float | None]]]]]:
        """``(id, JSON, body, exact fields)`` of each document, the last of equal ids winning;
        every document is checked before anything is written."""
        check_index_name(index_name)
        prepared: dict[str, tuple[str, str, str, dict[str, list[tuple[str, float | None]]]]] = {}
        for document in documents:
            doc_id = document_id(document)
            data = json_document(document)
            body = document_text(data)[:MAX_BODY_CHARS]
            prepared[doc_id] = (doc_id, json.dumps(data, ensure_ascii=False), body, exact_fields(data))
        return list(prepared.values())

    def _write(self, connection: Connection, index_name: str,
               prepared: list[tuple[str, str, str, dict[str, list[tuple[str, float | None]]]]]) -> None:
        now = utcnow()
        for start in range(0, len(prepared), _CHUNK):
            chunk = prepared[start:start + _CHUNK]
            ids = [doc_id for doc_id, *_ in chunk]
            self._delete_ids(connection, index_name, ids)
            connection.execute(DOCS.insert(), [
                {"index_name": index_name, "doc_id": doc_id, "data": data, "body": body, "updated": now}
                for doc_id, data, body, _fields in chunk
            ])
            keys = dict(connection.execute(
                sa.select(DOCS.c.doc_id, DOCS.c.id).where(DOCS.c.index_name == index_name, DOCS.c.doc_id.in_(ids))
            ).all())
            rows = [
                {"document_id": keys[doc_id], "index_name": index_name, "field": name, "value": text,
                 "number": number}
                for doc_id, _data, _body, fields in chunk
                for name, values in fields.items()
                for text, number in values
            ]
            if rows:
                connection.execute(FIELDS.insert(), rows)

    @staticmethod
    def _delete_ids(connection: Connection, index_name: str, ids: list[str]) -> int:
        removed = 0
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            keys = connection.execute(
                sa.select(DOCS.c.id).where(DOCS.c.index_name == index_name, DOCS.c.doc_id.in_(chunk))
            ).scalars().all()
            if keys:
                connection.execute(FIELDS.delete().where(FIELDS.c.document_id.in_(keys)))
                removed += connection.execute(DOCS.delete().where(DOCS.c.id.in_(keys))).rowcount
        return removed

    def _remove_matching(self, connection: Connection, index_name: str, field_dictionary: Mapping[str, Any],
                         keep_ids: set[str]) -> int:
        conditions = [DOCS.c.index_name == index_name,
                      *(self._field_match(name, value) for name, value in field_dictionary.items())]
        rows = connection.execute(sa.select(DOCS.c.doc_id).where(*conditions)).scalars().all()
        return self._delete_ids(connection, index_name, [doc_id for doc_id in rows if doc_id not in keep_ids])

    # -- searching -------------------------------------------------------------------------------
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
        started = time.perf_counter()
        check_index_name(index_name)
        size, from_ = check_page(size, from_)
        sorting = sort_fields(sort)
        facets = facet_specs(facet_terms)
        terms = parse_query(query_string)
        dialect = self.db.dialect
        if dialect == "sqlite" and terms:
            # "+column": SQLite must not pick the index on index_name as the outer loop, else it runs the
            # FTS MATCH once per document of the index (0.8 s instead of 2 ms with 100,000 documents)
            conditions = [sa.literal_column("+kampus_search_document.index_name") == index_name]
        else:
            conditions = [DOCS.c.index_name == index_name]
        conditions += [self._field_match(name, value) for name, value in (field_dictionary or {}).items()]
        conditions += [sa.or_(self._field_match(name, value), ~self._has_field(name))
                       for name, value in (filter_dictionary or {}).items()]
        conditions += [~self._field_match(name, value) for name, value in (exclude_dictionary or {}).items()]

        with self.db.engine.connect() as connection:
            word_sizes = self._mysql_word_sizes(connection) if dialect == "mysql" else (0, 0)
            text_match = _TextMatch(dialect, terms, word_sizes)
            total, max_score, results = self._page(connection, index_name, text_match, conditions, sorting,
                                                   size, from_)
            facet_counts = self._facets(connection, index_name, text_match, conditions, facets) if facets else {}
        return {
            "took": round((time.perf_counter() - started) * 1000),
            "total": total,
            "max_score": max_score,
            "results": results,
            "facets": facet_counts,
        }

    def _mysql_word_sizes(self, connection: Connection) -> tuple[int, int]:
        """InnoDB's shortest and longest indexed word (read once per engine and database)."""
        key = str(self.db.url)
        sizes = self._word_sizes.get(key)
        if sizes is None:
            low, high = connection.execute(
                sa.text("SELECT @@innodb_ft_min_token_size, @@innodb_ft_max_token_size")).one()
            sizes = self._word_sizes[key] = (int(low), int(high))
        return sizes

    def _page(self, connection: Connection, index_name: str, text_match: _TextMatch,
              conditions: list[Any], sorting: list[tuple[str, bool]], size: int, from_: int
              ) -> tuple[int, float | None, list[dict[str, Any]]]:
        if self.db.dialect == "sqlite":
            return self._sqlite_page(connection, index_name, text_match, conditions, sorting, size, from_)
        # PostgreSQL, MariaDB/MySQL: the ranked page (ORDER BY ... LIMIT over the matches) left-joined to one
        # aggregate row (the total, and the best score unless the page's first row has it), never a window
        # over every match: MariaDB merged such a "matches" subquery and evaluated MATCH again for each
        # row of the window's temporary table (minutes for 50,000 matches instead of about a second)
        scored = text_match.scored_select().where(*conditions, *text_match.conditions())
        score = scored.selected_columns.score
        keys: list[tuple[Any, bool]] = []  # the sort fields' keys (selected, to sort the page again), direction
        for name, descending in sorting:
            value = self._sort_value(DOCS.c.id, name, "value", descending)
            number = self._sort_value(DOCS.c.id, name, "number", descending)
            keys += [(value.is_(None), False), (number, descending), (value, descending)]
        keys = [(key.label(f"sort_{n}"), descending) for n, (key, descending) in enumerate(keys)]
        keys += [(score, True), (DOCS.c.doc_id, False)]
        page = (scored.add_columns(*(key for key, _descending in keys[:-2]))
                .order_by(*(key.desc() if descending else key for key, descending in keys))
                .limit(size).offset(from_).subquery("page"))
        # sorted by score from the first match, the page's first row has the best score
        max_from_page = not sorting and from_ == 0 and size > 0
        aggregates = [sa.func.count().label("total")]
        aggregates.append(sa.null().label("max_score") if max_from_page
                          else sa.func.max(sa.type_coerce(text_match.score(), sa.Float)).label("max_score"))
        counted = (sa.select(*aggregates).select_from(DOCS).where(*conditions, *text_match.conditions())
                   .subquery("counted"))
        outer_keys = [page.c[f"sort_{n}"] for n in range(len(keys) - 2)] + [page.c.score, page.c.doc_id]
        rows = connection.execute(
            sa.select(counted.c.total, counted.c.max_score, page.c.doc_id, page.c.data, page.c.score)
            .select_from(counted.outerjoin(page, sa.true()))
            .order_by(*(key.desc() if descending else key
                        for key, (_key, descending) in zip(outer_keys, keys, strict=True)))
        ).all()
        total = int(rows[0].total or 0)
        hits = [row for row in rows if row.doc_id is not None]
        max_score = (hits[0].score if hits else None) if max_from_page else rows[0].max_score
        results = [{"_id": row.doc_id, "_index": index_name, "score": float(row.score), "data": json.loads(row.data)}
                   for row in hits]
        return total, (float(max_score) if total and max_score is not None else None), results

    def _sqlite_page(self, connection: Connection, index_name: str, text_match: _TextMatch,
                     conditions: list[Any], sorting: list[tuple[str, bool]], size: int, from_: int
                     ) -> tuple[int, float | None, list[dict[str, Any]]]:
        matches = text_match.scored_select().where(*conditions, *text_match.conditions()).subquery("matches")
        order: list[Any] = []
        for name, descending in sorting:
            value = self._sort_value(matches.c.id, name, "value", descending)
            number = self._sort_value(matches.c.id, name, "number", descending)
            order += [value.is_(None), number.desc() if descending else number,
                      value.desc() if descending else value]
        order += [matches.c.score.desc(), matches.c.doc_id]
        page = (sa.select(matches.c.doc_id, matches.c.data, matches.c.score,
                          sa.func.count().over().label("total"),
                          sa.func.max(matches.c.score).over().label("max_score"))
                .order_by(*order))
        rows = connection.execute(page.limit(size).offset(from_)).all() if size else []
        if rows:
            total, max_score = rows[0].total, rows[0].max_score
        elif size and from_ == 0:
            total, max_score = 0, None
        else:  # an empty page: count with the same query (aggregates over bm25() fail in SQLite)
            first = connection.execute(page.limit(1)).first()
            total, max_score = (first.total, first.max_score) if first else (0, None)
        results = [{"_id": row.doc_id, "_index": index_name, "score": float(row.score), "data": json.loads(row.data)}
                   for row in rows]
        return int(total or 0), (float(max_score) if total else None), results

    @staticmethod
    def _sort_value(document_key: Any, name: str, column: str, descending: bool) -> Any:
        aggregate = sa.func.max if descending else sa.func.min
        field = FIELDS.alias()
        return (sa.select(aggregate(field.c[column])).where(field.c.document_id == document_key, field.c.field == name)
                .scalar_subquery())

    def _facets(self, connection: Connection, index_name: str, text_match: _TextMatch,
                conditions: list[Any], facets: dict[str, int | None]) -> dict[str, Any]:
        matching = sa.select(DOCS.c.id).where(*conditions, *text_match.conditions(as_subquery=True))
        rows = connection.execute(
            sa.select(FIELDS.c.field, FIELDS.c.value, sa.func.count())
            .where(FIELDS.c.index_name == index_name, FIELDS.c.field.in_(list(facets)),
                   FIELDS.c.document_id.in_(matching))
            .group_by(FIELDS.c.field, FIELDS.c.value)
        ).all()
        counted: dict[str, list[tuple[str, int]]] = {name: [] for name in facets}
        for field, value, count in rows:
            counted[field].append((value, int(count)))
        result = {}
        for name, size in facets.items():
            terms = sorted(counted[name], key=lambda item: (-item[1], item[0]))
            shown = terms if size is None else terms[:size]
            result[name] = {"terms": dict(shown), "total": sum(count for _value, count in terms),
                            "other": sum(count for _value, count in terms[len(shown):])}
        return result

    # -- conditions on exact fields ------------------------------------------------------------
    @staticmethod
    def _has_field(name: str) -> Any:
        field = FIELDS.alias()
        return (sa.select(field.c.id).where(field.c.document_id == DOCS.c.id, field.c.field == name)
                .correlate(DOCS).exists())

    @staticmethod
    def _field_match(name: str, value: Any) -> Any:
        wanted = filter_values(value)
        field = FIELDS.alias()
        base = [field.c.document_id == DOCS.c.id, field.c.field == name]
        if isinstance(wanted, ValueRange):
            lower, upper = range_bound(wanted.lower), range_bound(wanted.upper)
            if any(number is not None for _text, number in (lower, upper)) and \
                    any(text is not None for text, _number in (lower, upper)):
                raise SearchError(f"range of {name!r} mixes a number and a text bound")
            for (text, number), compare in ((lower, "__ge__"), (upper, "__le__")):
                if number is not None:
                    base.append(getattr(field.c.number, compare)(number))
                elif text is not None:
                    base.append(getattr(field.c.value, compare)(text))
        else:
            texts = sorted({text for text, _number in wanted if text is not None})
            if not texts:
                return sa.false()
            base.append(field.c.value.in_(texts))
        return sa.select(field.c.id).where(*base).correlate(DOCS).exists()


class _TextMatch:
    """The full-text part of a search for one dialect: conditions and the score."""

    def __init__(self, dialect: str, terms: list[QueryTerm], word_sizes: tuple[int, int] = (0, 0)):
        self.dialect = dialect
        self.terms = terms
        self.like_terms: list[str] = []
        self.query = ""
        if not terms:
            return
        if dialect == "sqlite":
            self.query = " ".join(
                '"' + " ".join(term.words) + '"' + (" *" if term.prefix else "") for term in terms
            )
        elif dialect == "postgresql":
            self.query = " & ".join(
                "(" + " <-> ".join(f"'{word}'" + (":*" if term.prefix and index == len(term.words) - 1 else "")
                                   for index, word in enumerate(term.words)) + ")"
                for term in terms
            )
        else:
            boolean = []
            for term in terms:
                indexable = all(word_sizes[0] <= len(word) <= word_sizes[1] and word not in MYSQL_STOPWORDS
                                for word in term.words)
                if indexable and len(term.words) == 1:
                    boolean.append(f"+{term.words[0]}" + ("*" if term.prefix else ""))
                elif indexable and not term.prefix:
                    boolean.append('+"' + " ".join(term.words) + '"')
                else:
                    self.like_terms.append("% " + " ".join(term.words) + ("%" if term.prefix else " %"))
            self.query = " ".join(boolean)

    def _mysql_match(self) -> Any:
        return DOCS.c.body.match(self.query)

    def _tsquery(self) -> Any:
        return sa.func.to_tsquery(sa.literal_column("'simple'"), sa.bindparam("search_query", self.query))

    def conditions(self, *, as_subquery: bool = False) -> list[Any]:
        """Conditions on ``kampus_search_document``; for SQLite's page query, the FTS table is
        joined by :meth:`scored_select` instead."""
        if not self.terms:
            return []
        if self.dialect == "sqlite":
            if not as_subquery:
                return [sa.literal_column("kampus_search_fts").op("MATCH")(sa.bindparam("search_query", self.query))]
            matching = sa.select(FTS.c.rowid).where(
                sa.literal_column("kampus_search_fts").op("MATCH")(sa.bindparam("search_query", self.query)))
            return [DOCS.c.id.in_(matching)]
        if self.dialect == "postgresql":
            return [sa.literal_column("kampus_search_document.tsv").op("@@")(self._tsquery())]
        conditions: list[Any] = [self._mysql_match()] if self.query else []
        padded = sa.func.concat(" ", DOCS.c.body, " ")
        conditions += [padded.like(pattern) for pattern in self.like_terms]
        return conditions

    def score(self) -> Any:
        """A match's score (higher is better; 1.0 for every document when browsing); in SQLite
        (``bm25()``) only in a query that joins the FTS table, as :meth:`scored_select` does."""
        if not self.terms:
            return sa.literal(1.0, sa.Float)
        if self.dialect == "sqlite":
            return -sa.func.bm25(sa.literal_column("kampus_search_fts"))
        if self.dialect == "postgresql":
            return sa.func.ts_rank(sa.literal_column("kampus_search_document.tsv"), self._tsquery(), 1)
        return self._mysql_match() if self.query else sa.literal(1.0, sa.Float)

    def scored_select(self) -> Any:
        """``SELECT id, doc_id, data, score FROM ...`` for the page query (conditions to add)."""
        columns = [DOCS.c.id, DOCS.c.doc_id, DOCS.c.data, sa.type_coerce(self.score(), sa.Float).label("score")]
        if self.terms and self.dialect == "sqlite":
            return sa.select(*columns).select_from(FTS.join(DOCS, DOCS.c.id == FTS.c.rowid))
        return sa.select(*columns)


__all__ = ["SearchDocument", "SearchField", "SqlSearchEngine"]
