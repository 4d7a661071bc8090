"""Imported Open edX content renders in the browser as its authors meant.

* A course's own HTML: the author's inline script, inline ``onclick`` handler and course
  script file run (each with the response's CSP nonce, or allowed by hash), the course's
  stylesheet and the web font it names by a relative URL load from the course's files,
  Font Awesome 4.7 icons draw, maths typesets with MathJax, and wide images, tables, code
  and equations stay within a 375 px window.
* What a learner writes stays inert: an answer holding ``<script>`` and ``<img onerror>``
  is shown as text and never runs, before or after a reload.
* The video player sends Open edX's video events (load, play, pause, seek, speed change,
  stop) to the tracking log, driven on a tiny generated media file.
* The Open edX demo course (``../shared/corpus/olx/openedx-demo-course``): no unit page is
  wider than a 375 px window, and its maths is typeset (screenshots of a maths unit at 375
  and 1280 px are saved for a person to look at).
"""

from __future__ import annotations

import io
import json
import math
import struct
import time
import uuid
import wave
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

COURSE = "course-v1:E2E+Rendering+2026"
DEMO = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "olx" / "openedx-demo-course"

WIDE_SVG = ("<svg xmlns='http://www.w3.org/2000/svg' width='1600' height='200'>"
            "<rect width='1600' height='200' fill='#36c'/></svg>")
COURSE_CSS = """@font-face { font-family: "E2E Course Font"; src: url(fonts/course-font.woff2) format("woff2"); }
.e2e-styled { color: rgb(1, 2, 3); font-family: "E2E Course Font", serif; }
"""
COURSE_JS = "window.e2eCourseScript = 'loaded'; document.getElementById('e2e-file').textContent = 'file ran';"
AUTHOR_HTML = """<link rel="stylesheet" type="text/css" href="/static/course.css">
<p class="e2e-styled" id="e2e-styled">Styled by the course</p>
<p><i class="fa fa-check" id="e2e-icon" aria-hidden="true"></i> An icon</p>
<p id="e2e-target">not run</p><p id="e2e-file">not run</p>
<button type="button" id="e2e-button" onclick="this.textContent = 'clicked'">Click me</button>
<script>document.getElementById('e2e-target').textContent = 'script ran';</script>
<script src="/static/course.js"></script>
<p>Inline [mathjaxinline]a^2 + b^2 = c^2[/mathjaxinline] and display:</p>
[mathjax]\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2} + \\int_0^1 x^2 \\, dx + \\frac{1}{2} + \\frac{1}{3} + \\frac{1}{4}
 + \\frac{1}{5} + \\frac{1}{6} + \\frac{1}{7} + \\frac{1}{8} + \\frac{1}{9} + \\frac{1}{10} + \\frac{1}{11}[/mathjax]
<p><img src="/static/wide.svg" alt="A wide blue band"></p>
<table><tr>""" + "".join(f"<td>column {i} with some words</td>" for i in range(12)) + """</tr></table>
<pre>""" + "x = 1; " * 60 + """</pre>
<div style="width: 900px">An author's fixed-width box</div>"""
XSS = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
PROBLEM = """<problem><p>Warm-up: [mathjaxinline]e^{i\\pi} + 1 = 0[/mathjaxinline]</p>
<stringresponse answer="Paris" type="ci"><label>Capital of France?</label>
<textline size="20"/></stringresponse></problem>"""

