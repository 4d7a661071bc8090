"""Grading hooks: scores, grades, response graders, external queues, certificates."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs._marker import hookspec


@hookspec
def kampus_score_changed(
    user_id: int, course_id: str, usage_id: str, earned: float, possible: float, only_if_higher: bool
) -> None:
    """Called after a learner's score on a block changed (a problem was
    checked, a score overridden), once the new score is committed to the
    content plugin's score table (a listener that reads it finds the new row).
    Not called when a block publishes the same score again, nor for a lower
    score when ``only_if_higher`` kept the higher one."""


@hookspec(firstresult=True)
def kampus_grade_computed(user_id: int, course_id: str, grade: dict[str, Any]) -> dict[str, Any] | None:
    """Adjust a computed course grade: return a new grade dict, or ``None``
    to keep it. The first plugin that answers wins.
    """


@hookspec(firstresult=True)
def kampus_course_grader(course_id: str, policy: dict[str, Any]) -> Any | None:
    """Return the grader of ``course_id``, or ``None`` to leave the choice to other plugins.

    ``policy`` is the course's grading policy (``GRADER``, ``GRADE_CUTOFFS``). The first plugin that
    answers wins; when none answers, the LMS grades with Open edX's algorithm (assignment types with
    weights, ``min_count`` and ``drop_count``, rounding, cutoffs). A grader replaces that algorithm;
    a plugin that only adjusts the result answers ``kampus_grade_computed`` instead.

    The contract of a grader is that of ``kampus_lms.api.CourseGrader``:
    ``grade(course: CourseGradingInput) -> CourseGradeResult``.
    """


@hookspec
def kampus_response_graders() -> dict[str, Any]:
    """Return the CAPA response types this plugin grades: ``{"tag": response_class}``.

    Called once per app, at start-up, by the problems plugin, which builds the app's registry of
    response types from every answer (its own first-party types answer too). A problem's
    ``<tag>`` element is then graded by ``response_class``. The tag is lower-case, ends in
    ``response`` (``lengthresponse``); a tag given by two plugins, or a class that lacks the
    methods below, stops start-up with one line naming it.

    The contract of a response class is that of ``kampus_problems.capa.LoncapaResponse``; subclass
    it, as every first-party type does (``kampus_problems.capa.responses.string.StringResponse``
    is a short example):

    * class attributes ``tag`` (the element's tag), ``allowed_inputfields`` (the CAPA input tags
      it reads, e.g. ``("textline",)``), optionally ``max_inputfields`` and ``required_attributes``;
    * ``__init__(xml, inputfields, problem)``: the response element, its input elements (each with
      its ``id``) and the problem; afterwards ``id``, ``answer_ids`` and ``inputfields`` are set
      (``LoncapaResponse.__init__`` does this and calls ``setup_response()``, which reads the XML);
    * ``get_score(student_answers) -> CorrectMap``: grade ``{input id: answer}``; called through
      ``evaluate_answers(student_answers, old_correct_map)``, which adds hints;
    * ``get_answers() -> {input id: expected answer}`` for Show Answer;
    * ``max_points()`` and ``get_initial_display()`` (inherited).

    Raise ``StudentInputError`` for an answer the learner must fix and ``ResponseError`` when
    grading fails. Return ``{}`` to add nothing.
    """


@hookspec
def kampus_external_queues() -> dict[str, Any]:
    """Return external grading queues this plugin serves: ``{"name": queue}``; the name ``"*"`` for one
    object that serves any queue name (the XQueue plugin answers ``{"*": XQueueService()}``, its queues
    being configured by staff at run time).

    Called by the problems plugin each time a ``coderesponse`` answer is checked; the queue is the one the
    problem names (``queuename``), else Open edX's default ``<org>-<course>``. An exact name wins over
    ``"*"``; between plugins, the first answer of a name wins. The contract of a queue is Open edX's
    ``XQueueInterface.send_to_queue``, with the learner's target as keywords:
    ``send_to_queue(*, header: str, body: str, files: dict[str, bytes], user_id: int, course_id: str,
    usage_id: str) -> tuple[int, str]`` (``header`` the LMS header JSON with ``lms_callback_url``,
    ``lms_key``, ``queue_name``; returns ``(0, "<position in queue>")`` or ``(1, message)``, e.g.
    ``"Queue 'q' not found"``). A queue writes in the check's transaction (committed with the problem's
    "queued" state) and later delivers the grader's reply with
    ``kampus_problems.api.apply_queue_reply(user_id, usage_id, lms_key, reply, db_session=...)``.
    """


@hookspec
def kampus_certificate_eligible(user_id: int, course_id: str, grade: dict[str, Any]) -> bool | None:
    """Return ``False`` to withhold a certificate from a passing learner, or
    ``None`` to abstain.
    """


@hookspec
def kampus_field_overrides(course_id: str, user_id: int) -> dict[str, dict[str, Any]] | None:
    """Return per-learner values of XBlock settings fields in a course (since hook API 1.5):
    ``{usage_id: {field_name: value}}`` (values in the field's JSON form, e.g. an ISO date for ``due``).

    Open edX's field override providers (``IndividualStudentOverrideProvider``): the content runtime of
    ``user_id``'s requests asks once per request, and a value given for a block wins over the block's
    own value and over what it inherits, for the block and every block under it (a due-date extension
    set on a subsection is the due date of its problems). When several plugins answer the same block and
    field, the last answer read wins; ``None`` or ``{}`` override nothing.
    """
