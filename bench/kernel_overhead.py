"""Kernel overhead: requests per second of the logged-in home page against a bare Flask app.

Kampus: a site in a temporary KAMPUS_HOME with every installed first-party
plugin (``kampus init``), one logged-in user, ``kampus serve --workers 2
--no-worker`` (gunicorn). Baseline: a bare Flask app that renders the same HTML
(the Kampus page, turned into a Jinja template with the user name as a
variable) under gunicorn with 2 workers. Load comes from another process on
127.0.0.1 (``wrk`` when installed, else a Python load generator), with the same
duration and concurrency for both. Prints one JSON line (DESIGN.md section 8).

    python bench/kernel_overhead.py [--quick] [--duration S] [--connections N] [--load wrk|python]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BIN = Path(sys.executable).parent
KAMPUS = str(BIN / "kampus")
PASSWORD = "bench password 12345"
USERNAME = "benchuser"
TARGET = 0.5

BASELINE_APP = '''
from flask import Flask, render_template_string

app = Flask(__name__)
TEMPLATE = open(__file__.replace("baseline_app.py", "home.jinja"), encoding="utf-8").read()


@app.get("/")
def home():
    return render_template_string(TEMPLATE, username={username!r})
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer in {timeout} s")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def run(cmd: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {result.stderr.strip()}")
    return result.stdout


def init_site(home: Path, database_url: str | None = None) -> dict[str, str]:
    """``kampus init`` a site in ``home`` (on ``database_url`` when given) and make it this process's site
    (its ``KAMPUS_*`` variables replace ours, so ``create_app()`` opens it); returns the site's environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")}
    env["KAMPUS_HOME"] = str(home)
    if database_url:
        env["KAMPUS_DATABASE_URL"] = database_url
    run([KAMPUS, "init"], env)
    for key in [k for k in os.environ if k.startswith("KAMPUS_")]:
        del os.environ[key]
    os.environ.update({k: v for k, v in env.items() if k.startswith("KAMPUS_")})
    return env


def log_in(base: str) -> tuple[str, str]:
    """Log in through the form; returns the session cookie and the home page HTML."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page)
    response = session.post(base + "/login", data={"username": USERNAME, "password": PASSWORD,
                                                   "csrf_token": token.group(1) if token else ""}, timeout=10)
    response.raise_for_status()
    cookie = session.cookies.get("kampus_session")
    if not cookie:
        raise SystemExit("log-in failed: no session cookie")
    home = requests.get(base + "/", cookies={"kampus_session": cookie}, timeout=10)
    if USERNAME not in home.text:
        raise SystemExit("log-in failed: the home page does not show the user")
    return cookie, home.text


def to_template(html: str) -> str:
    """The page as a Jinja template: literal text with the user name as a variable."""
    parts = html.split(USERNAME)
    return "{{ username }}".join("{% raw %}" + part + "{% endraw %}" for part in parts)


# -- load generation --------------------------------------------------------------------


def wrk_rps(url: str, cookie: str | None, duration: int, connections: int) -> dict:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: kampus_session={cookie}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out)
    return {"rps": round(rps, 1), "non_2xx": int(errors.group(1)) if errors else 0,
            "p50": p50.group(1) if p50 else None}


def _client(args: tuple[str, int, str | None, float, multiprocessing.Queue]) -> None:
    host_port, connections, cookie, deadline, queue = args
    host_port, _, path = host_port.partition("/")
    path = "/" + path
    host, port = host_port.split(":")
    headers = {"Cookie": f"kampus_session={cookie}"} if cookie else {}
    done = errors = 0
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    while time.monotonic() < deadline:
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            done += 1
            if response.status >= 400:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
    queue.put((done, errors))


def python_rps(url: str, cookie: str | None, duration: int, connections: int) -> dict:
    host_port = url.split("//", 1)[1]
    queue: multiprocessing.Queue = multiprocessing.Queue()
    start = time.monotonic()
    deadline = start + duration
    workers = [multiprocessing.Process(target=_client, args=((host_port, 1, cookie, deadline, queue),))
               for _ in range(connections)]
    for worker in workers:
        worker.start()
    results = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - start
    done = sum(r[0] for r in results)
    return {"rps": round(done / elapsed, 1), "non_2xx": sum(r[1] for r in results), "p50": None}


def measure(url: str, cookie: str | None, duration: int, connections: int, tool: str) -> dict:
    load = wrk_rps if tool == "wrk" else python_rps
    load(url, cookie, max(1, duration // 5), connections)  # warm-up
    return load(url, cookie, duration, connections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run (smoke test)")
    parser.add_argument("--duration", type=int, default=None, help="seconds of load per server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--load", choices=["wrk", "python"], default=None,
                        help="load generator (default: wrk when installed, else Python)")
    args = parser.parse_args()
    duration = args.duration or (4 if args.quick else 20)
    tool = args.load or ("wrk" if shutil.which("wrk") else "python")

    with tempfile.TemporaryDirectory(prefix="kampus-bench-") as tmp:
        home = Path(tmp) / "site"
        env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")}
        env["KAMPUS_HOME"] = str(home)
        run([KAMPUS, "init"], env)
        run([KAMPUS, "create-user", USERNAME, f"{USERNAME}@example.com", "--password", PASSWORD], env)
        plugins = re.search(r"^plugins = \[(.*)\]", (home / "kampus.toml").read_text(), re.M).group(1)

        kampus_port, flask_port = free_port(), free_port()
        kampus_url, flask_url = f"http://127.0.0.1:{kampus_port}", f"http://127.0.0.1:{flask_port}"
        servers = []
        try:
            kampus = subprocess.Popen(
                [KAMPUS, "serve", "--port", str(kampus_port), "--workers", "2", "--no-worker"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            servers.append(kampus)
            wait_for(kampus_url + "/", kampus)
            cookie, html = log_in(kampus_url)

            (Path(tmp) / "home.jinja").write_text(to_template(html), encoding="utf-8")
            (Path(tmp) / "baseline_app.py").write_text(BASELINE_APP.format(username=USERNAME), encoding="utf-8")
            flask = subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{flask_port}", "--chdir", tmp,
                 "--log-level", "warning", "baseline_app:app"],
                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            servers.append(flask)
            wait_for(flask_url + "/", flask)
            same = requests.get(flask_url + "/", timeout=10).text
            assert len(same) == len(html), "the baseline does not render the same page"

            kampus_result = measure(kampus_url + "/", cookie, duration, args.connections, tool)
            flask_result = measure(flask_url + "/", None, duration, args.connections, tool)
        finally:
            for server in servers:
                stop(server)

    ratio = kampus_result["rps"] / flask_result["rps"] if flask_result["rps"] else 0.0
    print(json.dumps({
        "bench": "kernel",
        "figure": "home_rps_vs_bare_flask",
        "value": round(ratio, 3),
        "target": f">= {TARGET}",
        "met": ratio >= TARGET and kampus_result["non_2xx"] == 0,
        "detail": {
            "kampus_rps": kampus_result["rps"], "flask_rps": flask_result["rps"],
            "kampus_p50": kampus_result["p50"], "flask_p50": flask_result["p50"],
            "kampus_errors": kampus_result["non_2xx"], "flask_errors": flask_result["non_2xx"],
            "page_bytes": len(html), "plugins": plugins, "db": "sqlite", "load": tool,
            "duration_s": duration, "connections": args.connections, "gunicorn_workers": 2,
            "cpus": os.cpu_count(), "quick": args.quick,
        },
    }), flush=True)


if __name__ == "__main__":
    main()
