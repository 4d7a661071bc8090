"""The pull loop of ``kampus xqueue-grader``: workers that pull, grade and put results.

Each worker has its own XQueue client (its own session) and grades one
submission at a time: pull from each queue in turn, grade, put the result,
and when every queue is empty wait ``poll_interval`` seconds. A stop request
(SIGTERM or SIGINT, or :meth:`GraderDaemon.stop`) lets the submission being
graded finish and its result go out, then the workers end. With ``once``,
each worker stops when every queue is empty (for tests and cron jobs).

An unreachable XQueue or a refused request is logged and retried after
``poll_interval`` (with a growing back-off up to a minute); refused
credentials end the daemon (retrying cannot help).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kampus_xqueue.grader.client import LoginFailed, Submission, XQueueClient, XQueueError

log = logging.getLogger(__name__)

MAX_BACKOFF = 60.0


@dataclass
class DaemonStats:
    """What the daemon did (read after :meth:`GraderDaemon.run`)."""

    graded: int = 0
    correct: int = 0
    failed_puts: int = 0
    errors: int = 0


def default_error_reply() -> dict[str, Any]:
    """The reply when grading itself failed (a bug in a grader, not the learner's code)."""
    return {"correct": False, "score": 0,
            "msg": "Your submission could not be graded. Please contact the course staff."}


class GraderDaemon:
    """Pulls from ``queues`` with ``workers`` workers and grades each submission with ``grade``
    (a function of xqueue-watcher's ``content`` dict returning the reply dict)."""

    def __init__(self, make_client: Callable[[], XQueueClient], queues: Sequence[str],
                 grade: Callable[[dict[str, Any]], dict[str, Any]], *, poll_interval: float = 1.0,
                 workers: int = 1, once: bool = False,
                 error_reply: Callable[[], dict[str, Any]] | None = None):
        if not queues:
            raise ValueError("at least one queue is needed")
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.make_client = make_client
        self.queues = list(queues)
        self.grade = grade
        self.poll_interval = max(0.0, poll_interval)
        self.workers = workers
        self.once = once
        self.error_reply = error_reply or default_error_reply
        self.stats = DaemonStats()
        self.fatal: Exception | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def stop(self) -> None:
        """Ask the workers to stop after the submission each is grading."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the daemon gracefully (only from the main thread: elsewhere, nothing)."""
        def handle(signum: int, _frame: Any) -> None:
            log.info("xqueue-grader: signal %d, stopping after the current submissions", signum)
            self.stop()

        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, handle)
            signal.signal(signal.SIGINT, handle)

    def run(self) -> DaemonStats:
        """Run the workers until stopped (or, with ``once``, until the queues are empty)."""
        if self.workers == 1:
            self._work(0)
        else:
            threads = [threading.Thread(target=self._work, args=(index,), name=f"xqueue-grader-{index}",
                                        daemon=True) for index in range(self.workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.2)  # wake up for signals in the main thread
        if self.fatal is not None:
            raise self.fatal
        return self.stats

    def _work(self, index: int) -> None:
        client = self.make_client()
        backoff = self.poll_interval
        try:
            while not self.stopping:
                try:
                    handled = self.process_available(client)
                    backoff = self.poll_interval
                except LoginFailed as exc:
                    log.error("xqueue-grader: %s", exc)
                    with self._lock:
                        self.fatal = self.fatal or exc
                    self.stop()
                    return
                except XQueueError as exc:
                    with self._lock:
                        self.stats.errors += 1
                    log.warning("xqueue-grader (worker %d): %s; retrying in %.1f s", index, exc, backoff)
                    if self.once:
                        with self._lock:
                            self.fatal = self.fatal or exc
                        return
                    self._stopping.wait(backoff)
                    backoff = min(max(backoff * 2, 1.0), MAX_BACKOFF)
                    continue
                if not handled:
                    if self.once:
                        return
                    self._stopping.wait(self.poll_interval)
        finally:
            client.close()

    def process_available(self, client: XQueueClient) -> int:
        """Pull one submission from each queue in turn and grade it; how many were graded (0: all empty)."""
        handled = 0
        for queue in self.queues:
            if self.stopping:
                break
            submission = client.get_submission(queue)
            if submission is None:
                continue
            self.handle(client, submission)
            handled += 1
        return handled

    def handle(self, client: XQueueClient, submission: Submission) -> dict[str, Any]:
        """Grade one submission and put its result."""
        try:
            reply = self.grade(submission.content)
        except Exception:  # a grader bug must not kill the daemon: the learner gets an error reply
            log.exception("xqueue-grader: grading submission %d failed", submission.submission_id)
            reply = self.error_reply()
        try:
            client.put_result(submission, reply)
        except XQueueError as exc:
            with self._lock:
                self.stats.failed_puts += 1
            log.error("xqueue-grader: put_result for submission %d failed: %s", submission.submission_id, exc)
            raise
        with self._lock:
            self.stats.graded += 1
            self.stats.correct += bool(reply.get("correct"))
        log.info("xqueue-grader: submission %d graded (correct: %s, score: %s)", submission.submission_id,
                 reply.get("correct"), reply.get("score"))
        return reply
