"""The Elasticsearch driver serves Studio's content search: a site with ``search = "elasticsearch"`` and the
plugins content, problems and studio indexes every block of a course's draft in Elasticsearch's
``studio_content`` index (the in-process fake; a real cluster with KAMPUS_TEST_ES_URL, test ids
``[in-process-fake]`` / ``[real-es]``), and ``GET /api/studio/v1/search/`` answers from there: words, the
block-type filter with its facet, and an author's courses only."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import client_as

from .conftest import EsTarget

MINE = "course-v1:MITx+Chem+2026"
THEIRS = "course-v1:MITx+Bio+2026"
PROBLEM = ("<problem><multiplechoiceresponse><label>Which bond holds water's hydrogen?</label><choicegroup>"
           '<choice correct="true">Covalent</choice><choice correct="false">Ionic</choice></choicegroup>'
           "</multiplechoiceresponse></problem>")


@pytest.fixture
def es_app(make_app, es_target: EsTarget) -> Iterator[Flask]:
    prefix = f"kampus_test_{uuid.uuid4().hex[:12]}_"
    app = make_app(plugins=["content", "problems", "studio", "elasticsearch"], settings={
        "search": "elasticsearch", "elasticsearch_url": es_target.url, "elasticsearch_index_prefix": prefix,
        **es_target.settings})
    yield app
    search = app.extensions["kampus"].search
    try:
        for name in search.index_names():
            search.delete_index(name)
    finally:
        search.close()


def test_studio_search_answers_from_elasticsearch(es_app: Flask) -> None:
    for course in (MINE, THEIRS):
        publish_course(es_app, course, {"water": [
            Block("html", "bonds", {"display_name": "Hydrogen bonds", "data": "<p>Water molecules and hydrogen.</p>"}),
            Block("problem", "quiz", {"display_name": "Bond quiz", "data": PROBLEM})]})
    assert "studio_content" in es_app.extensions["kampus"].search.index_names()
    author = client_as(es_app, "staff", course_id=MINE)
    answer = author.get("/api/studio/v1/search/", query_string={"q": "hydrogen", "block_type": "problem"}).get_json()
    assert [(hit["context_key"], hit["block_id"]) for hit in answer["results"]] == [(MINE, "quiz")]
    assert answer["facets"]["block_type"] == {"html": 1, "problem": 1}
    assert answer["facets"]["problem_types"] == {"multiplechoiceresponse": 1}
    assert [crumb["display_name"] for crumb in answer["results"][0]["breadcrumbs"]] == [
        "Test course", "Week 1", "Lesson 1", "Water"]
    # Elasticsearch pages through the first 10,000 results only: a page past them is a 400, not a server error.
    beyond = author.get("/api/studio/v1/search/", query_string={"page": 101, "page_size": 100})
    assert beyond.status_code == 400 and beyond.get_json()["developer_message"]
    assert author.get("/studio/search", query_string={"page": 501}).status_code == 400
