"""The queue's work: submit, pull, put result, timeouts, and delivery of a reply to the problem.

Every function takes the SQLAlchemy session it works in. Safety under concurrency and crashes:

* :func:`submit` writes in the *caller's* transaction (the problem's check), so a submission exists exactly
  when the problem's "queued" state does; it retires the learner's older live submissions to the problem.
* :func:`pull` hands a submission to one grader only: a guarded ``UPDATE`` (the pull time it read must still
  be there) on every database, after ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL and MariaDB; a pulled
  submission whose grader does not answer within the queue's ``timeout`` is pullable again (requeued) until
  it has failed ``max_failures`` times, then retired with Open edX's "could not be graded" reply.
* :func:`put_result` records the reply, applies it to the problem (state and score) and sets ``lms_ack`` in
  one transaction; when applying fails, the reply alone is committed and :func:`deliver` (from the sweep)
  applies it later, also in one transaction with ``lms_ack``: a second post of the same reply, or a delivery
  after a crash, finds the reply recorded, ``lms_ack`` set (or the problem's queuekey gone) and grades
  nothing twice.
* :func:`sweep` finds what a killed process left behind (pulls past their timeout, replies not delivered).
  It runs at most every :data:`SWEEP_INTERVAL` seconds per process on the wire calls, the staff page and
  ``kampus xqueue sweep``; no worker state is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import after_this_request, has_request_context
from kampus_problems.api import QueueReplyError, apply_queue_reply
from sqlalchemy.orm import Session

from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity.passwords import hash_password, verify_password
from kampus.tasks.api import submit as submit_task
from kampus_xqueue.models import (
    DEFAULT_MAX_FAILURES,
    DEFAULT_TIMEOUT,
    FAILED,
    GRADED,
    MODES,
    PULL,
    PUSH,
    RETIRED_BY_STAFF,
    SUPERSEDED,
    GraderAccount,
    GraderQueue,
    GraderSession,
    Queue,
    Submission,
)

log = logging.getLogger(__name__)

#: Open edX XQueue's reply when a submission could not be graded (``consumer.py``), verbatim.
FAILURE_MSG = ('<div class="capa_alert">Your submission could not be graded. '
               'Please recheck your submission and try again. '
               'If the problem persists, please notify the course staff.</div>')
FAILURE_REPLY = json.dumps({"correct": None, "score": 0, "msg": FAILURE_MSG})

#: Seconds between two sweeps of one process (see :func:`maybe_sweep`).
SWEEP_INTERVAL = 5.0
#: A reply whose submission counts this many failures (timeouts and failed deliveries) is no longer
#: delivered by the sweep; staff see it on the queue page.
MAX_DELIVERY_TRIES = 20
#: Hours a grader's login lasts.
SESSION_HOURS = 24
#: At most this many bytes per submitted file, and files per submission.
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_FILES = 20


class QueueError(ValueError):
    """A request the queue refuses; the message is Open edX's where it has one."""


# -- queues and graders ----------------------------------------------------------------------------------------


def check_queue_fields(name: str, mode: str, url: str, timeout: int, max_failures: int) -> None:
    """Raise :class:`QueueError` for a queue definition that cannot work."""
    if not name or len(name) > 128 or any(c.isspace() for c in name):
        raise QueueError("A queue name is 1 to 128 characters without spaces.")
    if mode not in MODES:
        raise QueueError(f"The mode is one of {', '.join(MODES)}.")
    if mode == PUSH and not url.startswith(("http://", "https://")):
        raise QueueError("A push queue needs the grader's http(s) URL.")
    if not 1 <= timeout <= 86400:
        raise QueueError("The timeout is 1 to 86400 seconds.")
    if not 0 <= max_failures <= 100:
        raise QueueError("Maximum failures is 0 to 100.")


