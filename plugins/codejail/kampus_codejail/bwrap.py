"""The ``bwrap`` sandbox driver: instructor Python in a bubblewrap jail, a fresh process per run.

The recipe is the one of ``reference/sandbox.md``, layers outermost first:

1. when Kampus runs as root, ``setpriv`` drops to an unprivileged uid of the
   run's own (random in ``codejail_uid_base`` + [0, 1000000)), with no groups,
   no capabilities and ``no_new_privs``;
2. ``bwrap --unshare-all --disable-userns --die-with-parent --new-session
   --clearenv``: no network (own network namespace, loopback down), own pid
   namespace, read-only ``/usr`` and the interpreter's prefix and
   site-packages, ``/proc`` and a minimal ``/dev``, a size-limited private
   tmpfs ``/tmp`` as working folder, the rest of the root read-only; nothing of
   ``/etc``, ``/root``, ``/home``, ``/work`` or the site folder;
3. resource limits set by the runner just before the code runs (CPU seconds,
   address space, processes, file size, open files, no core dumps);
4. in this (the parent) process: a wall-clock timeout that kills the whole
   process group, a cap on the bytes read from stdout and stderr, and the
   result read as hostile input (size cap, ``json.loads``, type checks).

No interpreter is ever reused between runs: one run could otherwise forge the
next one's result.
"""

from __future__ import annotations

import json
import logging
import marshal
import os
import re
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kampus.drivers.sandbox import Sandbox, SandboxError, SandboxLimits, SandboxUnavailable

log = logging.getLogger(__name__)

RUNNER_SOURCE = Path(__file__).with_name("runner.py").read_text(encoding="utf-8")
LEARNER_MESSAGE = "This problem's code could not run. Course staff can see the details in the problem's log."
INSTALL_HINT = (
    "bubblewrap ('bwrap') is not installed: the codejail plugin needs it to run instructor Python. "
    "Install Debian's package: apt-get install bubblewrap (make install does it when run as root)."
)
FILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
UID_SPAN = 1_000_000
NOBODY = 65534
ERRNO_EAGAIN, ERRNO_EFBIG, ERRNO_ENOSPC, ERRNO_ENOMEM = 11, 27, 28, 12


#: Where site-packages folders are mounted inside the jail (outside its private /tmp).
JAIL_SITE = "/kampus-site"

