"""Studio's export: a background task writes the OLX archive to the blob store; importing it into a new
run gives the same outline (drafts included, still as drafts)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from kampus_content.api import DRAFT, PUBLISHED, course_outline, get_structure

from .conftest import archive_of, upload

SOURCE = "course-v1:edX+Toys+Run1"
NEW_RUN = "course-v1:edX+Toys+Run2"


def outline_of(structure) -> list:
    def walk(node):
        return [node.key, node.display_name, [walk(child) for child in node.children]]
    return walk(course_outline(structure))


def test_export_then_import_into_a_new_run_gives_the_same_outline(app, client_as, corpus: Path) -> None:
    client = client_as("staff", course_id=SOURCE)
    assert upload(client, SOURCE, archive_of(corpus / "edx-draft_ora_import_course"), 1 << 20)["state"] == "succeeded"
    # The export page starts the task (a form) and shows its progress and the download link.
    page = client.get(f"/studio/course/{SOURCE}/export")
    assert page.status_code == 200 and "Export course content" in page.get_data(as_text=True)
    started = client.post(f"/studio/course/{SOURCE}/export")
    assert started.status_code == 302
    status_page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert "The export is ready." in status_page and "/download" in status_page
    # The same through the REST API.
    answer = client.post(f"/api/studio/v1/courses/{SOURCE}/export/")
    assert answer.status_code == 202
    task_id = answer.get_json()["task_id"]
    state = client.get(f"/api/studio/v1/courses/{SOURCE}/export/{task_id}").get_json()
    assert state["state"] == "SUCCESS" and state["download_url"].endswith("/download")
    assert client.get(f"/api/tasks/v1/tasks/{task_id}").get_json()["state"] == "SUCCESS"
    download = client.get(state["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(download.data)) as tar:
        names = tar.getnames()
    assert "course/course.xml" in names
    assert "course/drafts/vertical/682ae7840a1e46a9be69fbc062950e38.xml" in names
    # Into a new run.
    other = client_as("staff", course_id=NEW_RUN)
    assert upload(other, NEW_RUN, download.data, 1 << 20)["state"] == "succeeded"
    with app.app_context():
        for branch in (DRAFT, PUBLISHED):
            assert outline_of(get_structure(NEW_RUN, branch)) == outline_of(get_structure(SOURCE, branch)), branch
        assert outline_of(get_structure(NEW_RUN, DRAFT)) != outline_of(get_structure(NEW_RUN, PUBLISHED))


def test_export_checks(app, client_as, client) -> None:
    assert client.post(f"/api/studio/v1/courses/{SOURCE}/export/").status_code == 401
    assert client_as("learner", course_id=SOURCE).post(f"/api/studio/v1/courses/{SOURCE}/export/").status_code == 403
    staff = client_as("staff", course_id=SOURCE)
    assert staff.post(f"/api/studio/v1/courses/{SOURCE}/export/").status_code == 404  # no such course
    assert staff.get(f"/api/studio/v1/courses/{SOURCE}/export/nope").status_code == 404
    assert staff.get(f"/api/studio/v1/courses/{SOURCE}/export/nope/download").status_code == 404
    assert client_as("learner", course_id=SOURCE).get(f"/studio/course/{SOURCE}/export").status_code == 403
    assert staff.get(f"/studio/course/{SOURCE}/import").status_code == 200
