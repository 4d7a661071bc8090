"""Regression from the review of the history (issue 18): edits of course files (settings pages, uploads)
show in the diff instead of an empty one."""

from __future__ import annotations

import pytest
from kampus_content.api import DRAFT, Block, edit_course, get_structure
from kampus_content.testing.xblocks import publish_course

COURSE = "course-v1:KampusX+HistFiles+1"
API = f"/api/studio/v1/courses/{COURSE}/history/"


@pytest.fixture
def versions(app) -> dict[str, str]:
    publish_course(app, COURSE, {"unit": [Block("html", "intro", {"display_name": "Intro", "data": "<p>x</p>"})]})
    with app.app_context():
        v0 = get_structure(COURSE, DRAFT).version
        v1 = edit_course(COURSE, user_id=None, files={"info/handouts.html": b"<p>old</p>\n<p>same</p>"},
                         message="handouts").version
        v2 = edit_course(COURSE, user_id=None, files={"info/handouts.html": b"<p>new</p>\n<p>same</p>",
                                                      "about/overview.html": b"\x00\x01binary"},
                         message="more").version
        v3 = edit_course(COURSE, user_id=None, files={"about/overview.html": None}, message="remove").version
    return {"v0": v0, "v1": v1, "v2": v2, "v3": v3}


def test_file_edits_show_in_the_diff(app, client_as, versions):
    client = client_as("staff", course_id=COURSE)
    added = client.get(f"{API}{versions['v1']}/diff").get_json()
    assert added["files"] == [{"path": "info/handouts.html", "change": "added", "text_diff": []}]
    changed = client.get(f"{API}{versions['v2']}/diff").get_json()["files"]
    by_path = {item["path"]: item for item in changed}
    assert by_path["about/overview.html"]["change"] == "added"
    handouts = by_path["info/handouts.html"]
    assert handouts["change"] == "changed"
    assert "-<p>old</p>" in handouts["text_diff"] and "+<p>new</p>" in handouts["text_diff"]
    removed = client.get(f"{API}{versions['v3']}/diff").get_json()["files"]
    assert removed == [{"path": "about/overview.html", "change": "removed", "text_diff": []}]


def test_the_diff_page_lists_changed_files(app, client_as, versions):
    client = client_as("staff", course_id=COURSE)
    page = client.get(f"/studio/course/{COURSE}/history/{versions['v2']}").get_data(as_text=True)
    assert "info/handouts.html" in page and "&lt;p&gt;new&lt;/p&gt;" in page
    assert "No differences" not in page
