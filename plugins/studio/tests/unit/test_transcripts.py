"""A video's transcript uploaded in Studio (.srt or .sjson): checked, stored as a course file, named in the
video's ``transcripts`` field, and served by the LMS player's ``transcript`` handler once published."""

from __future__ import annotations

import io
import json

import pytest
from kampus_content.api import DRAFT, get_structure, publish, read_course_file, update_fields

from .conftest import COURSE

API = f"/api/studio/v1/courses/{COURSE}"
SRT = "1\n00:00:01,000 --> 00:00:03,500\nWelcome to the course.\n\n2\n00:00:04,000 --> 00:00:06,000\nLet's begin.\n"
SJSON = json.dumps({"start": [0, 2000], "end": [1500, 4000], "text": ["Hola a todos.", "Empecemos."]})


@pytest.fixture
def video(author, course) -> str:
    answer = author.post(f"{API}/units/{course['unit2']}/components", json={"block_type": "video"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["usage_id"]


def upload(client, usage_id: str, name: str, data: bytes | str, language: str = "en", **form):
    raw = data.encode() if isinstance(data, str) else data
    return client.post(f"{API}/components/{usage_id}/transcripts", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(raw), name), "language": language, **form})


def video_fields(app, usage_id: str) -> dict:
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        key = next(key for key in draft.blocks if key[0] == "video" and key[1] in usage_id)
        return dict(draft.blocks[key].fields)


def test_an_srt_and_an_sjson_transcript_are_stored_and_served_to_learners(app, author, client_as, video):
    block_id = video.rsplit("@", 1)[1]
    srt = upload(author, video, "welcome.srt", SRT)
    assert srt.status_code == 201, srt.get_json()
    assert srt.get_json()["filename"] == f"{block_id}-en.srt" and srt.get_json()["captions"] == 2
    sjson = upload(author, video, "hola.sjson", SJSON, language="es")
    assert sjson.status_code == 201, sjson.get_json()
    assert sjson.get_json()["transcripts"] == {"en": f"{block_id}-en.srt", "es": f"{block_id}-es.sjson"}
    assert video_fields(app, video)["transcripts"] == sjson.get_json()["transcripts"]
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert read_course_file(draft, f"static/{block_id}-en.srt") == SRT.encode()
        assert sjson.get_json()["version"] == draft.version
        publish(COURSE, user_id=None)
    learner = client_as("learner", course_id=COURSE)
    vtt = learner.get(f"/xblock/{video}/handler/transcript/en")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    assert "00:00:01.000 --> 00:00:03.500\nWelcome to the course." in vtt.get_data(as_text=True)
    spanish = learner.get(f"/xblock/{video}/handler/transcript/translation/es")
    assert spanish.get_json()["text"] == ["Hola a todos.", "Empecemos."]
    page = learner.get(f"/xblock/{video}").get_data(as_text=True)
    assert f"/xblock/{video}/handler/transcript/es" in page and "Welcome to the course." in page
    # a new file in a language replaces the old one
    again = upload(author, video, "better.srt", SRT.replace("Welcome", "Hello"))
    assert again.status_code == 201
    with app.app_context():
        assert b"Hello to the course." in read_course_file(get_structure(COURSE, DRAFT), f"static/{block_id}-en.srt")


@pytest.mark.parametrize(("name", "data", "language", "says"), [
    ("notes.txt", SRT, "en", ".srt or .sjson"),
    ("broken.sjson", "{not json", "en", "not JSON"),
    ("list.sjson", "[1, 2]", "en", "start, end and text"),
    ("empty.srt", "hello\nthis is not a transcript\n", "en", "no captions were found"),
    ("latin.srt", "1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n".encode("latin-1"), "en", "UTF-8"),
    ("welcome.srt", SRT, "English please", "language code"),
    ("welcome.srt", SRT, "", "language code"),
])
def test_a_bad_transcript_is_a_clear_400_and_changes_nothing(app, author, video, name, data, language, says):
    before = video_fields(app, video)
    with app.app_context():
        version = get_structure(COURSE, DRAFT).version
    answer = upload(author, video, name, data, language=language)
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    assert says in body["user_message"], body
    assert body["field_errors"] and "Traceback" not in json.dumps(body)
    with app.app_context():
        assert get_structure(COURSE, DRAFT).version == version
    assert video_fields(app, video) == before


def test_over_the_size_limit_no_file_non_video_stale_version_and_access(app, author, client_as, course, video):
    limit = app.extensions["kampus"].settings.studio_max_upload_mb * 1024 * 1024
    big = upload(author, video, "huge.srt", SRT + "x" * limit)
    assert big.status_code == 413 and "exceeds maximum size" in big.get_json()["user_message"]
    missing = author.post(f"{API}/components/{video}/transcripts", data={"language": "en"},
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and "Choose a transcript file" in missing.get_json()["user_message"]
    html = author.get(f"{API}/units/{course['unit1']}").get_json()["components"][0]["usage_id"]
    assert "Only a video" in upload(author, html, "welcome.srt", SRT).get_json()["user_message"]
    with app.app_context():
        seen = get_structure(COURSE, DRAFT).version
        update_fields(COURSE, ("vertical", "unit2"), {"display_name": "Changed meanwhile"}, user_id=None)
    stale = upload(author, video, "welcome.srt", SRT, expected_version=seen)
    assert stale.status_code == 409 and "Reload the unit" in stale.get_json()["user_message"]
    assert "transcripts" not in video_fields(app, video)
    learner = client_as("learner", course_id=COURSE)
    assert upload(learner, video, "welcome.srt", SRT).status_code == 403


def test_documented_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    operation = paths["/api/studio/v1/courses/{course_id}/components/{usage_id}/transcripts"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"201", "400", "409", "413"} <= set(operation["responses"])


def test_a_transcript_in_a_new_format_replaces_the_old_file_of_that_language(app, author, course, video):
    block_id = video.rsplit("@", 1)[1]
    assert upload(author, video, "welcome.srt", SRT).status_code == 201
    assert upload(author, video, "hola.srt", SRT, language="es").status_code == 201
    replaced = upload(author, video, "welcome.sjson", SJSON)
    assert replaced.status_code == 201, replaced.get_json()
    assert replaced.get_json()["transcripts"] == {"en": f"{block_id}-en.sjson", "es": f"{block_id}-es.srt"}
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert read_course_file(draft, f"static/{block_id}-en.srt") is None  # not left behind
        assert read_course_file(draft, f"static/{block_id}-en.sjson") == SJSON.encode()
        assert read_course_file(draft, f"static/{block_id}-es.srt") == SRT.encode()
    assets = author.get(f"{API}/assets/").get_json()
    assert assets, "the files page answered nothing"
    names = json.dumps(assets)
    assert f"{block_id}-en.srt" not in names and f"{block_id}-en.sjson" in names
    # a file another video still names is kept
    other = author.post(f"{API}/units/{course['unit2']}/components", json={"block_type": "video"}).get_json()
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        other_key = next(key for key in draft.blocks if key[0] == "video" and key[1] in other["usage_id"])
        update_fields(COURSE, other_key, {"transcripts": {"es": f"{block_id}-es.srt"}}, user_id=None)
    assert upload(author, video, "hola.sjson", SJSON, language="es").status_code == 201
    with app.app_context():
        assert read_course_file(get_structure(COURSE, DRAFT), f"static/{block_id}-es.srt") == SRT.encode()