class BwrapSandbox(Sandbox):
    """Runs instructor Python under bubblewrap; see the module's documentation."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self._interpreter: dict[str, Any] | None = None

    # -- configuration -------------------------------------------------------------------------------

    def limits(self, overrides: SandboxLimits | None = None) -> SandboxLimits:
        """The limits of a run: ``overrides``' fields where set, else the settings'."""
        s = self.settings
        defaults = SandboxLimits(
            cpu_seconds=s["codejail_cpu_seconds"],
            wall_seconds=s["codejail_wall_seconds"],
            memory_bytes=s["codejail_memory_bytes"],
            processes=s["codejail_processes"],
            file_bytes=s["codejail_file_bytes"],
            output_bytes=s["codejail_output_bytes"],
        )
        if overrides is None:
            return defaults
        return SandboxLimits(**{
            name: getattr(overrides, name) if getattr(overrides, name) is not None else getattr(defaults, name)
            for name in defaults.__dataclass_fields__
        })

    def bwrap_path(self) -> str:
        path = shutil.which("bwrap")
        if not path:
            raise SandboxUnavailable(
                "This problem cannot be graded right now: the sandbox for its code is not installed.", INSTALL_HINT
            )
        return path

    def interpreter(self) -> dict[str, Any]:
        """Where the jailed interpreter lives: its real executable, prefix and site-packages (probed once).

        The jail's uid must be able to walk to these folders (bwrap binds them as that uid). When the
        configured interpreter lives where it cannot (pyenv under ``/root``), the same Python version
        from ``/usr/bin`` or ``/usr/local/bin`` runs instead, with the configured one's site-packages."""
        if self._interpreter is None:
            python = self.settings["codejail_python"] or sys.executable
            info = _probe(python)
            if os.geteuid() == 0 and not _reachable(info["base_prefix"]):
                version = info["version"]
                for candidate in (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
                    if os.path.exists(candidate):
                        replacement = _probe(candidate)
                        if _reachable(replacement["base_prefix"]):
                            log.info("codejail: %s is out of the jail's reach; running %s", python, candidate)
                            info = {**replacement, "site": replacement["site"] + info["site"]}
                            break
                else:
                    raise SandboxUnavailable(
                        "This problem cannot be graded right now: the sandbox's Python is not usable.",
                        f"The sandbox's uid cannot read {info['base_prefix']} (the prefix of {python}), and no "
                        f"python{version} is in /usr/bin or /usr/local/bin: set codejail_python to a Python "
                        "that every user can read.",
                    )
            for path in info["site"]:
                if os.geteuid() == 0 and not _reachable(path):
                    raise SandboxUnavailable(
                        "This problem cannot be graded right now: the sandbox's Python is not usable.",
                        f"The sandbox's uid cannot read {path}: make it (and its parents) world-readable.",
                    )
            self._interpreter = info
        return self._interpreter

    def bind_paths(self) -> list[tuple[str, str]]:
        """Folders bound read-only into the jail besides ``/usr``, as (host path, jail path) pairs.

        The interpreter's prefix keeps its path; site-packages folders are mounted at
        ``/kampus-site/<n>``, so that a site under ``/tmp`` (a checkout there) is not hidden by the
        jail's private ``/tmp``.
        """
        info = self.interpreter()
        pairs: list[tuple[str, str]] = []
        prefix = os.path.realpath(info["base_prefix"])
        if os.path.isdir(prefix) and not (prefix == "/usr" or prefix.startswith("/usr/")):
            pairs.append((prefix, prefix))
        for index, path in enumerate(info["site"]):
            real = os.path.realpath(path)
            if os.path.isdir(real):
                pairs.append((real, f"{JAIL_SITE}/{index}"))
        return pairs

    def jail_site_paths(self) -> list[str]:
        """Where the site-packages folders are inside the jail, in ``sys.path`` order."""
        return [jail for host, jail in self.bind_paths() if jail.startswith(JAIL_SITE + "/")]

    def command(self, limits: SandboxLimits) -> list[str]:
        """The command line of one run (jail and interpreter; the runner reads its input on stdin)."""
        bwrap = self.bwrap_path()
        info = self.interpreter()
        tmp_bytes = int(self.settings["codejail_tmp_bytes"])
        args = [
            bwrap,
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--clearenv",
            "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr",
        ]
        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if os.path.islink(top):
                args += ["--symlink", os.readlink(top), top]
            elif os.path.isdir(top):
                args += ["--ro-bind", top, top]
        for host, jail in self.bind_paths():
            args += ["--ro-bind", host, jail]
        args += [
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(tmp_bytes), "--tmpfs", "/tmp",
            "--remount-ro", "/dev",  # bwrap's /dev is a tmpfs with no size limit: no writing there
            "--remount-ro", "/",
            "--chdir", "/tmp",
            "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin",
            "--setenv", "HOME", "/tmp",
            "--setenv", "TMPDIR", "/tmp",
            "--setenv", "LANG", "C.UTF-8",
            "--setenv", "OPENBLAS_NUM_THREADS", "1",
            "--setenv", "OMP_NUM_THREADS", "1",
            "--setenv", "MKL_NUM_THREADS", "1",
            "--",
            info["executable"], "-I", "-S", "-B", "-c", RUNNER_SOURCE, *self.jail_site_paths(),
        ]
        if os.geteuid() == 0:
            base = int(self.settings["codejail_uid_base"])
            uid = base + secrets.randbelow(UID_SPAN) if base else NOBODY
            setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
            args = [
                setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", *args,
            ]
        return args

    # -- running -------------------------------------------------------------------------------------

    def safe_exec(
        self,
        code: str,
        globals_dict: dict[str, Any],
        *,
        random_seed: int | None = None,
        extra_files: dict[str, bytes] | None = None,
        limits: SandboxLimits | None = None,
        slug: str = "",
    ) -> None:
        limits = self.limits(limits)
        files = {}
        for name, content in (extra_files or {}).items():
            if not FILE_NAME.match(name) or name in (".", ".."):
                raise ValueError(f"extra file name {name!r} is not a plain file name")
            files[name] = bytes(content)
        document = {
            "code": code,
            "globals": _json_safe(globals_dict),
            "seed": random_seed,
            "files": files,
            "limits": {
                "cpu_seconds": limits.cpu_seconds and max(1, int(limits.cpu_seconds + 0.999)),
                "memory_bytes": limits.memory_bytes,
                "processes": limits.processes,
                "file_bytes": limits.file_bytes,
            },
        }
        stdin = marshal.dumps(document)  # trusted input; the jail reads it without importing json
        run = _run(self.command(limits), stdin, float(limits.wall_seconds or 10), int(limits.output_bytes or 1 << 20))
        result = self._interpret(run, limits, slug)
        globals_dict.update(result)

    def _interpret(self, run: RunOutcome, limits: SandboxLimits, slug: str) -> dict[str, Any]:
        """The globals of a finished run, or :class:`SandboxError` saying what stopped it."""
        stderr = run.stderr.decode("utf-8", "replace")[-4000:]

        def fail(reason: str) -> SandboxError:
            detail = reason + (f"\n--- output of the code (stderr) ---\n{stderr}" if stderr.strip() else "")
            log.warning("sandboxed code %s stopped: %s", slug or "(no slug)", reason.splitlines()[0])
            return SandboxError(LEARNER_MESSAGE, detail)

        if run.timed_out:
            raise fail(f"Wall-clock time limit reached: the run lasted over {limits.wall_seconds} s and was killed.")
        if run.overflow:
            raise fail(f"Output limit reached: the run wrote over {limits.output_bytes} bytes and was killed.")
        code = run.returncode
        cpu_limit = limits.cpu_seconds or 0
        if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU) or (
            # SIGKILL that this process did not send: the CPU limit's hard stop (SIGXCPU ignored by the code)
            code in (-signal.SIGKILL, 128 + signal.SIGKILL) and max(run.cpu_seconds, run.wall_seconds) >= cpu_limit
        ):
            raise fail(f"CPU time limit reached: the code used over {limits.cpu_seconds} CPU seconds and was killed.")
        try:
            document = json.loads(run.stdout)
        except (ValueError, RecursionError):
            document = None
        if not isinstance(document, dict) or not isinstance(document.get("ok"), bool):
            first = _first_document(run.stdout)
            if first is not None and first.get("ok") is False:
                # several processes wrote (the code forked): report the first failure, run still refused
                raise fail("Several processes of the code wrote results; the first failure was:\n"
                           + _explain(first, limits))
            if code and code > 128:
                reason = f"The code was killed by signal {code - 128}"
                if code - 128 == signal.SIGKILL:
                    reason += " (by the kernel: out of memory, or a hard resource limit)"
            elif code and code < 0:
                reason = f"The sandbox was killed by signal {-code}"
            else:
                reason = f"The sandbox exited with status {code} without a valid result"
            raise fail(reason + ".")
        if not document["ok"]:
            raise fail(_explain(document, limits))
        values = document.get("globals")
        if not isinstance(values, dict) or not all(isinstance(key, str) for key in values):
            raise fail("The sandbox returned globals that are not a JSON object.")
        return values


