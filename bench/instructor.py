"""Instructor dashboard benchmark: grading a whole course and the grade report's memory, as ratios to
baselines from the same run.

For each database (SQLite, and PostgreSQL when it answers on 127.0.0.1:5432), a site in a temporary
KAMPUS_HOME (``kampus init``, every first-party plugin) gets a graded course of 50 problems (10 graded
subsections x 5 problems) twice: one with 1,000 enrolled learners, one with 10,000, every learner with a
score on every problem. Figures (JSON lines, DESIGN.md section 8):

* ``course_grading_vs_score_read``: grading every learner of the 10,000-learner course (their course
  grades computed from their scores, in learner batches as the grade report does, through
  ``kampus_lms.api.course_grades_of``) by **2 worker processes** sharing the learners (each settles its
  heap as a ``kampus worker`` process does: ``kampus.process_heap.settle``), in learners/s,
  against a bare SQL read of all those scores (one ``SELECT`` of the course's score rows, fetched), in
  learners/s; target >= 0.25;
* ``course_regrade_stored_vs_score_read``: the same learners graded as the background regrade
  (``grades.regrade_course``) does it, by the same 2 processes: each learner's grade computed **and stored**
  (``kampus_lms.api.regrade_learners``: the task's batches, queries and writes), against the same read;
  target >= 0.25 (the issue's figure, with the writes a real grading run makes);
* ``grade_report_peak_memory_10k_vs_1k``: the grade report's peak Python memory (``tracemalloc``, after a
  warm-up) for the 10,000-learner course against the 1,000-learner course; target <= 1.5 (flat);
* ``bulk_email_send_vs_render``: bulk e-mail to the 1,000-learner course through the console mailer (the
  sending task's work, exactly-once ledger included), in messages/s, against rendering the same messages
  (each recipient's MIME message built and serialised); target >= 0.5.

    python bench/instructor.py [--quick] [--db sqlite|postgresql|all] [--batch N]

``--quick``: 100 and 1,000 learners instead of 1,000 and 10,000, in batches of 50 instead of 500 (so
that both courses span several batches, as in the full run; a smoke run).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kernel_overhead as live
import sqlalchemy as sa
from kampus_content.api import Block, content_store
from kampus_content.progress.models import Score
from kampus_lms.api import course_grades_of, regrade_learners
from kampus_lms.enrollment.models import CourseEnrollment
from lms import database, postgres_answers

from kampus import process_heap
from kampus.app import create_app
from kampus.identity.models import User

KAMPUS = live.KAMPUS
SMALL = "course-v1:BenchX+Instr1k+2026"
LARGE = "course-v1:BenchX+Instr10k+2026"
SUBSECTIONS, PROBLEMS_PER_SUBSECTION = 10, 5
PROBLEM = ('<problem><numericalresponse answer="{n}"><formulaequationinput label="What is {n}?"/>'
           '</numericalresponse></problem>')
WORKERS = 2


# -- data --------------------------------------------------------------------------------------------------------


def course_blocks() -> list[Block]:
    """A course of 10 graded subsections (Homework and exams) of 5 problems each."""
    formats = ["Homework"] * 8 + ["Midterm Exam", "Final Exam"]
    blocks = [Block("course", "course", {
        "display_name": "Instructor bench course", "start": "2020-01-01T00:00:00Z",
        "grading_policy": {"GRADER": [
            {"type": "Homework", "short_label": "HW", "min_count": 8, "drop_count": 1, "weight": 0.4},
            {"type": "Midterm Exam", "short_label": "Midterm", "min_count": 1, "drop_count": 0, "weight": 0.3},
            {"type": "Final Exam", "short_label": "Final", "min_count": 1, "drop_count": 0, "weight": 0.3}],
            "GRADE_CUTOFFS": {"Pass": 0.5}},
    }, [("chapter", "c0")])]
    blocks.append(Block("chapter", "c0", {"display_name": "Section"}, [("sequential", f"s{s}")
                                                                      for s in range(SUBSECTIONS)]))
    for s in range(SUBSECTIONS):
        blocks.append(Block("sequential", f"s{s}", {"display_name": f"Subsection {s + 1}", "graded": True,
                                                    "format": formats[s]}, [("vertical", f"v{s}")]))
        blocks.append(Block("vertical", f"v{s}", {"display_name": f"Unit {s + 1}"},
                            [("problem", f"p{s}_{i}") for i in range(PROBLEMS_PER_SUBSECTION)]))
        for i in range(PROBLEMS_PER_SUBSECTION):
            n = s * PROBLEMS_PER_SUBSECTION + i + 1
            blocks.append(Block("problem", f"p{s}_{i}", {"display_name": f"Problem {n}",
                                                         "data": PROBLEM.format(n=n)}))
    return blocks


def seed(app: Any, course_id: str, learners: int, prefix: str) -> None:
    """Publish the course and add ``learners`` enrolled learners with a score on every problem."""
    kampus = app.extensions["kampus"]
    with app.app_context():
        store = content_store()
        store.create_course(course_id, course_blocks(), ("course", "course"), user_id=None)
        store.publish(course_id, user_id=None)
    usage = [f"block-v1:{course_id[len('course-v1:'):]}+type@problem+block@p{s}_{i}"
             for s in range(SUBSECTIONS) for i in range(PROBLEMS_PER_SUBSECTION)]
    now = datetime.now(UTC)
    for start in range(0, learners, 2000):
        names = [f"{prefix}{i:06d}" for i in range(start, min(learners, start + 2000))]
        with kampus.db.session_scope() as db_session:
            db_session.execute(sa.insert(User), [{"username": n, "email": f"{n}@example.com", "password_hash": ""}
                                                 for n in names])
            ids = list(db_session.scalars(sa.select(User.id).where(User.username.in_(names))))
            db_session.execute(sa.insert(CourseEnrollment), [
                {"user_id": uid, "course_id": course_id, "mode": "audit", "is_active": True, "created": now,
                 "modified": now} for uid in ids])
            db_session.execute(sa.insert(Score), [
                {"user_id": uid, "course_key": course_id, "usage_key": key, "block_type": "problem",
                 "earned": float((uid + k) % 3 > 0), "possible": 1.0, "first_attempted": now, "modified": now}
                for uid in ids for k, key in enumerate(usage)])


def enrolled_ids(app: Any, course_id: str) -> list[int]:
    with app.extensions["kampus"].db.session_scope() as db_session:
        return list(db_session.scalars(sa.select(CourseEnrollment.user_id).where(
            CourseEnrollment.course_id == course_id).order_by(CourseEnrollment.user_id)))


# -- figures -----------------------------------------------------------------------------------------------------


def score_read_seconds(app: Any, course_id: str, runs: int = 3) -> float:
    """The best time of one bare SQL read of all the course's score rows (fetched)."""
    engine = app.extensions["kampus"].db.engine
    table = Score.__table__
    query = sa.select(table.c.user_id, table.c.usage_key, table.c.earned, table.c.possible,
                      table.c.first_attempted, table.c.modified).where(table.c.course_key == course_id)
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        with engine.connect() as connection:
            rows = connection.execute(query).all()
        best = min(best, time.perf_counter() - started)
        del rows
    return best