SETUP = """
import json, sys
from pathlib import Path
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.permissions import grant_role
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
from kampus_content.store import content_store
from kampus_content.olx.service import import_path
import xstatic.pkg.font_awesome as fa

args = json.loads(sys.argv[1] if len(sys.argv) > 1 else %(args)r)
app = create_app()
kampus = app.extensions["kampus"]
font = (Path(fa.BASE_DIR) / "fonts" / "fontawesome-webfont.woff2").read_bytes()
blobs = {"course.css": (args["css"].encode(), "text/css"), "course.js": (args["js"].encode(), "text/javascript"),
         "wide.svg": (args["svg"].encode(), "image/svg+xml"), "fonts/course-font.woff2": (font, "font/woff2"),
         "clip.wav": (bytes.fromhex(args["wav"]), "audio/wav")}
files = {}
with app.app_context():
    for name, (data, content_type) in blobs.items():
        key = "e2e-rendering-" + args["username"] + "-" + name.replace("/", "-")
        kampus.blob_store.put(key, data, content_type)
        files["static/" + name] = key
units = {
    "author": [Block("html", "author_html", {"display_name": "Author HTML", "data": args["html"]})],
    "answer": [Block("problem", "capital", {"display_name": "Capital", "data": args["problem"]})],
    "video": [Block("video", "clip", {"display_name": "Clip", "html5_sources": ["/static/clip.wav"]})],
}
usage = publish_course(app, args["course"], units, root_meta={"files": files})
demo = None
with app.app_context():
    with kampus.db.session_scope() as db_session:
        user = create_user(db_session, args["username"], args["username"] + "@example.com", args["password"],
                           name="E2E", confirmed=True)
        grant_role(db_session, user, "learner", args["course"])
    if args["demo"]:
        result = import_path(Path(args["demo"]), content_store(), user_id=None)
        structure = content_store().get_branch(result.course_key, "published")
        verticals, maths = [], []
        for (block_type, block_id), block in structure.blocks.items():
            if block_type != "vertical":
                continue
            key = f"block-v1:{result.course_key[len('course-v1:'):]}+type@vertical+block@{block_id}"
            verticals.append(key)
            text = " ".join(str(structure.blocks[child].fields.get("data", "")) for child in block.children
                            if child in structure.blocks)
            if "\\\\(" in text or "[mathjax" in text:
                maths.append(key)
        with kampus.db.session_scope() as db_session:
            grant_role(db_session, user, "learner", result.course_key)
        demo = {"course": result.course_key, "verticals": verticals, "maths": maths}
print(json.dumps({"usage": usage, "demo": demo, "log": kampus.settings.tracking_log}))
"""


def silent_wav(seconds: float = 3.0, rate: int = 8000) -> bytes:
    """A short, quiet WAV (a low hum), made here: no third-party media."""
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        frames = int(seconds * rate)
        wav.writeframes(b"".join(struct.pack("<h", int(200 * math.sin(2 * math.pi * 110 * n / rate)))
                                 for n in range(frames)))
    return out.getvalue()


@pytest.fixture(scope="module")
def site(live_site):
    username = f"e2e_render_{uuid.uuid4().hex[:8]}"
    args = {"course": COURSE, "username": username, "password": live_site.password, "html": AUTHOR_HTML,
            "css": COURSE_CSS, "js": COURSE_JS, "svg": WIDE_SVG, "wav": silent_wav().hex(), "problem": PROBLEM,
            "demo": str(DEMO) if (DEMO / "course.xml").is_file() else ""}
    result = json.loads(live_site.run_python(SETUP % {"args": json.dumps(args)}))
    result["username"] = username
    return result


