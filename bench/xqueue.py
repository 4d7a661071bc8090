"""XQueue throughput: submissions/s through submit -> pull -> put result -> score, as a ratio to bare SQL.

For each database (SQLite, and PostgreSQL when it answers on 127.0.0.1:5432), a site in a temporary
KAMPUS_HOME (``kampus init``, every first-party plugin) gets a course whose graded subsection holds one
``coderesponse`` problem, N enrolled learners, a queue and a grader account. In-process (Flask test
clients, no network), the Kampus figure times the whole round trip of N submissions:

1. each learner's Submit (the problem's ``problem_check`` handler: the CAPA problem builds the XQueue
   submission, which is written in the check's transaction: "queued");
2. the grader's ``GET /xqueue/get_submission/`` (wire format, logged in with ``/xqueue/login/``);
3. the grader's ``POST /xqueue/put_result/`` with ``{"correct": true, "score": 1, "msg": ...}``, which applies
   the reply to the learner's problem: state, score, and the course grade recomputed.

The baseline, in the same database and run: N bare SQL ``INSERT``\\s of a row shaped like a submission
(header, body, times) and N ``UPDATE``\\s writing a reply into it, one transaction each (SQLAlchemy Core,
the site's engine). Figure ``round_trip_vs_bare_sql`` = Kampus submissions/s / bare (insert + update)/s;
target >= 0.2. ``met`` also requires every learner to end with the full score.

    python bench/xqueue.py [--quick] [--db sqlite|postgresql|all] [--submissions N]

Prints JSON lines {"bench", "figure", "value", "target", "met", "detail"} (DESIGN.md section 8).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from kampus_content.api import Block, content_store, score_of
from kampus_lms.api import enroll
from kampus_xqueue import service

from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.models import User
from kampus.testing import KampusClient, login

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lms import database, postgres_answers

KAMPUS = str(Path(sys.executable).with_name("kampus"))
COURSE = "course-v1:BenchX+Queue+2026"
QUEUE = "bench-python"
GRADER_USER, GRADER_PASSWORD = "bench-grader", "a long bench grader password"
TARGET = 0.2
CODE = "def square(x):\n    return x * x\n"
PROBLEM = f"""<problem>
<coderesponse queuename="{QUEUE}">
  <label>Your code</label>
  <textbox rows="6" cols="60" mode="python"/>
  <codeparam>
    <answer_display>def square(x): return x * x</answer_display>
    <grader_payload>{{"grader": "ps1/square/grader.py"}}</grader_payload>
  </codeparam>