def _explain(document: dict[str, Any], limits: SandboxLimits) -> str:
    """Staff detail of an exception raised by the code, naming the limit behind it when one was."""
    kind, errno = document.get("type"), document.get("errno")
    hints = {
        "MemoryError": f"Memory limit reached ({limits.memory_bytes} bytes of address space).",
        "RecursionError": "Recursion limit reached.",
    }
    hint = hints.get(str(kind))
    if errno == ERRNO_EAGAIN and kind in ("BlockingIOError", "OSError"):
        hint = f"Process limit reached ({limits.processes} processes and threads)."
    elif errno == ERRNO_EFBIG:
        hint = f"File size limit reached ({limits.file_bytes} bytes per file)."
    elif errno == ERRNO_ENOSPC:
        hint = "The sandbox's /tmp is full (codejail_tmp_bytes)."
    elif errno == ERRNO_ENOMEM:
        hint = f"Memory limit reached ({limits.memory_bytes} bytes of address space)."
    trace = str(document.get("traceback") or document.get("error") or kind)
    return (f"{hint}\n" if hint else "") + f"The code raised an exception:\n{trace}"


def _first_document(data: bytes) -> dict[str, Any] | None:
    """The first JSON object in ``data`` (bounded already), for the staff detail only."""
    try:
        document, _end = json.JSONDecoder().raw_decode(data[:65536].decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def _probe(python: str) -> dict[str, Any]:
    probe = (
        "import json, os, site, sys; print(json.dumps({'executable': os.path.realpath(sys.executable), "
        "'base_prefix': sys.base_prefix, 'site': site.getsitepackages(), "
        "'version': '%d.%d' % sys.version_info[:2]}))"
    )
    try:
        out = subprocess.run([python, "-I", "-c", probe], capture_output=True, timeout=30, check=True, env={}).stdout
        info = json.loads(out)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        raise SandboxUnavailable(
            "This problem cannot be graded right now: the sandbox's Python is not usable.",
            f"codejail_python {python!r} could not be probed: {exc}",
        ) from exc
    info["site"] = [os.path.realpath(path) for path in info["site"] if os.path.isdir(path)]
    return info


def _reachable(path: str) -> bool:
    """Whether any user can walk to ``path`` and list it (every parent searchable by others)."""
    real = Path(os.path.realpath(path))
    try:
        if real.stat().st_mode & 0o005 != 0o005:
            return False
        return all(parent.stat().st_mode & 0o001 for parent in real.parents)
    except OSError:
        return False


def _json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """The JSON-serialisable part of ``values`` (non-serialisable globals are dropped, like CodeJail)."""
    kept = {}
    for key, value in values.items():
        if key == "__builtins__" or not isinstance(key, str):
            continue
        try:
            kept[key] = json.loads(json.dumps(value, allow_nan=False))
        except (TypeError, ValueError, RecursionError):
            continue
    return kept


class RunOutcome:
    __slots__ = ("returncode", "stdout", "stderr", "timed_out", "overflow", "cpu_seconds", "wall_seconds")

    def __init__(self) -> None:
        self.returncode: int | None = None
        self.stdout = b""
        self.stderr = b""
        self.timed_out = False
        self.overflow = False
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0


def _run(args: list[str], stdin: bytes, wall_seconds: float, output_bytes: int) -> RunOutcome:
    """Run ``args`` in a session of its own, feeding ``stdin``, reading at most ``output_bytes``
    from stdout and stderr together; kill the whole process group at the deadline or the cap."""
    outcome = RunOutcome()
    started = time.monotonic()
    deadline = started + wall_seconds
    try:
        process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, close_fds=True, env={},
        )
    except OSError as exc:
        raise SandboxUnavailable(
            "This problem cannot be graded right now: the sandbox could not start.", f"{args[0]}: {exc}"
        ) from exc
    assert process.stdin and process.stdout and process.stderr
    out_fd, err_fd = process.stdout.fileno(), process.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    total = 0
    try:
        with selectors.DefaultSelector() as selector:
            os.set_blocking(process.stdin.fileno(), False)
            selector.register(process.stdin, selectors.EVENT_WRITE)
            selector.register(process.stdout, selectors.EVENT_READ)
            selector.register(process.stderr, selectors.EVENT_READ)
            pending = memoryview(stdin)
            while selector.get_map() and not outcome.overflow:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    outcome.timed_out = True
                    break
                for key, _events in selector.select(remaining):
                    if key.fileobj is process.stdin:
                        try:
                            written = os.write(key.fd, pending[:65536])
                        except BlockingIOError:
                            continue
                        except BrokenPipeError:
                            written = len(pending)
                        pending = pending[written:]
                        if not pending:
                            selector.unregister(process.stdin)
                            process.stdin.close()
                        continue
                    data = os.read(key.fd, 65536)
                    if not data:
                        selector.unregister(key.fileobj)
                        continue
                    total += len(data)
                    if total > output_bytes:
                        outcome.overflow = True
                        break
                    chunks[key.fd].append(data)
        if outcome.timed_out or outcome.overflow:
            _kill_group(process)
        status, usage = _reap(process, max(0.2, deadline - time.monotonic()))
        if status is None:  # the output closed but the process lingers past the deadline
            outcome.timed_out = True
            _kill_group(process)
            status, usage = _reap(process, None)
        process.returncode = outcome.returncode = os.waitstatus_to_exitcode(status)
        outcome.cpu_seconds = usage.ru_utime + usage.ru_stime
    finally:
        for stream in (process.stdin, process.stdout, process.stderr):
            if not stream.closed:
                stream.close()
        if process.returncode is None:
            _kill_group(process)
            process.wait()
    outcome.stdout = b"".join(chunks[out_fd])
    outcome.stderr = b"".join(chunks[err_fd])
    outcome.wall_seconds = time.monotonic() - started
    return outcome


def _reap(process: subprocess.Popen[bytes], timeout: float | None) -> tuple[Any, Any]:
    """(wait status, rusage) of ``process``, or (None, None) if it is still running after ``timeout``."""
    end = None if timeout is None else time.monotonic() + timeout
    delay = 0.0005
    while True:
        pid, status, usage = os.wait4(process.pid, 0 if end is None else os.WNOHANG)
        if pid:
            return status, usage
        if end is not None and time.monotonic() >= end:
            return None, None
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run's whole process group (the jail dies with it: --die-with-parent, own pid namespace)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