def save_queue(db_session: Session, name: str, *, mode: str = PULL, url: str = "", timeout: int = DEFAULT_TIMEOUT,
               max_failures: int = DEFAULT_MAX_FAILURES, queue_id: int | None = None) -> Queue:
    """Create the queue ``name`` (or update the queue ``queue_id``); raises :class:`QueueError`."""
    name = name.strip()
    url = url.strip()
    check_queue_fields(name, mode, url, timeout, max_failures)
    same_name = db_session.scalar(sa.select(Queue).where(Queue.name == name))
    if queue_id is None:
        if same_name is not None:
            raise QueueError(f"Queue '{name}' already exists.")
        queue = Queue(name=name)
        db_session.add(queue)
    else:
        queue = db_session.get(Queue, queue_id)
        if queue is None:
            raise QueueError("No such queue.")
        if same_name is not None and same_name.id != queue.id:
            raise QueueError(f"Queue '{name}' already exists.")
        if queue.name != name:
            db_session.execute(sa.update(Submission).where(Submission.queue_name == queue.name)
                               .values(queue_name=name))
        queue.name = name
    queue.mode, queue.url, queue.timeout, queue.max_failures = mode, url, timeout, max_failures
    db_session.flush()
    return queue


def queue_named(db_session: Session, name: str) -> Queue | None:
    return db_session.scalar(sa.select(Queue).where(Queue.name == name))


def add_grader(db_session: Session, queue_name: str, username: str, password: str) -> GraderAccount:
    """Give ``username`` (created, or its password replaced) access to ``queue_name``."""
    queue = queue_named(db_session, queue_name)
    if queue is None:
        raise QueueError(f"Queue '{queue_name}' not found")
    username = username.strip()
    if not username or len(username) > 150:
        raise QueueError("A grader's user name is 1 to 150 characters.")
    if len(password) < 12:
        raise QueueError("A grader's password has at least 12 characters.")
    grader = db_session.scalar(sa.select(GraderAccount).where(GraderAccount.username == username))
    if grader is None:
        grader = GraderAccount(username=username, password_hash=hash_password(password))
        db_session.add(grader)
        db_session.flush()
    else:
        grader.password_hash = hash_password(password)
        grader.active = True
        db_session.execute(sa.delete(GraderSession).where(GraderSession.grader_id == grader.id))
    if db_session.get(GraderQueue, (grader.id, queue.id)) is None:
        db_session.add(GraderQueue(grader_id=grader.id, queue_id=queue.id))
    db_session.flush()
    return grader


def remove_grader(db_session: Session, grader_id: int) -> None:
    """Delete a grader account (its sessions end with it)."""
    grader = db_session.get(GraderAccount, grader_id)
    if grader is not None:
        db_session.delete(grader)
        db_session.flush()


# -- grader sessions ---------------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(db_session: Session, username: str, password: str) -> GraderAccount | None:
    """The active grader with these credentials, or ``None`` (the time taken does not tell which was wrong)."""
    grader = db_session.scalar(sa.select(GraderAccount).where(GraderAccount.username == username))
    if not verify_password(grader.password_hash if grader is not None else "", password):
        return None
    return grader if grader is not None and grader.active else None


def open_session(db_session: Session, grader: GraderAccount) -> str:
    """A new session token of ``grader`` (its hash stored; expired sessions of every grader cleared)."""
    now = utcnow()
    db_session.execute(sa.delete(GraderSession).where(GraderSession.expires < now))
    token = secrets.token_urlsafe(32)
    db_session.add(GraderSession(token_hash=_token_hash(token), grader_id=grader.id, created=now,
                                 expires=now + timedelta(hours=SESSION_HOURS)))
    db_session.flush()
    return token


#: Logins already verified with argon2, by session: ``{token hash: HMAC of the password}`` (this process only).
_verified_logins: OrderedDict[str, bytes] = OrderedDict()
_VERIFIED_MAX = 10000


def _password_mac(password: str) -> bytes:
    return hmac.new(str(current_kampus().settings.secret_key).encode(), password.encode(), hashlib.sha256).digest()


def remember_login(token: str, password: str) -> None:
    """Remember that the session ``token`` was opened with ``password`` (see :func:`login_of_session`)."""
    _verified_logins[_token_hash(token)] = _password_mac(password)
    _verified_logins.move_to_end(_token_hash(token))
    while len(_verified_logins) > _VERIFIED_MAX:
        _verified_logins.popitem(last=False)


