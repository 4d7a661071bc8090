"""Studio's REST API for content search: ``GET /api/studio/v1/search/``.

Open edX's Studio search is answered by Meilisearch, which the authoring front end queries directly with a
key the LMS hands out (``/api/content_search/v2/studio/``); Kampus answers the search itself, so its API
lives under ``/api/studio/v1/``. Parameters: ``q`` (the words; empty lists every block), ``course_id``
(one course; default: every course the user may edit), ``block_type`` and ``problem_type`` (filters,
comma-separated), ``page``, ``page_size`` (at most 100). The answer holds the page of ``results`` (Open
edX's document fields: ``id``, ``usage_key``, ``type``, ``block_id``, ``block_type``, ``display_name``,
``context_key``, ``org``, ``breadcrumbs``, ``problem_types``; and ``url``, where the block is edited, and
``excerpt``, HTML with the words found in ``<b>``), ``count``, ``num_pages``, ``current_page``, and the
``facets``: per filter, ``{value: count}``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection, validated
from kampus.course_keys import is_course_id
from kampus_studio.search import api

bp = Blueprint("studio_search_api", __name__, url_prefix="/api/studio/v1")
search_api = ApiSection("studio-search", "Studio: find blocks of the courses one edits by words, block type "
                                         "and problem type.", errors="openedx")


class SearchError(BaseModel):
    developer_message: str
    user_message: str


class SearchQuery(BaseModel):
    q: str = Field("", max_length=1000, description="The words (whole words, \"phrases\", prefix*).")
    course_id: str | None = Field(None, max_length=255, description="Search this course only.")
    block_type: str | None = Field(None, max_length=1000,
                                   description="Block types, comma-separated (problem,html): any of them.")
    problem_type: str | None = Field(None, max_length=1000,
                                     description="Problem response types, comma-separated: any of them.")
    page: int = Field(1, ge=1, le=api.MAX_PAGE)
    page_size: int = Field(20, ge=1, le=api.MAX_PAGE_SIZE)


class Breadcrumb(BaseModel):
    display_name: str
    usage_key: str | None = None


class BlockHit(BaseModel):
    id: str
    usage_key: str
    type: str
    block_id: str
    block_type: str
    display_name: str
    context_key: str
    org: str
    breadcrumbs: list[Breadcrumb]
    problem_types: list[str]
    url: str = Field(description="The Studio page that edits the block (its unit, or the outline).")
    excerpt: str = Field(description="HTML: the text around the words found, each in <b>.")


class SearchAnswer(BaseModel):
    results: list[BlockHit]
    count: int
    num_pages: int
    current_page: int
    facets: dict[str, dict[str, int]] = Field(description="Per filter (block_type, problem_types): value -> blocks.")


def _error(status: int, message: str) -> Response:
    response = jsonify({"developer_message": message, "user_message": message})
    response.status_code = status
    return response


@bp.get("/search/")
@search_api.doc(query=SearchQuery, resp={200: SearchAnswer, 400: SearchError, 401: SearchError,
                                         403: SearchError})
def search() -> Any:
    """Blocks of the courses the user may edit, matching the words and filters (best first)."""
    if not current_user.is_authenticated:
        return _error(401, "Authentication credentials were not provided.")
    query: SearchQuery = validated("query")
    if query.course_id is not None and not is_course_id(query.course_id):
        return _error(400, "The provided course key cannot be parsed.")
    try:
        result = api.search_blocks(current_user._get_current_object(), query.q, course_id=query.course_id,
                                   block_types=api.clean_values(query.block_type),
                                   problem_types=api.clean_values(query.problem_type),
                                   page=query.page, page_size=query.page_size)
    except api.StudioSearchError as error:
        return _error(error.status, error.message)
    return jsonify({
        "results": [hit.as_json() for hit in result.hits],
        "count": result.total,
        "num_pages": result.pages,
        "current_page": result.page,
        "facets": {name: {value.value: value.count for value in values} for name, values in result.facets.items()},
    })