</coderesponse>
</problem>"""
REPLY = json.dumps({"correct": True, "score": 1, "msg": "<div class='test'>All tests passed.</div>"})
USAGE = f"block-v1:{COURSE.split(':', 1)[1]}+type@problem+block@square"

BARE = sa.Table(
    "bench_xqueue_bare", sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("queue_name", sa.String(128), index=True),
    sa.Column("user_id", sa.Integer),
    sa.Column("usage_id", sa.String(255)),
    sa.Column("xqueue_header", sa.Text),
    sa.Column("xqueue_body", sa.Text),
    sa.Column("arrival_time", sa.DateTime(timezone=True)),
    sa.Column("return_time", sa.DateTime(timezone=True), nullable=True),
    sa.Column("grader_reply", sa.Text, nullable=True),
)


def build_site(app: Any, learners: int) -> list[Any]:
    """The course, the queue and its grader, and ``learners`` enrolled accounts (returned)."""
    kampus = app.extensions["kampus"]
    blocks = [
        Block("course", "course", {"display_name": "Queue bench", "start": "2020-01-01T00:00:00Z", "grading_policy": {
            "GRADER": [{"type": "Homework", "min_count": 1, "drop_count": 0, "short_label": "HW", "weight": 1.0}],
            "GRADE_CUTOFFS": {"Pass": 0.5}}}, [("chapter", "week1")]),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "hw1")]),
        Block("sequential", "hw1", {"display_name": "Homework 1", "format": "Homework", "graded": True},
              [("vertical", "unit1")]),
        Block("vertical", "unit1", {"display_name": "Unit 1"}, [("problem", "square")]),
        Block("problem", "square", {"display_name": "Square", "data": PROBLEM}, []),
    ]
    with app.app_context():
        store = content_store()
        store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
        with kampus.db.session_scope() as db_session:
            service.save_queue(db_session, QUEUE)
            service.add_grader(db_session, QUEUE, GRADER_USER, GRADER_PASSWORD)
            first = create_user(db_session, "bench0", "bench0@example.com", GRADER_PASSWORD, confirmed=True)
            password_hash = first.password_hash
        now = datetime.now(UTC)
        with kampus.db.session_scope() as db_session:
            db_session.execute(sa.insert(User), [
                {"username": f"bench{i}", "email": f"bench{i}@example.com", "password_hash": password_hash,
                 "email_confirmed_at": now} for i in range(1, learners)])
        with kampus.db.session_scope() as db_session:
            users = list(db_session.scalars(sa.select(User).where(User.username.like("bench%")).order_by(User.id)))
            db_session.expunge_all()
        for user in users:
            enroll(user, COURSE, check_access=False)
    return users


def kampus_round_trips(app: Any, users: list[Any]) -> dict[str, Any]:
    """Submit, pull, put result for every learner; timings of each phase and whether every score arrived."""
    grader = app.test_client()  # a plain client: graders send no CSRF token
    browsers = []
    for user in users:
        browser = KampusClient(app, app.response_class)  # sends the CSRF token, as the page's script does
        login(browser, user)
        browsers.append(browser)
    reply = grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD}).get_json()
    if reply != {"return_code": 0, "content": "Logged in"}:
        raise SystemExit(f"grader login refused: {reply}")

    started = time.perf_counter()
    for browser in browsers:
        response = browser.post(f"/xblock/{USAGE}/handler/problem_check", data={"input_square_2_1": CODE})
        if response.status_code != 200 or "queued" not in response.get_json()["contents"].lower():
            raise SystemExit(f"submit failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
    submitted = time.perf_counter()
    pulled_total = 0.0
    for _ in users:
        before = time.perf_counter()
        envelope = grader.get(f"/xqueue/get_submission/?queue_name={QUEUE}").get_json()
        pulled_total += time.perf_counter() - before
        if envelope["return_code"] != 0:
            raise SystemExit(f"pull failed: {envelope}")
        header = json.loads(envelope["content"])["xqueue_header"]
        done = grader.post("/xqueue/put_result/", data={"xqueue_header": header, "xqueue_body": REPLY}).get_json()
        if done["return_code"] != 0:
            raise SystemExit(f"put_result failed: {done}")
    finished = time.perf_counter()
    with app.app_context():
        scored = sum(1 for user in users if getattr(score_of(user.id, USAGE), "earned", 0) == 1)
    total = finished - started
    return {"seconds": total, "per_s": len(users) / total, "submit_ms": (submitted - started) / len(users) * 1000,
            "pull_ms": pulled_total / len(users) * 1000,
            "put_result_ms": (finished - submitted - pulled_total) / len(users) * 1000,
            "scored": scored}


def bare_sql(app: Any, count: int) -> dict[str, Any]:
    """``count`` inserts then ``count`` updates of a submission-shaped row, one transaction each."""
    engine = app.extensions["kampus"].db.engine
    BARE.create(engine, checkfirst=True)
    header = json.dumps({"lms_callback_url": "http://127.0.0.1/courses/x/xqueue/1/u/score_update",
                         "lms_key": "0" * 32, "queue_name": QUEUE})
    body = json.dumps({"grader_payload": '{"grader": "ps1/square/grader.py"}', "student_response": CODE,
                       "student_info": '{"anonymous_student_id": "abc", "submission_time": "20260101000000"}'})
    ids = []
    started = time.perf_counter()
    for index in range(count):
        with engine.begin() as connection:
            ids.append(connection.execute(sa.insert(BARE).values(
                queue_name=QUEUE, user_id=index, usage_id=USAGE, xqueue_header=header, xqueue_body=body,
                arrival_time=datetime.now(UTC))).inserted_primary_key[0])
    for row_id in ids:
        with engine.begin() as connection:
            connection.execute(sa.update(BARE).where(BARE.c.id == row_id).values(
                grader_reply=REPLY, return_time=datetime.now(UTC)))
    total = time.perf_counter() - started
    BARE.drop(engine)
    return {"seconds": total, "per_s": count / total}


def run_one(kind: str, count: int, quick: bool) -> dict[str, Any]:
    name = "kampus_bench_xqueue"
    with tempfile.TemporaryDirectory(prefix="kampus-bench-xqueue-") as tmp, database(kind, name) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")}
        env["KAMPUS_HOME"] = str(Path(tmp) / "site")
        if url:
            env["KAMPUS_DATABASE_URL"] = url
        done = subprocess.run([KAMPUS, "init"], env=env, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise SystemExit(f"kampus init failed: {done.stderr[-2000:]}")
        for key in [k for k in os.environ if k.startswith("KAMPUS_")]:
            del os.environ[key]
        os.environ.update({k: v for k, v in env.items() if k.startswith("KAMPUS_")})
        app = create_app()
        users = build_site(app, count + 3)
        # warm-up with 3 learners of their own: templates, parse caches, SQL statement caches (not counted)
        kampus_round_trips(app, users[count:])
        kampus = kampus_round_trips(app, users[:count])
        bare = bare_sql(app, count)
        app.extensions["kampus"].db.engine.dispose()
    ratio = kampus["per_s"] / bare["per_s"] if bare["per_s"] else 0.0
    return {"bench": "xqueue", "figure": "round_trip_vs_bare_sql", "value": round(ratio, 3),
            "target": f">= {TARGET:g}", "met": ratio >= TARGET and kampus["scored"] == count,
            "detail": {"db": kind, "submissions": count, "quick": quick,
                       "kampus_submissions_per_s": round(kampus["per_s"], 1),
                       "bare_insert_update_per_s": round(bare["per_s"], 1),
                       "submit_ms": round(kampus["submit_ms"], 2), "pull_ms": round(kampus["pull_ms"], 2),
                       "put_result_ms": round(kampus["put_result_ms"], 2),
                       "learners_scored": kampus["scored"], "cpus": os.cpu_count()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer submissions (smoke run)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "all"], default="all")
    parser.add_argument("--submissions", type=int, default=None)
    args = parser.parse_args()
    count = args.submissions or (40 if args.quick else 300)
    kinds = ["sqlite", "postgresql"] if args.db == "all" else [args.db]
    for kind in kinds:
        if kind == "postgresql" and not postgres_answers():
            print(json.dumps({"bench": "xqueue", "figure": "skipped", "value": None,
                              "detail": {"db": kind, "reason": "PostgreSQL does not answer on 127.0.0.1:5432"}}))
            continue
        print(json.dumps(run_one(kind, count, args.quick)), flush=True)


if __name__ == "__main__":
    main()
