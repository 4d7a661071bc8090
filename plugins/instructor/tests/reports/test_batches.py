"""Reports stream learners in batches: the SQL statements per batch stay the same however many learners
(and answers) a batch holds, and memory stays flat as the course grows."""

from __future__ import annotations

import tracemalloc

import pytest
from kampus_instructor.reports.api import REPORT_TYPES, start_report

from kampus.testing import recording_statements

from .conftest import COURSE, answer, enroll_many, learner_client, publish_graded_course

BATCH = 5


@pytest.fixture
def kampus_settings():
    return {"instructor_report_batch_size": BATCH}


def add_learners(app, usage, count: int, prefix: str) -> None:
    learners = enroll_many(app, count, prefix=prefix)
    for i, user in enumerate(learners):
        client = learner_client(app, user)
        answer(client, usage["mc"], {"input_mc_2_1": f"choice_{i % 3}"})
        if i % 2:
            answer(client, usage["two"], {"input_two_2_1": "Paris", "input_two_3_1": str(4000 + i)})


def statements_of(app, slug: str) -> int:
    with app.app_context(), recording_statements(app) as recorder:
        record = start_report(slug, COURSE, None)
    with app.app_context():
        from kampus.tasks.api import get_record

        assert get_record(record.id).state == "SUCCESS", get_record(record.id).error
    return recorder.count


@pytest.mark.parametrize("slug", sorted(REPORT_TYPES))
def test_statements_per_batch_are_constant(app, slug):
    usage = publish_graded_course(app)
    counts = []
    for step in range(3):
        add_learners(app, usage, 2 * BATCH, prefix=f"s{step}_")  # two more batches each step
        statements_of(app, slug)  # warm the caches of a new learner set
        counts.append(statements_of(app, slug))
    per_two_batches = counts[1] - counts[0]
    assert counts[2] - counts[1] == per_two_batches, counts
    assert per_two_batches / 2 <= 8, counts  # a handful of statements per batch, not per learner


def test_memory_stays_flat_as_the_course_grows(app):
    usage = publish_graded_course(app)
    peaks = []
    for size in (20, 80):
        add_learners(app, usage, size - (20 if peaks else 0), prefix=f"m{size}_")
        statements_of(app, "grade_report")  # warm up
        tracemalloc.start()
        statements_of(app, "grade_report")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks
