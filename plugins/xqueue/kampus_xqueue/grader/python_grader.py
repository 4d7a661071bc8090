"""Python graders run in the codejail sandbox, compatible with xqueue-watcher's ``JailedGrader``.

A ``coderesponse`` problem names its grader in ``<grader_payload>``: JSON
``{"grader": "path/to/grader.py"}`` relative to the grader root folder the
operator configures (``--grader-root``); other keys are the grader's config
(``hide_output``). Beside ``grader.py`` lies ``answer.py``, the staff answer.
The grader module does ``import gradelib`` (or ``from grader_support import
gradelib``; Kampus ships an API-compatible copy into the sandbox), makes
``grader = gradelib.Grader()`` and adds tests that call into the learner's
module and print.

One submission costs three sandbox runs, each a fresh jailed interpreter
(the sandbox driver's limits: CPU, memory, processes, wall clock, no network):

1. the grader's input checks on the learner's text and the staff answer run
   through the tests (trusted code only);
2. the learner's code run through the tests, with the same random seed;
3. the grader's ``compare_results`` on each (expected, actual) pair.

The learner's code therefore never shares an interpreter with the staff
answer or with the comparison, and the course's grader code never runs in
the daemon's own process. Everything a run returns is checked before use.

The reply is xqueue-watcher's: ``{"correct": bool, "score": fraction 0..1,
"msg": html}``, the HTML built from the same structure and CSS classes
(``div.test``, ``div.shortform``, ``div.longform``, ``div.result-errors``,
``div.result-output result-correct|result-incorrect``).
"""

from __future__ import annotations

import gettext
import json
import logging
import os
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from kampus.drivers.sandbox import Sandbox, SandboxError, SandboxLimits, SandboxUnavailable

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SUPPORT = HERE / "support"
SUPPORT_FILES = ("gradelib.py", "graderutil.py")
JAIL_PROGRAM = (SUPPORT / "jail_program.py").read_text(encoding="utf-8")
#: Longest output of one test kept (xqueue-watcher's per-test truncation).
TOO_LONG = 5000
#: Largest grader or answer file read from the grader root.
MAX_SOURCE_BYTES = 1024 * 1024


def N_(text: str) -> str:
    """Marks ``text`` for translation; translated where it is shown."""
    return text


STAFF_SOLUTION_FAILED = N_("There was a problem running the staff solution (Staff debug: L364)")
SOLUTION_NO_OUTPUT = N_("There was a problem running your solution (Staff debug: L379).")
SOLUTION_NOT_RUN = N_("We couldn't run your solution (Staff debug: L397).")
SOLUTION_ERROR = N_("There was an error thrown while running your solution.")
DIFFERENT_COUNTS = N_("Something went wrong: different numbers of tests ran for your code and for our reference code.")
TESTS_MISMATCH = N_("Something went wrong: tests don't match up.")
NO_TESTS = N_("There was a problem while running your code (Staff debug: L450). "
              "Please contact the course staff for assistance.")
NOT_SET_UP = N_("This problem's grader is not set up correctly. Course staff can see why in the grader's log.")
TOO_LONG_RUN = N_("Your code was stopped: it ran longer than allowed (an endless loop?).")
TOO_MUCH_MEMORY = N_("Your code was stopped: it used more memory than allowed.")
TOO_MUCH_OUTPUT = N_("Your code was stopped: it printed more than allowed.")
TOO_MANY_PROCESSES = N_("Your code was stopped: it started more processes than allowed.")
COULD_NOT_RUN = N_("Your code could not run in the grader's sandbox.")
COULD_NOT_GRADE = N_("Your submission could not be graded. Please contact the course staff.")


class GraderSetupError(Exception):
    """The submission names no usable grader (bad payload, missing file); the message is for staff."""


