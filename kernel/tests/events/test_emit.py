"""Events: the Open edX envelope, request fields, context hooks, the tracking log."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from flask import Blueprint, jsonify
from kampus_hookspecs import hookimpl

from kampus.errors import DriverError
from kampus.events import emit
from kampus.events.emit import course_id_from_url, org_of

COURSE = "course-v1:KampusX+Ev101+2026"
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
CORPUS = Path(__file__).resolve().parents[3] / "../shared/corpus/events/openedx-events.jsonl"
#: Fields Open edX keeps at the top level, never in ``context``.
TOP_LEVEL_ONLY = {"username", "session", "ip", "agent", "host", "referer", "accept_language"}


class Emitter:
    """A plugin with a page that emits an event, and a context field."""

    @hookimpl
    def kampus_blueprints(self, app):
        bp = Blueprint("emitter", __name__)

        @bp.route("/courses/<course_id>/do")
        def do(course_id):
            event = emit("edx.test.done", {"answer": 42}, course_id=course_id)
            return jsonify(ok=True, time=event["time"])

        return [bp]

    @hookimpl
    def kampus_event_context(self, event):
        if event["context"].get("course_id"):
            return {"course_user_tags": {"cohort": "blue"}, "plugin_field": event["event_type"]}
        return None


def read_log(path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def app(make_app):
    return make_app(plugins=[Emitter()])


def test_org_of_and_course_from_url():
    assert org_of("course-v1:Org+Num+Run") == "Org"
    assert org_of("edX/DemoX/Demo_Course") == "edX"
    assert org_of(None) == "" and org_of("") == ""
    assert course_id_from_url("http://x/courses/course-v1:edX+DemoX+Demo_Course/courseware/a/b/") == \
        "course-v1:edX+DemoX+Demo_Course"
    assert course_id_from_url("http://x/xblock/block-v1:edX+DemoX+Demo_Course+type@vertical+block@1?x=1") == \
        "course-v1:edX+DemoX+Demo_Course"
    assert course_id_from_url("http://x/courses/course-v1%3AOrg%2BN%2BR/info") == "course-v1:Org+N+R"
    assert course_id_from_url("http://x/dashboard") == ""
    assert course_id_from_url(None) == ""


def test_emit_in_a_request_fills_the_envelope(app, client_as, events):
    client = client_as("learner")
    response = client.get(f"/courses/{COURSE}/do", headers={"User-Agent": "KampusTest/1.0", "Referer": "http://r/",
                                                          "Accept-Language": "fr"})
    assert response.status_code == 200
    event = events.of_type("edx.test.done")[-1]
    assert event["name"] == "edx.test.done"
    assert event["username"] == client.user.username
    assert event["event_source"] == "server"
    assert event["event"] == {"answer": 42}
    assert event["ip"] == "127.0.0.1"
    assert event["agent"] == "KampusTest/1.0"
    assert event["referer"] == "http://r/"
    assert event["accept_language"] == "fr"
    assert event["host"] == "localhost"
    assert re.fullmatch(r"[0-9a-f]{32}", event["session"])
    assert ISO_UTC.match(event["time"])
    assert datetime.fromisoformat(event["time"]).utcoffset().total_seconds() == 0
    assert event["page"] is None
    context = event["context"]
    assert context["user_id"] == client.user.id
    assert context["path"] == f"/courses/{COURSE}/do"
    assert context["course_id"] == COURSE
    assert context["org_id"] == "KampusX"
    assert not TOP_LEVEL_ONLY & set(context)


def test_event_context_hook_adds_fields(app, client_as, events):
    client_as("learner").get(f"/courses/{COURSE}/do")
    context = events.of_type("edx.test.done")[-1]["context"]
    assert context["plugin_field"] == "edx.test.done"
    assert context["course_user_tags"] == {"cohort": "blue"}


def test_anonymous_request(app, client, events):
    client.get(f"/courses/{COURSE}/do")
    event = events.of_type("edx.test.done")[-1]
    assert event["username"] == "anonymous"
    assert event["context"]["user_id"] is None


def test_events_are_json_lines_in_the_tracking_log(app, client_as):
    client = client_as("learner")
    client.get(f"/courses/{COURSE}/do")
    client.get(f"/courses/{COURSE}/do")
    settings = app.extensions["kampus"].settings
    stored = [event for event in read_log(settings.tracking_log) if event["event_type"] == "edx.test.done"]
    assert len(stored) == 2
    assert stored[0]["context"]["course_id"] == COURSE
    assert stored[0]["username"] == client.user.username
    text = Path(settings.tracking_log).read_text(encoding="utf-8")
    assert ", " not in text.splitlines()[-1][:40]  # compact separators


def test_emit_outside_a_request(app, events):
    with app.app_context():
        event = emit("edx.grades.course.grade_calculated", {"user_id": "6", "percent_grade": 0.5},
                     course_id="course-v1:Org+Num+Run", user_id=6)
    assert event["username"] == ""
    assert event["ip"] == event["agent"] == event["session"] == event["host"] == ""
    assert event["page"] is None
    assert event["context"]["org_id"] == "Org"
    assert event["context"]["user_id"] == 6
    assert ISO_UTC.match(event["time"])
    stored = read_log(app.extensions["kampus"].settings.tracking_log)[-1]
    assert stored == json.loads(json.dumps(event))


def test_rotation_through_the_app(make_app):
    app = make_app(settings={"tracking_log_max_bytes": 2000, "tracking_log_backups": 2})
    with app.app_context():
        for number in range(40):
            emit("edx.test.rotation", {"number": number, "pad": "x" * 200})
    log = Path(app.extensions["kampus"].settings.tracking_log)
    assert log.exists() and Path(f"{log}.1").exists() and Path(f"{log}.2").exists()
    assert not Path(f"{log}.3").exists()
    numbers = [event["event"]["number"] for name in (f"{log}.2", f"{log}.1", log) for event in read_log(name)]
    assert numbers == list(range(numbers[0], 40))
    assert all(Path(name).stat().st_size <= 2000 for name in (log, f"{log}.1", f"{log}.2"))


def test_unknown_sink_stops_start_up(make_app):
    with pytest.raises(DriverError, match="event_sink driver 'nowhere' is not installed"):
        make_app(settings={"event_sinks": ["nowhere"]})


def test_no_sinks(make_app, tmp_path):
    app = make_app(settings={"event_sinks": []})
    with app.app_context():
        emit("edx.test.nowhere", {})
    assert not Path(app.extensions["kampus"].settings.tracking_log).exists()


class _BrokenSink:
    def write(self, event):
        raise OSError("disk full")


def test_a_failing_sink_does_not_fail_a_site(make_app, caplog):
    app = make_app()
    kampus = app.extensions["kampus"]
    kampus._drivers["event_sink:file"] = _BrokenSink()
    with app.app_context(), pytest.raises(OSError):
        emit("edx.test.broken", {})  # tests see the error
    app.testing = False
    with app.app_context():
        emit("edx.test.broken", {})  # a site logs it and goes on
    assert "event sink 'file' failed" in caplog.text
    assert app.kampus_events.of_type("edx.test.broken")


# -- Open edX's own events ------------------------------------------------------------
def _corpus() -> list[dict]:
    if not CORPUS.exists():
        pytest.skip(f"the Open edX event corpus is not here ({CORPUS.resolve()}): ../shared is absent")
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _kampus_event_like(app, client, reference: dict) -> dict:
    """Emit, the way Kampus would, an event of the same kind as ``reference``."""
    course_id = reference["context"].get("course_id") or None
    extra = {key: reference["context"][key] for key in ("module", "asides") if key in reference["context"]}
    if reference["event_source"] == "browser":
        response = client.post("/event", data={
            "event_type": reference["event_type"],
            "event": reference["event"] if isinstance(reference["event"], str) else json.dumps(reference["event"]),
            "page": reference["page"],
        })
        assert response.status_code == 200, response.get_data(as_text=True)
        return app.kampus_events.events[-1]
    if "path" not in reference["context"]:  # emitted without a request (grading tasks)
        with app.app_context():
            return emit(reference["event_type"], reference["event"], course_id=course_id, context=extra)
    with app.test_request_context(reference["context"]["path"], headers={"User-Agent": "x"}):
        return emit(reference["event_type"], reference["event"], course_id=course_id, context=extra,
                    page=reference.get("page"))


def test_envelope_matches_real_openedx_events(make_app, client_as):
    corpus = _corpus()
    app = make_app()
    from kampus.testing import client_as as login_as

    client = login_as(app, "learner")
    for number, reference in enumerate(corpus, 1):
        ours = _kampus_event_like(app, client, reference)
        where = f"corpus line {number} ({reference['event_type']}, {reference['event_source']})"
        assert set(reference) <= set(ours), f"{where}: top-level keys missing: {set(reference) - set(ours)}"
        assert set(reference["context"]) <= set(ours["context"]), \
            f"{where}: context keys missing: {set(reference['context']) - set(ours['context'])}"
        assert not TOP_LEVEL_ONLY & set(ours["context"]), where
        assert type(ours["event"]) is type(reference["event"]) or reference["event_source"] == "browser", where
        assert ISO_UTC.match(ours["time"]), where
        if reference["event_source"] == "browser":
            assert isinstance(ours["event"], str), where
            assert ours["context"]["path"] == reference["context"]["path"] == "/event", where
            assert ours["context"]["course_id"] == reference["context"]["course_id"], where
            assert ours["context"]["org_id"] == reference["context"]["org_id"], where
        stored = read_log(app.extensions["kampus"].settings.tracking_log)[-1]
        assert stored["event_type"] == reference["event_type"], where
