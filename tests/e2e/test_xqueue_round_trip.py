"""Issue 20's acceptance in Chromium: a learner's code answer goes to an XQueue and comes back graded.

On the live site (``kampus serve``): a course whose graded Homework subsection holds a ``coderesponse``
problem, a queue and grader credentials (the xqueue plugin's service, as ``kampus xqueue create-queue`` and
``add-grader`` make them), enrolled learners. A learner submits code in the browser and sees it queued; a grader
written from the wire format alone (plain ``requests``: login, pull, put result) posts a correct result; the
learner reloads and sees the problem correct, and the grade on the progress page. Then the first-party
daemon (``kampus xqueue-grader --once``) grades another learner's answer in the sandbox, end to end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e

KAMPUS = str(Path(sys.executable).with_name("kampus"))
COURSE = "course-v1:KampusX+Queue201+2026"
QUEUE = "e2e-python"
GRADER_USER = "e2e-grader"
GRADER_PASSWORD = "an e2e grader password"
PROBLEM = f"""<problem>
<p>Write a function <code>square(x)</code> that returns x squared.</p>
<coderesponse queuename="{QUEUE}">
  <label>Your code</label>
  <textbox rows="6" cols="60" mode="python" tabsize="4"/>
  <codeparam>
    <initial_display>def square(x):
    pass</initial_display>
    <answer_display>def square(x): return x * x</answer_display>
    <grader_payload>{{"grader": "ps1/square/grader.py"}}</grader_payload>
  </codeparam>
</coderesponse>
</problem>"""
GRADER = """\
import gradelib

grader = gradelib.Grader()
grader.add_input_check(gradelib.must_define_function("square"))
for value in (3, -4, 0):
    grader.add_test(gradelib.InvokeStudentFunctionTest("square", [value]))
"""

#: The course, two enrolled learners; run in the site's environment. Prints the usage id and the user names.
SETUP = r"""
import json
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus_content.api import content_store
from kampus_content.store.interface import Block
from kampus_lms.api import enroll
from opaque_keys.edx.keys import CourseKey

course, problem, password, names = %(course)r, %(problem)r, %(password)r, %(names)r
policy = {"GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
          "GRADE_CUTOFFS": {"Pass": 0.5}}
app = create_app()
with app.app_context():
    store = content_store()
    if course not in {index.course_key for index in store.list_courses()}:
        store.create_course(course, [
            Block("course", "course", {"display_name": "Queue course", "start": "2020-01-01T00:00:00Z",
                                       "grading_policy": policy}, [("chapter", "week1")]),
            Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1")]),
            Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
                  [("vertical", "unit1")]),
            Block("vertical", "unit1", {"display_name": "Unit 1"}, [("problem", "square")]),
            Block("problem", "square", {"display_name": "Square", "data": problem}, []),
        ], ("course", "course"), user_id=None)
        store.publish(course, user_id=None)
    for name in names:
        with app.extensions["kampus"].db.session_scope() as db_session:
            user = create_user(db_session, name, name + "@example.com", password, name=name, confirmed=True)
        enroll(user, course, check_access=False)
print(json.dumps(str(CourseKey.from_string(course).make_usage_key("problem", "square"))))
"""


#: The queue and its grader account, through the xqueue plugin's service (what `kampus xqueue create-queue` and
#: `add-grader` do). Idempotent.
QUEUE_SETUP = r"""
from kampus.app import create_app
from kampus_xqueue import service

app = create_app()
with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
    if service.queue_named(db_session, %(queue)r) is None:
        service.save_queue(db_session, %(queue)r)
    service.add_grader(db_session, %(queue)r, %(user)r, %(password)r)
