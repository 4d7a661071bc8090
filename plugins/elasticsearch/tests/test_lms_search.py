"""The Elasticsearch driver serves the LMS's search: a site with ``search = "elasticsearch"`` and the
plugins content, problems and lms indexes published courses in Elasticsearch (the in-process fake;
a real cluster with KAMPUS_TEST_ES_URL, test ids ``[in-process-fake]`` / ``[real-es]``), and the
LMS's endpoints answer from there: course discovery (``POST /search/course_discovery/``: words of the
description, facets, facet choices) and the courseware search of a course (``POST /search/<course>``:
a unit found by a word of its content, access rules kept)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_elasticsearch.search_engine import ElasticsearchSearchEngine
from kampus_lms.api import enroll, reindex_course

from kampus.testing import client_as, login, make_user, recording_statements

from .conftest import FAKE, EsTarget

PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
ALGEBRA = "course-v1:MITx+Algebra+2026"
POETRY = "course-v1:HarvardX+Poetry+2026"
SOON = "course-v1:MITx+Topology+2999"
INDEXES = ["course_info", "courseware_content"]


@pytest.fixture
def es_app(make_app, es_target: EsTarget) -> Iterator[tuple[Flask, str]]:
    """A site with the LMS whose search is Elasticsearch under a fresh index prefix; the app and
    the prefix. Every index under the prefix is deleted after the test."""
    prefix = f"kampus_test_{uuid.uuid4().hex[:12]}_"
    app = make_app(plugins=["content", "problems", "lms", "elasticsearch"], settings={
        "search": "elasticsearch", "elasticsearch_url": es_target.url, "elasticsearch_index_prefix": prefix,
        **es_target.settings})
    yield app, prefix
    search = app.extensions["kampus"].search
    try:
        for name in search.index_names():
            search.delete_index(name)
    finally:
        search.close()


def _publish(app: Flask, key: str, units: dict[str, list[Block]], description: str = "", **fields: Any
             ) -> dict[str, str]:
    """Publish ``key`` (its about page's short description ``description``); the LMS indexes it on publish."""
    root_meta = None
    if description:
        blob = f"tests/{uuid.uuid4().hex}/short_description.html"
        app.extensions["kampus"].blob_store.put(blob, description.encode())
        root_meta = {"files": {"about/short_description.html": blob}}
    return publish_course(app, key, units, root_meta=root_meta,
                          course_fields={"display_name": key.split("+")[1], "start": PAST, **fields})


def _html(block_id: str, text: str, **fields: Any) -> list[Block]:
    return [Block("html", block_id, {"display_name": block_id.title(), "data": f"<p>{text}</p>", **fields})]


def _catalog(app: Flask) -> dict[str, str]:
    """Three courses: Algebra (MITx, en, enrollment open until 2999), Poetry (HarvardX, fr, enrollment
    closed), Topology (MITx, en, upcoming, no enrollment end: open)."""
    usage = _publish(app, ALGEBRA, {
        "intro": _html("vectors", "A vector has magnitude &amp; direction."),
        "quiz": [Block("problem", "inverse", {"display_name": "Inverses", "data":
                 "<problem><p>Which matrix is invertible?</p><multiplechoiceresponse><choicegroup>"
                 '<choice correct="true">Identity</choice><choice correct="false">Zero</choice></choicegroup>'
                 "</multiplechoiceresponse><solution><p>The determinant is nonzero.</p></solution></problem>"})],
        "secret": _html("notes", "Grading rubric notes.", visible_to_staff_only=True),
    }, "<p>Eigenvectors, determinants and the geometry of linear maps.</p>",
        display_name="Linear Algebra", language="en", enrollment_end=FUTURE)
    _publish(app, POETRY, {"sonnets": _html("sonnet", "Fourteen lines of iambic pentameter.")},
             "<p>Sonnets and villanelles, read aloud.</p>", display_name="Reading Poetry", language="fr",
             enrollment_end="2020-06-01T00:00:00Z")
    _publish(app, SOON, {"spaces": _html("spaces", "Open sets and magnitude of neighbourhoods.")},
             "Knots and surfaces, for later.", display_name="Topology", language="en", start=FUTURE)
    return usage


def _discovery(client: Any, **form: Any) -> dict[str, Any]:
    response = client.post("/search/course_discovery/", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _course_search(client: Any, course_id: str, words: str, status: int = 200) -> dict[str, Any]:
    response = client.post(f"/search/{course_id}", data={"search_string": words})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def _ids(answer: dict[str, Any]) -> list[str]:
    return [hit["_id"] for hit in answer["results"]]


def test_the_lms_indexes_published_courses_in_elasticsearch(es_app, es_target: EsTarget) -> None:
    app, prefix = es_app
    _catalog(app)
    search = app.extensions["kampus"].search
    assert isinstance(search, ElasticsearchSearchEngine) and search.prefix == prefix
    assert search.index_names() == INDEXES
    # the cluster's own index list (what an operator sees), not only the driver's view of it
    listed = search.request("GET", f"/{prefix}*")
    assert sorted(listed) == [prefix + name for name in INDEXES]
    if es_target.name == FAKE:
        assert {prefix + name for name in INDEXES} <= set(es_target.fake.indexes)
    with app.app_context():
        assert search.search("course_info", size=0)["total"] == 3
        assert search.search("courseware_content", field_dictionary={"course": ALGEBRA}, size=0)["total"] == 3
        # re-indexing replaces the course's documents (nothing doubled, nothing left behind)
        assert reindex_course(ALGEBRA) == reindex_course(ALGEBRA) == 4
        assert search.search("courseware_content", field_dictionary={"course": ALGEBRA}, size=0)["total"] == 3
        assert search.search("course_info", size=0)["total"] == 3


def test_course_discovery_finds_a_course_by_its_description_with_facets(es_app) -> None:
    app, _prefix = es_app
    _catalog(app)
    client = app.test_client()
    with recording_statements(app) as recorder:
        found = _discovery(client, search_string="eigenvectors")
    assert recorder.touching("kampus_search") == []  # answered by Elasticsearch, not the SQL index
    assert found["total"] == 1 and _ids(found) == [ALGEBRA]
    (hit,) = found["results"]
    assert hit["_index"] == "course_info" and hit["score"] > 0
    assert hit["data"]["content"]["display_name"] == "Linear Algebra"
    assert hit["data"]["org"] == "MITx" and hit["data"]["language"] == "en"
    assert found["facets"]["org"]["terms"] == {"MITx": 1}
    assert found["facets"]["language"]["terms"] == {"en": 1}
    assert _ids(_discovery(client, search_string="VILLANELLES aloud")) == [POETRY]
    assert _ids(_discovery(client, search_string="eigen*")) == [ALGEBRA]  # a word's beginning
    assert _discovery(client, search_string="cooking")["total"] == 0

    everything = _discovery(client)
    assert everything["total"] == 3
    facets = everything["facets"]
    assert facets["org"]["terms"] == {"MITx": 2, "HarvardX": 1}
    assert facets["language"]["terms"] == {"en": 2, "fr": 1}
    assert facets["modes"]["terms"] == {"audit": 3}
    assert facets["start"]["terms"] == {"current": 2, "upcoming": 1}
    assert facets["enrollment"]["terms"] == {"open": 2}

    assert _ids(_discovery(client, org="HarvardX")) == [POETRY]
    assert _ids(_discovery(client, start="upcoming")) == [SOON]
    assert sorted(_ids(_discovery(client, enrollment="open"))) == [ALGEBRA, SOON]  # a missing end counts as open
    mitx = _discovery(client, org="MITx")
    assert sorted(_ids(mitx)) == [ALGEBRA, SOON]
    assert mitx["facets"]["org"]["terms"] == {"MITx": 2, "HarvardX": 1}  # a facet's counts ignore its own choice
    assert mitx["facets"]["language"]["terms"] == {"en": 2}  # ... and follow the other facets' choices
    chosen = _discovery(client, org="MITx", language="en", start="current")
    assert _ids(chosen) == [ALGEBRA]
    assert chosen["facets"]["start"]["terms"] == {"current": 1, "upcoming": 1}
    assert _discovery(client, search_string="magnitude")["total"] == 0  # unit text is not the catalog's


def test_course_discovery_paging_and_bad_input(es_app) -> None:
    app, _prefix = es_app
    _catalog(app)
    client = app.test_client()
    first, last = _discovery(client, page_size=2, page_index=0), _discovery(client, page_size=2, page_index=1)
    assert first["total"] == last["total"] == 3
    assert len(first["results"]) == 2 and len(last["results"]) == 1
    assert set(_ids(first)) | set(_ids(last)) == {ALGEBRA, POETRY, SOON}
    for words in ('"foo AND (', "*", "((", "%_'", "eigen* OR 1=1"):
        assert isinstance(_discovery(client, search_string=words)["total"], int), words
    response = client.post("/search/course_discovery/", data={"page_size": "1000"})
    assert response.status_code == 400 and "error" in response.get_json()


def test_courseware_search_finds_a_unit_by_a_word_of_its_content(es_app) -> None:
    app, _prefix = es_app
    usage = _catalog(app)
    user = make_user(app, "user")
    with app.test_request_context():
        enroll(user, ALGEBRA, check_access=False)
    learner = login(app.test_client(), user)

    with recording_statements(app) as recorder:
        answer = _course_search(learner, ALGEBRA, "magnitude")
    assert recorder.touching("kampus_search") == []
    assert answer["total"] == 1  # Topology's unit has the word too: another course
    (hit,) = answer["results"]
    assert hit["_id"] == usage["vectors"] and hit["_index"] == "courseware_content"
    assert hit["data"]["unit"] == usage["intro"]
    assert hit["data"]["url"] == f"/courses/{ALGEBRA}/jump_to/{usage['vectors']}"
    assert hit["data"]["location"] == ["Week 1", "Lesson 1", "Intro"]
    assert "<b>magnitude</b>" in hit["data"]["excerpt"]
    assert _ids(_course_search(learner, ALGEBRA, "invertible matrix")) == [usage["inverse"]]
    assert _ids(_course_search(learner, ALGEBRA, '"has magnitude"')) == [usage["vectors"]]
    for hidden in ("determinant", "rubric", "pentameter"):  # a solution, staff-only, another course
        assert _course_search(learner, ALGEBRA, hidden)["total"] == 0, hidden

    staff = client_as(app, "staff", course_id=ALGEBRA)
    assert _ids(_course_search(staff, ALGEBRA, "rubric")) == [usage["notes"]]
    assert _course_search(app.test_client(), ALGEBRA, "magnitude", status=403)["error"]
    assert _course_search(learner, "course-v1:No+Such+Course", "x", status=404)["error"]


def test_deleting_a_course_removes_it_from_elasticsearch(es_app) -> None:
    app, _prefix = es_app
    _catalog(app)
    with app.app_context():
        app.extensions["kampus"].driver("content_store").delete_course(ALGEBRA)
    client = app.test_client()
    assert _discovery(client, search_string="eigenvectors")["total"] == 0
    assert _discovery(client)["total"] == 2
    with app.app_context():
        search = app.extensions["kampus"].search
        assert search.search("courseware_content", field_dictionary={"course": ALGEBRA})["total"] == 0
        assert search.search("courseware_content", field_dictionary={"course": POETRY})["total"] == 1
