"""The problem's way to external grading queues (``coderesponse``), and Open edX's LMS callback route.

A problem gets a :class:`ProblemQueue` (upstream's ``xqueue`` object of the capa system: ``default_queuename``,
``construct_callback()``, ``send_to_queue(header, body, files_to_upload)``). When a learner's answer is
checked, the submission goes

* to an external Open edX XQueue server when the ``xqueue_url`` setting names one (:class:`ExternalXQueue`,
  upstream's ``XQueueInterface``: log in with ``xqueue_username``/``xqueue_password``, ``POST
  /xqueue/submit/``, log in again on ``login_required``); its grader's reply comes back to
  :data:`callback_bp`'s route, upstream's ``xqueue_callback``
  (``/courses/<course_id>/xqueue/<user_id>/<usage_id>/score_update``, form ``xqueue_header`` with the
  ``lms_key`` and ``xqueue_body``); the XQueue plugin is then not needed;
* otherwise to a queue of the enabled plugins (``kampus_external_queues``: ``{name: queue}``, the name ``"*"``
  for a queue object that serves any name, such as the XQueue plugin's), which writes it in the check's own
  transaction.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from flask import Blueprint, Response, request
from kampus_content.api import CourseNotFound, KampusRuntime, VersionNotFound, get_structure
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
from xblock.exceptions import NoSuchUsage

from kampus import db
from kampus.current import current_kampus
from kampus.identity.models import User
from kampus.urls import absolute_url

log = logging.getLogger(__name__)

#: The dispatch of the LMS callback for ``coderesponse`` (Open edX's ``score_update``).
SCORE_UPDATE = "score_update"


def external_queues() -> dict[str, Any]:
    """Every enabled plugin's answer to ``kampus_external_queues``, merged (the first answer of a name wins)."""
    queues: dict[str, Any] = {}
    for answer in current_kampus().hook.kampus_external_queues():
        for name, queue in (answer or {}).items():
            queues.setdefault(name, queue)
    return queues


def default_queue_name(course_key: Any) -> str:
    """Open edX's queue of a problem that names none: ``<org>-<course>``."""
    return f"{course_key.org}-{course_key.course}"


class ProblemQueue:
    """The queue access of one learner's problem (upstream's ``XQueueService``)."""

    def __init__(self, *, user_id: int | None, course_id: str, usage_id: str, default_queuename: str,
                 files: dict[str, bytes] | None = None):
        self.user_id = user_id
        self.course_id = course_id
        self.usage_id = usage_id
        self.default_queuename = default_queuename
        #: The files the learner uploaded with this check, by name.
        self.files = files or {}

    def construct_callback(self, dispatch: str = SCORE_UPDATE) -> str:
        """Open edX's LMS callback URL of this learner's problem (``xqueue_callback``); its base is the
        ``xqueue_callback_url`` setting when set (upstream's ``XQUEUE_INTERFACE.callback_url``)."""
        path = f"/courses/{self.course_id}/xqueue/{self.user_id}/{self.usage_id}/{dispatch}"
        base = str(current_kampus().settings.get("xqueue_callback_url") or "").rstrip("/")
        return base + path if base else absolute_url(path)

    def position(self, queuekey: str) -> int | None:
        """The place in its queue of this learner's submission queued under ``queuekey`` (1: next), or
        ``None`` when no longer waiting or unknown (an external XQueue server does not tell)."""
        if external_xqueue() is not None:
            return None
        queues = external_queues()
        for queue in {id(q): q for q in queues.values()}.values():
            lookup = getattr(queue, "position", None)
            if callable(lookup):
                found = lookup(user_id=self.user_id, usage_id=self.usage_id, queuekey=queuekey)
                if found is not None:
                    return int(found)
        return None

    def send_to_queue(self, header: str, body: str, files_to_upload: Any = None) -> tuple[int, str]:
        """Queue a submission; Open edX's ``(error, message)``: ``(0, "<position>")`` when queued."""
        try:
            queue_name = str(json.loads(header)["queue_name"])
        except (TypeError, ValueError, KeyError):
            return 1, "Queue request has invalid format"
        remote = external_xqueue()
        if remote is not None:
            chosen = {name: self.files[name] for name in files_to_upload or []
                      if isinstance(name, str) and name in self.files}
            return remote.send_to_queue(header, body, chosen)
        queues = external_queues()
        queue = queues.get(queue_name) or queues.get("*")
        if queue is None:
            return 1, "No external grading queue is installed on this site."
        files: dict[str, bytes] = {}
        for name in files_to_upload or []:
            if isinstance(name, str) and name in self.files:
                files[name] = self.files[name]
        return queue.send_to_queue(header=header, body=body, files=files, user_id=self.user_id,
                                   course_id=self.course_id, usage_id=self.usage_id)


