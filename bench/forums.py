"""Forums benchmark: a course with 100,000 posts; the discussion REST API's lists and search as ratios to
baselines from the same run.

For each database (SQLite; PostgreSQL when it answers on 127.0.0.1:5432; MariaDB when it answers on
127.0.0.1:3306, through mysqlclient when it is installed, else PyMySQL: ``detail.driver`` says which), a
site in a temporary KAMPUS_HOME (``kampus init``, every first-party plugin) gets a published course with 20
course-wide topics and 100,000 posts written straight into the forums' tables (bulk INSERTs): 10,000
threads over the topics, 60,000 responses and 30,000 comments spread over them (a Zipf-like share: a few
busy threads, a long tail), one of the threads with 200 responses (and 2 comments on each), bodies of words
drawn from a Zipf vocabulary (stored with their HTML, as a saved post is); then the search index is built
with ``kampus_forums.search.service.reindex_course`` (the driver's bulk path). A learner enrolled in the
course reads it. Figures (JSON lines, DESIGN.md section 8):

* ``topic_thread_list_vs_home``: requests/s of ``GET /api/discussion/v1/threads/?course_id=..&topic_id=..``
  (a topic with 500 threads, first page) against the kernel home page (the same site with no plugin
  enabled, same user), target >= 0.3; ``discussion_page_vs_home``: the HTML discussion page, when the
  web area serves it;
* ``thread_responses_vs_home``: ``GET /api/discussion/v1/comments/?thread_id=..`` of the thread with 200
  responses, and ``thread_detail_vs_home``: ``GET /api/discussion/v1/threads/<id>/``; target >= 0.3;
* ``search_vs_bare_query``: the thread list with ``text_search=<word>`` (a word found in about 1% of
  the posts), in ms, against the full-text query it issues through the search driver alone (the first
  page of matching posts: ``search(forum_content, word, course_id=.., size=1000)``); target <= 3.
  ``detail`` gives the same for a common word (in about a third of the posts) and the time of
  ``search_thread_ids`` alone.

Requests/s are measured in-process with the Flask test client by default (1 / the median time of
``--runs`` requests, after a warm-up; each page in turns with the kernel home page, request for request,
and the search endpoint in turns with its bare query, so that both sides of a ratio see the same load
of a shared machine while it drifts); ``--live`` measures them under ``kampus serve --workers 2`` with
the load generator of ``kernel_overhead.py`` instead (the home page before and after the pages). A figure that misses
its target is followed by the slowest SQL statements of the request and the database's plan of the
slowest (``EXPLAIN``), to say which index is missing.

    python bench/forums.py [--quick] [--db sqlite|postgresql|mariadb|all] [--runs N] [--live]

``--quick``: 10,000 posts (1,000 threads) instead of 100,000 (a smoke run).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import importlib.util
import json
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import kernel_overhead as live
import sqlalchemy as sa
from kampus_content.api import Block, content_store
from kampus_forums.search.documents import FORUM_INDEX
from kampus_forums.search.service import PAGE_SIZE, reindex_course, search_thread_ids
from kampus_forums.threads.bodies import render_for_save
from kampus_forums.threads.models import Comment, Thread
from kampus_lms.api import enroll

from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.models import User
from kampus.testing import login

KAMPUS = live.KAMPUS
PASSWORD = live.PASSWORD
USERNAME = live.USERNAME
COURSE = "course-v1:BenchX+Forums+2026"
TOPICS = [f"topic-{n:02d}" for n in range(20)]
BIG_RESPONSES = 200
AUTHORS = 300
VOCABULARY = 5000
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
MARIADB_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/mysql"
#: The MariaDB driver: mysqlclient (``mysqldb``, the C client Open edX uses and the README recommends) when it is
#: installed (``make bench`` installs it when it can), else PyMySQL; KAMPUS_BENCH_MARIADB_DRIVER chooses.
MARIADB_DRIVER = os.environ.get("KAMPUS_BENCH_MARIADB_DRIVER") or (
    "mysqldb" if importlib.util.find_spec("MySQLdb") else "pymysql")
_CHUNK = 5000


# -- data --------------------------------------------------------------------------------------------------------


class Words:
    """A Zipf vocabulary of pronounceable made-up words (deterministic), to write post bodies with."""

    def __init__(self, rng: random.Random, size: int = VOCABULARY):
        consonants, vowels = "bdfgklmnprstvz", "aeiou"
        words: dict[str, None] = {}
        while len(words) < size:
            words["".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4)))] = None
        self.words = list(words)
        self.weights = [1 / rank for rank in range(1, size + 1)]
        self.rng = rng

    def text(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, self.weights, k=count))

    def rank(self, rank: int) -> str:
        """The word of this frequency rank (1: the most frequent)."""
        return self.words[rank - 1]


def course_blocks() -> list[Block]:
    """A small published course whose policy names the 20 course-wide topics."""
    return [
        Block("course", "course", {
            "display_name": "Forums bench", "start": "2020-01-01T00:00:00Z",
            "discussion_topics": {f"Topic {n}": {"id": topic} for n, topic in enumerate(TOPICS)},
        }, [("chapter", "c0")]),
        Block("chapter", "c0", {"display_name": "Section"}, [("sequential", "s0")]),
        Block("sequential", "s0", {"display_name": "Subsection"}, [("vertical", "v0")]),
        Block("vertical", "v0", {"display_name": "Unit"}, [("html", "h0")]),
        Block("html", "h0", {"display_name": "Text", "data": "<p>Course text.</p>"}),
    ]


def _insert(db_session: Any, model: type, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _CHUNK):
        db_session.execute(sa.insert(model), rows[start:start + _CHUNK])


def build_forum(app: Any, posts: int, seed: int = 2026) -> dict[str, Any]:
    """The course, the bench learner, ``AUTHORS`` authors and ``posts`` posts (see the module's doc);
    returns what the measurements need."""
    kampus = app.extensions["kampus"]
    rng = random.Random(seed)
    words = Words(rng)
    threads_n = posts // 10
    comments_n = posts * 3 // 10
    responses_n = posts - threads_n - comments_n
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context():
        store = content_store()
        store.create_course(COURSE, course_blocks(), ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
        with kampus.db.session_scope() as db_session:
            bench_user = create_user(db_session, USERNAME, f"{USERNAME}@example.com", PASSWORD, confirmed=True)
            password_hash, bench_id = bench_user.password_hash, bench_user.id
        with kampus.db.session_scope() as db_session:
            _insert(db_session, User, [{"username": f"author{n}", "email": f"author{n}@example.com",
                                        "password_hash": password_hash, "email_confirmed_at": now}
                                       for n in range(AUTHORS)])
            authors = list(db_session.execute(sa.select(User.id, User.username)
                                              .where(User.username.like("author%")).order_by(User.id)))
        with kampus.db.session_scope() as db_session:
            user = db_session.get(User, bench_id)
            db_session.expunge(user)
        enroll(user, COURSE, check_access=False)

        # who answers where, first: the counters go into the rows as the posts area keeps them
        # responses: 200 on the big thread (the first), the rest on a Zipf-like share of the threads;
        # comments: 2 on each response of the big thread, the rest on random responses
        busy = [1 / (rank + 1) ** 0.8 for rank in range(1, threads_n)]
        targets = [0] * BIG_RESPONSES + rng.choices(range(1, threads_n), busy, k=responses_n - BIG_RESPONSES)
        parents = [n for n in range(BIG_RESPONSES) for _ in range(2)]
        parents += rng.choices(range(responses_n), k=comments_n - len(parents))
        started = now - timedelta(days=90)
        thread_created = [started + timedelta(seconds=rng.randrange(90 * 86400)) for _ in range(threads_n)]
        response_created = [thread_created[index] + timedelta(seconds=rng.randrange(1, 30 * 86400))
                            for index in targets]
        comment_created = [response_created[parent] + timedelta(seconds=rng.randrange(1, 86400))
                           for parent in parents]
        responses_of, comments_of = [0] * threads_n, [0] * threads_n
        activity = list(thread_created)
        children = [0] * responses_n
        for index, created in zip(targets, response_created, strict=True):
            responses_of[index] += 1
            comments_of[index] += 1
            activity[index] = max(activity[index], created)
        for parent, created in zip(parents, comment_created, strict=True):
            index = targets[parent]
            children[parent] += 1
            comments_of[index] += 1
            activity[index] = max(activity[index], created)

        def body(count: int) -> dict[str, str]:
            """A body of ``count`` words with its HTML, as a post is saved (rendered once, shown as stored)."""
            text = words.text(count)
            return {"body": text, "rendered_body": render_for_save(text)}

        def author() -> dict[str, Any]:
            row = authors[rng.randrange(len(authors))]
            return {"author_id": row.id, "author_username": row.username}

        thread_rows = [{
            "course_id": COURSE, "commentable_id": TOPICS[n % len(TOPICS)],
            "thread_type": "question" if n % 5 == 4 else "discussion",
            "title": "The big thread" if n == 0 else words.text(6).capitalize(), **body(40), **author(),
            "created_at": thread_created[n], "updated_at": thread_created[n], "last_activity_at": activity[n],
            "pinned": n % 997 == 1, "response_count": responses_of[n], "comment_count": comments_of[n],
        } for n in range(threads_n)]
        with kampus.db.session_scope() as db_session:
            _insert(db_session, Thread, thread_rows)
            thread_ids = list(db_session.scalars(sa.select(Thread.id).where(Thread.course_id == COURSE)
                                                 .order_by(Thread.id)))
        big_id = thread_ids[0]
        with kampus.db.session_scope() as db_session:
            _insert(db_session, Comment, [{
                "thread_id": thread_ids[index], "course_id": COURSE, **body(25), **author(),
                "created_at": response_created[n], "updated_at": response_created[n], "child_count": children[n],
            } for n, index in enumerate(targets)])
            response_ids = list(db_session.scalars(sa.select(Comment.id).where(Comment.parent_id.is_(None))
                                                   .order_by(Comment.id)))
        with kampus.db.session_scope() as db_session:
            _insert(db_session, Comment, [{
                "thread_id": thread_ids[targets[parent]], "parent_id": response_ids[parent], "course_id": COURSE,
                **body(15), **author(), "created_at": comment_created[n], "updated_at": comment_created[n],
            } for n, parent in enumerate(parents)])
    # in a context of its own: the session above holds a transaction whose snapshot (MariaDB's repeatable
    # read) predates the posts
    started_index = time.perf_counter()
    with app.test_request_context():
        documents = reindex_course(COURSE)
    index_s = time.perf_counter() - started_index
    return {"bench_id": bench_id, "big_thread": big_id, "topic": TOPICS[1], "threads": threads_n,
            "responses": responses_n, "comments": comments_n, "documents": documents,
            "index_s": round(index_s, 1), "rare_word": words.rank(200), "common_word": words.rank(3)}


# -- measuring ---------------------------------------------------------------------------------------------------


def median_seconds(runs: int, func: Callable[[], Any]) -> float:
    """The median of ``runs`` timings of ``func`` (seconds), after one untimed call."""
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class StatementTimes:
    """The SQL statements an engine runs inside ``with``, each with its parameters and duration."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.rows: list[tuple[float, str, Any]] = []
        self._started: list[float] = []

    def _before(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        self._started.append(time.perf_counter())

    def _after(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        self.rows.append((time.perf_counter() - self._started.pop(), statement, parameters))

    def __enter__(self) -> StatementTimes:
        sa.event.listen(self.engine, "before_cursor_execute", self._before)
        sa.event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *_exc: Any) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._before)
        sa.event.remove(self.engine, "after_cursor_execute", self._after)


def explain(app: Any, statement: str, parameters: Any) -> list[str]:
    """The database's plan of one statement (as the request ran it)."""
    engine = app.extensions["kampus"].db.engine
    prefix = {"sqlite": "EXPLAIN QUERY PLAN ", "postgresql": "EXPLAIN ANALYZE ", "mysql": "EXPLAIN "}[
        engine.dialect.name]
    with engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(prefix + statement, parameters)
        plan = [" | ".join(str(value) for value in row) for row in cursor.fetchall()]
        cursor.close()
    return plan


def profile_request(app: Any, client: Any, path: str, top: int = 3) -> dict[str, Any]:
    """What one request spends in SQL: the statement count, their total time, the slowest ones and the
    plan of the slowest."""
    profiler = cProfile.Profile()
    with StatementTimes(app.extensions["kampus"].db.engine) as times:
        started = time.perf_counter()
        profiler.runcall(client.get, path)
        total = time.perf_counter() - started
    slowest = sorted(times.rows, key=lambda row: row[0], reverse=True)[:top]
    plan: list[str] = []
    if slowest:
        try:
            plan = explain(app, slowest[0][1], slowest[0][2])
        except Exception as exc:  # a plan is a help for the reader, never a reason to stop the run
            plan = [f"EXPLAIN failed: {exc}"]
    return {"request_ms": round(total * 1000, 2), "statements": len(times.rows),
            "sql_ms": round(sum(row[0] for row in times.rows) * 1000, 2),
            "slowest": [{"ms": round(seconds * 1000, 2), "sql": " ".join(statement.split())[:600]}
                        for seconds, statement, _parameters in slowest],
            "plan_of_slowest": plan, "python_hot_spots": hot_spots(profiler)}


def hot_spots(profiler: cProfile.Profile, top: int = 8) -> list[str]:
    """The functions of Kampus (kernel and plugins) where a request spent most time, callees included."""
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, line, function), (_calls, _primitive, _tottime, cumtime, _callers) in stats.stats.items():
        if "kampus" in filename and "/site-packages/sqlalchemy" not in filename:
            short = filename.split("/kampus", 1)[-1]
            rows.append((cumtime, f"{cumtime * 1000:.1f} ms kampus{short}:{line} {function}"))
    return [text for _cumtime, text in sorted(rows, reverse=True)[:top]]


