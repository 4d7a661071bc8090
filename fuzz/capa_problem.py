"""Fuzz target: the CAPA engine (``kampus_problems.capa``) on arbitrary problem XML and answers.

Each input (see ``capa_input``) is a problem and a submission. The target does what the problem
block does over a learner's visits: parse the problem, render it, check the submission as the block
does before grading, grade the answers, render the graded state, keep the state as JSON, rebuild
the problem from that state, show the answers and the hints, all in a request context of a Kampus
app (``problem_app``). Instructor Python runs nowhere: the sandbox is the refusing ``NoSandbox``,
so a problem with a script stops with its documented error.

The documented rejections are the engine's own errors (``LoncapaProblemError`` for the problem,
``StudentInputError`` for an answer, ``ResponseError`` for a grader, ``SandboxError`` for Python
that cannot run) and the submission check's ``SubmissionRefused``: the block turns those into a
message. Any other exception is a crash (the block would answer 500 or show a broken problem), as
is a state that is not JSON.

Run through ``fuzz/run.py`` (``make fuzz``); by hand:
``.venv/bin/python fuzz/capa_problem.py CORPUS_DIR fuzz/seeds/capa_problem -max_total_time=60``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import atheris
import capa_input

with atheris.instrument_imports(include=["kampus_problems.capa"]):
    from kampus_problems.capa import LoncapaProblem, LoncapaProblemError, ResponseError, StudentInputError
    from kampus_problems.capa.errors import SubmissionRefused
    from kampus_problems.capa.submission import check_submission

from problem_app import problem_app

from kampus.drivers.sandbox import NoSandbox, SandboxError

EXPECTED = (LoncapaProblemError, StudentInputError, ResponseError, SandboxError)
SEED = 1
SANDBOX = NoSandbox(None)


def answers_for(problem: LoncapaProblem, answers: dict[str, Any] | str) -> dict[str, Any]:
    """The submission: the decoded dict, or the one text given to every input of the problem."""
    if isinstance(answers, dict):
        return answers
    return dict.fromkeys(problem.answer_ids, answers)


def test_one_input(data: bytes) -> None:
    """One fuzz input: a problem's life from parsing to a graded, stored and reloaded state."""
    xml, answers = capa_input.decode(data)
    try:
        problem = LoncapaProblem(xml, seed=SEED, sandbox=SANDBOX)
    except EXPECTED:
        return
    assert isinstance(problem.get_html(), str)
    problem.get_max_score()
    submission = answers_for(problem, answers)
    try:
        check_submission(problem, submission)  # the block refuses these before grading
    except SubmissionRefused:
        return
    try:
        problem.grade_answers(submission)
    except EXPECTED:
        return
    score = problem.get_score()
    assert 0 <= score["score"] <= score["total"] + 1e-9, f"score out of range: {score}"
    assert isinstance(problem.get_html(), str)
    state = json.loads(json.dumps(problem.get_state()))  # the block keeps the state as a JSON field
    try:
        again = LoncapaProblem(xml, seed=SEED, sandbox=SANDBOX, state=state)
    except EXPECTED:
        return
    assert isinstance(again.get_html(), str)
    try:
        again.get_question_answers()
    except EXPECTED:
        pass
    again.get_demand_hints()


def main() -> None:
    """Run libFuzzer over ``test_one_input`` with the command line's corpus folders and options."""
    atheris.Setup(sys.argv, test_one_input)
    with problem_app().test_request_context():
        atheris.Fuzz()


if __name__ == "__main__":
    main()
