"""LMS benchmark: the pages a learner uses most, and grading, as ratios to baselines from the same run.

For each database (SQLite, and PostgreSQL when it answers on 127.0.0.1:5432), a site in a temporary
KAMPUS_HOME (``kampus init``, every first-party plugin) gets a synthetic course of 20 sections x 5
subsections x 4 units x 5 blocks (4 HTML blocks and 1 graded problem per unit: 400 problems), 1,000
enrolled learners with scores on the first 40% of the problems, a 2 x 2 x 2 course (for query counts
against course size) and an 800-problem course. Figures (JSON lines, DESIGN.md section 8):

* ``unit_page_vs_home``, ``course_home_vs_home``, ``progress_page_vs_home``: requests/s of a logged-in
  learner's unit page, course home (outline) and progress page under ``kampus serve --workers 2``,
  against the kernel home page of the same site served by the same command with no plugin enabled
  (``KAMPUS_PLUGINS=""``), same load, measured before and after the pages (their mean: the load of a
  shared machine drifts); target >= 0.3 each;
* ``unit_page_queries``, ``progress_page_queries``: SQL statements per page in the big course with
  1,000 learners; ``detail`` gives the same page in the 2 x 2 x 2 course with one learner, and
  ``met`` says whether both counts are equal (constant in course size and number of learners);
* ``grade_recompute_vs_score_read``: recomputing and storing one learner's course grade, against
  reading that learner's score rows (the query the recomputation starts from); target <= 10;
* ``progress_page_800_problems_ms``: the progress page of a learner who answered all 800 problems
  of the 800-problem course, in milliseconds (in-process, median); target < 200; ``detail`` gives its
  ratio to the kernel home page rendered in-process in the same run.

    python bench/lms.py [--quick] [--db sqlite|postgresql|all] [--duration S] [--connections N]

``--quick``: 200 learners, a 4 x 5 x 4 x 5 course and 2 s of load per page (a smoke run).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kernel_overhead as live
import sqlalchemy as sa
from content import best_of  # the median of timed runs
from kampus_content.api import Block, content_store
from kampus_content.progress.models import Score
from kampus_lms.api import enroll, read_score_rows, recompute_course_grade

from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.models import User
from kampus.testing import login, recording_statements

KAMPUS = live.KAMPUS
PASSWORD = live.PASSWORD
USERNAME = live.USERNAME
BIG = "course-v1:BenchX+LMS+2026"
SMALL = "course-v1:BenchX+Small+2026"
HUGE = "course-v1:BenchX+Huge800+2026"
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

PROBLEM = ('<problem display_name="Problem {n}" weight="1"><numericalresponse answer="{n}">'
           '<formulaequationinput label="What is {n}?"/></numericalresponse></problem>')
FORMATS = ["Homework", "Lab", "Homework", "Midterm Exam", "Final Exam"]


# -- data --------------------------------------------------------------------------------------------------------


def course_blocks(sections: int, subsections: int, units: int, html_per_unit: int, problems_per_unit: int) -> list:
    """The blocks of a synthetic graded course (content API ``Block`` objects)."""
    blocks = [Block("course", "course", {
        "display_name": "Bench course", "start": "2020-01-01T00:00:00Z",
        "grading_policy": {"GRADER": [
            {"type": "Homework", "short_label": "HW", "min_count": 12, "drop_count": 2, "weight": 0.15},
            {"type": "Lab", "min_count": 12, "drop_count": 2, "weight": 0.15},
            {"type": "Midterm Exam", "short_label": "Midterm", "min_count": 1, "drop_count": 0, "weight": 0.3},
            {"type": "Final Exam", "short_label": "Final", "min_count": 1, "drop_count": 0, "weight": 0.4}],
            "GRADE_CUTOFFS": {"Pass": 0.5}},
    }, [("chapter", f"c{c}") for c in range(sections)])]
    n = 0
    for c in range(sections):
        blocks.append(Block("chapter", f"c{c}", {"display_name": f"Section {c + 1}"},
                            [("sequential", f"s{c}_{s}") for s in range(subsections)]))
        for s in range(subsections):
            fmt = FORMATS[(c * subsections + s) % len(FORMATS)]
            blocks.append(Block("sequential", f"s{c}_{s}", {"display_name": f"Subsection {c + 1}.{s + 1}",
                                                              "graded": True, "format": fmt},
                                [("vertical", f"v{c}_{s}_{u}") for u in range(units)]))
            for u in range(units):
                vid = f"{c}_{s}_{u}"
                children = [("html", f"h{vid}_{i}") for i in range(html_per_unit)]
                children += [("problem", f"p{vid}_{i}") for i in range(problems_per_unit)]
                blocks.append(Block("vertical", f"v{vid}", {"display_name": f"Unit {c + 1}.{s + 1}.{u + 1}"},
                                    children))
                for i in range(html_per_unit):
                    blocks.append(Block("html", f"h{vid}_{i}", {
                        "display_name": f"Text {i + 1}",
                        "data": f"<p>Reading {i + 1} of unit {vid}: a paragraph of course text.</p>"}))
                for i in range(problems_per_unit):
                    n += 1
                    blocks.append(Block("problem", f"p{vid}_{i}", {"display_name": f"Problem {n}",
                                                                     "data": PROBLEM.format(n=n), "weight": 1}))
    return blocks


def build_site_data(app: Any, learners: int, size: tuple[int, int, int]) -> dict[str, Any]:
    """Courses, the bench learner and ``learners`` more, enrollments and scores. Returns the URLs to load."""
    kampus = app.extensions["kampus"]
    sections, subsections, units = size
    with app.app_context():
        store = content_store()
        for key, shape in ((BIG, (sections, subsections, units, 4, 1)), (SMALL, (2, 2, 2, 4, 1)),
                           (HUGE, (10, 8, 10, 0, 1))):
            store.create_course(key, course_blocks(*shape), ("course", "course"), user_id=None)
            store.publish(key, user_id=None)
        with kampus.db.session_scope() as db_session:
            bench_user = create_user(db_session, USERNAME, f"{USERNAME}@example.com", PASSWORD, confirmed=True)
            password_hash = bench_user.password_hash
            bench_id = bench_user.id
        now = datetime.now(UTC)
        with kampus.db.session_scope() as db_session:
            db_session.execute(sa.insert(User), [
                {"username": f"learner{i}", "email": f"learner{i}@example.com", "password_hash": password_hash,
                 "email_confirmed_at": now} for i in range(learners)])
            learner_ids = list(db_session.scalars(sa.select(User.id).where(User.username.like("learner%"))))
        with kampus.db.session_scope() as db_session:
            users = {user.id: user for user in db_session.scalars(sa.select(User))}
            db_session.expunge_all()
        for user_id in [bench_id, *learner_ids]:
            enroll(users[user_id], BIG, check_access=False)
        enroll(users[bench_id], SMALL, check_access=False)
        enroll(users[bench_id], HUGE, check_access=False)

        def problems(course: str) -> list[str]:
            structure = store.get_branch(course)
            return [usage(course, block.id) for block in structure.walk() if block.type == "problem"]

        big_problems = problems(BIG)
        answered = big_problems[: int(len(big_problems) * 0.4)]
        rows = [{"user_id": user_id, "course_key": BIG, "usage_key": key, "block_type": "problem",
                 "earned": float((user_id + index) % 2), "possible": 1.0, "first_attempted": now, "modified": now}
                for user_id in [bench_id, *learner_ids] for index, key in enumerate(answered)]
        rows += [{"user_id": bench_id, "course_key": HUGE, "usage_key": key, "block_type": "problem",
                  "earned": float(index % 3 != 0), "possible": 1.0, "first_attempted": now, "modified": now}
                 for index, key in enumerate(problems(HUGE))]
        rows += [{"user_id": bench_id, "course_key": SMALL, "usage_key": key, "block_type": "problem",
                  "earned": 1.0, "possible": 1.0, "first_attempted": now, "modified": now}
                 for key in problems(SMALL)]
        with kampus.db.session_scope() as db_session:
            for start in range(0, len(rows), 5000):
                db_session.execute(sa.insert(Score), rows[start:start + 5000])
    first_unit = "v0_0_0"
    return {
        "bench_id": bench_id,
        "unit": f"/courses/{BIG}/jump_to/{usage(BIG, first_unit)}",
        "home": f"/courses/{BIG}/course/",
        "progress": f"/courses/{BIG}/progress",
        "small_unit": f"/courses/{SMALL}/jump_to/{usage(SMALL, first_unit)}",
        "small_progress": f"/courses/{SMALL}/progress",
        "huge_progress": f"/courses/{HUGE}/progress",
    }


def usage(course: str, block_id: str) -> str:
    """The usage id of block ``block_id`` (its type from the id's first letter) in a bench course."""
    kinds = {"v": "vertical", "s": "sequential", "c": "chapter", "p": "problem", "h": "html"}
    return f"block-v1:{course.split(':', 1)[1]}+type@{kinds[block_id[0]]}+block@{block_id}"


# -- in-process figures ------------------------------------------------------------------------------------------


def resolved(client: Any, path: str) -> str:
    """``path`` after redirects (jump_to answers with the unit page's address)."""
    response = client.get(path)
    hops = 0
    while response.status_code in (301, 302, 303, 307, 308) and hops < 5:
        path = response.headers["Location"]
        response = client.get(path)
        hops += 1
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return path


def in_process_figures(app: Any, urls: dict[str, Any], runs: int) -> dict[str, Any]:
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        user = db_session.scalar(sa.select(User).where(User.username == USERNAME))
        db_session.expunge(user)
    client = login(app.test_client(), user)
    pages = {name: resolved(client, urls[name]) for name in ("unit", "small_unit")}
    pages.update({name: urls[name] for name in ("progress", "small_progress", "huge_progress", "home")})
    counts = {}
    for name, path in pages.items():
        client.get(path)  # warm the caches, as a serving process is
        with recording_statements(app) as recorder:
            assert client.get(path).status_code == 200, path
        counts[name] = recorder.count
    huge_s = best_of(runs, lambda: client.get(pages["huge_progress"]))
    home_s = best_of(runs, lambda: client.get("/"))
    with app.app_context():
        read_score_rows(urls["bench_id"], BIG)
        recompute_course_grade(urls["bench_id"], BIG)
        read_s = best_of(runs * 4, lambda: read_score_rows(urls["bench_id"], BIG))
        recompute_s = best_of(runs * 4, lambda: recompute_course_grade(urls["bench_id"], BIG))
    return {"counts": counts, "paths": pages, "huge_ms": huge_s * 1000, "home_ms": home_s * 1000,
            "read_ms": read_s * 1000, "recompute_ms": recompute_s * 1000}


# -- the run -----------------------------------------------------------------------------------------------------


@contextmanager
def database(kind: str, name: str) -> Iterator[str | None]:
    """A fresh database for one run: ``None`` for SQLite (the site's own file), else a URL."""
    if kind == "sqlite":
        yield None
        return
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_answers() -> bool:
    try:
        engine = sa.create_engine(POSTGRES_ADMIN)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def run_one(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    learners = 200 if args.quick else 1000
    size = (4, 5, 4) if args.quick else (20, 5, 4)
    duration = args.duration or (2 if args.quick else 10)
    tool = args.load or ("wrk" if shutil.which("wrk") else "python")
    with tempfile.TemporaryDirectory(prefix="kampus-bench-lms-") as tmp, \
            database(kind, "kampus_bench_lms") as url:
        home = Path(tmp) / "site"
        env = live.init_site(home, url)
        app = create_app()
        started = time.perf_counter()
        urls = build_site_data(app, learners, size)
        setup_s = time.perf_counter() - started
        figures = in_process_figures(app, urls, 5 if args.quick else 15)
        app.extensions["kampus"].db.engine.dispose()

        lms_port, kernel_port = live.free_port(), live.free_port()
        lms_url, kernel_url = f"http://127.0.0.1:{lms_port}", f"http://127.0.0.1:{kernel_port}"
        servers = []
        rps: dict[str, dict[str, Any]] = {}
        try:
            lms = live.subprocess.Popen(
                [KAMPUS, "serve", "--port", str(lms_port), "--workers", "2", "--no-worker"],
                env=env, stdout=live.subprocess.DEVNULL, stderr=live.subprocess.DEVNULL, start_new_session=True)
            servers.append(lms)
            kernel = live.subprocess.Popen(
                [KAMPUS, "serve", "--port", str(kernel_port), "--workers", "2", "--no-worker"],
                env={**env, "KAMPUS_PLUGINS": ""}, stdout=live.subprocess.DEVNULL,
                stderr=live.subprocess.DEVNULL, start_new_session=True)
            servers.append(kernel)
            live.wait_for(lms_url + "/", lms)
            live.wait_for(kernel_url + "/", kernel)
            cookie, _html = live.log_in(kernel_url)
            # the baseline before and after the pages (the machine's load drifts): their mean is the reference
            kernel_before = live.measure(kernel_url + "/", cookie, duration, args.connections, tool)
            for name in ("unit", "home_page", "progress"):
                path = figures["paths"]["unit"] if name == "unit" else urls["home" if name == "home_page" else name]
                rps[name] = live.measure(lms_url + path, cookie, duration, args.connections, tool)
            kernel_after = live.measure(kernel_url + "/", cookie, duration, args.connections, tool)
            rps["home"] = {"rps": round((kernel_before["rps"] + kernel_after["rps"]) / 2, 1),
                           "before": kernel_before["rps"], "after": kernel_after["rps"]}
        finally:
            for server in servers:
                live.stop(server)

    base = {"db": kind, "learners": learners, "course": "x".join(map(str, size)) + "x5", "quick": args.quick,
            "load": tool, "duration_s": duration, "connections": args.connections, "cpus": os.cpu_count(),
            "setup_s": round(setup_s, 1)}
    out = []
    for name, figure in (("unit", "unit_page_vs_home"), ("home_page", "course_home_vs_home"),
                         ("progress", "progress_page_vs_home")):
        ratio = rps[name]["rps"] / rps["home"]["rps"] if rps["home"]["rps"] else 0.0
        out.append({"bench": "lms", "figure": figure, "value": round(ratio, 3), "target": ">= 0.3",
                    "met": ratio >= 0.3 and rps[name]["non_2xx"] == 0,
                    "detail": {"page_rps": rps[name]["rps"], "kernel_home_rps": rps["home"]["rps"],
                               "kernel_home_rps_before_after": [rps["home"]["before"], rps["home"]["after"]],
                               "page_errors": rps[name]["non_2xx"], **base}})
    counts = figures["counts"]
    for page, small, figure in (("unit", "small_unit", "unit_page_queries"),
                                ("progress", "small_progress", "progress_page_queries")):
        out.append({"bench": "lms", "figure": figure, "value": counts[page], "target": "constant",
                    "met": counts[page] == counts[small],
                    "detail": {"big_course_1000_learners": counts[page], "course_2x2x2_1_learner": counts[small],
                               **base}})
    ratio = figures["recompute_ms"] / figures["read_ms"] if figures["read_ms"] else 0.0
    out.append({"bench": "lms", "figure": "grade_recompute_vs_score_read", "value": round(ratio, 2),
                "target": "<= 10", "met": ratio <= 10,
                "detail": {"recompute_ms": round(figures["recompute_ms"], 2),
                           "read_ms": round(figures["read_ms"], 2), **base}})
    out.append({"bench": "lms", "figure": "progress_page_800_problems_ms", "value": round(figures["huge_ms"], 1),
                "target": "< 200", "met": figures["huge_ms"] < 200,
                "detail": {"ratio_vs_kernel_home_in_process": round(figures["huge_ms"] / figures["home_ms"], 2),
                           "kernel_home_ms": round(figures["home_ms"], 2), **base}})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data and short load (smoke run)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--load", choices=["wrk", "python"], default=None)
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    for kind in kinds:
        if kind == "postgresql" and not postgres_answers():
            print(json.dumps({"bench": "lms", "figure": "skipped", "value": None,
                              "detail": {"db": kind, "reason": "PostgreSQL does not answer on 127.0.0.1:5432"}}))
            continue
        for line in run_one(kind, args):
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
