"""Push mode: each submission of a push queue is posted to the queue's grader URL by a background task.

Open edX's consumer (``consumer.py``): the grader receives a JSON POST ``{"xqueue_body": ..., "xqueue_files":
...}`` (``xqueue_files`` a JSON string of ``{filename: URL}``) and answers with the reply itself
(``{"correct", "score", "msg"}``). The task (``acks_late`` like every Kampus task) claims the submission with a
guarded update, so two runs never push it twice at once; a grader that fails or does not answer within the
queue's timeout leaves the submission to the sweep, which counts the failure and pushes again (or retires it).
Only hosts listed in the ``xqueue_push_hosts`` setting are posted to, and redirects are not followed: a queue
URL cannot make the server call an address of the operator's network.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.tasks.api import TaskContext, task_name
from kampus_xqueue import service
from kampus_xqueue.files import file_urls
from kampus_xqueue.models import GRADED, PUSH, Submission

log = logging.getLogger(__name__)


class PushRefused(ValueError):
    """The queue's URL is not on an allowed host."""


def check_push_url(url: str) -> None:
    """Raise :class:`PushRefused` unless ``url`` is http(s) on a host of ``xqueue_push_hosts``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise PushRefused(f"{url!r} is not an http(s) URL")
    allowed = {entry.lower() for entry in current_kampus().settings.get("xqueue_push_hosts") or []}
    if host not in allowed and f"{host}:{parts.port}" not in allowed:
        raise PushRefused(f"the grader host {host} is not in the xqueue_push_hosts setting")


def claim(db_session: Any, submission_id: int) -> tuple[Submission, Any] | None:
    """Mark ``submission_id`` pushed now (new pullkey), unless it is answered, retired or being pushed."""
    submission = db_session.get(Submission, submission_id)
    queue = service.queue_named(db_session, submission.queue_name) if submission is not None else None
    if submission is None or queue is None or queue.mode != PUSH:
        return None
    now = utcnow()
    still = sa.and_(Submission.id == submission_id, Submission.retired.is_(False), Submission.return_time.is_(None),
                    Submission.push_time.is_(None))
    done = db_session.execute(sa.update(Submission).where(still).values(
        push_time=now, pullkey=secrets.token_hex(16), grader_id=urlsplit(queue.url).netloc[:128]))
    db_session.commit()
    if done.rowcount != 1:
        return None
    return db_session.get(Submission, submission_id, populate_existing=True), queue


@task_name("xqueue.push_submission")
def push_submission(task: TaskContext, submission_id: int) -> dict[str, Any]:
    """Post one submission to its queue's grader and apply the reply."""
    kampus = current_kampus()
    with kampus.db.session_scope() as db_session:
        claimed = claim(db_session, submission_id)
        if claimed is None:
            return {"pushed": False}
        submission, queue = claimed
        try:
            check_push_url(queue.url)
        except PushRefused as err:
            log.error("push of submission %s refused: %s", submission_id, err)
            return {"pushed": False, "error": str(err)}
        payload = json.dumps(service_payload(submission))
        try:
            answer = requests.post(queue.url, data=payload, timeout=queue.timeout, allow_redirects=False,
                                   headers={"Content-Type": "application/json"})
        except requests.RequestException as err:
            log.warning("grader of queue %s did not answer submission %s: %s", queue.name, submission_id, err)
            return {"pushed": True, "answered": False}
        reply = answer.text
        if answer.status_code != 200 or not service.check_reply(reply):
            log.warning("grader of queue %s answered submission %s with HTTP %s", queue.name, submission_id,
                        answer.status_code)
            return {"pushed": True, "answered": False}
        done = db_session.execute(sa.update(Submission).where(
            Submission.id == submission_id, Submission.pullkey == submission.pullkey,
            Submission.return_time.is_(None), Submission.retired.is_(False)).values(
            return_time=utcnow(), grader_reply=reply, retired=True, retire_reason=GRADED))
        db_session.commit()
        delivered = done.rowcount == 1 and service.deliver(db_session, submission_id)
        return {"pushed": True, "answered": True, "delivered": bool(delivered)}


def service_payload(submission: Submission) -> dict[str, str]:
    """What a push grader receives: the body and the files (a JSON string of ``{filename: URL}``)."""
    return {"xqueue_body": submission.xqueue_body, "xqueue_files": json.dumps(file_urls(submission))}


TASKS = [push_submission]
