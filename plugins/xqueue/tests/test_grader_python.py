"""The daemon's Python grader: xqueue-watcher graders (gradelib) run in the bwrap sandbox."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from kampus_codejail.bwrap import BwrapSandbox
from kampus_xqueue.grader.python_grader import GraderSetupError, PythonGrader, resolve_grader_path

from kampus.drivers.sandbox import SandboxLimits
from kampus.testing.contracts import driver_settings

SQUARE_GRADER = """\
import gradelib

grader = gradelib.Grader()
grader.add_input_check(gradelib.must_define_function("square"))
grader.add_test(gradelib.InvokeStudentFunctionTest("square", [3]))
grader.add_test(gradelib.InvokeStudentFunctionTest("square", [-4]))
"""
SQUARE_ANSWER = "def square(x):\n    return x * x\n"

# The newer xqueue-watcher import style, tests from a class, a wrapped script and a custom comparison.
SCRIPT_GRADER = """\
from grader_support import gradelib

grader = gradelib.Grader()
grader.add_preprocessor(gradelib.wrap_in_string)
grader.add_test(gradelib.Test(gradelib.exec_wrapped_code(), "Prints the greeting"))

class Tests:
    def test_case_insensitive(self, submission_module):
        '''The same text, any case.'''
        exec(submission_module.submission_code, {})

    def compare_results(self, expected, actual):
        return expected.lower() == actual.lower()