print("ready")
"""


def site_env(live_site, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAMPUS_")}
    env.update(KAMPUS_HOME=str(live_site.home), KAMPUS_BASE_URL=live_site.url, **extra)
    return env


def kampus(live_site, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([KAMPUS, *args], env=site_env(live_site, **extra), capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-3000:])
    return done


@pytest.fixture(scope="module")
def queue_course(live_site) -> dict[str, str]:
    names = [f"coder_{uuid.uuid4().hex[:6]}", f"coder_{uuid.uuid4().hex[:6]}"]
    usage = json.loads(live_site.run_python(SETUP % {"course": COURSE, "problem": PROBLEM,
                                                     "password": live_site.password, "names": names}))
    live_site.run_python(QUEUE_SETUP % {"queue": QUEUE, "user": GRADER_USER, "password": GRADER_PASSWORD})
    return {"usage": usage, "first": names[0], "second": names[1]}


def submit_in_browser(live_site, page, username: str, usage: str, code: str):
    """Log in, open the problem in the courseware, type ``code``, Submit, and wait for "queued"."""
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/courses/{COURSE}/jump_to/{usage}")
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    page.wait_for_function("window.KampusProblem !== undefined")
    problem.get_by_label("Your code").fill(code)
    problem.get_by_role("button", name="Submit").click()
    problem.locator(".kampus-status.status-incomplete").wait_for()
    assert "queued" in problem.inner_text().lower()
    return problem


def test_wire_grader_round_trip_in_the_browser(live_site, page, queue_course, tmp_path_factory) -> None:
    usage = queue_course["usage"]
    submit_in_browser(live_site, page, queue_course["first"], usage, "def square(x):\n    return x * x\n")

    # A grader from the wire format alone: plain requests, its own cookie session.
    grader = requests.Session()
    xqueue = live_site.url + "/xqueue"
    reply = grader.post(f"{xqueue}/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD},
                        timeout=10).json()
    assert reply == {"return_code": 0, "content": "Logged in"}
    assert grader.get(f"{xqueue}/get_queuelen/", params={"queue_name": QUEUE}, timeout=10).json() == {
        "return_code": 0, "content": 1}
    pulled = grader.get(f"{xqueue}/get_submission/", params={"queue_name": QUEUE}, timeout=10).json()
    assert pulled["return_code"] == 0 and isinstance(pulled["content"], str)
    content = json.loads(pulled["content"])
    body = json.loads(content["xqueue_body"])
    # a browser sends a textarea's line breaks as CRLF (gradelib's fix_line_endings drops the CR)
    assert body["student_response"].replace("\r\n", "\n") == "def square(x):\n    return x * x\n"
    assert json.loads(body["grader_payload"]) == {"grader": "ps1/square/grader.py"}
    result = {"correct": True, "score": 1, "msg": "<p>All three tests passed.</p>"}
    put = grader.post(f"{xqueue}/put_result/", data={"xqueue_header": content["xqueue_header"],
                                                     "xqueue_body": json.dumps(result)}, timeout=10).json()
    assert put == {"return_code": 0, "content": ""}

    # the page polls while the answer is queued: the feedback arrives without a reload, announced politely
    problem = page.locator(".kampus-problem")
    problem.locator(".kampus-status.status-correct").wait_for(timeout=20000)
    page.wait_for_function("document.querySelector('.kampus-problem-live').textContent.length > 0")
    shots = tmp_path_factory.mktemp("xqueue-shots")
    page.screenshot(path=str(shots / "problem_graded_by_poll.png"), full_page=True)
    page.reload()
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    assert problem.locator(".kampus-status.status-correct").count() == 1
    assert "All three tests passed." in problem.inner_text()
    assert "1/1 point" in problem.inner_text()
    page.screenshot(path=str(shots / "problem_graded.png"), full_page=True)

    page.goto(f"{live_site.url}/courses/{COURSE}/progress")
    main = page.locator("main")
    main.wait_for()
    text = main.inner_text()
    assert "100%" in text, text[:2000]
    assert "Homework 1" in text
    page.screenshot(path=str(shots / "progress.png"), full_page=True)


def test_the_first_party_daemon_grades_in_the_sandbox(live_site, page, queue_course, tmp_path,
                                                      tmp_path_factory) -> None:
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
    folder = tmp_path / "graders" / "ps1" / "square"
    folder.mkdir(parents=True)
    (folder / "grader.py").write_text(GRADER)
    (folder / "answer.py").write_text("def square(x):\n    return x * x\n")
    usage = queue_course["usage"]
    submit_in_browser(live_site, page, queue_course["second"], usage, "def square(x):\n    return x + x\n")

    done = kampus(live_site, "xqueue-grader", "--queue", QUEUE, "--grader-root", str(tmp_path / "graders"),
                  "--once", XQUEUE_GRADER_USERNAME=GRADER_USER, XQUEUE_GRADER_PASSWORD=GRADER_PASSWORD)
    assert "graded 1 submission (0 correct)" in done.stderr

    page.reload()
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    assert problem.locator(".kampus-status.status-incorrect").count() == 1
    text = problem.inner_text()
    assert "Your output:" in text and "Correct output:" in text
    assert "Test: square(3)" in text
    # the grader's report fits a phone's width
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.locator(".kampus-problem").get_by_text("Correct output:").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path_factory.mktemp("xqueue-shots") / "daemon_report_375.png"), full_page=True)


def test_the_daemon_stops_cleanly_on_sigterm(live_site, queue_course, tmp_path) -> None:
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
    (tmp_path / "graders").mkdir()
    process = subprocess.Popen(
        [KAMPUS, "xqueue-grader", "--queue", QUEUE, "--grader-root", str(tmp_path / "graders"),
         "--poll-interval", "0.2"],
        env=site_env(live_site, XQUEUE_GRADER_USERNAME=GRADER_USER, XQUEUE_GRADER_PASSWORD=GRADER_PASSWORD),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert process.stderr is not None
        seen = ""
        for _ in range(50):  # "xqueue-grader: pulling ..." once the app and its sandbox are ready
            line = process.stderr.readline()
            seen += line
            if "pulling" in line or not line:
                break
        assert "pulling" in seen, seen[-2000:]
        time.sleep(1)  # a few empty polls
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err[-2000:]
    assert "graded 0 submissions" in err