def login_of_session(db_session: Session, token: str, username: str, password: str) -> bool:
    """Whether a login with ``username``/``password`` repeats the one that opened the still valid session
    ``token`` (a grader logging in again on every start): then the argon2 hash (~0.4 s) is not computed again.
    Holding the session already grants everything the login would."""
    mac = _verified_logins.get(_token_hash(token)) if token else None
    if mac is None or not hmac.compare_digest(mac, _password_mac(password)):
        return False
    grader = grader_of_token(db_session, token)
    return grader is not None and grader.username == username


def close_session(db_session: Session, token: str) -> None:
    _verified_logins.pop(_token_hash(token), None)
    db_session.execute(sa.delete(GraderSession).where(GraderSession.token_hash == _token_hash(token)))


@dataclass(frozen=True)
class Grader:
    """A logged-in grader: its id, name and the queues it may use."""

    id: int
    username: str
    queues: frozenset[str]


def grader_of_token(db_session: Session, token: str) -> Grader | None:
    """The grader logged in with ``token``, or ``None`` (unknown, expired, or the account disabled)."""
    if not token or len(token) > 128:
        return None
    rows = db_session.execute(_GRADER_OF_TOKEN, {"token_hash": _token_hash(token), "now": utcnow()}).all()
    if not rows:
        return None
    return Grader(rows[0].id, rows[0].username, frozenset(row.name for row in rows if row.name is not None))


#: The grader of a session and its queues' names, one row per queue (one row with ``name`` NULL for a
#: grader without queues): one statement on every wire call.
_GRADER_OF_TOKEN = (
    sa.select(GraderAccount.id, GraderAccount.username, Queue.name)
    .join(GraderSession, GraderSession.grader_id == GraderAccount.id)
    .outerjoin(GraderQueue, GraderQueue.grader_id == GraderAccount.id)
    .outerjoin(Queue, Queue.id == GraderQueue.queue_id)
    .where(GraderSession.token_hash == sa.bindparam("token_hash"), GraderSession.expires > sa.bindparam("now"),
           GraderAccount.active.is_(True)))


# -- submitting (the problem's side) ------------------------------------------------------------------------------


def _waiting(queue: Queue, now: datetime) -> Any:
    """The condition of a submission of ``queue`` that a grader may take now."""
    stale = now - timedelta(seconds=queue.timeout)
    column = Submission.push_time if queue.mode == PUSH else Submission.pull_time
    return sa.and_(Submission.queue_name == queue.name, Submission.retired.is_(False),
                   Submission.return_time.is_(None), sa.or_(column.is_(None), column <= stale))


def queue_length(db_session: Session, queue: Queue, now: datetime | None = None) -> int:
    """Submissions of ``queue`` waiting for a grader (pulled ones past their timeout count again)."""
    return db_session.scalar(sa.select(sa.func.count(Submission.id)).where(_waiting(queue, now or utcnow()))) or 0


def position_of(db_session: Session, submission: Submission, queue: Queue) -> int:
    """The place of ``submission`` in its queue (1: next), counting submissions that arrived before it."""
    now = utcnow()
    before = db_session.scalar(sa.select(sa.func.count(Submission.id)).where(
        _waiting(queue, now), Submission.id <= submission.id)) or 0
    return max(before, 1)


def position_for(db_session: Session, *, user_id: int | None, usage_id: str, lms_key: str) -> int | None:
    """The place of a learner's waiting submission to ``usage_id`` under ``lms_key`` (``None``: not waiting)."""
    if user_id is None or not lms_key:
        return None
    submission = db_session.scalar(sa.select(Submission).where(
        Submission.user_id == user_id, Submission.usage_id == usage_id, Submission.retired.is_(False),
        Submission.return_time.is_(None), Submission.lms_key == lms_key[:128]))
    queue = queue_named(db_session, submission.queue_name) if submission is not None else None
    if submission is None or queue is None:
        return None
    taken = submission.push_time if queue.mode == PUSH else submission.pull_time
    if taken is not None and taken > utcnow() - timedelta(seconds=queue.timeout):
        return 0  # with a grader now
    return position_of(db_session, submission, queue)


