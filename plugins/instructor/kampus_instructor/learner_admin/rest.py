"""Open edX's instructor API for one learner's problems and due dates, at its paths with its field names
(``lms/djangoapps/instructor/views/api.py``): ``reset_student_attempts``, ``rescore_problem``,
``override_problem_score``, ``get_student_progress_url``, ``change_due_date``, ``reset_due_date``,
``show_unit_extensions``, ``show_student_extensions``; and Kampus's list of a course's problems.

Parameters come as a form (what Open edX's dashboard posts) or a JSON object. Reading needs
``instructor.view`` (TAs too); acting needs :data:`~kampus_instructor.learner_admin.api.ACT` (course staff),
and acting on every learner at once :data:`~kampus_instructor.learner_admin.api.ACT_ALL` (instructors).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask_login import current_user
from pydantic import BaseModel, Field
from werkzeug.wrappers import Response

from kampus.api_docs import ApiSection
from kampus_instructor.http import ApiError, check, install_errors, params
from kampus_instructor.learner_admin import service
from kampus_instructor.learner_admin.api import ACT, ACT_ALL, from_action_error

bp = Blueprint("instructor_learner_admin_api", __name__)
install_errors(bp)
bp.register_error_handler(service.ActionError, lambda err: from_action_error(err).response())

learner_api = ApiSection("instructor: learner admin",
                         "Open edX's instructor API: a learner's attempts, state, scores and due dates.",
                         errors="openedx")

PREFIX = "/courses/<course_id>/instructor/api"


def flag(value: Any) -> bool:
    """Open edX's boolean parameters: ``true``/``false`` strings or JSON booleans."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "1", "yes", "on")


class Error(BaseModel):
    developer_message: str
    user_message: str | None = None
    field_errors: dict[str, Any] | None = None


class ResetForm(BaseModel):
    problem_to_reset: str = Field(description="The problem's usage id.")
    unique_student_identifier: str | None = Field(None, description="The learner's user name or e-mail.")
    all_students: bool = Field(False, description="Reset the attempts of every learner (instructors only).")
    delete_module: bool = Field(False, description="Delete the learner's state and score instead.")


class ResetAnswer(BaseModel):
    problem_to_reset: str
    student: str | None = None
    task: str | None = None
    task_id: str | None = None
    attempts_before: int | None = None
    score_deleted: bool | None = None


class RescoreForm(BaseModel):
    problem_to_reset: str = Field(description="The problem's usage id.")
    unique_student_identifier: str | None = Field(None, description="The learner (or `all_students`).")
    all_students: bool = Field(False, description="Rescore for every learner, in the background.")
    only_if_higher: bool = Field(False, description="Keep the stored score when the new one is lower.")


class ScoreAnswer(BaseModel):
    problem_to_reset: str
    student: str | None = None
    task: str
    task_id: str | None = None
    earned_before: float | None = None
    earned: float | None = None
    possible: float | None = None


class OverrideForm(BaseModel):
    problem_to_reset: str = Field(description="The problem's usage id.")
    unique_student_identifier: str = Field(description="The learner's user name or e-mail.")
    score: float = Field(description="The new weighted score, from 0 to the problem's weighted maximum.")


class StudentForm(BaseModel):
    unique_student_identifier: str = Field(description="The learner's user name or e-mail.")


class ProgressUrl(BaseModel):
    progress_url: str


class DueForm(BaseModel):
    student: str = Field(description="The learner's user name or e-mail.")
    url: str = Field(description="The subsection's usage id.")
    due_datetime: str | None = Field(None, description="`MM/DD/YYYY HH:MM` (UTC) or ISO 8601 (change only).")
    reason: str | None = Field(None, description="Why (change only).")


class Message(BaseModel):
    message: str


class UnitForm(BaseModel):
    url: str = Field(description="The subsection's usage id.")


class ExtensionsStudentForm(BaseModel):
    student: str = Field(description="The learner's user name or e-mail.")


class Extensions(BaseModel):
    header: list[str]
    title: str
    data: list[dict[str, str]]


class Problem(BaseModel):
    usage_id: str
    display_name: str
    block_type: str
    subsection_id: str
    subsection_name: str
    graded: bool


class Problems(BaseModel):
    results: list[Problem]


def _user_id() -> int:
    return int(current_user.id)


@bp.post(f"{PREFIX}/reset_student_attempts")
@learner_api.doc(form=ResetForm, validate=False,
                 resp={200: ResetAnswer, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error})
def reset_student_attempts(course_id: str) -> Any:
    """Reset a learner's attempts of a problem, delete their state (``delete_module``), or reset every
    learner's attempts (``all_students``, a background task)."""
    data = params()
    usage_id = str(data.get("problem_to_reset") or "")
    if flag(data.get("all_students")):
        check(ACT_ALL, course_id)
        if flag(data.get("delete_module")):
            raise ApiError(400, "all_students and delete_module are mutually exclusive.", "delete_module")
        record = service.reset_all(course_id, usage_id, requester_id=_user_id())
        return {"problem_to_reset": usage_id, "task": "created", "task_id": record.id}
    check(ACT, course_id)
    user = service.find_learner(data.get("unique_student_identifier"))
    return service.reset_student_attempts(course_id, user, usage_id, delete_module=flag(data.get("delete_module")))