def _grade_share(env: dict[str, str], course_id: str, ids: list[int], batch: int, barrier: Any,
                 results: Any, store: bool) -> None:
    """One worker process: build the app, warm up, wait for the others, grade its learners in batches (with
    ``store``, as the regrade task does: computed and stored; else computed only, as the grade report does)."""
    os.environ.update(env)
    app = create_app()
    with app.app_context():
        kampus = app.extensions["kampus"]

        def grade(chunk: list[int]) -> int:
            if store:
                with app.app_context():
                    return regrade_learners(course_id, chunk)
            with app.app_context(), kampus.db.session_scope() as db_session:
                users = list(db_session.scalars(sa.select(User).where(User.id.in_(chunk))))
                return len(course_grades_of(course_id, users))

        warm = ids[:batch]
        if store:  # warm the caches on learners left out of the timed run (their grades are written)
            warm, ids = ids[:10], ids[10:]
        grade(warm)  # warm the caches (structure, grading, max scores)
        process_heap.settle()  # as each process of `kampus worker` does once its app is loaded
        barrier.wait()
        started = time.perf_counter()
        done = sum(grade(ids[i:i + batch]) for i in range(0, len(ids), batch))
        results.put((done, time.perf_counter() - started))


def grading_learners_per_second(env: dict[str, str], course_id: str, ids: list[int], batch: int,
                                store: bool = False) -> dict[str, Any]:
    """Learners graded per second by :data:`WORKERS` processes sharing ``ids`` (wall time of the slowest)."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(WORKERS + 1), context.Queue()
    shares = [ids[i::WORKERS] for i in range(WORKERS)]
    processes = [context.Process(target=_grade_share, args=(env, course_id, share, batch, barrier, results, store))
                 for share in shares]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    outcomes = [results.get(timeout=3600) for _ in processes]
    wall = time.perf_counter() - started
    for process in processes:
        process.join()
    graded = sum(done for done, _seconds in outcomes)
    return {"learners_per_s": graded / wall, "graded": graded, "wall_s": round(wall, 2),
            "per_process_s": [round(seconds, 2) for _done, seconds in outcomes]}


def report_peak_bytes(app: Any, course_id: str, batch: int) -> tuple[int, float]:
    """The grade report's peak traced memory and its seconds (run once to warm up, then measured)."""
    from kampus_instructor.reports.csv_stream import CsvBlobWriter
    from kampus_instructor.reports.generators import ReportRun, grade_report

    kampus = app.extensions["kampus"]

    def run() -> None:
        with app.app_context():
            out = CsvBlobWriter()
            grade_report(ReportRun(app, course_id, batch, lambda *_: None), out)
            out.save(kampus.blob_store, f"bench/{course_id}.csv")

    run()
    tracemalloc.start()
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, seconds


