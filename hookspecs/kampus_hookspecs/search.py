"""Search hooks: documents to index, filters, and results post-processing."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_search_documents(course_id: str) -> list[dict[str, Any]]:
    """Return documents to index for ``course_id``: dicts with ``id``,
    ``type``, ``title``, ``body`` and optional ``url`` and ``facets``.
    """


@hookspec
def kampus_search_filters() -> dict[str, list[str]]:
    """Return facet names and their allowed values that this plugin indexes.
    """


@hookspec
def kampus_search_results(query: str, results: list[dict[str, Any]], user: Any) -> None:
    """Post-process search results in place (drop what ``user`` may not see,
    add fields).
    """
