"""Attacks on the ``bwrap`` jail, each run through the driver of a live web app that must keep serving.

Every test starts a real app (``sandbox = "bwrap"``) under werkzeug on 127.0.0.1,
runs the attack through ``get_sandbox().safe_exec`` and then checks that the
app still answers ``GET /`` and that this test process is alive. When the jail
stops the code, the learner message is the generic one and the staff detail
names the limit.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from kampus_codejail.bwrap import LEARNER_MESSAGE

from kampus.drivers.sandbox import SandboxError, SandboxLimits


def attack(site: Any, code: str, **kwargs: Any) -> tuple[dict[str, Any], SandboxError | None]:
    """Run ``code`` in the site's sandbox; (globals, error). Then the site must still answer."""
    values: dict[str, Any] = dict(kwargs.pop("globals", {}))
    error = None
    try:
        site.sandbox().safe_exec(code, values, **kwargs)
    except SandboxError as exc:
        error = exc
    assert site.answers(), "the web app stopped answering after the attack"
    return values, error


def assert_stopped(error: SandboxError | None, *words: str) -> None:
    assert error is not None, "the jail did not stop the code"
    assert error.learner_message == LEARNER_MESSAGE
    assert "Traceback" not in error.learner_message
    for word in words:
        assert word in error.detail, error.detail


def test_connect_to_the_web_app_and_postgresql(live_site: Any) -> None:
    code = (
        "import socket\nresults = {}\nfor port in (PORT, 5432, 80):\n"
        "    try:\n        socket.create_connection(('127.0.0.1', port), timeout=2).close()\n"
        "        results[str(port)] = 'connected'\n"
        "    except OSError as exc:\n        results[str(port)] = type(exc).__name__\n"
        "try:\n    socket.getaddrinfo('example.com', 80)\n    dns = 'resolved'\nexcept OSError:\n    dns = 'failed'\n"
    )
    values, error = attack(live_site, code, globals={"PORT": live_site.port})
    assert error is None
    assert "connected" not in values["results"].values()
    assert values["dns"] == "failed"


def test_read_secrets_of_the_host_and_the_site(live_site: Any) -> None:
    home = str(live_site.app.extensions["kampus"].settings.home)
    marker = os.path.join(home, "site-marker.txt")  # the site folder may hold no database (server databases)
    with open(marker, "w") as file:
        file.write("intact")
    targets = ["/etc/shadow", "/etc/passwd", f"{home}/kampus.toml", f"{home}/kampus.sqlite",
               "/root/.bash_history", "/work/main/pyproject.toml", "/proc/1/environ"]
    code = (
        "import os\nfound = {}\nfor path in TARGETS:\n    try:\n        with open(path, 'rb') as f:\n"
        "            found[path] = len(f.read())\n"
        "    except OSError as exc:\n        found[path] = type(exc).__name__\n"
        "listing = sorted(os.listdir('/'))\nenv = dict(os.environ)\n"
        "work = sorted(os.listdir('/work')) if os.path.isdir('/work') else []\n"
    )
    values, error = attack(live_site, code, globals={"TARGETS": targets})
    assert error is None
    for path in targets:
        if path == "/proc/1/environ":  # the jail's own init; must not hold the host's environment
            continue
        assert values["found"][path] in ("FileNotFoundError", "PermissionError"), (path, values["found"][path])
    assert "etc" not in values["listing"] and "home" not in values["listing"]
    assert values["work"] in ([], ["main"])  # at most the path down to the venv's site-packages (read-only)
    assert not any("SECRET" in key or key.startswith("KAMPUS") for key in values["env"])
    with open(marker) as file:
        assert file.read() == "intact"  # the site folder is untouched


def test_write_outside_tmp(live_site: Any) -> None:
    code = (
        "results = {}\n"
        "for path in ('/escape.txt', '/usr/escape.txt', '/proc/escape', '/dev/escape', '/dev/shm/x', '/run/x'):\n"
        "    try:\n        open(path, 'w').write('x')\n        results[path] = 'written'\n"
        "    except OSError as exc:\n        results[path] = type(exc).__name__\n"
        "open('/tmp/inside.txt', 'w').write('fine')\nopen('/dev/null', 'w').write('fine')\n"
    )
    values, error = attack(live_site, code)
    assert error is None
    assert "written" not in values["results"].values()
    assert not os.path.exists("/escape.txt") and not os.path.exists("/usr/escape.txt")


def test_fill_tmp_and_big_file(live_site: Any) -> None:
    _values, error = attack(live_site, "open('/tmp/big', 'wb').write(b'x' * 2_000_000)")
    assert_stopped(error, "File size limit")
    _values, error = attack(live_site, "for i in range(40):\n    open(f'/tmp/f{i}', 'wb').write(b'x' * 900_000)")
    assert_stopped(error, "/tmp is full")


