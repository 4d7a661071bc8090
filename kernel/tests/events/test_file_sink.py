"""The file event sink: the contract, rotation, several processes at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kampus.events.sinks import FileEventSink
from kampus.testing.contracts import driver_settings
from kampus.testing.contracts.event_sink import EventSinkContract, sample_event


def read_lines(*paths) -> list[dict]:
    events = []
    for path in paths:
        if Path(path).exists():
            events.extend(json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines())
    return events


class TestFileEventSink(EventSinkContract):
    @pytest.fixture
    def event_sink(self, tmp_path):
        return FileEventSink(driver_settings(tmp_path))

    @pytest.fixture
    def stored_events(self, event_sink):
        return lambda: read_lines(event_sink.path)


def test_creates_the_folder_and_writes_compact_utf8(tmp_path):
    sink = FileEventSink(driver_settings(tmp_path, tracking_log=str(tmp_path / "logs" / "deep" / "tracking.log")))
    sink.write({"username": "zoë", "event": {"a": 1}})
    assert (tmp_path / "logs" / "deep" / "tracking.log").read_bytes() == '{"username":"zoë","event":{"a":1}}\n'.encode()


def test_rotation_keeps_the_configured_backups(tmp_path):
    settings = driver_settings(tmp_path, tracking_log_max_bytes=3000, tracking_log_backups=3)
    sink = FileEventSink(settings)
    for number in range(200):
        sink.write(sample_event(number))
    log = Path(settings.tracking_log)
    files = [log, *(Path(f"{log}.{index}") for index in (1, 2, 3))]
    assert all(path.exists() for path in files)
    assert not Path(f"{log}.4").exists()
    assert all(0 < path.stat().st_size <= 3000 for path in files)
    numbers = [event["number"] for event in read_lines(*reversed(files))]
    assert numbers == list(range(numbers[0], 200))  # the newest, in order, nothing lost between files


def test_no_backups_drops_the_full_log(tmp_path):
    settings = driver_settings(tmp_path, tracking_log_max_bytes=2000, tracking_log_backups=0)
    sink = FileEventSink(settings)
    for number in range(50):
        sink.write(sample_event(number))
    assert not Path(f"{settings.tracking_log}.1").exists()
    assert read_lines(settings.tracking_log)[-1]["number"] == 49


def test_a_line_larger_than_the_limit_is_still_written(tmp_path):
    settings = driver_settings(tmp_path, tracking_log_max_bytes=100, tracking_log_backups=2)
    sink = FileEventSink(settings)
    sink.write(sample_event(1))
    sink.write(sample_event(2))
    assert [event["number"] for event in read_lines(f"{settings.tracking_log}.1", settings.tracking_log)] == [1, 2]


def test_zero_max_bytes_never_rotates(tmp_path):
    settings = driver_settings(tmp_path, tracking_log_max_bytes=0, tracking_log_backups=2)
    sink = FileEventSink(settings)
    for number in range(30):
        sink.write(sample_event(number))
    assert not Path(f"{settings.tracking_log}.1").exists()
    assert len(read_lines(settings.tracking_log)) == 30


def test_another_process_rotating_is_noticed(tmp_path):
    settings = driver_settings(tmp_path)
    first, second = FileEventSink(settings), FileEventSink(settings)
    first.write(sample_event(1))
    os.replace(settings.tracking_log, f"{settings.tracking_log}.1")  # as another process's rotation would
    first.write(sample_event(2))
    second.write(sample_event(3))
    assert [event["number"] for event in read_lines(settings.tracking_log)] == [2, 3]


WRITER = textwrap.dedent("""
    import sys
    from kampus.events.sinks import FileEventSink
    from kampus.testing.contracts import driver_settings
    from kampus.testing.contracts.event_sink import sample_event

    home, worker = sys.argv[1], int(sys.argv[2])
    sink = FileEventSink(driver_settings(home, tracking_log_max_bytes=40000, tracking_log_backups=1000))
    for index in range(300):
        sink.write(sample_event(worker * 10000 + index, padding="x" * (index % 7) * 300))
""")


def test_several_processes_share_one_log(tmp_path):
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(worker)]) for worker in range(4)
    ]
    assert [process.wait(timeout=120) for process in processes] == [0, 0, 0, 0]
    log = tmp_path / "tracking.log"
    rotated = sorted(tmp_path.glob("tracking.log.*"), key=lambda path: -int(path.suffix[1:]))
    assert rotated, "the log should have rotated"
    events = read_lines(*rotated, log)  # every line is whole JSON
    assert sorted(event["number"] for event in events) == sorted(
        worker * 10000 + index for worker in range(4) for index in range(300)
    )
    for worker in range(4):  # each process's events stay in its order across files
        mine = [event["number"] for event in events if event["number"] // 10000 == worker]
        assert mine == sorted(mine)
    assert all(path.stat().st_size <= 40000 for path in [*rotated, log])
