"""Replies to a remote LMS: Kampus as the XQueue of an Open edX LMS.

An Open edX LMS submits with ``POST /xqueue/submit/`` (:mod:`kampus_xqueue.wire`); the header's
``lms_callback_url`` is where the grader's reply goes. Once a reply is recorded, the task
:func:`post_callback` posts it there as Open edX's XQueue does (``post_grade_to_lms``): a form with the
LMS's own ``xqueue_header`` (verbatim) and the grader's reply as ``xqueue_body``, up to :data:`TRIES` times;
an HTTP 200 is the LMS's acknowledgement (``lms_ack``). A post that fails every try counts one failure
(``num_failures``); the sweep posts again until the submission has failed more often than its queue's
``max_failures``, then it is retired as undelivered (staff may requeue it).

Only hosts listed in the ``xqueue_lms_callback_hosts`` setting are posted to, checked at submission and
again before every post, and redirects are not followed: a submitted header cannot make the server call an
address of the operator's network (SSRF).
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from kampus.current import current_kampus
from kampus.tasks.api import TaskContext, task_name
from kampus_xqueue.models import UNDELIVERED, Queue, Submission

log = logging.getLogger(__name__)

#: Posts of one reply per task run (Open edX's ``post_grade_to_lms`` tries five times).
TRIES = 5
#: Seconds to connect to and to read from the LMS (Open edX's ``REQUESTS_TIMEOUT`` is 5 s).
TIMEOUT = (3.05, 10.0)
#: Seconds between two tries of one run (doubled each time).
BACKOFF = 0.2


class CallbackRefused(ValueError):
    """The callback URL is not http(s) on an allowed host."""


def check_callback_url(url: str) -> None:
    """Raise :class:`CallbackRefused` unless ``url`` is http(s) on a host of ``xqueue_lms_callback_hosts``."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError as err:
        raise CallbackRefused(f"{url!r} is not a URL") from err
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise CallbackRefused(f"{url!r} is not an http(s) URL")
    allowed = {str(entry).lower() for entry in current_kampus().settings.get("xqueue_lms_callback_hosts") or []}
    if host not in allowed and f"{host}:{port}" not in allowed:
        raise CallbackRefused(f"the LMS host {host} is not in the xqueue_lms_callback_hosts setting")


def post_reply(url: str, header: str, reply: str, *, tries: int = TRIES) -> bool:
    """Post ``{"xqueue_header": header, "xqueue_body": reply}`` to ``url``; True once the LMS answers 200."""
    delay = BACKOFF
    for attempt in range(tries):
        try:
            answer = requests.post(url, data={"xqueue_header": header, "xqueue_body": reply}, timeout=TIMEOUT,
                                   allow_redirects=False)
            if answer.status_code == 200:
                return True
            log.warning("LMS callback %s answered HTTP %s (try %s)", url, answer.status_code, attempt + 1)
        except requests.RequestException as err:
            log.warning("LMS callback %s failed (try %s): %s", url, attempt + 1, err)
        if attempt + 1 < tries:
            time.sleep(delay)
            delay *= 2
    return False


@task_name("xqueue.lms_callback")
def post_callback(task: TaskContext, submission_id: int) -> dict[str, Any]:
    """Post the recorded reply of a remote LMS's submission to its ``lms_callback_url``."""
    kampus = current_kampus()
    with kampus.db.session_scope() as db_session:
        return deliver_to_lms(db_session, submission_id)


def deliver_to_lms(db_session: Any, submission_id: int) -> dict[str, Any]:
    """Post one reply (see :func:`post_callback`); commits what it learnt: ``lms_ack`` or one more failure."""
    submission = db_session.get(Submission, submission_id)
    if (submission is None or submission.user_id is not None or submission.lms_ack
            or submission.return_time is None or not submission.lms_callback_url):
        return {"posted": False}
    header, reply, url = submission.xqueue_header, submission.grader_reply, submission.lms_callback_url
    queue_limit = db_session.scalar(sa.select(Queue.max_failures).where(Queue.name == submission.queue_name))
    db_session.rollback()  # no transaction open while the LMS is called
    try:
        check_callback_url(url)
        acknowledged = post_reply(url, header, reply)
    except CallbackRefused as err:
        log.error("reply of submission %s not posted: %s", submission_id, err)
        acknowledged = False
    if acknowledged:
        db_session.execute(sa.update(Submission).where(Submission.id == submission_id).values(lms_ack=True))
        db_session.commit()
        return {"posted": True, "acknowledged": True}
    failures = submission.num_failures + 1
    values: dict[str, Any] = {"num_failures": Submission.num_failures + 1}
    if queue_limit is None or failures > int(queue_limit):
        values["retire_reason"] = UNDELIVERED
    db_session.execute(sa.update(Submission).where(Submission.id == submission_id,
                                                   Submission.lms_ack.is_(False)).values(**values))
    db_session.commit()
    return {"posted": True, "acknowledged": False, "failures": failures}


TASKS = [post_callback]