def check(client: Any, path: str) -> int:
    response = client.get(path)
    if response.status_code != 200:
        print(json.dumps({"bench": "forums", "note": f"GET {path} answered {response.status_code}",
                          "body": response.get_data(as_text=True)[:300]}), file=sys.stderr)
    return response.status_code


def paired_seconds(runs: int, first: Callable[[], Any], second: Callable[[], Any],
                   second_context: Callable[[], Any] = nullcontext) -> tuple[float, float]:
    """The medians of ``runs`` timings of ``first`` and of ``second`` (seconds), taken in turns after one
    untimed call of each, so that both see the same load of a shared machine while it drifts.
    ``second_context``: a context ``second`` runs in, entered and left outside its timing."""
    first()
    with second_context():
        second()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        start = time.perf_counter()
        first()
        times[0].append(time.perf_counter() - start)
        with second_context():
            start = time.perf_counter()
            second()
            times[1].append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def figures_in_process(app: Any, data: dict[str, Any], runs: int, paths: dict[str, str]) -> dict[str, Any]:
    """Requests/s of each page and of the kernel home page (measured in turns with it), and the search
    timings (the endpoint in turns with the bare query)."""
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        user = db_session.get(User, data["bench_id"])
        db_session.expunge(user)
    client = login(app.test_client(), user)
    kernel_app = create_app(plugins=[])
    kernel_client = login(kernel_app.test_client(), user)
    if check(kernel_client, "/") != 200:
        raise SystemExit("the kernel home page does not answer")
    statuses = {name: check(client, path) for name, path in paths.items()}
    seconds, home_seconds = {}, {}
    for name, path in paths.items():
        if statuses[name] == 200 and not name.startswith("search"):
            seconds[name], home_seconds[name] = paired_seconds(runs, lambda path=path: client.get(path),
                                                               lambda: kernel_client.get("/"))

    search = app.extensions["kampus"].search
    bare = {}
    thread_ids = {}
    for kind in ("rare", "common"):
        word = data[f"{kind}_word"]
        repeat = max(3, runs // 3) if kind == "rare" else 1
        name = f"search_{kind}"
        bare_query = functools.partial(search.search, FORUM_INDEX, word, field_dictionary={"course_id": COURSE},
                                       size=PAGE_SIZE)
        if statuses[name] == 200:
            seconds[name], bare[kind] = paired_seconds(repeat, lambda path=paths[name]: client.get(path),
                                                       bare_query, app.test_request_context)
        else:
            with app.test_request_context():
                bare[kind] = median_seconds(repeat, bare_query)
        with app.test_request_context():
            thread_ids[kind] = median_seconds(repeat, lambda word=word: search_thread_ids(COURSE, word))
            bare[f"{kind}_matches"] = search.search(FORUM_INDEX, word, field_dictionary={"course_id": COURSE},
                                                    size=1)["total"]
    profiles = {name: profile_request(app, client, path) for name, path in paths.items()
                if statuses[name] == 200 and name != "search_common"}
    return {"statuses": statuses, "seconds": seconds, "home_seconds": home_seconds, "bare_s": bare,
            "thread_ids_s": thread_ids, "profiles": profiles}


def rps_live(env: dict[str, str], data: dict[str, Any], paths: dict[str, str], duration: int,
             connections: int) -> dict[str, Any]:
    """Requests/s under ``kampus serve --workers 2`` (pages) and the same site without plugins (home)."""
    tool = "wrk" if live.shutil.which("wrk") else "python"
    site_port, kernel_port = live.free_port(), live.free_port()
    site_url, kernel_url = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{kernel_port}"
    servers = []
    try:
        for port, extra in ((site_port, {}), (kernel_port, {"KAMPUS_PLUGINS": ""})):
            servers.append(live.subprocess.Popen(
                [KAMPUS, "serve", "--port", str(port), "--workers", "2", "--no-worker"], env={**env, **extra},
                stdout=live.subprocess.DEVNULL, stderr=live.subprocess.DEVNULL, start_new_session=True))
        live.wait_for(site_url + "/", servers[0])
        live.wait_for(kernel_url + "/", servers[1])
        cookie, _html = live.log_in(kernel_url)
        before = live.measure(kernel_url + "/", cookie, duration, connections, tool)
        pages = {name: live.measure(site_url + path, cookie, duration, connections, tool)
                 for name, path in paths.items()}
        after = live.measure(kernel_url + "/", cookie, duration, connections, tool)
    finally:
        for server in servers:
            live.stop(server)
    return {"pages": pages, "home_rps": (before["rps"] + after["rps"]) / 2,
            "home_rps_before_after": [before["rps"], after["rps"]], "load": tool}


# -- the run -----------------------------------------------------------------------------------------------------


@contextmanager
def database(kind: str, name: str) -> Iterator[str | None]:
    """A fresh database for one run: ``None`` for SQLite (the site's own file), else a URL."""
    if kind == "sqlite":
        yield None
        return
    if kind == "postgresql":
        admin_url, url = POSTGRES_ADMIN, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        drop, create = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'
    else:
        admin_url, url = MARIADB_ADMIN, f"mysql+{MARIADB_DRIVER}://root@127.0.0.1:3306/{name}?charset=utf8mb4"
        drop = f"DROP DATABASE IF EXISTS `{name}`"
        create = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(drop))
        connection.execute(sa.text(create))
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(drop))
        admin.dispose()


