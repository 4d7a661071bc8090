"""The contract every ``kampus.event_sink`` driver passes.

Subclass :class:`EventSinkContract` and provide two fixtures: ``event_sink``
(the driver) and ``stored_events`` (a function returning every event the sink
stored so far, in order, as the dicts a reader of the store gets back, i.e.
after JSON decoding)::

    class TestMySink(EventSinkContract):
        @pytest.fixture
        def event_sink(self, tmp_path):
            return MySink(driver_settings(tmp_path))

        @pytest.fixture
        def stored_events(self, event_sink):
            return lambda: [json.loads(line) for line in read_my_store()]
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from kampus.events.sinks import EventSink


def sample_event(number: int = 0, **changes: Any) -> dict[str, Any]:
    """An event in the Open edX tracking-log shape."""
    event: dict[str, Any] = {
        "name": "play_video",
        "username": "ada",
        "event_type": "play_video",
        "event_source": "browser",
        "event": json.dumps({"id": f"video-{number}", "currentTime": number, "code": "html5"}),
        "context": {"course_id": "course-v1:Org+Num+Run", "org_id": "Org", "user_id": 7, "path": "/event"},
        "time": "2026-01-02T03:04:05.000006+00:00",
        "ip": "127.0.0.1",
        "agent": "Mozilla/5.0",
        "host": "kampus.test",
        "session": "0123456789abcdef0123456789abcdef",
        "page": "http://kampus.test/courses/course-v1:Org+Num+Run/courseware/",
        "accept_language": "en",
        "referer": "",
        "number": number,
    }
    event.update(changes)
    return event


class EventSinkContract:
    """Behaviour shared by every event sink. Needs ``event_sink`` and ``stored_events`` fixtures."""

    @pytest.fixture
    def event_sink(self) -> EventSink:
        raise NotImplementedError("provide an `event_sink` fixture")

    @pytest.fixture
    def stored_events(self) -> Callable[[], list[dict[str, Any]]]:
        raise NotImplementedError("provide a `stored_events` fixture returning the stored events")

    def test_is_an_event_sink(self, event_sink: EventSink) -> None:
        assert isinstance(event_sink, EventSink)

    def test_stores_an_event(self, event_sink: EventSink, stored_events: Callable[[], list[dict[str, Any]]]) -> None:
        event = sample_event()
        event_sink.write(event)
        assert stored_events() == [event]

    def test_keeps_order(self, event_sink: EventSink, stored_events: Callable[[], list[dict[str, Any]]]) -> None:
        for number in range(50):
            event_sink.write(sample_event(number))
        assert [event["number"] for event in stored_events()] == list(range(50))

    def test_does_not_change_the_event(self, event_sink: EventSink) -> None:
        event = sample_event(when=datetime(2026, 1, 2, tzinfo=UTC))
        before = copy.deepcopy(event)
        event_sink.write(event)
        assert event == before

    def test_browser_event_data_stays_a_string(
        self, event_sink: EventSink, stored_events: Callable[[], list[dict[str, Any]]]
    ) -> None:
        event_sink.write(sample_event(event='{"id": "v", "currentTime": 1.5}'))
        assert stored_events()[0]["event"] == '{"id": "v", "currentTime": 1.5}'

    def test_unicode_and_line_breaks(
        self, event_sink: EventSink, stored_events: Callable[[], list[dict[str, Any]]]
    ) -> None:
        event = sample_event(username="zoë", event={"answer": "你好\nline two\u2028", "html": "<p>\"q\"</p>"})
        event_sink.write(event)
        event_sink.write(sample_event(1))
        stored = stored_events()
        assert stored[0] == event
        assert stored[1]["number"] == 1

    def test_datetimes_become_iso_strings(
        self, event_sink: EventSink, stored_events: Callable[[], list[dict[str, Any]]]
    ) -> None:
        when = datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
        event_sink.write(sample_event(event={"first_attempted": when}))
        assert datetime.fromisoformat(stored_events()[0]["event"]["first_attempted"]) == when

    def test_many_threads(self, event_sink: EventSink, stored_events: Callable[[], list[dict[str, Any]]]) -> None:
        def work(thread: int) -> None:
            for index in range(40):
                event_sink.write(sample_event(thread * 1000 + index, padding="p" * 3000))

        threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        numbers = sorted(event["number"] for event in stored_events())
        assert numbers == sorted(thread * 1000 + index for thread in range(8) for index in range(40))