grader.add_tests_from_class(Tests)
"""
SCRIPT_ANSWER = 'print("Hello, World")\n'


@pytest.fixture
def sandbox(tmp_path: Path) -> BwrapSandbox:
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)")
    return BwrapSandbox(driver_settings(tmp_path, plugins=["codejail"], sandbox="bwrap"))


@pytest.fixture
def grader_root(tmp_path: Path) -> Path:
    root = tmp_path / "graders"
    for folder, grader, answer in (("ps1/square", SQUARE_GRADER, SQUARE_ANSWER),
                                   ("ps1/hello", SCRIPT_GRADER, SCRIPT_ANSWER),
                                   ("ps1/broken", SQUARE_GRADER, "def square(x):\n    return 1 / 0\n")):
        (root / folder).mkdir(parents=True)
        (root / folder / "grader.py").write_text(grader)
        (root / folder / "answer.py").write_text(answer)
    (tmp_path / "outside.py").write_text(SQUARE_GRADER)
    return root


@pytest.fixture
def grader(grader_root: Path, sandbox: BwrapSandbox) -> PythonGrader:
    return PythonGrader(grader_root, sandbox, limits=SandboxLimits(cpu_seconds=1, wall_seconds=4))


def content(code: str, grader_path: str = "ps1/square/grader.py", **config: Any) -> dict[str, Any]:
    """A pulled submission as xqueue-watcher receives it (the LMS's body is a JSON string)."""
    body = {"grader_payload": json.dumps({"grader": grader_path, **config}), "student_response": code,
            "student_info": json.dumps({"anonymous_student_id": "abc", "submission_time": "20260101120000"})}
    return {"xqueue_header": "{}", "xqueue_body": json.dumps(body), "xqueue_files": {}}


def test_a_correct_submission_passes_every_test(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content("def square(n):\n    return n ** 2\n"))
    assert reply["correct"] is True and reply["score"] == 1.0
    assert set(reply) == {"correct", "score", "msg"}
    assert '<div class="shortform">' in reply["msg"] and "CORRECT" in reply["msg"]
    assert reply["msg"].count('class="result-output result-correct"') == 2
    assert "Test: square(3)" in reply["msg"] and "<pre>9\n</pre>" in reply["msg"]


def test_a_wrong_submission_scores_the_tests_it_passes(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content("def square(n):\n    return abs(n) * 3 if n < 0 else n * n\n"))
    assert reply["correct"] is False and reply["score"] == 0.5
    assert "INCORRECT" in reply["msg"]
    assert "Your output:" in reply["msg"] and "Correct output:" in reply["msg"]
    assert "<pre>12\n</pre>" in reply["msg"] and "<pre>16\n</pre>" in reply["msg"]


def test_input_checks_stop_before_the_code_runs(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content("print('no function here')"))
    assert reply["correct"] is False and reply["score"] == 0
    assert "ERROR" in reply["msg"] and "must define a function named &#39;square&#39;" in reply["msg"]


def test_newer_graders_with_class_tests_and_custom_comparison(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content('print("HELLO, world")\n', "ps1/hello/grader.py"))
    # the plain test compares exactly (fails); the class test compares case-insensitively (passes)
    assert reply["score"] == 0.5 and reply["correct"] is False
    assert "Test: case insensitive" in reply["msg"] and "The same text, any case." in reply["msg"]
    assert grader.grade_submission(content(SCRIPT_ANSWER, "ps1/hello/grader.py"))["correct"] is True


def test_an_endless_loop_is_stopped_and_graded_as_a_failure(grader: PythonGrader) -> None:
    started = time.monotonic()
    reply = grader.grade_submission(content("def square(n):\n    while True:\n        pass\n"))
    assert time.monotonic() - started < 10
    assert reply["correct"] is False and reply["score"] == 0
    assert "ran longer than allowed" in reply["msg"]


def test_a_loop_at_import_time_is_stopped_too(grader: PythonGrader) -> None:
    code = "import time\ndef square(n):\n    return n\nwhile True:\n    time.sleep(1)\n"
    reply = grader.grade_submission(content(code))
    assert reply["correct"] is False and "ran longer than allowed" in reply["msg"]


def test_the_network_is_out_of_reach(grader: PythonGrader) -> None:
    code = ("import socket\n"
            "def square(n):\n"
            "    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
            "    return n * n\n")
    reply = grader.grade_submission(content(code))
    assert reply["correct"] is False and reply["score"] == 0
    assert "Error" in reply["msg"]  # ConnectionRefusedError / OSError: the jail has no network


def test_learner_code_cannot_change_the_comparison(grader: PythonGrader) -> None:
    # The learner's run may patch gradelib in its own interpreter; the comparison runs in another one.
    code = ("import gradelib\n"
            "gradelib.Test.compare_results = lambda self, e, a: True\n"
            "def square(n):\n    return 0\n")
    reply = grader.grade_submission(content(code))
    assert reply["correct"] is False and reply["score"] == 0


def test_learner_code_cannot_read_the_staff_answer(grader: PythonGrader) -> None:
    code = "import os\ndef square(n):\n    print(sorted(os.listdir('.')))\n    return n * n\n"
    reply = grader.grade_submission(content(code))
    assert "answer" not in reply["msg"].split("Your output:")[1].split("Correct output:")[0]


def test_what_learner_code_prints_is_escaped(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content("def square(n):\n    print('<script>alert(1)</script>')\n    return 0\n"))
    assert "<script>" not in reply["msg"] and "&lt;script&gt;" in reply["msg"]


def test_hide_output_shows_no_test_details(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content("def square(n):\n    return 0\n", hide_output=True))
    assert reply["correct"] is False and "result-output" not in reply["msg"]


def test_a_broken_staff_answer_is_reported_not_blamed_on_the_learner(grader: PythonGrader) -> None:
    reply = grader.grade_submission(content(SQUARE_ANSWER, "ps1/broken/grader.py"))
    assert reply["correct"] is False and "problem running the staff solution" in reply["msg"]


@pytest.mark.parametrize("payload", [
    "../outside.py", "/etc/passwd", "ps1/square/answer", "ps1/missing/grader.py", "", None, 42,
])
def test_grader_paths_stay_inside_the_root(grader: PythonGrader, grader_root: Path, payload: Any) -> None:
    with pytest.raises(GraderSetupError):
        resolve_grader_path(grader_root, payload)
    reply = grader.grade_submission(content("x = 1", payload))
    assert reply["correct"] is False and "grader is not set up correctly" in reply["msg"]


def test_a_link_out_of_the_root_is_refused(grader_root: Path, tmp_path: Path) -> None:
    (grader_root / "escape.py").symlink_to(tmp_path / "outside.py")
    with pytest.raises(GraderSetupError):
        resolve_grader_path(grader_root, "escape.py")


@pytest.mark.parametrize("body", ["not json", json.dumps([1]), json.dumps({"grader_payload": "{bad",
                                                                           "student_response": "x"})])
def test_malformed_bodies_get_an_error_reply(grader: PythonGrader, body: str) -> None:
    reply = grader.grade_submission({"xqueue_header": "{}", "xqueue_body": body, "xqueue_files": {}})
    assert reply["correct"] is False and "not set up correctly" in reply["msg"]
