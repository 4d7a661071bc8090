"""Video transcripts are escaped exactly once: ``we're`` in the WebVTT and SJSON served, once-escaped in the page.

Open edX's transcript files hold HTML character references (the demo course's
SRT files say ``we&#39;re``); they used to reach the learner as ``we&#39;re``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kampus_content.blocks.transcripts import (
    Cue,
    TranscriptError,
    cues_to_vtt,
    parse_sjson,
    parse_srt,
    parse_transcript,
    parse_vtt,
    transcript_as_vtt,
)
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

# As Open edX writes them: an apostrophe as a character reference, and markup that is text.
SRT = ("1\r\n00:00:01,000 --> 00:00:02,500\r\nNow we&#39;re <b>live</b> &amp; well\r\n\r\n"
       "2\r\n00:00:03,000 --> 00:00:04,000\r\nR&D: a < b\r\n")
SJSON = json.dumps({"start": [0, 1500], "end": [1500, 3000],
                    "text": ["Now we&#39;re <b>live</b> &amp; well", "we're here"]})
VTT = "WEBVTT\n\nNOTE kept as written\n\ncue-1\n00:01.000 --> 00:02.000 align:start\nIt&#39;s <i>fine</i> &amp; done\n"


def test_srt_cues_are_plain_text():
    assert parse_srt(SRT) == [Cue(1000, 2500, "Now we're <b>live</b> & well"), Cue(3000, 4000, "R&D: a < b")]


def test_sjson_cues_are_plain_text():
    assert parse_sjson(SJSON) == [Cue(0, 1500, "Now we're <b>live</b> & well"), Cue(1500, 3000, "we're here")]


def test_vtt_cues_are_plain_text():
    assert parse_vtt(VTT) == [Cue(1000, 2000, "It's <i>fine</i> & done")]


def test_vtt_escapes_only_what_webvtt_needs():
    vtt = cues_to_vtt(parse_srt(SRT))
    assert "00:00:01.000 --> 00:00:02.500\nNow we're &lt;b&gt;live&lt;/b&gt; &amp; well\n" in vtt
    assert "R&amp;D: a &lt; b" in vtt
    assert "&#39;" not in vtt and "&amp;amp;" not in vtt and "&amp;#39;" not in vtt


def test_a_webvtt_file_is_served_as_written():
    assert transcript_as_vtt("fr.vtt", VTT) == VTT


@pytest.mark.parametrize(("name", "text"), [
    ("a.sjson", "not json"), ("a.sjson", "[1, 2]"), ("a.sjson", '{"start": 1, "end": [], "text": []}'),
    ("a.sjson", '{"start": ["x"], "end": [1], "text": ["a"]}'), ("a.vtt", "00:01.000 --> 00:02.000\nno header"),
])
def test_unreadable_transcripts_raise_a_clear_error(name, text):
    with pytest.raises(TranscriptError):
        parse_transcript(name, text)


@pytest.fixture
def course(app):
    blobs = app.extensions["kampus"].blob_store
    blobs.put("test/talk.srt", SRT.encode())
    blobs.put("test/subs_talk.srt.sjson", SJSON.encode())
    files = '["https://cdn.example.com/a.mp4"]'
    return publish_course(app, DEFAULT_COURSE, {"unit1": [
        Block("video", "srt", {"html5_sources": files, "transcripts": {"en": "talk.srt"}}),
        Block("video", "sjson", {"html5_sources": files, "sub": "talk"}),
        Block("video", "hidden", {"html5_sources": files, "sub": "talk", "show_captions": "false"}),
    ]}, root_meta={"files": {"static/talk.srt": "test/talk.srt",
                             "static/subs_talk.srt.sjson": "test/subs_talk.srt.sjson"}})


@pytest.mark.parametrize("block", ["srt", "sjson"])
def test_served_transcripts_say_we_re(client_as, course, block):
    learner = client_as("learner")
    vtt = learner.get(f"/xblock/{course[block]}/handler/transcript/en")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    text = vtt.get_data(as_text=True)
    assert "Now we're &lt;b&gt;live&lt;/b&gt; &amp; well" in text
    assert "&#39;" not in text
    sjson = learner.get(f"/xblock/{course[block]}/handler/transcript/translation/en")
    assert sjson.status_code == 200 and sjson.mimetype == "application/json"
    assert sjson.get_json()["text"][0] == "Now we're <b>live</b> & well"
    assert sjson.get_json()["start"][0] in (0, 1000)
    assert learner.get(f"/xblock/{course[block]}/handler/transcript/translation/de").status_code == 404


@pytest.mark.parametrize("block", ["srt", "sjson"])
def test_the_page_shows_the_transcript_escaped_once(client_as, course, block):
    page = client_as("learner").get(f"/xblock/{course[block]}").get_data(as_text=True)
    assert "kampus-video-transcript" in page
    assert "Now we&#39;re &lt;b&gt;live&lt;/b&gt; &amp; well" in page  # the browser shows: Now we're <b>live</b> & well
    assert "&amp;#39;" not in page and "&amp;lt;" not in page and "&amp;amp;" not in page
    assert "<b>live" not in page


def test_no_transcript_text_when_captions_are_off(client_as, course):
    page = client_as("learner").get(f"/xblock/{course['hidden']}").get_data(as_text=True)
    assert "kampus-video-transcript" not in page and 'kind="captions"' not in page
    assert "Transcripts:" in page  # the files can still be downloaded


DEMO_STATIC = Path(__file__).resolve().parents[4].parent / "shared/corpus/olx/openedx-demo-course/static"


def test_the_open_edx_demo_course_transcripts_read_as_plain_text():
    files = sorted(DEMO_STATIC.glob("*-en.srt")) if DEMO_STATIC.is_dir() else []
    if not files:
        pytest.skip(f"the shared corpus is absent ({DEMO_STATIC})")
    texts = [cue.text for path in files for cue in parse_srt(path.read_text("utf-8-sig"))]
    assert any("'" in text for text in texts)  # these files say it&#39;s, we&#39;re...
    assert not any("&#39;" in text for text in texts)
    vtt = "".join(transcript_as_vtt(path.name, path.read_text("utf-8-sig")) for path in files)
    assert "&#39;" not in vtt and "we're" in vtt