# -- bulk e-mail ------------------------------------------------------------------------------------------------


def bulk_email_figures(app: Any, base: dict[str, Any], course_id: str = SMALL) -> list[dict[str, Any]]:
    """Bulk e-mail to every learner of ``course_id`` through the console mailer (the sending task's work:
    recipient rows, claims, one message each, each marked sent), in messages/s, against rendering the
    same messages (each recipient's MIME message built and serialised, nothing sent nor written);
    target >= 0.5."""
    import contextlib
    import io
    from datetime import timedelta
    from types import SimpleNamespace

    from kampus_instructor.bulk_email import service

    from kampus.db import utcnow

    with app.test_request_context():
        message = service.create_message(course_id, None, "Bench news", "<p>Hello <b>learners</b>,</p>"
                                         "<p>the week's <a href='https://example.org/notes'>notes</a> are up.</p>",
                                         ["learners"], (utcnow() + timedelta(days=1)).isoformat())
    task = SimpleNamespace(attempt=1, record_id="bench", progress=lambda *_args, **_kwargs: None)
    printed = io.StringIO()
    with app.app_context(), contextlib.redirect_stdout(printed):
        started = time.perf_counter()
        result = service.deliver_message(task, message.id)
        send_s = time.perf_counter() - started
    sent = int(result["sent"])
    with app.app_context():
        for built in service.render_messages(message.id, limit=50):  # warm-up
            built.as_bytes()
        render_s = float("inf")
        for _ in range(3):  # the best of three renderings: the ratio errs against sending
            started = time.perf_counter()
            rendered = sum(1 for built in service.render_messages(message.id) if built.as_bytes())
            render_s = min(render_s, time.perf_counter() - started)
    send_rate, render_rate = sent / send_s, rendered / render_s
    ratio = send_rate / render_rate
    return [{"bench": "instructor", "figure": "bulk_email_send_vs_render", "value": round(ratio, 3),
             "target": ">= 0.5", "met": ratio >= 0.5,
             "detail": {"messages": sent, "failed": result["failed"], "send_messages_per_s": round(send_rate, 1),
                        "render_messages_per_s": round(render_rate, 1), "send_s": round(send_s, 2),
                        "render_s": round(render_s, 2), "mailer": "console", **base}}]


