"""The rows of each report, computed learner batch by learner batch.

Every report walks the course's active enrollments in keyset pages of ``instructor_report_batch_size``
(:meth:`ReportRun.batches`), each page in an app context of its own (its own database session, closed
after the page: nothing accumulates), and reads what it needs for a whole page in a fixed number of
queries, whatever the page size: the enrollments with their accounts (one), the learners' scores (one,
through ``kampus_lms.api.course_grades_of``), their profiles or block states (one). Rows go straight
to the :class:`~kampus_instructor.reports.csv_stream.CsvBlobWriter`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask
from kampus_content.api import learner_states
from kampus_lms.api import count_enrolled, course_grades_of, course_problems, enrolled_learners_page
from opaque_keys.edx.keys import UsageKey

from kampus.identity.profiles import UserProfile
from kampus_instructor.reports.csv_stream import CsvBlobWriter
from kampus_instructor.reports.problem_texts import answer_text, course_input_texts, randomized_problems

#: Progress callback: ``(done, total, message)``.
Progress = Callable[[int, int, str], None]


@dataclass
class ReportRun:
    """One report being written: its course, options, batch size and progress reporting."""

    app: Flask
    course_id: str
    batch_size: int
    progress: Progress
    options: dict[str, Any] = field(default_factory=dict)
    message: str = "Reporting on learners"

    def batches(self) -> Iterator[list[Any]]:
        """The course's active enrollments (``enrollment_id``, ``user``, ``mode``) in pages; progress is
        reported after each page."""
        with self.app.app_context():
            total = count_enrolled(self.course_id)
        self.progress(0, total, self.message)
        done, after = 0, None
        while True:
            with self.app.app_context():
                page, more = enrolled_learners_page(self.course_id, after_id=after, limit=self.batch_size)
                if page:
                    yield page
            done += len(page)
            self.progress(done, max(total, done), self.message)
            if not more or not page:
                return
            after = page[-1].enrollment_id


# -- enrolled learners' profiles (Open edX's get_students_features) ---------------------------------------------

PROFILE_FIELDS = ["id", "username", "name", "email", "language", "location", "year_of_birth", "gender",
                  "level_of_education", "mailing_address", "goals", "enrollment_mode", "country", "date_joined"]


def profiles_report(run: ReportRun, out: CsvBlobWriter) -> None:
    """One row per enrolled learner with their account and profile fields."""
    out.writerow(PROFILE_FIELDS)
    for page in run.batches():
        ids = [learner.user.id for learner in page]
        with run.app.extensions["kampus"].db.session_scope() as db_session:
            profiles = {p.user_id: p for p in db_session.scalars(sa.select(UserProfile).where(
                UserProfile.user_id.in_(ids)))}
            rows = []
            for learner in page:
                user, profile = learner.user, profiles.get(learner.user.id)
                languages = (profile.language_proficiencies or []) if profile else []
                rows.append([
                    user.id, user.username, user.name, user.email,
                    ",".join(str(lang.get("code", lang)) if isinstance(lang, dict) else str(lang)
                             for lang in languages),
                    profile.state if profile else "", profile.year_of_birth if profile else "",
                    profile.gender if profile else "", profile.level_of_education if profile else "",
                    profile.mailing_address if profile else "", profile.goals if profile else "",
                    learner.mode, profile.country if profile else "",
                    user.date_joined.isoformat() if user.date_joined else "",
                ])
        out.writerows(rows)


# -- grade report (Open edX's calculate_grades_csv) --------------------------------------------------------------

def grade_report(run: ReportRun, out: CsvBlobWriter) -> None:
    """Every learner's course grade and each assignment's percent (the grader's section breakdown)."""
    with run.app.app_context():
        course_problems(run.course_id)  # an unpublished course has no grades: NoGrades before any row
    labels: list[str] | None = None
    for page in run.batches():
        grades = course_grades_of(run.course_id, [learner.user for learner in page])
        for learner in page:
            grade = grades[int(learner.user.id)]
            if labels is None:
                labels = [str(item.get("label", "")) for item in grade.section_breakdown]
                out.writerow(["Student ID", "Email", "Username", "Grade", *labels, "Enrollment Track",
                              "Certificate Eligible"])
            percents = {str(item.get("label", "")): item.get("percent", 0.0) for item in grade.section_breakdown}
            out.writerow([learner.user.id, learner.user.email, learner.user.username, grade.percent,
                          *(percents.get(label, "") for label in labels), learner.mode,
                          "Y" if grade.passed else "N"])
    if labels is None:
        out.writerow(["Student ID", "Email", "Username", "Grade", "Enrollment Track", "Certificate Eligible"])


# -- problem grade report (Open edX's problem_grade_report) ------------------------------------------------------

def problem_grade_report(run: ReportRun, out: CsvBlobWriter) -> None:
    """Every learner's earned and possible points on each scorable block, in course order."""
    with run.app.app_context():
        problems = course_problems(run.course_id)
    header = ["Student ID", "Email", "Username", "Enrollment Status", "Grade"]
    for problem in problems:
        title = f"{problem['subsection_name']} - {problem['display_name']}"
        header += [f"{title} (Earned)", f"{title} (Possible)"]
    out.writerow(header)
    for page in run.batches():
        grades = course_grades_of(run.course_id, [learner.user for learner in page])
        for learner in page:
            grade = grades[int(learner.user.id)]
            scores = {score.usage_id: score for sub in grade.subsections for score in sub.problem_scores}
            row: list[Any] = [learner.user.id, learner.user.email, learner.user.username, "enrolled", grade.percent]
            for problem in problems:
                score = scores.get(problem["usage_id"])
                if score is None:
                    row += ["Not Available", "Not Available"]
                elif not score.attempted:
                    row += ["Not Attempted", score.possible]
                else:
                    row += [score.earned, score.possible]
            out.writerow(row)


# -- problem responses (Open edX's get_problem_responses) and answer distribution ---------------------------------

def _selected_problems(run: ReportRun) -> list[dict[str, Any]]:
    """The course's problems, those under ``problem_locations`` (problems or subsections) when given."""
    with run.app.app_context():
        problems = [p for p in course_problems(run.course_id) if p["block_type"] == "problem"]
    locations = run.options.get("problem_locations")
    if locations:
        wanted = set(locations)
        problems = [p for p in problems if p["usage_id"] in wanted or p["subsection_id"] in wanted]
    return problems


def _value_id(value: Any) -> str:
    """An answer as one string: a list (checkboxes) as ``[a|b]``, as Open edX's answer distribution."""
    if isinstance(value, list):
        return "[" + "|".join(str(item) for item in value) + "]"
    return "" if value is None else str(value)


def _correctness(correct_map: dict[str, Any], answer_id: str) -> str:
    entry = correct_map.get(answer_id)
    return str(entry.get("correctness") or "") if isinstance(entry, dict) else ""


PROBLEM_RESPONSES_HEADER = ["username", "title", "location", "block_key", "Answer ID", "Answer", "Correctness",
                            "Attempts", "Question", "State"]


def problem_responses_report(run: ReportRun, out: CsvBlobWriter) -> None:
    """One row per learner, problem and answered input (a row with no answer for a problem with state only);
    a choice's text stands for its name (``Jupiter``, not ``choice_1``)."""
    problems = _selected_problems(run)
    out.writerow(PROBLEM_RESPONSES_HEADER)
    usage_ids = [p["usage_id"] for p in problems]
    with run.app.app_context():
        texts = course_input_texts(run.course_id, {usage_id: _block_key(usage_id) for usage_id in usage_ids})
    for page in run.batches():
        states = learner_states(run.course_id, [learner.user.id for learner in page], usage_ids=usage_ids)
        for learner in page:
            mine = states.get(int(learner.user.id), {})
            for problem in problems:
                state = mine.get(problem["usage_id"])
                if state is None:
                    continue
                answers = state.get("student_answers") or {}
                correct_map = state.get("correct_map") or {}
                common = [learner.user.username, problem["display_name"], problem["subsection_name"],
                          problem["usage_id"]]
                attempts, dump = state.get("attempts", 0), json.dumps(state, sort_keys=True, default=str)
                if not isinstance(answers, dict) or not answers:
                    out.writerow([*common, "", "", "", attempts, "", dump])
                    continue
                for answer_id in sorted(answers):
                    value, question = answer_text(texts.get(problem["usage_id"], {}), answer_id,
                                                  _value_id(answers[answer_id]))
                    out.writerow([*common, answer_id, value, _correctness(correct_map, answer_id), attempts,
                                  question, dump])


ANSWER_DISTRIBUTION_HEADER = ["ModuleID", "PartID", "Correct", "Count", "ValueID", "AnswerValue", "Variant",
                              "Problem Display Name", "Question"]


def answer_distribution_report(run: ReportRun, out: CsvBlobWriter) -> None:
    """For each problem input (Open edX's ``ProblemResponseAnswerDistribution``): each distinct answer
    learners currently hold, how many hold it, and its correctness; for a problem with variants (its
    ``rerandomize`` is not ``never``) counted per variant, the seed of the learner's problem (Open edX's
    ``Variant``), else the variant is empty. Only the counters stay in memory (one per distinct answer),
    never the learners."""
    problems = _selected_problems(run)
    usage_ids = [p["usage_id"] for p in problems]
    with run.app.app_context():
        randomized = randomized_problems(run.course_id, {usage_id: _block_key(usage_id) for usage_id in usage_ids})
    counts: Counter[tuple[str, str, str, str, str]] = Counter()
    for page in run.batches():
        states = learner_states(run.course_id, [learner.user.id for learner in page], usage_ids=usage_ids)
        for mine in states.values():
            for usage_id, state in mine.items():
                answers = state.get("student_answers") or {}
                if not isinstance(answers, dict):
                    continue
                correct_map = state.get("correct_map") or {}
                seed = state.get("seed")
                variant = str(seed) if usage_id in randomized and seed is not None else ""
                for part_id, value in answers.items():
                    counts[(usage_id, part_id, _value_id(value), _correctness(correct_map, part_id), variant)] += 1
    out.writerow(ANSWER_DISTRIBUTION_HEADER)
    order = {p["usage_id"]: i for i, p in enumerate(problems)}
    names = {p["usage_id"]: p["display_name"] for p in problems}
    answered = {usage_id for usage_id, *_rest in counts}
    with run.app.app_context():
        texts = course_input_texts(run.course_id, {p["usage_id"]: _block_key(p["usage_id"]) for p in problems
                                                   if p["usage_id"] in answered})
    for (usage_id, part_id, value_id, correct, variant), count in sorted(
            counts.items(), key=lambda item: (order.get(item[0][0], 0), item[0][1], _variant_order(item[0][4]),
                                              item[0][2], item[0][3])):
        value_text, question = answer_text(texts.get(usage_id, {}), part_id, value_id)
        out.writerow([usage_id, part_id, correct, count, value_id, value_text, variant, names.get(usage_id, ""),
                      question])


def _variant_order(variant: str) -> tuple[int, str]:
    """Variants (seeds) in numeric order, the empty one first."""
    return (int(variant), "") if variant.isdigit() else (-1, variant)


def _block_key(usage_id: str) -> tuple[str, str]:
    """(block type, block id) of a usage id."""
    key = UsageKey.from_string(usage_id)
    return key.block_type, key.block_id