def answers(url: str) -> bool:
    try:
        engine = sa.create_engine(url)
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def bench_paths(data: dict[str, Any]) -> dict[str, str]:
    api = "/api/discussion/v1"
    course = quote(COURSE, safe=":")
    return {
        "topic_list": f"{api}/threads/?course_id={course}&topic_id={data['topic']}",
        "discussion_page": f"/courses/{COURSE}/discussion/forum/",
        "responses": f"{api}/comments/?thread_id={data['big_thread']}",
        "thread_detail": f"{api}/threads/{data['big_thread']}/",
        "search_rare": f"{api}/threads/?course_id={course}&text_search={data['rare_word']}",
        "search_common": f"{api}/threads/?course_id={course}&text_search={data['common_word']}",
    }


def run_one(kind: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    posts = 10_000 if args.quick else 100_000
    with tempfile.TemporaryDirectory(prefix="kampus-bench-forums-") as tmp, \
            database(kind, "kampus_bench_forums") as url:
        env = live.init_site(Path(tmp) / "site", url)
        app = create_app()
        started = time.perf_counter()
        data = build_forum(app, posts)
        setup_s = time.perf_counter() - started
        paths = bench_paths(data)
        figures = figures_in_process(app, data, args.runs, paths)
        page_rps = {name: 1 / seconds for name, seconds in figures["seconds"].items()}
        # the home page's requests/s measured in turns with each page (in-process), or before and after the pages
        home_rps = {name: 1 / seconds for name, seconds in figures["home_seconds"].items()}
        home_pair, load = None, "flask test client"
        if args.live:
            app.extensions["kampus"].db.engine.dispose()
            served = rps_live(env, data, {name: path for name, path in paths.items()
                                          if figures["statuses"][name] == 200 and not name.startswith("search")},
                              args.duration, args.connections)
            page_rps.update({name: result["rps"] for name, result in served["pages"].items()})
            home_rps = dict.fromkeys(home_rps, served["home_rps"])
            home_pair, load = served["home_rps_before_after"], served["load"]

    base = {"db": kind, "driver": url.split("://", 1)[0] if url else "sqlite", "posts": posts,
            "threads": data["threads"], "responses": data["responses"],
            "comments": data["comments"], "documents_indexed": data["documents"], "index_s": data["index_s"],
            "setup_s": round(setup_s, 1), "quick": args.quick, "load": load, "cpus": os.cpu_count()}
    out = []
    for name, figure in (("topic_list", "topic_thread_list_vs_home"), ("discussion_page", "discussion_page_vs_home"),
                         ("responses", "thread_responses_vs_home"), ("thread_detail", "thread_detail_vs_home")):
        if name not in page_rps:
            out.append({"bench": "forums", "figure": figure, "value": None, "target": ">= 0.3", "met": None,
                        "detail": {"skipped": f"GET {paths[name]} answered {figures['statuses'][name]}", **base}})
            continue
        ratio = page_rps[name] / home_rps[name] if home_rps.get(name) else 0.0
        line = {"bench": "forums", "figure": figure, "value": round(ratio, 3), "target": ">= 0.3",
                "met": ratio >= 0.3,
                "detail": {"page_rps": round(page_rps[name], 1), "kernel_home_rps": round(home_rps[name], 1),
                           "path": paths[name], **base}}
        if home_pair:
            line["detail"]["kernel_home_rps_before_after"] = home_pair
        if ratio < 0.3:
            line["detail"]["why"] = figures["profiles"].get(name)
        out.append(line)
    for kind_of_word, figure in (("rare", "search_vs_bare_query"),):
        name = f"search_{kind_of_word}"
        if name not in figures["seconds"]:
            out.append({"bench": "forums", "figure": figure, "value": None, "target": "<= 3", "met": None,
                        "detail": {"skipped": f"GET {paths[name]} answered {figures['statuses'][name]}", **base}})
            continue
        common = figures["seconds"].get("search_common")
        endpoint_ms = figures["seconds"][name] * 1000
        bare_ms = figures["bare_s"][kind_of_word] * 1000
        ratio = endpoint_ms / bare_ms if bare_ms else 0.0
        line = {"bench": "forums", "figure": figure, "value": round(ratio, 2), "target": "<= 3", "met": ratio <= 3,
                "detail": {
                    "endpoint_ms": round(endpoint_ms, 2), "bare_query_ms": round(bare_ms, 2),
                    "search_thread_ids_ms": round(figures["thread_ids_s"][kind_of_word] * 1000, 2),
                    "word": data["rare_word"], "matching_posts": figures["bare_s"]["rare_matches"],
                    "common_word": {
                        "word": data["common_word"], "matching_posts": figures["bare_s"]["common_matches"],
                        "endpoint_ms": round(common * 1000, 2) if common else None,
                        "bare_query_ms": round(figures["bare_s"]["common"] * 1000, 2),
                        "search_thread_ids_ms": round(figures["thread_ids_s"]["common"] * 1000, 2),
                        "ratio": round(common / figures["bare_s"]["common"], 2) if common else None},
                    "path": paths[name], **base}}
        if ratio > 3:
            line["detail"]["why"] = figures["profiles"].get(name)
        out.append(line)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 posts instead of 100,000 (smoke run)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "mariadb", "all"], default="all")
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (in-process)")
    parser.add_argument("--live", action="store_true", help="requests/s under `kampus serve` instead")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (--live)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (--live)")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql", "mariadb"] if args.db == "all" else [args.db]
    for kind in kinds:
        admin = {"postgresql": POSTGRES_ADMIN, "mariadb": MARIADB_ADMIN}.get(kind)
        if admin and not answers(admin):
            print(json.dumps({"bench": "forums", "figure": "skipped", "value": None,
                              "detail": {"db": kind, "reason": f"{kind} does not answer on 127.0.0.1"}}))
            continue
        for line in run_one(kind, args):
            print(json.dumps(line), flush=True)
            verdict = {True: "PASS", False: "MISS", None: "SKIP"}[line["met"]]
            print(f"{verdict} {kind} {line['figure']} = {line['value']} (target {line['target']})",
                  file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