# -- the run -----------------------------------------------------------------------------------------------------


def run_one(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    small_n, large_n = (100, 1000) if args.quick else (1000, 10000)
    with tempfile.TemporaryDirectory(prefix="kampus-bench-instructor-") as tmp, \
            database(kind, "kampus_bench_instructor") as url:
        home = Path(tmp) / "site"
        env = live.init_site(home, url)
        app = create_app()
        started = time.perf_counter()
        seed(app, SMALL, small_n, "s")
        seed(app, LARGE, large_n, "l")
        setup_s = time.perf_counter() - started
        read_s = score_read_seconds(app, LARGE)
        ids = enrolled_ids(app, LARGE)
        app.extensions["kampus"].db.engine.dispose()
        site_env = {k: v for k, v in env.items() if k.startswith("KAMPUS_")}
        grading = grading_learners_per_second(site_env, LARGE, ids, args.batch)
        regrading = grading_learners_per_second(site_env, LARGE, ids, args.batch, store=True)
        small_peak, small_s = report_peak_bytes(app, SMALL, args.batch)
        large_peak, large_s = report_peak_bytes(app, LARGE, args.batch)
        base = {"db": kind, "learners": [small_n, large_n], "problems": SUBSECTIONS * PROBLEMS_PER_SUBSECTION,
                "batch": args.batch, "quick": args.quick, "cpus": os.cpu_count(), "setup_s": round(setup_s, 1)}
        email_lines = bulk_email_figures(app, base)
        app.extensions["kampus"].db.dispose()

    read_rate = large_n / read_s
    ratio = grading["learners_per_s"] / read_rate
    memory_ratio = large_peak / small_peak if small_peak else 0.0
    stored_ratio = regrading["learners_per_s"] / read_rate
    return [
        {"bench": "instructor", "figure": "course_grading_vs_score_read", "value": round(ratio, 3),
         "target": ">= 0.25", "met": ratio >= 0.25,
         "detail": {"grading_learners_per_s": round(grading["learners_per_s"], 1),
                    "score_read_learners_per_s": round(read_rate, 1), "score_read_s": round(read_s, 3),
                    "workers": WORKERS, **{k: v for k, v in grading.items() if k != "learners_per_s"}, **base}},
        {"bench": "instructor", "figure": "course_regrade_stored_vs_score_read", "value": round(stored_ratio, 3),
         "target": ">= 0.25", "met": stored_ratio >= 0.25,
         "detail": {"regrade_learners_per_s": round(regrading["learners_per_s"], 1),
                    "score_read_learners_per_s": round(read_rate, 1), "workers": WORKERS,
                    **{k: v for k, v in regrading.items() if k != "learners_per_s"}, **base}},
        {"bench": "instructor", "figure": "grade_report_peak_memory_10k_vs_1k", "value": round(memory_ratio, 3),
         "target": "<= 1.5", "met": memory_ratio <= 1.5,
         "detail": {"peak_kb_small": round(small_peak / 1024), "peak_kb_large": round(large_peak / 1024),
                    "report_s_small": round(small_s, 2), "report_s_large": round(large_s, 2), **base}},
        *email_lines,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 learners (smoke run)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--batch", type=int, default=None,
                        help="learners per batch (the report's setting; default 500, 50 with --quick)")
    args = parser.parse_args()
    args.batch = args.batch or (50 if args.quick else 500)
    kinds = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    for kind in kinds:
        if kind == "postgresql" and not postgres_answers():
            print(json.dumps({"bench": "instructor", "figure": "skipped", "value": None,
                              "detail": {"db": kind, "reason": "PostgreSQL does not answer on 127.0.0.1:5432"}}))
            continue
        for line in run_one(kind, args):
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
