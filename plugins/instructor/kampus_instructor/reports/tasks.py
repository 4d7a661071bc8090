"""The reports' background tasks (kernel tasks API): one per report type, startable by course staff."""

from __future__ import annotations

from typing import Any

from kampus.tasks.api import TaskContext, startable_with, task_name
from kampus_instructor.reports.service import ReportError, run_report

#: Who may start reports and download them (Open edX: course staff and instructors).
REPORTS_PERMISSION = "instructor.reports"
#: Most problem locations one problem responses report may name.
MAX_LOCATIONS = 200


def _locations(problem_locations: Any) -> list[str] | None:
    if problem_locations in (None, "", []):
        return None
    if isinstance(problem_locations, str):
        problem_locations = [part.strip() for part in problem_locations.split(",") if part.strip()]
    if not isinstance(problem_locations, list) or not all(isinstance(p, str) for p in problem_locations):
        raise ReportError("problem_locations must be a list of usage ids.")
    if len(problem_locations) > MAX_LOCATIONS:
        raise ReportError(f"At most {MAX_LOCATIONS} problem locations.")
    return problem_locations


@task_name("instructor.reports.profiles")
@startable_with(REPORTS_PERMISSION)
def profiles(task: TaskContext) -> dict[str, Any]:
    """Enrolled learners' profiles (Open edX's ``get_students_features`` CSV)."""
    return run_report(task, "profiles", {})


@task_name("instructor.reports.grade_report")
@startable_with(REPORTS_PERMISSION)
def grade_report(task: TaskContext) -> dict[str, Any]:
    """The grade report (Open edX's ``calculate_grades_csv``)."""
    return run_report(task, "grade_report", {})


@task_name("instructor.reports.problem_grade_report")
@startable_with(REPORTS_PERMISSION)
def problem_grade_report(task: TaskContext) -> dict[str, Any]:
    """The problem grade report (Open edX's ``problem_grade_report``)."""
    return run_report(task, "problem_grade_report", {})


@task_name("instructor.reports.problem_responses")
@startable_with(REPORTS_PERMISSION)
def problem_responses(task: TaskContext, problem_locations: Any = None) -> dict[str, Any]:
    """Learners' answers to problems (Open edX's ``get_problem_responses``)."""
    return run_report(task, "problem_responses", {"problem_locations": _locations(problem_locations)})


@task_name("instructor.reports.answer_distribution")
@startable_with(REPORTS_PERMISSION)
def answer_distribution(task: TaskContext, problem_locations: Any = None) -> dict[str, Any]:
    """For each problem input: each answer, how many learners gave it, and its correctness."""
    return run_report(task, "answer_distribution", {"problem_locations": _locations(problem_locations)})


TASKS = [profiles, grade_report, problem_grade_report, problem_responses, answer_distribution]
