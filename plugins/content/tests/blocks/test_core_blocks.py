"""Kampus's core blocks: containers, html, video (sources, YouTube, transcripts, speeds), discussion."""

from __future__ import annotations

import json

import pytest
from kampus_content.blocks.transcripts import sjson_to_vtt, srt_to_vtt
from kampus_content.blocks.video import parse_time, youtube_id
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello there\n\n2\n00:00:03,000 --> 00:00:04,000\nSecond line\n"


def test_srt_to_vtt():
    vtt = srt_to_vtt(SRT)
    assert vtt.startswith("WEBVTT\n\n")
    assert "00:00:01.000 --> 00:00:02.500\nHello there" in vtt
    assert "\n1\n" not in vtt
    assert srt_to_vtt("WEBVTT\n\n00:00.000 --> 00:01.000\nx\n").startswith("WEBVTT")


def test_sjson_to_vtt():
    vtt = sjson_to_vtt(json.dumps({"start": [0, 1500], "end": [1500, 3000], "text": ["a", "b"]}))
    assert "00:00:00.000 --> 00:00:01.500\na" in vtt and "00:00:01.500 --> 00:00:03.000\nb" in vtt


def test_times_and_youtube_ids():
    assert parse_time("00:01:10") == 70
    assert parse_time("") == 0 and parse_time(None) == 0 and parse_time("junk") == 0
    assert parse_time(12.5) == 12.5
    assert youtube_id("", "0.75:slow,1.00:normal,1.25:fast") == "normal"
    assert youtube_id("direct", "1.00:other") == "direct"


@pytest.fixture
def course(app):
    blobs = app.extensions["kampus"].blob_store
    blobs.put("test/intro.srt", SRT.encode())
    blobs.put("test/fr.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nBonjour\n")
    return publish_course(app, DEFAULT_COURSE, {
        "unit1": [
            Block("video", "yt", {"youtube": "1.00:dQw4w9WgXcQ", "start_time": "00:00:10", "end_time": "00:01:00",
                                  "display_name": "Intro video"}),
            Block("video", "files", {
                "html5_sources": '["https://cdn.example.com/a.mp4"]', "download_video": "true",
                "start_time": "00:00:05", "transcripts": {"fr": "fr.vtt"},
                "data": '<video><source src="/static/b.webm"/><transcript language="en" src="intro.srt"/></video>',
            }),
            Block("discussion", "talk", {"discussion_id": "abc123", "discussion_category": "Week 1",
                                         "discussion_target": "Questions"}),
        ],
        "unit2": [Block("html", "two", {"data": "<p>Unit two</p>"})],
    }, root_meta={"files": {"static/intro.srt": "test/intro.srt", "static/fr.vtt": "test/fr.vtt"}})


def test_youtube_video(client_as, course):
    page = client_as("learner").get(f"/xblock/{course['yt']}").get_data(as_text=True)
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=10&amp;end=60"' in page
    assert "Intro video" in page


def test_file_video_with_transcripts_speeds_and_download(client_as, course):
    learner = client_as("learner")
    page = learner.get(f"/xblock/{course['files']}").get_data(as_text=True)
    assert '<source src="https://cdn.example.com/a.mp4#t=5">' in page
    assert f'<source src="/assets/{DEFAULT_COURSE}/b.webm#t=5">' in page
    assert 'kind="captions"' in page and 'srclang="en"' in page and 'srclang="fr"' in page
    assert "kampus-video-speed" in page and "video.js" in page
    assert "Download video" in page
    vtt = learner.get(f"/xblock/{course['files']}/handler/transcript/en")
    assert vtt.status_code == 200
    assert vtt.mimetype == "text/vtt"
    assert "00:00:01.000 --> 00:00:02.500" in vtt.get_data(as_text=True)
    assert "Bonjour" in learner.get(f"/xblock/{course['files']}/handler/transcript/fr.vtt").get_data(as_text=True)
    assert learner.get(f"/xblock/{course['files']}/handler/transcript/de").status_code == 404


def test_video_speed_is_a_learner_preference(client_as, course):
    learner = client_as("learner")
    response = learner.post(f"/xblock/{course['files']}/handler/save_user_state", data=json.dumps({"speed": 1.5}),
                            content_type="application/json")
    assert response.get_json() == {"success": True, "speed": 1.5}
    page = learner.get(f"/xblock/{course['yt']}?").get_data(as_text=True)
    assert page  # the YouTube player has no speed select; the preference is shared by every video
    assert 'data-speed="1.5"' in learner.get(f"/xblock/{course['files']}").get_data(as_text=True)
    assert 'data-speed="1"' in client_as("learner").get(f"/xblock/{course['files']}").get_data(as_text=True)


def test_discussion_anchor(client_as, course):
    page = client_as("learner").get(f"/xblock/{course['talk']}").get_data(as_text=True)
    assert 'data-discussion-id="abc123"' in page
    assert 'data-discussion-category="Week 1"' in page and 'data-discussion-target="Questions"' in page


def test_sequential_shows_one_unit_at_a_time(client_as, course):
    learner = client_as("learner")
    first = learner.get(f"/xblock/{course['lesson1']}").get_data(as_text=True)
    assert "Intro video" in first and "Unit two" not in first
    assert 'href="?unit=2"' in first
    second = learner.get(f"/xblock/{course['lesson1']}?unit=2").get_data(as_text=True)
    assert "Unit two" in second and "Intro video" not in second
    assert learner.get(f"/xblock/{course['lesson1']}?unit=99").status_code == 200


def test_course_and_chapter_outline(client_as, course):
    learner = client_as("learner")
    outline = learner.get(f"/xblock/{course['course']}").get_data(as_text=True)
    assert f'href="/xblock/{course["week1"]}"' in outline and f'href="/xblock/{course["lesson1"]}"' in outline
    chapter = learner.get(f"/xblock/{course['week1']}").get_data(as_text=True)
    assert "Lesson 1" in chapter


def test_wrap_fragment_hook_can_fill_the_discussion(make_app):
    from kampus_hookspecs import hookimpl
    from web_fragments.fragment import Fragment

    from kampus.testing import client_as

    class Forums:
        @hookimpl
        def kampus_wrap_fragment(self, block, view, fragment, context):
            if block.scope_ids.block_type != "discussion":
                return None
            return Fragment(fragment.content.replace("Discussion is not available in this course.", "3 threads"))

    app = make_app(plugins=["content", Forums()])
    course = publish_course(app, DEFAULT_COURSE, {"u": [Block("discussion", "d", {})]})
    page = client_as(app, "learner").get(f"/xblock/{course['u']}").get_data(as_text=True)
    assert "3 threads" in page