#: Seconds to connect to and to read from an external XQueue (upstream's ``CONNECT_TIMEOUT``/``READ_TIMEOUT``).
XQUEUE_TIMEOUT = (3.05, 10.0)


def parse_xreply(text: str) -> tuple[int, Any]:
    """Upstream's ``parse_xreply``: ``(return_code, content)`` of an XQueue reply."""
    try:
        reply = json.loads(text)
        return int(reply["return_code"]), reply["content"]
    except (TypeError, ValueError, KeyError):
        return 1, "unexpected reply from server"


class ExternalXQueue:
    """An Open edX XQueue server used by this site's problems (upstream's ``XQueueInterface``).

    One logged-in HTTP session per server and account, kept for the process (the server hashes the
    password at every login): a ``login_required`` reply logs in again and resends once.
    """

    def __init__(self, url: str, username: str, password: str):
        self.url = url.rstrip("/")
        self.username = username
        self.password = password
        self.session = requests.Session()
        self.lock = threading.Lock()

    def _post(self, path: str, data: dict[str, str], files: dict[str, bytes] | None = None) -> tuple[int, Any]:
        try:
            answer = self.session.post(self.url + path, data=data, files=files or None, timeout=XQUEUE_TIMEOUT,
                                       allow_redirects=False)
        except requests.ConnectionError as err:
            log.error("XQueue %s: %s", self.url, err)
            return 1, "cannot connect to server"
        except requests.Timeout as err:
            log.error("XQueue %s: %s", self.url, err)
            return 1, "failed to read from the server"
        if answer.status_code != 200:
            return 1, f"unexpected HTTP status code [{answer.status_code}]"
        return parse_xreply(answer.text)

    def login(self) -> tuple[int, Any]:
        """``POST /xqueue/login/``."""
        return self._post("/xqueue/login/", {"username": self.username, "password": self.password})

    def send_to_queue(self, header: str, body: str, files: dict[str, bytes] | None = None) -> tuple[int, str]:
        """``POST /xqueue/submit/``; Open edX's ``(error, message)``."""
        data = {"xqueue_header": header, "xqueue_body": body}
        with self.lock:
            error, message = self._post("/xqueue/submit/", data, files)
            if error and message == "login_required":
                error, content = self.login()
                if error:
                    log.warning("login to XQueue %s failed: %s", self.url, content)
                    return error, str(content)
                error, message = self._post("/xqueue/submit/", data, files)
        return error, str(message)


_clients: dict[tuple[str, str, str], ExternalXQueue] = {}
_clients_lock = threading.Lock()


def external_xqueue() -> ExternalXQueue | None:
    """The external XQueue of the ``xqueue_url`` setting (one client per process), or ``None``."""
    settings = current_kampus().settings
    url = str(settings.get("xqueue_url") or "")
    if not url:
        return None
    key = (url, str(settings.get("xqueue_username") or ""), str(settings.get("xqueue_password") or ""))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = ExternalXQueue(*key)
    return client


# -- the LMS's callback (Open edX's ``xqueue_callback``) -----------------------------------------------------------

callback_bp = Blueprint("problems_xqueue", __name__)


def _not_found() -> Response:
    return Response("Not found", status=404, content_type="text/plain")


