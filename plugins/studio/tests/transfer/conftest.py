"""The transfer area's tests: the content, problems and Studio plugins, and OLX archives to upload."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "olx"


@pytest.fixture
def kampus_plugins():
    return ["content", "problems", "studio"]


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}): these tests import its OLX courses")
    return CORPUS


def archive_of(folder: Path) -> bytes:
    """``folder`` as an OLX .tar.gz whose top folder is ``course/``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname="course")
    return buffer.getvalue()


def upload(client, course_id: str, data: bytes, chunk: int, filename: str = "course.tar.gz") -> dict:
    """Upload ``data`` in chunks of ``chunk`` bytes and finish; returns the finished upload's JSON."""
    base = f"/api/studio/v1/courses/{course_id}/import/uploads/"
    started = client.post(base, json={"filename": filename, "size": len(data)})
    assert started.status_code == 201, started.get_data(as_text=True)
    upload_id = started.get_json()["upload_id"]
    offset = 0
    while offset < len(data):
        end = min(offset + chunk, len(data))
        answer = client.put(base + upload_id, data=data[offset:end],
                            headers={"Content-Range": f"bytes {offset}-{end - 1}/{len(data)}"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        offset = answer.get_json()["next_offset"]
    finished = client.post(base + upload_id + "/finish")
    assert finished.status_code == 202, finished.get_data(as_text=True)
    return client.get(base + upload_id).get_json()
