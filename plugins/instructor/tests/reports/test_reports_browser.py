"""In Chromium, as a new instructor would: start a grade report on the Data Download section, watch its task,
and download the CSV once it is listed; the Background Tasks section shows the finished task."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from kampus.testing import make_user
from kampus.testing.browser import log_in

from .conftest import COURSE, answer, enroll_many, learner_client, publish_graded_course
from .seed import seed_learners

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

SHOTS = os.environ.get("KAMPUS_SCREENSHOTS", "")


@pytest.fixture
def app(make_app, kampus_plugins):
    """A real Celery worker (in a thread) runs the reports, so the page follows a live task."""
    return make_app(plugins=kampus_plugins, celery="real", settings={"instructor_report_batch_size": 5})


def test_start_grade_report_and_download_it(app, served, kampus_browser, tmp_path):
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    usage = publish_graded_course(app)
    learners = enroll_many(app, 4)
    for i, user in enumerate(learners):
        answer(learner_client(app, user), usage["mc"], {"input_mc_2_1": f"choice_{i % 3}"})
    seeded = seed_learners(app.extensions["kampus"], COURSE, usage, 600)  # enough for a visible progress bar
    staff = make_user(app, "instructor")
    page = kampus_browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, served, staff.username)
    page.goto(f"{served}/courses/{COURSE}/instructor")
    page.get_by_role("link", name="Data Download").click()
    page.wait_for_selector("#start-grade-report")
    page.click("#start-grade-report")
    page.wait_for_selector("#report-status:not([hidden])")
    assert "The grade report is being created" in page.inner_text("#report-status")
    bar = page.wait_for_selector("#pending-tasks tbody tr[data-task-id] .progress", timeout=30000)
    assert "instructor.reports.grade_report" in page.inner_text("#pending-tasks")
    page.screenshot(path=str(shots / "reports-running.png"), full_page=True)
    assert 0 <= int(bar.get_attribute("aria-valuenow")) < 100
    link = page.wait_for_selector("#report-downloads a", timeout=60000)
    assert "grade_report" in link.inner_text()
    page.screenshot(path=str(shots / "reports-data-download.png"), full_page=True)
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert rows[0][:4] == ["Student ID", "Email", "Username", "Grade"]
    assert len(rows) == 1 + len(learners) + len(seeded["usernames"])
    page.get_by_role("link", name="Background Tasks").click()
    page.wait_for_selector("#course-tasks tbody tr[data-task-id]")
    table = page.inner_text("#course-tasks")
    assert "instructor.reports.grade_report" in table and staff.username in table and "Complete" in table
    page.screenshot(path=str(shots / "reports-tasks.png"), full_page=True)