@callback_bp.post("/courses/<course_id>/xqueue/<user_id>/<usage_id>/<dispatch>")
def xqueue_callback(course_id: str, user_id: str, usage_id: str, dispatch: str) -> Response:
    """An XQueue's reply to a learner's submission: form ``xqueue_header`` (JSON with the ``lms_key`` that
    the problem queued under) and ``xqueue_body`` (the grader's reply). The ``lms_key`` is the only
    credential, as in Open edX: a reply without the problem's current key changes nothing. Answers an empty
    200 (the XQueue's acknowledgement), 404 for a malformed reply or an unknown target."""
    if dispatch != SCORE_UPDATE:
        return _not_found()
    try:
        header = json.loads(request.form.get("xqueue_header") or "")
        queuekey = header["lms_key"]
        body = request.form["xqueue_body"]
        course_key = CourseKey.from_string(course_id)
        usage_key = UsageKey.from_string(usage_id)
        learner = int(user_id)
    except (TypeError, ValueError, KeyError, InvalidKeyError):
        return _not_found()
    if not isinstance(queuekey, str) or usage_key.course_key != course_key:
        return _not_found()
    db_session = db.session()
    try:
        applied = apply_queue_reply(learner, str(usage_key), queuekey, body, db_session=db_session)
    except LookupError as err:
        db_session.rollback()
        log.warning("XQueue reply to %s of user %s not applied: %s", usage_id, user_id, err)
        return _not_found()
    db_session.commit()
    applied.after_commit()
    return Response("", status=200, content_type="text/plain")


xqueue_callback.kampus_csrf_exempt = True  # type: ignore[attr-defined]  # the lms_key authenticates


class QueueReplyError(LookupError):
    """The reply has nowhere to go: the learner, the course or the problem no longer exists."""


@dataclass
class AppliedReply:
    """The outcome of :func:`apply_queue_reply`: whether the problem took the reply (its queuekey matched)
    and what to call once the caller committed."""

    applied: bool
    after_commit: Callable[[], None]


def apply_queue_reply(user_id: int, usage_id: str, queuekey: str, reply: str, *, db_session: Any) -> AppliedReply:
    """Apply a grader's ``reply`` to ``user_id``'s problem ``usage_id`` queued under ``queuekey``.

    The learner's state and score are written into ``db_session`` (not committed). The caller commits, then
    calls ``after_commit()`` (``kampus_score_changed`` for a changed score). A reply whose queuekey is not the
    problem's current one (the learner submitted again, or it was applied already) changes nothing:
    ``applied`` is False. Raises :class:`QueueReplyError` when the target no longer exists.
    """
    try:
        usage_key = UsageKey.from_string(usage_id)
    except InvalidKeyError as err:
        raise QueueReplyError(f"{usage_id!r} is not a usage id") from err
    user = db_session.get(User, user_id)
    if user is None:
        raise QueueReplyError(f"user {user_id} does not exist")
    try:
        structure = get_structure(str(usage_key.course_key))
    except (CourseNotFound, VersionNotFound) as err:
        raise QueueReplyError(f"course {usage_key.course_key} is not published") from err
    runtime = KampusRuntime(structure, user=user, user_is_staff=False,
                            locale=str(current_kampus().settings.default_locale), db_session=db_session)
    try:
        block = runtime.get_block(usage_key)
    except NoSuchUsage as err:
        raise QueueReplyError(f"{usage_id} is not in the published course") from err
    apply = getattr(block, "apply_queue_reply", None)
    if apply is None:
        raise QueueReplyError(f"{usage_id} does not take grader replies")
    applied = bool(apply(queuekey, reply))
    block.save()  # XBlock fields reach the field data on save()
    runtime.flush(message="external grader reply")
    return AppliedReply(applied, runtime.after_commit)


__all__ = ["SCORE_UPDATE", "AppliedReply", "ExternalXQueue", "ProblemQueue", "QueueReplyError", "apply_queue_reply",
           "callback_bp", "default_queue_name", "external_queues", "external_xqueue", "parse_xreply"]
