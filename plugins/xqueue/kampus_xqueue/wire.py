"""Open edX's XQueue REST API at its paths (``/xqueue/login/``, ``submit``, ``get_queuelen``, ``get_submission``,
``put_result``).

Wire format of openedx/xqueue (``submission_queue/views.py``, ``ext_interface.py``), so that an unmodified
``xqueue-watcher`` (or any grader written against XQueue) works:

* every reply is HTTP 200 with the body ``{"return_code": 0|1, "content": ...}`` (0: success), messages verbatim;
* a grader logs in with ``POST /xqueue/login/`` (form ``username``, ``password``); its session is a cookie of
  its own (``xqueue_sessionid``, path ``/xqueue/``), unrelated to the site's login: a grader credential opens
  no page of the site, and a site account is no grader. Calls without a valid session answer
  ``login_required`` (the watcher logs in again);
* ``get_submission``'s ``content`` is a JSON *string* whose ``xqueue_header`` (``submission_id``,
  ``submission_key``) and ``xqueue_files`` (``{filename: URL}``) are JSON strings too, ``xqueue_body`` the body
  as the problem sent it;
* ``put_result`` is a form post echoing the header, without CSRF token (graders send none; their session is
  their authentication, and the cookie is ``SameSite=Strict``);
* ``submit`` is an Open edX LMS's submission (Kampus as its XQueue): the LMS logs in with an account that
  may use the queue (``kampus xqueue add-grader``), its reply is posted to the header's ``lms_callback_url``
  (:mod:`kampus_xqueue.callback`), on hosts of the ``xqueue_lms_callback_hosts`` setting only.

File URLs (``/xqueue/files/<id>/<token>/<name>``): see :mod:`kampus_xqueue.files`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Response, request, send_file
from sqlalchemy.exc import SQLAlchemyError

from kampus import db
from kampus.current import current_kampus
from kampus.identity import throttle
from kampus_xqueue import service
from kampus_xqueue.callback import CallbackRefused, check_callback_url
from kampus_xqueue.files import check_file_token, file_urls
from kampus_xqueue.models import Submission

log = logging.getLogger(__name__)

bp = Blueprint("xqueue", __name__)

COOKIE = "xqueue_sessionid"
COOKIE_PATH = "/xqueue/"


def compose_reply(success: bool, content: Any) -> Response:
    """Open edX's envelope, always with HTTP 200."""
    body = json.dumps({"return_code": 0 if success else 1, "content": content})
    response = Response(body, status=200, content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _grader() -> service.Grader | None:
    return service.grader_of_token(db.session(), request.cookies.get(COOKIE, ""))


def _grader_label(grader: service.Grader) -> str:
    return f"{grader.username}@{request.remote_addr or ''}"


def _exempt(view: Any) -> Any:
    view.kampus_csrf_exempt = True  # the grader's session is its authentication; see the module's documentation
    return view


@bp.route("/xqueue/login/", methods=["GET", "POST"])
@_exempt
def log_in() -> Response:
    if request.method != "POST":
        return compose_reply(False, "login_required")
    username = request.form.get("username")
    password = request.form.get("password")
    if not username or password is None:
        return compose_reply(False, "Insufficient login info")
    settings = current_kampus().settings
    db_session = db.session()
    if service.login_of_session(db_session, request.cookies.get(COOKIE, ""), username, password):
        return compose_reply(True, "Logged in")  # the same login again on a live session: no new hash
    key = "xqueue:" + username[:200]
    ip = request.remote_addr or ""
    wait = throttle.retry_after(db_session, key, ip, int(settings.get("login_failure_limit") or 10),
                                int(settings.get("login_failure_window") or 900))
    if wait is not None:
        return compose_reply(False, f"Too many failed logins. Try again in {wait} seconds.")
    grader = service.authenticate(db_session, username, password)
    if grader is None:
        throttle.record_failure(db_session, key, ip)
        db_session.commit()
        return compose_reply(False, "Incorrect login credentials")
    token = service.open_session(db_session, grader)
    db_session.commit()
    service.remember_login(token, password)
    response = compose_reply(True, "Logged in")
    response.set_cookie(COOKIE, token, path=COOKIE_PATH, httponly=True, samesite="Strict",
                        secure=bool(settings.get("session_cookie_secure")),
                        max_age=service.SESSION_HOURS * 3600)
    return response


@bp.route("/xqueue/logout/", methods=["GET", "POST"])
@_exempt
def log_out() -> Response:
    token = request.cookies.get(COOKIE, "")
    if token:
        db_session = db.session()
        service.close_session(db_session, token)
        db_session.commit()
    response = compose_reply(True, "Goodbye")
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


@bp.get("/xqueue/status/")
def status() -> Response:
    return compose_reply(True, "OK")


@bp.route("/xqueue/submit/", methods=["GET", "POST"])
@_exempt
def submit() -> Response:
    """An LMS's submission (Open edX's ``lms_interface.submit``): form ``xqueue_header`` (JSON with
    ``lms_callback_url``, ``lms_key``, ``queue_name``), ``xqueue_body``, files (field name = file name).
    The LMS logs in as an account allowed on the queue; the reply reaches ``lms_callback_url`` later."""
    grader = _grader()
    if grader is None:
        return compose_reply(False, "login_required")
    if request.method != "POST":
        return compose_reply(False, "Queue requests should use HTTP POST")
    header_text = request.form.get("xqueue_header")
    body = request.form.get("xqueue_body")
    try:
        header = json.loads(header_text or "")
        if not isinstance(header, dict) or body is None:
            raise ValueError("incomplete")
        callback_url = header["lms_callback_url"]
        queue_name = header["queue_name"]
        if "lms_key" not in header or not isinstance(callback_url, str) or not isinstance(queue_name, str):
            raise ValueError("not strings")
    except (TypeError, ValueError, KeyError):
        return compose_reply(False, "Queue request has invalid format")
    if queue_name not in grader.queues:
        return compose_reply(False, f"Queue '{queue_name}' not found")
    try:
        check_callback_url(callback_url)
    except CallbackRefused as err:
        log.warning("submission refused from %s: %s", _grader_label(grader), err)
        return compose_reply(False, "Queue request has invalid format: the lms_callback_url is not allowed here")
    files: dict[str, bytes] = {}
    for name, upload in request.files.items(multi=True):
        files[name] = upload.read(service.MAX_FILE_BYTES + 1)
    db_session = db.session()
    try:
        error, message = service.submit(db_session, header=header_text or "", body=body, files=files,
                                        requester=_grader_label(grader))
        if error:
            db_session.rollback()
            return compose_reply(False, message)
        db_session.commit()
    except SQLAlchemyError:
        db_session.rollback()
        log.exception("submit failed for %s", queue_name)
        return compose_reply(False, "Error recording the submission. Please try again.")
    return compose_reply(True, message)


@bp.get("/xqueue/get_queuelen/")
def get_queuelen() -> Response:
    grader = _grader()
    if grader is None:
        return compose_reply(False, "login_required")
    queue_name = request.args.get("queue_name")
    if queue_name is None:
        return compose_reply(False, "'get_queuelen' must provide parameter 'queue_name'")
    db_session = db.session()
    service.maybe_sweep(db_session)
    queue = service.queue_named(db_session, queue_name) if queue_name in grader.queues else None
    if queue is None:
        return compose_reply(False, "Valid queue names are: " + ", ".join(sorted(grader.queues)))
    return compose_reply(True, service.queue_length(db_session, queue))


def grader_payload(submission: Submission) -> dict[str, str]:
    """What a grader gets of a taken submission: header, body and files, the nested values JSON strings."""
    header = {"submission_id": submission.id, "submission_key": submission.pullkey}
    return {"xqueue_header": json.dumps(header), "xqueue_body": submission.xqueue_body,
            "xqueue_files": json.dumps(file_urls(submission))}


@bp.get("/xqueue/get_submission/")
def get_submission() -> Response:
    grader = _grader()
    if grader is None:
        return compose_reply(False, "login_required")
    queue_name = request.args.get("queue_name")
    if queue_name is None:
        return compose_reply(False, "'get_submission' must provide parameter 'queue_name'")
    db_session = db.session()
    queue = service.queue_named(db_session, queue_name) if queue_name in grader.queues else None
    if queue is None:
        return compose_reply(False, f"Queue '{queue_name}' not found")
    try:
        service.maybe_sweep(db_session)
        submission = service.take(db_session, queue, _grader_label(grader))
    except SQLAlchemyError:
        db_session.rollback()
        log.exception("get_submission failed for %s", queue_name)
        return compose_reply(False, f"Error fetching submission for {queue_name}. Please try again.")
    if submission is None:
        return compose_reply(False, f"Queue '{queue_name}' is empty")
    return compose_reply(True, json.dumps(grader_payload(submission)))


@bp.route("/xqueue/put_result/", methods=["GET", "POST"])
@_exempt
def put_result() -> Response:
    if request.method != "POST":
        return compose_reply(False, "'put_result' must use HTTP POST")
    grader = _grader()
    if grader is None:
        return compose_reply(False, "login_required")
    header_text = request.form.get("xqueue_header")
    reply = request.form.get("xqueue_body")
    try:
        header = json.loads(header_text or "")
        submission_id = int(header["submission_id"])
        submission_key = str(header["submission_key"])
    except (TypeError, ValueError, KeyError):
        return compose_reply(False, "Incorrect reply format")
    if reply is None:
        return compose_reply(False, "Incorrect reply format")
    db_session = db.session()
    try:
        error = service.put_result(db_session, submission_id, submission_key, reply, grader)
    except SQLAlchemyError:
        db_session.rollback()
        log.exception("put_result failed for submission %s", submission_id)
        return compose_reply(False, "Error recording the result. Please try again.")
    if error is not None:
        return compose_reply(False, error)
    return compose_reply(True, "")


@bp.get("/xqueue/files/<int:submission_id>/<token>/<path:filename>")
def submission_file(submission_id: int, token: str, filename: str) -> Any:
    """A submitted file, for the grader holding a valid URL (signed, bound to the current pull, expiring)."""
    db_session = db.session()
    submission = db_session.get(Submission, submission_id)
    queue = service.queue_named(db_session, submission.queue_name) if submission is not None else None
    if submission is None or queue is None:
        return Response("Not found", status=404, content_type="text/plain")
    key = check_file_token(submission, token, filename, queue.timeout)
    if key is None:
        return Response("This file link is invalid or has expired.", status=403, content_type="text/plain")
    stream = current_kampus().blob_store.open(key)
    return send_file(stream, mimetype="application/octet-stream", as_attachment=True, download_name=filename,
                     max_age=0)


__all__ = ["bp", "compose_reply", "grader_payload"]