def store_files(files: dict[str, bytes] | None) -> dict[str, str]:
    """Put a submission's files into the blob store; ``{filename: blob key}``."""
    keys: dict[str, str] = {}
    if not files:
        return keys
    if len(files) > MAX_FILES:
        raise QueueError(f"At most {MAX_FILES} files can be submitted.")
    folder = uuid.uuid4().hex
    store = current_kampus().blob_store
    for index, (name, data) in enumerate(files.items()):
        if len(data) > MAX_FILE_BYTES:
            raise QueueError(f"{name} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in name)[:100].lstrip(".") or "file"
        key = f"xqueue/{folder}/{index}-{safe}"
        store.put(key, data)
        keys[name] = key
    return keys


def submit(db_session: Session, *, header: str, body: str, files: dict[str, bytes] | None = None,
           user_id: int | None = None, course_id: str = "", usage_id: str = "",
           requester: str = "kampus") -> tuple[int, str]:
    """Queue a submission in the caller's transaction (committed with it); Open edX's ``(error, message)``.

    ``header`` is the LMS header (JSON text with ``lms_callback_url``, ``lms_key``, ``queue_name``) and
    ``body`` the submission as the problem built it. Success: ``(0, "<position in queue>")``; failure:
    ``(1, Open edX's message)`` (``Queue 'q' not found``, ``Queue request has invalid format``).
    Older live submissions by the same learner to the same problem (the same callback URL for a remote
    LMS) are retired: the newer one supersedes them.
    """
    try:
        parsed = json.loads(header)
        queue_name = str(parsed["queue_name"])
        lms_key = str(parsed["lms_key"])
        callback = str(parsed.get("lms_callback_url") or "")
    except (TypeError, ValueError, KeyError):
        return 1, "Queue request has invalid format"
    if not isinstance(body, str):
        return 1, "Queue request has invalid format"
    queue = queue_named(db_session, queue_name)
    if queue is None:
        return 1, f"Queue '{queue_name}' not found"
    try:
        keys = store_files(files)
    except QueueError as err:
        return 1, str(err)
    if user_id is not None and usage_id:
        older = sa.and_(Submission.user_id == user_id, Submission.usage_id == usage_id)
    else:
        older = Submission.lms_callback_url == callback[:1024]
    db_session.execute(sa.update(Submission).where(older, Submission.retired.is_(False))
                       .values(retired=True, retire_reason=SUPERSEDED, pullkey=""))
    submission = Submission(
        requester_id=requester[:128], queue_name=queue.name, lms_callback_url=callback[:1024], lms_key=lms_key[:128],
        user_id=user_id, course_id=course_id, usage_id=usage_id, xqueue_header=header, xqueue_body=body,
        file_keys=json.dumps(keys) if keys else "", arrival_time=utcnow())
    db_session.add(submission)
    db_session.flush()
    if queue.mode == PUSH:
        push_after_commit(db_session, submission.id)
    return 0, str(position_of(db_session, submission, queue))


def push_after_commit(db_session: Session, submission_id: int) -> None:
    """Start the push of ``submission_id`` once the caller's transaction commits (never before: the grader
    must find what it is sent). In a request: after the view (the problem's handler commits before it
    returns); elsewhere: when the session commits. A rolled-back submission is not found by the push task,
    which claims only waiting submissions of push queues, so a stale id pushes nothing wrong."""
    pending: list[int] = db_session.info.setdefault("xqueue_push", [])
    pending.append(submission_id)
    if len(pending) > 1:
        return
    if has_request_context():
        @after_this_request
        def push_now(response: Any) -> Any:
            for queued in db_session.info.pop("xqueue_push", []):
                start_push(queued)
            return response
    else:
        sa.event.listen(db_session, "after_commit", _start_pushes)


def _start_pushes(db_session: Session) -> None:
    if db_session.in_nested_transaction():
        return  # a savepoint was released (SQLAlchemy calls after_commit for it too): not committed yet
    sa.event.remove(db_session, "after_commit", _start_pushes)
    for submission_id in db_session.info.pop("xqueue_push", []):
        start_push(submission_id)


def start_push(submission_id: int) -> None:
    """Send the push task of ``submission_id`` (a sweep retries when the broker is down)."""
    try:
        submit_task("xqueue.push_submission", submission_id, key=f"xqueue-push-{submission_id}")
    except Exception:  # the broker is down, or the same push runs: the sweep pushes it later
        log.warning("push of submission %s not started now; the sweep will retry", submission_id, exc_info=True)


# -- the grader's side ------------------------------------------------------------------------------------------


def _locking(db_session: Session, stmt: Any) -> Any:
    if db_session.get_bind().dialect.name in ("postgresql", "mysql"):
        return stmt.with_for_update(skip_locked=True)
    return stmt


def take(db_session: Session, queue: Queue, grader_label: str) -> Submission | None:
    """Hand the oldest waiting submission of ``queue`` to one grader (committed); ``None`` when empty.

    Sets ``pull_time`` (``push_time`` for a push queue) and a new random ``pullkey``. A submission taken
    before whose grader never answered counts one failure; past ``max_failures`` it is retired with the
    "could not be graded" reply instead and the next one is taken.
    """
    push = queue.mode == PUSH
    column = Submission.push_time if push else Submission.pull_time
    if db_session.get_bind().dialect.name in ("postgresql", "sqlite"):
        taken = _take_in_one_statement(db_session, queue, grader_label)
        if taken is not None:
            return taken
    # MariaDB/MySQL (no UPDATE ... RETURNING), and a submission past its failures (retired here)
    for _attempt in range(20):
        now = utcnow()
        stmt = (sa.select(Submission.id, column.label("taken"), Submission.num_failures)
                .where(_waiting(queue, now)).order_by(Submission.arrival_time, Submission.id).limit(1))
        row = db_session.execute(_locking(db_session, stmt)).first()
        if row is None:
            db_session.commit()
            return None
        failures = row.num_failures + (1 if row.taken is not None else 0)
        guard = column.is_(None) if row.taken is None else column == row.taken
        still = sa.and_(Submission.id == row.id, guard, Submission.retired.is_(False),
                        Submission.return_time.is_(None))
        if failures > queue.max_failures:
            done = db_session.execute(sa.update(Submission).where(still).values(
                num_failures=failures, retired=True, retire_reason=FAILED, pullkey="", return_time=now,
                grader_reply=FAILURE_REPLY))
            db_session.commit()
            if done.rowcount == 1:
                deliver(db_session, row.id)
            continue
        pullkey = secrets.token_hex(16)
        values: dict[str, Any] = {"pullkey": pullkey, "grader_id": grader_label[:128], "num_failures": failures}
        values["push_time" if push else "pull_time"] = now
        done = db_session.execute(sa.update(Submission).where(still).values(**values))
        if done.rowcount == 1:
            db_session.commit()
            return db_session.get(Submission, row.id, populate_existing=True)
        db_session.rollback()  # another grader took it first: try the next one
    db_session.rollback()
    return None


def _take_in_one_statement(db_session: Session, queue: Queue, grader_label: str) -> Submission | None:
    """:func:`take` as one ``UPDATE ... WHERE id = (SELECT ... LIMIT 1 [FOR UPDATE SKIP LOCKED]) RETURNING``
    (PostgreSQL, SQLite), committed; ``None`` when no submission may be handed out this way (none waiting, or
    the oldest one would pass its queue's ``max_failures``: the caller's loop retires it)."""
    push = queue.mode == PUSH
    column = Submission.push_time if push else Submission.pull_time
    now = utcnow()
    may_take = sa.or_(column.is_(None), Submission.num_failures < queue.max_failures)
    oldest = (sa.select(Submission.id).where(_waiting(queue, now), may_take)
              .order_by(Submission.arrival_time, Submission.id).limit(1))
    values: dict[str, Any] = {
        "pullkey": secrets.token_hex(16), "grader_id": grader_label[:128],
        "num_failures": Submission.num_failures + sa.case((column.is_(None), 0), else_=1),
        ("push_time" if push else "pull_time"): now,
    }
    stmt = (sa.update(Submission).where(Submission.id == _locking(db_session, oldest).scalar_subquery())
            .values(**values).returning(Submission)
            .execution_options(synchronize_session=False, populate_existing=True))
    submission = db_session.scalars(stmt).first()
    db_session.commit()
    return submission


def check_reply(reply: str) -> bool:
    """Whether ``reply`` is a grader reply a problem can apply: JSON with ``correct``, ``score``, ``msg``."""
    try:
        parsed = json.loads(reply)
    except (TypeError, ValueError):
        return False
    return isinstance(parsed, dict) and all(key in parsed for key in ("correct", "score", "msg"))


def put_result(db_session: Session, submission_id: int, submission_key: str, reply: str,
               grader: Grader | None = None) -> str | None:
    """Record a grader's reply and deliver it; ``None`` on success, else Open edX's error message.

    A reply for a submission already answered is accepted and ignored (a grader posting twice).
    """
    submission = db_session.scalar(_locking(db_session, sa.select(Submission).where(Submission.id == submission_id)))
    if submission is None:
        db_session.rollback()
        return "Submission does not exist"
    if grader is not None and submission.queue_name not in grader.queues:
        db_session.rollback()
        return "Submission does not exist"
    if not submission.pullkey or not secrets.compare_digest(submission_key.encode(), submission.pullkey.encode()):
        db_session.rollback()
        return "Incorrect key for submission"
    if submission.return_time is not None:  # the same grader posting again
        db_session.rollback()
        return None
    if not check_reply(reply):
        db_session.rollback()
        return "Incorrect reply format"
    submission.return_time = utcnow()
    submission.grader_reply = reply
    submission.retired = True
    submission.retire_reason = GRADED
    if submission.user_id is None:  # a remote LMS's submission: its callback is posted after the commit
        db_session.commit()
        start_callback(submission_id)
        return None
    # The reply and its delivery to the problem in one transaction (one commit, one UPDATE of the submission:
    # ``lms_ack`` is written with the reply). When the delivery fails, the reply alone is recorded (with the
    # failure counted, ``lms_ack`` unset) and the sweep delivers it later.
    submission.lms_ack = True
    try:
        applied = apply_queue_reply(submission.user_id, submission.usage_id, submission.lms_key, reply,
                                    db_session=db_session)
    except Exception as err:
        db_session.rollback()
        if isinstance(err, QueueReplyError):
            log.warning("reply of xqueue submission %s not delivered: %s", submission_id, err)
        else:
            log.exception("reply of xqueue submission %s not delivered", submission_id)
        db_session.execute(sa.update(Submission).where(
            Submission.id == submission_id, Submission.return_time.is_(None)).values(
            return_time=utcnow(), grader_reply=reply, retired=True, retire_reason=GRADED,
            num_failures=Submission.num_failures + 1))
        db_session.commit()
        return None
    db_session.commit()
    applied.after_commit()
    return None


def start_callback(submission_id: int) -> None:
    """Send the task posting the reply of a remote LMS's submission to its callback URL (see
    :mod:`kampus_xqueue.callback`); when the broker is down, the sweep starts it later."""
    try:
        submit_task("xqueue.lms_callback", submission_id, key=f"xqueue-callback-{submission_id}")
    except Exception:
        log.warning("callback of submission %s not started now; the sweep will retry", submission_id,
                    exc_info=True)


# -- delivery to the problem --------------------------------------------------------------------------------------


def deliver(db_session: Session, submission_id: int) -> bool:
    """Apply the stored reply of ``submission_id`` to its problem and set ``lms_ack``, in one transaction.

    Returns True when delivered now. A failure is logged and counted; :func:`sweep` tries again.
    """
    submission = db_session.scalar(_locking(db_session, sa.select(Submission).where(
        Submission.id == submission_id, Submission.lms_ack.is_(False), Submission.return_time.is_not(None))))
    if submission is None:
        db_session.rollback()
        return False
    if submission.user_id is None:  # a remote LMS's: posted to its callback URL by a task
        db_session.rollback()
        if submission.lms_callback_url:
            start_callback(submission_id)
        return False
    try:
        applied = apply_queue_reply(submission.user_id, submission.usage_id, submission.lms_key,
                                    submission.grader_reply, db_session=db_session)
    except QueueReplyError as err:
        db_session.rollback()
        log.warning("reply of xqueue submission %s not delivered: %s", submission_id, err)
        _count_delivery_failure(db_session, submission_id)
        return False
    except Exception:
        db_session.rollback()
        log.exception("reply of xqueue submission %s not delivered", submission_id)
        _count_delivery_failure(db_session, submission_id)
        return False
    submission.lms_ack = True
    db_session.commit()
    applied.after_commit()
    return True


def _count_delivery_failure(db_session: Session, submission_id: int) -> None:
    db_session.execute(sa.update(Submission).where(Submission.id == submission_id)
                       .values(num_failures=Submission.num_failures + 1))
    db_session.commit()


# -- timeouts and staff actions -----------------------------------------------------------------------------------


_last_sweep: dict[int, float] = {}


def maybe_sweep(db_session: Session) -> None:
    """:func:`sweep`, at most every :data:`SWEEP_INTERVAL` seconds per app and process."""
    key = id(current_kampus())
    now = time.monotonic()
    if now - _last_sweep.get(key, 0.0) < SWEEP_INTERVAL:
        return
    _last_sweep[key] = now
    try:
        sweep(db_session)
    except Exception:
        db_session.rollback()
        log.exception("xqueue sweep failed")


def sweep(db_session: Session, now: datetime | None = None) -> dict[str, int]:
    """Requeue or retire submissions whose grader did not answer in time; deliver replies left undelivered.

    Returns counts: ``requeued``, ``retired``, ``delivered``, ``pushed``.
    """
    now = now or utcnow()
    counts = {"requeued": 0, "retired": 0, "delivered": 0, "pushed": 0}
    for queue in db_session.scalars(sa.select(Queue)).all():
        column = Submission.push_time if queue.mode == PUSH else Submission.pull_time
        stale = now - timedelta(seconds=queue.timeout)
        rows = db_session.execute(sa.select(Submission.id, column.label("taken"), Submission.num_failures).where(
            Submission.queue_name == queue.name, Submission.retired.is_(False), Submission.return_time.is_(None),
            column.is_not(None), column <= stale)).all()
        for row in rows:
            failures = row.num_failures + 1
            still = sa.and_(Submission.id == row.id, column == row.taken, Submission.retired.is_(False),
                            Submission.return_time.is_(None))
            if failures > queue.max_failures:
                done = db_session.execute(sa.update(Submission).where(still).values(
                    num_failures=failures, retired=True, retire_reason=FAILED, pullkey="", return_time=now,
                    grader_reply=FAILURE_REPLY))
                db_session.commit()
                if done.rowcount == 1:
                    counts["retired"] += 1
                    deliver(db_session, row.id)
            else:
                values: dict[str, Any] = {"num_failures": failures, "pullkey": ""}
                values["push_time" if queue.mode == PUSH else "pull_time"] = None
                done = db_session.execute(sa.update(Submission).where(still).values(**values))
                db_session.commit()
                if done.rowcount == 1:
                    counts["requeued"] += 1
        if queue.mode == PUSH:  # never pushed (the broker was down) or just requeued
            waiting = db_session.scalars(sa.select(Submission.id).where(
                _waiting(queue, now), Submission.push_time.is_(None))).all()
            for submission_id in waiting:
                start_push(submission_id)
                counts["pushed"] += 1
    undelivered = db_session.scalars(sa.select(Submission.id).where(
        Submission.return_time.is_not(None), Submission.lms_ack.is_(False),
        sa.or_(Submission.user_id.is_not(None), Submission.lms_callback_url != ""),
        Submission.retire_reason.in_((GRADED, FAILED)), Submission.num_failures < MAX_DELIVERY_TRIES,
        Submission.return_time <= now - timedelta(seconds=2))).all()
    db_session.commit()
    for submission_id in undelivered:
        if deliver(db_session, submission_id):
            counts["delivered"] += 1
    return counts


def requeue(db_session: Session, submission_id: int) -> bool:
    """Staff: make a taken or failed submission waiting again (the learner's newest only)."""
    submission = db_session.get(Submission, submission_id)
    if submission is None or submission.lms_ack or submission.retire_reason in (SUPERSEDED, GRADED):
        return False  # answered, or replaced by a newer submission: nothing to grade again
    submission.retired, submission.retire_reason = False, ""
    submission.pull_time = submission.push_time = submission.return_time = None
    submission.pullkey, submission.grader_reply, submission.num_failures = "", "", 0
    db_session.commit()
    queue = queue_named(db_session, submission.queue_name)
    if queue is not None and queue.mode == PUSH:
        start_push(submission.id)
    return True


def retire(db_session: Session, submission_id: int) -> bool:
    """Staff: take a submission out of its queue; the learner gets the "could not be graded" reply."""
    submission = db_session.get(Submission, submission_id)
    if submission is None or submission.retired:
        return False
    submission.retired, submission.retire_reason = True, RETIRED_BY_STAFF
    submission.pullkey, submission.return_time, submission.grader_reply = "", utcnow(), FAILURE_REPLY
    db_session.commit()
    deliver(db_session, submission_id)
    return True


@dataclass
class QueueStats:
    """What the staff page shows of a queue."""

    queue: Queue
    waiting: int
    oldest: datetime | None
    in_grading: int
    stuck: list[Submission]
    graders: list[str]


def queue_stats(db_session: Session, now: datetime | None = None) -> list[QueueStats]:
    """Every queue with its length, oldest waiting submission, submissions being graded and stuck ones
    (taken and past the timeout), in a constant number of queries."""
    now = now or utcnow()
    queues = db_session.scalars(sa.select(Queue).order_by(Queue.name)).all()
    live = db_session.execute(sa.select(
        Submission.queue_name, Submission.pull_time, Submission.push_time, Submission.arrival_time, Submission.id)
        .where(Submission.retired.is_(False), Submission.return_time.is_(None))).all()
    graders: dict[int, list[str]] = {}
    for queue_id, username in db_session.execute(sa.select(GraderQueue.queue_id, GraderAccount.username).join(
            GraderAccount, GraderAccount.id == GraderQueue.grader_id).order_by(GraderAccount.username)):
        graders.setdefault(queue_id, []).append(username)
    stuck_ids: dict[str, list[int]] = {}
    result = []
    by_name = {queue.name: queue for queue in queues}
    counts: dict[str, list[Any]] = {name: [0, None, 0] for name in by_name}
    for row in live:
        queue = by_name.get(row.queue_name)
        if queue is None:
            continue
        taken = row.push_time if queue.mode == PUSH else row.pull_time
        entry = counts[queue.name]
        if taken is None or taken <= now - timedelta(seconds=queue.timeout):
            entry[0] += 1
            entry[1] = row.arrival_time if entry[1] is None else min(entry[1], row.arrival_time)
        else:
            entry[2] += 1
        if taken is not None and taken <= now - timedelta(seconds=queue.timeout):
            stuck_ids.setdefault(queue.name, []).append(row.id)
    every_stuck = [i for ids in stuck_ids.values() for i in ids]
    stuck_rows = {s.id: s for s in db_session.scalars(sa.select(Submission).where(Submission.id.in_(every_stuck)))} \
        if every_stuck else {}
    for queue in queues:
        waiting, oldest, in_grading = counts[queue.name]
        stuck = [stuck_rows[i] for i in stuck_ids.get(queue.name, []) if i in stuck_rows]
        result.append(QueueStats(queue, waiting, oldest, in_grading, stuck, graders.get(queue.id, [])))
    return result


def failed_submissions(db_session: Session, limit: int = 50) -> list[Submission]:
    """The latest submissions retired as failed or by staff (staff may requeue them)."""
    return list(db_session.scalars(sa.select(Submission).where(
        Submission.retire_reason.in_((FAILED, RETIRED_BY_STAFF))).order_by(Submission.id.desc()).limit(limit)))
