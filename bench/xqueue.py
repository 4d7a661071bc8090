"""XQueue throughput: submissions/s through submit -> pull -> put result -> score, as a ratio to bare SQL.

For each database (SQLite, and PostgreSQL when it answers on 127.0.0.1:5432), a site in a temporary
KAMPUS_HOME (``kampus init``, every first-party plugin) gets a course whose graded subsection holds one
``coderesponse`` problem, N enrolled learners, a queue and a grader account. In-process (Flask test
clients, no network), the Kampus figure times the whole round trip of N submissions:

1. each learner's Submit (the problem's ``problem_check`` handler: the CAPA problem builds the XQueue
   submission, which is written in the check's transaction: "queued");
2. the grader's ``GET /xqueue/get_submission/`` (wire format, logged in with ``/xqueue/login/``);
3. the grader's ``POST /xqueue/put_result/`` with ``{"correct": true, "score": 1, "msg": ...}``, which applies
   the reply to the learner's problem (reply, state and score in one transaction), then recomputes and
   stores the course grade (``kampus_score_changed``), in the request. Open edX recomputes grades in a
   Celery task; Kampus's LMS does it synchronously for every score change (``kampus_lms.grades.service``;
   the progress page recomputes on read either way), and on the default embedded broker sending a task
   costs about as much as the recompute it would defer, so the figure includes the recompute.

The baseline, in the same database and run: N bare SQL ``INSERT``\\s of a row shaped like a submission
(header, body, times) and N ``UPDATE``\\s writing a reply into it, one transaction each (SQLAlchemy Core,
the site's engine: same pool, and on SQLite the same pragmas, WAL journal and ``synchronous=NORMAL``).
The two are interleaved: the N submissions run in rounds (4 quick, 6 full), each round's Kampus round trips
followed by as many bare inserts + updates, so that a change of load on a shared machine falls on both
sides. Figure ``round_trip_vs_bare_sql`` = Kampus submissions/s / bare (insert + update)/s over all rounds;
``detail.round_ratios`` gives each round's ratio (their spread shows how steady the machine was), and
``submit_ms``/``pull_ms``/``put_result_ms`` the mean time of each step. Target >= 0.2. ``met`` also
requires every learner to end with the full score.

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


def logged_in(app: Any, users: list[Any]) -> tuple[Any, list[Any]]:
    """The grader's client (logged in with ``/xqueue/login/``) and one logged-in browser per learner."""
    grader = app.test_client()  # a plain client: graders send no CSRF token
    browsers = []
    for user in users:
        browser = KampusClient(app, app.response_class)  # sends the CSRF token, as the page's script does
        login(browser, user)
        browsers.append(browser)
    reply = grader.post("/xqueue/login/", data={"username": GRADER_USER, "password": GRADER_PASSWORD}).get_json()
    if reply != {"return_code": 0, "content": "Logged in"}:
        raise SystemExit(f"grader login refused: {reply}")
    return grader, browsers


def kampus_round_trips(grader: Any, browsers: list[Any]) -> dict[str, float]:
    """Submit (every browser), then pull and put result until the queue is empty; seconds of each phase."""
    started = time.perf_counter()
    for browser in browsers:
        response = browser.post(f"/xblock/{USAGE}/handler/problem_check", data={"input_square_2_1": CODE})
        if response.status_code != 200 or "queued" not in response.get_json()["contents"].lower():
            raise SystemExit(f"submit failed: {response.status_code} {response.get_data(as_text=True)[:300]}")
    submitted = time.perf_counter()
    pulled_total = 0.0
    for _ in browsers:
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
    return {"seconds": finished - started, "submit": submitted - started, "pull": pulled_total,
            "put_result": finished - submitted - pulled_total}


def bare_sql(engine: Any, count: int) -> float:
    """Seconds for ``count`` inserts then ``count`` updates of a submission-shaped row, one transaction each."""
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
    return time.perf_counter() - started


def measure(app: Any, users: list[Any], rounds: int) -> dict[str, Any]:
    """The Kampus round trips of ``users`` and as many bare inserts + updates, interleaved in ``rounds``
    slices (Kampus then bare, same count) so that a change of the shared machine's load hits both sides."""
    engine = app.extensions["kampus"].db.engine
    BARE.create(engine, checkfirst=True)
    grader, browsers = logged_in(app, users)
    size = -(-len(users) // rounds)
    kampus = {"seconds": 0.0, "submit": 0.0, "pull": 0.0, "put_result": 0.0}
    bare_seconds = 0.0
    ratios = []
    for start in range(0, len(browsers), size):
        chunk = browsers[start:start + size]
        timed = kampus_round_trips(grader, chunk)
        bare = bare_sql(engine, len(chunk))
        for key, value in timed.items():
            kampus[key] += value
        bare_seconds += bare
        ratios.append(bare / timed["seconds"])  # (count / kampus s) / (count / bare s)
    BARE.drop(engine)
    with app.app_context():
        scored = sum(1 for user in users if getattr(score_of(user.id, USAGE), "earned", 0) == 1)
    count = len(users)
    return {"kampus_per_s": count / kampus["seconds"], "bare_per_s": count / bare_seconds,
            "ratio": bare_seconds / kampus["seconds"], "round_ratios": sorted(ratios),
            **{f"{key}_ms": kampus[key] / count * 1000 for key in ("submit", "pull", "put_result")},
            "scored": scored}


def run_one(kind: str, count: int, quick: bool) -> dict[str, Any]:
    name = "kampus_bench_xqueue"
    rounds = 4 if quick else 6
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
        users = build_site(app, count + 5)
        # warm-up with 5 learners of their own: templates, parse caches, SQL statement caches (not counted)
        measure(app, users[count:], 1)
        result = measure(app, users[:count], rounds)
        app.extensions["kampus"].db.engine.dispose()
    ratio = result["ratio"]
    return {"bench": "xqueue", "figure": "round_trip_vs_bare_sql", "value": round(ratio, 3),
            "target": f">= {TARGET:g}", "met": ratio >= TARGET and result["scored"] == count,
            "detail": {"db": kind, "submissions": count, "quick": quick, "rounds": rounds,
                       "round_ratios": [round(r, 3) for r in result["round_ratios"]],
                       "kampus_submissions_per_s": round(result["kampus_per_s"], 1),
                       "bare_insert_update_per_s": round(result["bare_per_s"], 1),
                       "submit_ms": round(result["submit_ms"], 2), "pull_ms": round(result["pull_ms"], 2),
                       "put_result_ms": round(result["put_result_ms"], 2),
                       "learners_scored": result["scored"], "cpus": os.cpu_count()}}


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