class Console:
    """Uncaught errors and CSP refusals on a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("console", lambda message: self.errors.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text else None)


def settle(page) -> None:
    """Wait until MathJax (when the page loads it) has typeset the page."""
    page.wait_for_load_state("load")
    page.evaluate("""() => (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
                          ? window.MathJax.startup.promise.then(() => true) : true""")


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_author_scripts_course_css_fonts_icons_and_maths(live_site, page, site, tmp_path_factory):
    console = Console(page)
    live_site.log_in(page, site["username"])
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_site.url}/xblock/{site['usage']['author']}")
    settle(page)
    assert page.locator("#e2e-target").text_content() == "script ran"
    assert page.locator("#e2e-file").text_content() == "file ran"
    assert page.evaluate("() => window.e2eCourseScript") == "loaded"
    page.locator("#e2e-button").click()
    assert page.locator("#e2e-button").text_content() == "clicked"
    # the course's stylesheet, and the font it names relative to itself, from the course's files
    assert page.locator("#e2e-styled").evaluate("(el) => getComputedStyle(el).color") == "rgb(1, 2, 3)"
    loaded = page.evaluate("""() => document.fonts.load('16px "E2E Course Font"').then((faces) => faces.length)""")
    assert loaded == 1
    # Font Awesome 4.7 draws the icon with its own font
    assert "FontAwesome" in page.locator("#e2e-icon").evaluate("(el) => getComputedStyle(el).fontFamily")
    assert page.evaluate("() => document.fonts.load('14px FontAwesome').then((faces) => faces.length)") >= 1
    # maths: Open edX's markers typeset by MathJax, inline and display
    assert page.locator("mjx-container").count() == 2
    assert page.locator("mjx-container[display='true']").count() == 1
    assert overflow(page) <= 0, "the page is wider than a 375 px window"
    assert console.errors == []
    page.screenshot(path=str(tmp_path_factory.mktemp("rendering-screenshots") / "author-375.png"), full_page=True)


def test_a_learner_answer_never_runs_and_maths_is_typeset_after_submit(live_site, page, site):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    live_site.log_in(page, site["username"])
    page.goto(f"{live_site.url}/xblock/{site['usage']['answer']}")
    problem = page.locator(".kampus-problem")
    problem.get_by_label("Capital of France?").fill(XSS)
    problem.get_by_role("button", name="Submit").click()
    page.wait_for_function("() => document.querySelector('.kampus-problem .status-incorrect') !== null")
    assert page.evaluate("() => window.__pwned") is None
    # the problem's new HTML is typeset again
    page.wait_for_function("() => document.querySelector('.kampus-problem mjx-container') !== null")
    page.reload()
    settle(page)
    assert page.locator(".kampus-problem").get_by_label("Capital of France?").input_value() == XSS
    time.sleep(0.3)  # an injected image would have failed to load and fired its handler by now
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator(".kampus-problem img[src='x']").count() == 0
    assert dialogs == []


def tracking_events(path: str, username: str, types: set[str]) -> list[dict]:
    events = []
    for line in Path(path).read_text().splitlines():
        event = json.loads(line)
        if event.get("username") == username and event.get("event_type") in types:
            events.append(event)
    return events


VIDEO_EVENTS = {"load_video", "play_video", "pause_video", "seek_video", "speed_change_video", "stop_video"}


def test_video_player_sends_openedx_video_events(live_site, page, site):
    username = site["username"]
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{site['usage']['video']}")
    video = page.locator("video.kampus-video-player")
    video.evaluate("""(v) => new Promise((done) => v.readyState >= 1 ? done()
                                                  : v.addEventListener('loadedmetadata', done))""")
    video.evaluate("(v) => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 0.3")
    video.evaluate("(v) => v.pause()")
    # where the seek lands: 2.0 when the server answers range requests, else where the browser can go
    landed = video.evaluate("""(v) => new Promise((done) => {
        v.addEventListener('seeked', () => done(v.currentTime), {once: true}); v.currentTime = 2.0; })""")
    page.get_by_label("Speed").select_option("1.5")
    video.evaluate("(v) => new Promise((done) => { v.addEventListener('ended', done, {once: true}); v.play(); })")
    deadline = time.monotonic() + 10
    while True:
        events = tracking_events(site["log"], username, VIDEO_EVENTS)
        if {event["event_type"] for event in events} == VIDEO_EVENTS or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    by_type: dict[str, list[dict]] = {}
    for event in events:
        by_type.setdefault(event["event_type"], []).append(json.loads(event["event"]))
    assert set(by_type) == VIDEO_EVENTS, sorted(by_type)
    for event in events:
        assert event["event_source"] == "browser"
        assert event["context"]["course_id"] == COURSE
        assert event["page"].endswith(site["usage"]["video"])
    for data in (item for items in by_type.values() for item in items):
        assert data["id"] == "clip" and data["code"] == "html5"
    assert by_type["play_video"][0]["currentTime"] >= 0 and by_type["pause_video"][0]["currentTime"] > 0.3
    seek = by_type["seek_video"][0]
    assert seek["new_time"] == pytest.approx(landed, abs=0.001) and seek["type"] == "onSlideSeek"
    assert seek["old_time"] == by_type["pause_video"][0]["currentTime"]  # from where the learner paused
    speed = by_type["speed_change_video"][0]
    assert speed["old_speed"] == "1.0" and speed["new_speed"] == "1.5"
    assert speed["current_time"] == pytest.approx(landed, abs=0.001)
    assert by_type["stop_video"][0]["currentTime"] == pytest.approx(3.0, abs=0.1)
    assert by_type["load_video"][0]["duration"] == pytest.approx(3.0, abs=0.1)


def test_openedx_demo_course_fits_a_phone_and_typesets_its_maths(live_site, page, site, tmp_path_factory):
    demo = site["demo"]
    if not demo:
        pytest.skip(f"the Open edX demo course is not here ({DEMO}): it comes with ../shared/corpus")
    assert demo["maths"], "the demo course has units with maths"
    live_site.log_in(page, site["username"])
    page.set_viewport_size({"width": 375, "height": 800})
    too_wide = {}
    for usage_id in demo["verticals"]:
        page.goto(f"{live_site.url}/xblock/{usage_id}")
        settle(page)
        extra = overflow(page)
        if extra > 0:
            too_wide[usage_id] = extra
    assert too_wide == {}, f"units wider than a 375 px window (extra pixels): {too_wide}"
    shots = tmp_path_factory.mktemp("rendering-screenshots")
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_site.url}/xblock/{demo['maths'][0]}")
        settle(page)
        assert page.locator("mjx-container").count() > 0
        assert overflow(page) <= 0
        page.screenshot(path=str(shots / f"demo-maths-{width}.png"), full_page=True)
    print(f"\nscreenshots of a maths unit of the Open edX demo course: {shots}")