@bp.post(f"{PREFIX}/rescore_problem")
@learner_api.doc(form=RescoreForm, validate=False,
                 resp={200: ScoreAnswer, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error})
def rescore_problem(course_id: str) -> Any:
    """Rescore a learner's stored answers of a problem now, or every learner's in a background task
    (``all_students``: the answer names the task, whose progress ``/api/tasks/v1/`` shows)."""
    data = params()
    usage_id = str(data.get("problem_to_reset") or "")
    only_if_higher = flag(data.get("only_if_higher"))
    if flag(data.get("all_students")):
        check(ACT_ALL, course_id)
        record = service.rescore_all(course_id, usage_id, only_if_higher=only_if_higher, requester_id=_user_id())
        return {"problem_to_reset": usage_id, "task": "created", "task_id": record.id}
    check(ACT, course_id)
    user = service.find_learner(data.get("unique_student_identifier"))
    return service.rescore_one(course_id, user, usage_id, only_if_higher=only_if_higher)


@bp.post(f"{PREFIX}/override_problem_score")
@learner_api.doc(form=OverrideForm, validate=False,
                 resp={200: ScoreAnswer, 400: Error, 401: Error, 403: Error, 404: Error})
def override_problem_score(course_id: str) -> Any:
    """Set a learner's score of a problem (written like an answer's: their grade follows)."""
    data = params()
    check(ACT, course_id)
    user = service.find_learner(data.get("unique_student_identifier"))
    if data.get("score") in (None, ""):
        raise ApiError(400, "score is required.", "score")
    return service.override_score(course_id, user, str(data.get("problem_to_reset") or ""), data.get("score"))


@bp.post(f"{PREFIX}/get_student_progress_url")
@learner_api.doc(form=StudentForm, validate=False, resp={200: ProgressUrl, 400: Error, 401: Error, 403: Error,
                                                          404: Error})
def get_student_progress_url(course_id: str) -> Any:
    """The URL of a learner's progress page."""
    data = params()
    check("instructor.view", course_id)
    user = service.find_learner(data.get("unique_student_identifier"))
    return {"progress_url": f"/courses/{course_id}/progress/{int(user.id)}/"}


@bp.post(f"{PREFIX}/change_due_date")
@learner_api.doc(form=DueForm, validate=False, resp={200: Message, 400: Error, 401: Error, 403: Error, 404: Error})
def change_due_date(course_id: str) -> Any:
    """Give a learner their own due date of a subsection (their problems there close at it)."""
    data = params()
    check(ACT, course_id)
    user = service.find_learner(data.get("student"))
    return service.change_due_date(course_id, user, str(data.get("url") or ""), data.get("due_datetime"),
                                   str(data.get("reason") or ""), _user_id())


@bp.post(f"{PREFIX}/reset_due_date")
@learner_api.doc(form=DueForm, validate=False, resp={200: Message, 400: Error, 401: Error, 403: Error, 404: Error})
def reset_due_date(course_id: str) -> Any:
    """Give a learner the subsection's own due date again."""
    data = params()
    check(ACT, course_id)
    user = service.find_learner(data.get("student"))
    return service.reset_due_date(course_id, user, str(data.get("url") or ""))


@bp.post(f"{PREFIX}/show_unit_extensions")
@learner_api.doc(form=UnitForm, validate=False, resp={200: Extensions, 400: Error, 401: Error, 403: Error,
                                                       404: Error})
def show_unit_extensions(course_id: str) -> Any:
    """The learners with an extended due date of a subsection."""
    data = params()
    check("instructor.view", course_id)
    return service.unit_extensions(course_id, str(data.get("url") or ""))


@bp.post(f"{PREFIX}/show_student_extensions")
@learner_api.doc(form=ExtensionsStudentForm, validate=False,
                 resp={200: Extensions, 400: Error, 401: Error, 403: Error, 404: Error})
def show_student_extensions(course_id: str) -> Any:
    """A learner's extended due dates in the course."""
    data = params()
    check("instructor.view", course_id)
    user = service.find_learner(data.get("student"))
    return service.student_extensions(course_id, user)


@bp.get("/api/instructor/v1/courses/<course_id>/problems")
@learner_api.doc(resp={200: Problems, 401: Error, 403: Error, 404: Error})
def list_problems(course_id: str) -> Response | dict[str, Any]:
    """The course's problems (scorable blocks) in course order, for the learner admin's picker."""
    check("instructor.view", course_id)
    return {"results": service.problems(course_id)}
