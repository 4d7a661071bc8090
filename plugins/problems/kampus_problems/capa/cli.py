"""``kampus check-problem``: grade CAPA problems from the command line, with the sandbox in force.

One problem: ``kampus check-problem FILE.xml --answers '{"1_2_1": "4"}' [--seed N] [--id ID]``.
Many: ``kampus check-problem --cases FILE.jsonl`` (objects with ``id``, ``problem_xml``, ``answers``
and optional ``seed`` and ``problem_id``), one JSON result per line, in one process.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from kampus import current_kampus
from kampus.cli import load_app
from kampus.drivers.sandbox import SandboxError, get_sandbox
from kampus_problems import response_types
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, ResponseError, StudentInputError
from kampus_problems.capa.problem import LoncapaProblem

DEFAULT_SEED = 1


def grade_report(problem_xml: str, answers: dict[str, Any], *, seed: int | None = None, problem_id: str = "1",
                 sandbox: Any = None, response_classes: Mapping[str, type] | None = None) -> dict[str, Any]:
    """Grade one problem; the JSON-ready result ``{"score", "max_score", "correct_map"}`` (plus ``error``).

    A response whose grading fails on the learner's input (or its check code) is reported incorrect with
    the error as its message, the way Open edX shows it to the learner; a broken problem gives ``error``.
    ``response_classes`` is the registry of response types (default: the first-party types).
    """
    try:
        problem = LoncapaProblem(problem_xml, problem_id=problem_id, seed=DEFAULT_SEED if seed is None else seed,
                                 sandbox=sandbox, response_classes=response_classes)
    except (LoncapaProblemError, StudentInputError, SandboxError) as err:
        report = {"score": 0.0, "max_score": 0, "correct_map": {}, "error": str(err)}
        if _sandbox_detail(err):
            report["error_detail"] = "\n".join(_sandbox_detail(err))
        return report
    errors: list[str] = []
    details: list[str] = []
    cmap = CorrectMap()
    for responder in problem.responders.values():
        try:
            cmap.update(responder.evaluate_answers(answers, problem.correct_map))
        except (StudentInputError, ResponseError, LoncapaProblemError, SandboxError) as err:
            errors.append(str(err))
            details.extend(_sandbox_detail(err))
            for aid in responder.answer_ids:
                cmap.set(aid, "incorrect", npoints=0, msg=str(err))
    problem.student_answers = dict(answers)
    problem.correct_map = cmap
    problem.done = True
    score = problem.get_score()
    report: dict[str, Any] = {"score": float(score["score"]), "max_score": score["total"],
                              "correct_map": cmap.get_dict()}
    if errors:
        report["error"] = "; ".join(errors)
    if details:
        report["error_detail"] = "\n".join(details)
    return report


def _sandbox_detail(err: BaseException | None) -> list[str]:
    """The sandbox's staff-only detail (traceback, limit hit) behind an error, for course teams."""
    while err is not None:
        detail = getattr(err, "detail", "")
        if detail:
            return [detail]
        err = err.__cause__
    return []


def grade_cases(lines: Any, sandbox: Any, response_classes: Mapping[str, type] | None = None) -> Any:
    """Yield one report (with its ``id``) per JSON line of cases."""
    for line in lines:
        if not line.strip():
            continue
        case = json.loads(line)
        report = grade_report(case["problem_xml"], case.get("answers") or {}, seed=case.get("seed"),
                              problem_id=str(case.get("problem_id") or "1"), sandbox=sandbox,
                              response_classes=response_classes)
        yield {"id": case.get("id"), **report}


@click.command("check-problem")
@click.argument("problem_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--answers", "answers_json", default="{}", help='Answers as JSON: {"<input id>": "value"}.')
@click.option("--seed", type=int, default=None, help="Random seed of the problem (default 1).")
@click.option("--id", "problem_id", default="1", show_default=True, help="Problem id (prefix of the input ids).")
@click.option("--cases", "cases_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Grade every problem of a JSON-lines file instead.")
def check_problem(problem_file: Path | None, answers_json: str, seed: int | None, problem_id: str,
                  cases_file: Path | None) -> None:
    """Grade a CAPA problem like Open edX does and print the result as JSON."""
    if (problem_file is None) == (cases_file is None):
        raise click.UsageError("give a problem FILE.xml or --cases FILE.jsonl")
    app = load_app()
    with app.app_context():
        sandbox = get_sandbox()
        registry = response_types.response_classes(current_kampus())
        if cases_file is not None:
            with cases_file.open(encoding="utf-8") as lines:
                for report in grade_cases(lines, sandbox, registry):
                    click.echo(json.dumps(report))
                    sys.stdout.flush()
            return
        try:
            answers = json.loads(answers_json)
        except ValueError as err:
            raise click.BadParameter(f"not JSON: {err}", param_hint="--answers") from err
        if not isinstance(answers, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--answers")
        report = grade_report(problem_file.read_text(encoding="utf-8"), answers, seed=seed, problem_id=problem_id,
                              sandbox=sandbox, response_classes=registry)
        click.echo(json.dumps(report))
        if "error" in report and not report["correct_map"]:
            sys.exit(1)