def test_fork_bomb(live_site: Any) -> None:
    _values, error = attack(live_site, "import os\nwhile True:\n    os.fork()")
    assert_stopped(error, "Process limit")
    # the host is unaffected: this process can still start processes, and the jail's uid has none left
    assert os.system("true") == 0


def test_thread_bomb(live_site: Any) -> None:
    _values, error = attack(
        live_site, "import threading, time\nwhile True:\n    threading.Thread(target=time.sleep, args=(30,)).start()"
    )
    assert_stopped(error)
    assert "Process limit" in error.detail or "can't start new thread" in error.detail


def test_memory_bomb(live_site: Any) -> None:
    _values, error = attack(live_site, "hog = bytearray(4 * 1024 ** 3)")
    assert_stopped(error, "Memory limit")
    _values, error = attack(live_site, "hog = []\nwhile True:\n    hog.append(bytearray(10 ** 7))")
    assert_stopped(error, "Memory limit")


def test_endless_loop_killed_by_cpu_limit(live_site: Any) -> None:
    _values, error = attack(live_site, "while True:\n    pass")
    assert_stopped(error, "CPU time limit")


def test_cpu_limit_cannot_be_ignored(live_site: Any) -> None:
    code = "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass"
    _values, error = attack(live_site, code)
    assert_stopped(error)
    assert "CPU time limit" in error.detail or "Wall-clock" in error.detail


def test_sleep_killed_by_wall_timeout(live_site: Any) -> None:
    _values, error = attack(live_site, "import time\ntime.sleep(1000)")
    assert_stopped(error, "Wall-clock time limit")


def test_short_limits_per_run(live_site: Any) -> None:
    _values, error = attack(live_site, "import time\ntime.sleep(10)", limits=SandboxLimits(wall_seconds=0.5))
    assert_stopped(error, "Wall-clock time limit")


def test_huge_output(live_site: Any) -> None:
    _values, error = attack(live_site, "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)")
    assert_stopped(error, "Output limit")
    _values, error = attack(live_site, "import os\nwhile True:\n    os.write(3, b'y' * 65536)")
    assert_stopped(error)
    _values, error = attack(live_site, "big = 'z' * 3_000_000")  # a result over the output cap
    assert_stopped(error, "Output limit")


def test_forged_or_broken_result(live_site: Any) -> None:
    _values, error = attack(live_site, "import os\nos.write(3, b'[' * 100000)\nos._exit(0)")
    assert_stopped(error)
    values, error = attack(live_site, "import os\nos.write(3, b'{\"ok\": true, \"globals\": [1]}')\nos._exit(0)")
    assert_stopped(error, "not a JSON object")


def test_ctypes_loads_but_reaches_nothing(live_site: Any) -> None:
    code = (
        "import ctypes, ctypes.util\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "kill_parent = libc.kill(PARENT, 9)\nkill_all = libc.kill(-1, 9)\n"
        "fd = libc.open(b'/etc/shadow', 0)\nsetuid = libc.setuid(0)\n"
        "unshare = libc.unshare(0x10000000)\n"  # CLONE_NEWUSER: nested user namespaces are disabled
    )
    values, error = attack(live_site, code, globals={"PARENT": os.getpid()})
    assert error is None
    assert values["fd"] == -1
    assert values["setuid"] == -1
    assert values["unshare"] == -1
    assert values["kill_all"] == -1  # no other process of the jail's uid to reach


def test_signal_the_parent(live_site: Any) -> None:
    code = (
        "import os, signal\nresults = {}\n"
        "for name, pid in (('ppid', os.getppid()), ('all', -1), ('test_process', TEST_PID), ('init', 1)):\n"
        "    try:\n        os.kill(pid, signal.SIGKILL)\n        results[name] = 'sent'\n"
        "    except OSError as exc:\n        results[name] = type(exc).__name__\n"
    )
    values, error = attack(live_site, code, globals={"TEST_PID": os.getpid()})
    assert error is None
    assert values["results"]["test_process"] == "ProcessLookupError"
    assert values["results"]["all"] == "ProcessLookupError"
    # pid 1 and the parent are the jail's own init, which ignores signals from inside its namespace
    assert os.getpid() > 0 and live_site.answers()


def test_no_network_interfaces_but_loopback(live_site: Any) -> None:
    values, error = attack(live_site, "import socket\nnames = [name for _i, name in socket.if_nameindex()]")
    assert error is None
    assert values["names"] in ([], ["lo"])


def test_attacks_in_a_row_leave_the_site_serving(live_site: Any) -> None:
    # the sandbox of a live site still works after everything above
    values, error = attack(live_site, "x = sum(range(10))")
    assert error is None and values["x"] == 45
    with socket.create_connection(("127.0.0.1", live_site.port), timeout=5):
        pass