@dataclass
class GradeResults:
    """What grading found, before rendering: xqueue-watcher's ``results`` dict."""

    correct: bool = False
    score: float = 0.0
    tests: list[tuple[str, str, bool, str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def resolve_grader_path(grader_root: Path, relative: Any) -> Path:
    """The grader file ``relative`` names under ``grader_root``; :class:`GraderSetupError` for anything else
    (not a string, absolute, ``..``, outside the root through a link, not a ``.py`` file)."""
    if not isinstance(relative, str) or not relative.strip():
        raise GraderSetupError("grader_payload names no grader (the 'grader' key must be a path string)")
    if relative.startswith(("/", "\\")) or ".." in Path(relative).parts or "\x00" in relative:
        raise GraderSetupError(f"grader path {relative!r} must be relative to the grader root, without '..'")
    root = grader_root.resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise GraderSetupError(f"grader path {relative!r} leaves the grader root")
    if path.suffix != ".py" or not path.is_file():
        raise GraderSetupError(f"grader {relative!r} is not a .py file under {root}")
    return path


def _read_source(path: Path) -> str:
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise GraderSetupError(f"{path} is larger than {MAX_SOURCE_BYTES} bytes")
    return path.read_text(encoding="utf-8")


def _truncate(text: str) -> str:
    return text[:TOO_LONG] + "...OUTPUT TRUNCATED" if len(text) > TOO_LONG else text


def _is_str_list(value: Any, length: int | None = None) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value) and (
        length is None or len(value) == length)


def _valid_run(run: Any) -> bool:
    """Whether a run document (hostile: the learner's code could forge it) has the expected shape."""
    if not isinstance(run, dict):
        return False
    for part in ("grader", "submission"):
        if not isinstance(run.get(part), dict) or not isinstance(run[part].get("status"), str):
            return False
    return isinstance(run.get("results"), list) and all(_is_str_list(item, 3) for item in run["results"]) \
        and isinstance(run.get("exceptions"), int)


class PythonGrader:
    """Grades pulled XQueue submissions with course Python graders, in the sandbox ``sandbox``."""

    def __init__(self, grader_root: str | os.PathLike[str], sandbox: Sandbox, *,
                 limits: SandboxLimits | None = None, translations: gettext.NullTranslations | None = None):
        self.grader_root = Path(grader_root)
        self.sandbox = sandbox
        self.limits = limits
        self.translations = translations or gettext.NullTranslations()
        self.environment = Environment(
            loader=FileSystemLoader(str(HERE / "templates")),
            autoescape=select_autoescape(default=True, default_for_string=True),
            extensions=["jinja2.ext.i18n"],
        )
        self.environment.install_gettext_translations(self.translations, newstyle=True)  # type: ignore[attr-defined]
        self.support_files = {name: (SUPPORT / name).read_bytes() for name in SUPPORT_FILES}

    def _(self, message: str) -> str:
        return self.translations.gettext(message)

    # -- the XQueue side ---------------------------------------------------------------------------------

    def grade_submission(self, content: dict[str, Any]) -> dict[str, Any]:
        """The grader reply ``{"correct", "score", "msg"}`` for one pulled submission (the decoded
        ``content`` of ``get_submission``: its ``xqueue_body`` is the LMS's JSON string)."""
        try:
            body = json.loads(content["xqueue_body"])
            if not isinstance(body, dict):
                raise GraderSetupError("xqueue_body is not a JSON object")
            student_response = body.get("student_response", "")
            if not isinstance(student_response, str):
                raise GraderSetupError("student_response is not a string")
            payload = body.get("grader_payload", "")
            try:
                grader_config = json.loads(payload) if isinstance(payload, str) else payload
            except ValueError as exc:
                raise GraderSetupError(f"grader_payload is not JSON: {payload[:200]!r}") from exc
            if not isinstance(grader_config, dict):
                raise GraderSetupError("grader_payload is not a JSON object like {\"grader\": \"path/grader.py\"}")
            grader_path = resolve_grader_path(self.grader_root, grader_config.get("grader"))
            results = self.grade(grader_path, grader_config, student_response)
        except (KeyError, TypeError, ValueError, GraderSetupError, SandboxUnavailable) as exc:
            detail = getattr(exc, "detail", "") or str(exc)
            log.error("xqueue-grader: submission not graded: %s", detail)
            results = GradeResults(errors=[self._(NOT_SET_UP)])
        return {"correct": results.correct, "score": results.score, "msg": self.render_results(results)}

    # -- grading -------------------------------------------------------------------------------------------

    def grade(self, grader_path: Path, grader_config: dict[str, Any], submission: str) -> GradeResults:
        """Grade ``submission`` with the grader at ``grader_path`` (under the grader root; ``answer.py``
        beside it), as xqueue-watcher's ``JailedGrader.grade`` does."""
        results = GradeResults()
        answer = _read_source(grader_path.parent / "answer.py") if (grader_path.parent / "answer.py").is_file() \
            else None
        if answer is None:
            raise GraderSetupError(f"no answer.py beside {grader_path}")
        module = grader_path.stem
        if not module.isidentifier() or module in ("gradelib", "graderutil", "submission", "grader_support"):
            raise GraderSetupError(f"grader file name {grader_path.name!r} is not a usable module name")
        files = {**self.support_files, grader_path.name: _read_source(grader_path).encode("utf-8")}
        seed = random.randint(0, 20000)
        slug = f"xqueue-grader:{grader_path.relative_to(self.grader_root.resolve())}"

        # 1. trusted: the input checks and the staff answer.
        try:
            first = self._run({"mode": "answer", "grader_module": module, "seed": seed, "submission": submission,
                               "answer": answer}, files, seed, slug)
        except SandboxError as exc:
            log.error("xqueue-grader: staff solution of %s did not run: %s", grader_path, exc.detail or exc)
            results.errors.append(self._(STAFF_SOLUTION_FAILED))
            return results
        if _is_str_list(first.get("input_errors")) and first["input_errors"]:
            results.errors.extend(first["input_errors"])
            return results
        expected = first.get("run")
        if not (isinstance(first.get("code"), str) and _valid_run(expected)) or expected["exceptions"] \
                or expected["grader"]["status"] != "ok" or expected["submission"]["status"] != "ok":
            log.error("xqueue-grader: staff solution of %s failed: %r", grader_path, first)
            results.errors.append(self._(STAFF_SOLUTION_FAILED))
            return results

        # 2. untrusted: the learner's code, alone in its interpreter.
        try:
            second = self._run({"mode": "submission", "grader_module": module, "seed": seed},
                               {**files, "submission.py": first["code"].encode("utf-8")}, seed, slug)
        except SandboxError as exc:
            results.errors.append(self._limit_message(exc))
            return results
        actual = second.get("run")
        if not _valid_run(actual):
            results.errors.append(self._(SOLUTION_NO_OUTPUT))
            results.errors.append(self._(SOLUTION_NOT_RUN))
            return results
        if actual["grader"]["status"] != "ok":
            results.errors.append(self._(SOLUTION_NOT_RUN))
            return results
        if actual["submission"]["status"] != "ok":
            shown = actual["submission"].get("exception")
            results.errors.append(shown if isinstance(shown, str) and shown else self._(SOLUTION_ERROR))
            return results

        # 3. the comparison, with the grader's own compare_results.
        expected_results, actual_results = expected["results"], actual["results"]
        if len(expected_results) != len(actual_results):
            results.errors.append(self._(DIFFERENT_COUNTS))
            return results
        if any(exp[0] != act[0] for exp, act in zip(expected_results, actual_results, strict=True)):
            results.errors.append(self._(TESTS_MISMATCH))
            return results
        pairs = [[exp[2], _truncate(act[2])] for exp, act in zip(expected_results, actual_results, strict=True)]
        try:
            third = self._run({"mode": "compare", "grader_module": module, "seed": seed, "pairs": pairs},
                              files, seed, slug)
        except SandboxError as exc:
            log.error("xqueue-grader: comparison of %s did not run: %s", grader_path, exc.detail or exc)
            third = {}
        compared = third.get("compared")
        if not (isinstance(compared, list) and len(compared) == len(pairs) and all(
                isinstance(item, list) and len(item) == 2 and isinstance(item[0], bool) and isinstance(item[1], str)
                for item in compared)):
            log.error("xqueue-grader: comparison of %s failed: %r", grader_path, third)
            results.errors.append(self._(NO_TESTS))
            return results
        corrects = []
        for exp, (_expected, act_output), (correct, extra) in zip(expected_results, pairs, compared, strict=True):
            corrects.append(correct)
            if not grader_config.get("hide_output", False):
                results.tests.append((exp[0], exp[1], correct, exp[2], act_output + extra))
        count = len(corrects)
        results.correct = count > 0 and all(corrects)
        results.score = sum(corrects) / count if count else 0.0
        if count == 0:
            results.errors.append(self._(NO_TESTS))
        return results

    def _run(self, task: dict[str, Any], files: dict[str, bytes], seed: int, slug: str) -> dict[str, Any]:
        """One sandbox run of the jail program; its ``result`` (a dict, else :class:`SandboxError`)."""
        values: dict[str, Any] = {"task": task}
        self.sandbox.safe_exec(JAIL_PROGRAM, values, random_seed=seed, extra_files=files, limits=self.limits,
                               slug=slug)
        result = values.get("result")
        if not isinstance(result, dict):
            raise SandboxError(self._(COULD_NOT_RUN), "the sandbox run left no result")
        if "error" in result:
            raise SandboxError(self._(COULD_NOT_RUN), str(result["error"])[:4000])
        return result

    def _limit_message(self, exc: SandboxError) -> str:
        """What the learner is told when the sandbox stopped their code."""
        detail = exc.detail or ""
        if "time limit" in detail:
            return self._(TOO_LONG_RUN)
        if "Memory limit" in detail:
            return self._(TOO_MUCH_MEMORY)
        if "Output limit" in detail:
            return self._(TOO_MUCH_OUTPUT)
        if "Process limit" in detail:
            return self._(TOO_MANY_PROCESSES)
        log.warning("xqueue-grader: learner code stopped: %s", detail.splitlines()[0] if detail else exc)
        return self._(COULD_NOT_RUN)

    # -- the message -----------------------------------------------------------------------------------------

    def error_reply(self) -> dict[str, Any]:
        """The reply when grading itself broke (a bug, not the learner's code): an ungraded error."""
        return {"correct": False, "score": 0,
                "msg": self.render_results(GradeResults(errors=[self._(COULD_NOT_GRADE)]))}

    def render_results(self, results: GradeResults) -> str:
        """The HTML message of xqueue-watcher's results template (same structure and classes)."""
        if results.errors:
            status = "ERROR"
        elif results.correct:
            status = "CORRECT"
        else:
            status = "INCORRECT"
        return self.environment.get_template("grader_result.html").render(
            status=status, errors=results.errors, tests=results.tests)
