"""In-course search: video transcripts are indexed (``content.transcript_<lang>``, Open edX's shape) and
their words find the video with an excerpt from the transcript; beta testers find content released to
them ``days_early_for_beta`` early, and plugins' documents stay found for them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kampus_content.api import Block, get_structure, transcript_text, transcript_texts
from kampus_content.testing.xblocks import publish_course
from kampus_hookspecs import hookimpl
from kampus_lms.enrollment.api import enroll

from kampus.testing import client_as, login, make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

COURSE = "course-v1:MITx+Physics+2026"
PAST = "2020-01-01T00:00:00Z"
SRT = """1
00:00:01,000 --> 00:00:04,000
Welcome to the lecture on angular momentum.

2
00:00:04,500 --> 00:00:08,000
A spinning top keeps its axis &amp; precesses slowly.
"""
SJSON = {"start": [0, 2000], "end": [2000, 4000], "text": ["Bonjour et bienvenue", "le moment cinétique"]}


def _video_course(app: Any) -> dict[str, str]:
    blobs = app.extensions["kampus"].blob_store
    with app.app_context():
        blobs.put("tests/lecture.srt", SRT.encode())
        blobs.put("tests/subs_fr.srt.sjson", json.dumps(SJSON).encode())
        blobs.put("tests/broken.srt.sjson", b"{not json")
    return publish_course(app, COURSE, {
        "lecture": [Block("video", "talk", {"display_name": "Lecture 3", "youtube": "1.00:dQw4w9WgXcQ",
                                            "transcripts": {"en": "lecture.srt", "fr": "subs_fr.srt.sjson",
                                                            "de": "missing.srt", "es": "broken.srt.sjson"}})],
        "notes": [Block("html", "notes", {"display_name": "Notes", "data": "<p>Torque and rotation.</p>"})],
    }, course_fields={"display_name": "Physics", "start": PAST}, root_meta={"files": {
        "static/lecture.srt": "tests/lecture.srt", "static/subs_fr.srt.sjson": "tests/subs_fr.srt.sjson",
        "static/broken.srt.sjson": "tests/broken.srt.sjson"}})


def _learner(app: Any, role: str = "user") -> Any:
    user = make_user(app, role, course_id=COURSE)
    with app.test_request_context():
        enroll(user, COURSE, check_access=False)
    return login(app.test_client(), user)


def _search(client: Any, words: str) -> dict[str, Any]:
    response = client.post(f"/search/{COURSE}", data={"search_string": words})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_content_api_reads_transcripts_as_text(app) -> None:
    usage = _video_course(app)
    with app.app_context():
        structure = get_structure(COURSE)
        texts = transcript_texts(structure, ("video", "talk"))
        assert texts == {"en": "Welcome to the lecture on angular momentum. A spinning top keeps its axis & "
                               "precesses slowly.",
                         "fr": "Bonjour et bienvenue le moment cinétique"}  # missing and unreadable left out
        assert transcript_text(structure, ("video", "talk"), "fr").startswith("Bonjour")
        assert transcript_text(structure, ("video", "talk"), "de") == ""
        assert transcript_texts(structure, ("html", "notes")) == {}
    assert usage["talk"]


def test_transcript_words_find_the_video(app) -> None:
    usage = _video_course(app)
    learner = _learner(app)
    answer = _search(learner, "precesses")
    assert [hit["_id"] for hit in answer["results"]] == [usage["talk"]]
    (hit,) = answer["results"]
    assert hit["data"]["content_type"] == "Video"
    assert hit["data"]["content"]["transcript_en"].startswith("Welcome to the lecture")
    assert "<b>precesses</b>" in hit["data"]["excerpt"] and "&amp;" in hit["data"]["excerpt"]
    assert [h["_id"] for h in _search(learner, "cinétique")["results"]] == [usage["talk"]]
    assert _search(learner, "lecture")["total"] == 1  # the name and the transcript: one hit
    assert _search(learner, "torque")["results"][0]["_id"] == usage["notes"]


def test_a_broken_video_does_not_stop_the_course_from_being_indexed(app, monkeypatch) -> None:
    def broken(structure: Any, key: Any) -> dict[str, str]:
        raise RuntimeError("a video block that cannot be loaded")

    monkeypatch.setattr("kampus_lms.search.documents.transcript_texts", broken)
    usage = _video_course(app)
    learner = _learner(app)
    assert [hit["_id"] for hit in _search(learner, "lecture")["results"]] == [usage["talk"]]  # by its name
    assert _search(learner, "precesses")["total"] == 0


class GlossaryPlugin:
    """A plugin whose search document has no release date."""

    @hookimpl
    def kampus_search_documents(self, course_id: str) -> list[dict[str, Any]]:
        return [{"id": f"{course_id}/glossary", "type": "glossary", "title": "Glossary",
                 "body": "<p>Gyroscope: a spinning wheel</p>", "url": "/glossary"}]


def test_beta_testers_find_content_days_early(make_app) -> None:
    app = make_app(plugins=["content", "problems", "lms", GlossaryPlugin()])
    soon = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    usage = publish_course(app, COURSE, {
        "now": [Block("html", "now", {"display_name": "Now", "data": "<p>Inertia today.</p>"})],
        "soon": [Block("html", "soon", {"display_name": "Soon", "data": "<p>Inertia soon.</p>", "start": soon})],
        "later": [Block("html", "later", {"display_name": "Later", "data": "<p>Inertia later.</p>",
                                          "start": "2999-01-01T00:00:00Z"})],
    }, course_fields={"display_name": "Physics", "start": PAST, "days_early_for_beta": 5})

    def found(client: Any, words: str = "inertia") -> set[str]:
        return {hit["_id"] for hit in _search(client, words)["results"]}

    learner, tester = _learner(app), _learner(app, "beta_tester")
    assert found(learner) == {usage["now"]}
    assert found(tester) == {usage["now"], usage["soon"]}
    assert found(client_as(app, "staff", course_id=COURSE)) == {usage["now"], usage["soon"], usage["later"]}
    assert found(tester, "gyroscope") == found(learner, "gyroscope") == {f"{COURSE}/glossary"}
