"""The grader side of the XQueue wire protocol (what xqueue-watcher's ``client.py`` speaks).

Every reply is JSON ``{"return_code": 0|1, "content": ...}`` (0: success). A
grader logs in with ``POST /xqueue/login/`` (form ``username``, ``password``;
a session cookie follows), pulls with ``GET /xqueue/get_submission/?queue_name=q``
(``content`` is a JSON string whose ``xqueue_header`` and ``xqueue_files`` are
JSON strings again) and answers with ``POST /xqueue/put_result/`` (form
``xqueue_header`` = ``{"submission_id", "submission_key"}``, ``xqueue_body`` =
the reply ``{"correct", "score", "msg"}`` as JSON). A reply ``login_required``
(or a redirect to a login page) makes the client log in again once and retry.
This module works against any XQueue: Kampus's own or Open edX's.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import requests

log = logging.getLogger(__name__)

#: (connect, read) timeouts in seconds, as the LMS uses for XQueue.
DEFAULT_TIMEOUT = (3.05, 10.0)
LOGIN_REQUIRED = "login_required"


class XQueueError(Exception):
    """The XQueue refused a request or could not be reached; ``content`` is its reply's content, if any."""

    def __init__(self, message: str, content: Any = None):
        super().__init__(message)
        self.content = content


class LoginFailed(XQueueError):
    """The grader's credentials were refused."""


@dataclass(frozen=True)
class Submission:
    """One pulled submission. ``header`` is the ``xqueue_header`` string to send back with the result."""

    submission_id: int
    submission_key: str
    header: str
    body: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def content(self) -> dict[str, Any]:
        """What xqueue-watcher's handlers receive: ``xqueue_body`` (a string) and ``xqueue_files`` (a dict)."""
        return {"xqueue_header": self.header, "xqueue_body": self.body, "xqueue_files": self.files}


def parse_submission(content: Any) -> Submission:
    """The :class:`Submission` of a ``get_submission`` reply's ``content`` (a JSON string); :class:`XQueueError`
    when it does not have the wire format's shape."""
    try:
        outer = json.loads(content) if isinstance(content, str) else content
        header_text = outer["xqueue_header"]
        header = json.loads(header_text)
        files_text = outer.get("xqueue_files") or "{}"
        files = json.loads(files_text) if isinstance(files_text, str) else files_text
        body = outer["xqueue_body"]
        submission_id, key = header["submission_id"], header["submission_key"]
    except (TypeError, ValueError, KeyError) as exc:
        raise XQueueError(f"malformed submission from the queue: {exc}", content) from exc
    if not isinstance(submission_id, int) or not isinstance(key, str) or not isinstance(body, str) \
            or not isinstance(files, dict):
        raise XQueueError("malformed submission from the queue (field types)", content)
    return Submission(submission_id, key, header_text, body, {str(k): str(v) for k, v in files.items()})


class XQueueClient:
    """A logged-in grader's connection to one XQueue server (one ``requests.Session``; not for sharing
    between threads: give each worker its own client)."""

    def __init__(self, base_url: str, username: str | None, password: str | None, *,
                 basic_auth: tuple[str, str] | None = None,
                 timeout: tuple[float, float] | float = DEFAULT_TIMEOUT,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.basic_auth = basic_auth
        self.timeout = timeout
        self.session = session or requests.Session()
        self.logged_in = False

    def close(self) -> None:
        self.session.close()

    # -- the protocol ----------------------------------------------------------------------------------------

    def login(self) -> None:
        """Log in (``POST /xqueue/login/``); :class:`LoginFailed` when refused."""
        if self.username is None:
            return
        code, content = self._call("post", "/xqueue/login/", data={"username": self.username,
                                                                   "password": self.password or ""})
        if code != 0:
            self.logged_in = False
            raise LoginFailed(f"XQueue login as {self.username!r} refused: {content}", content)
        self.logged_in = True

    def logout(self) -> None:
        self._call("post", "/xqueue/logout/")
        self.logged_in = False

    def status(self) -> str:
        """The server's status (``GET /xqueue/status/``: ``OK``)."""
        return str(self._checked("get", "/xqueue/status/"))

    def get_queuelen(self, queue_name: str) -> int:
        content = self._checked("get", "/xqueue/get_queuelen/", params={"queue_name": queue_name})
        try:
            return int(content)
        except (TypeError, ValueError) as exc:
            raise XQueueError(f"queue length is not a number: {content!r}", content) from exc

    def get_submission(self, queue_name: str) -> Submission | None:
        """The next submission of ``queue_name``, or ``None`` when the queue is empty."""
        code, content = self._request("get", "/xqueue/get_submission/", params={"queue_name": queue_name})
        if code != 0:
            if isinstance(content, str) and content.endswith("is empty"):
                return None
            raise XQueueError(f"get_submission from {queue_name!r} failed: {content}", content)
        return parse_submission(content)

    def put_result(self, submission: Submission | str, reply: dict[str, Any] | str) -> None:
        """Send the grader's ``reply`` for ``submission`` (or a raw ``xqueue_header`` string)."""
        header = submission.header if isinstance(submission, Submission) else submission
        body = reply if isinstance(reply, str) else json.dumps(reply)
        self._checked("post", "/xqueue/put_result/", data={"xqueue_header": header, "xqueue_body": body})

    # -- transport -------------------------------------------------------------------------------------------

    def _checked(self, method: str, path: str, **kwargs: Any) -> Any:
        code, content = self._request(method, path, **kwargs)
        if code != 0:
            raise XQueueError(f"{path} failed: {content}", content)
        return content

    def _request(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """One call, logging in first when needed and once more when the server asks for it."""
        if not self.logged_in and self.username is not None:
            self.login()
        code, content = self._call(method, path, **kwargs)
        if content == LOGIN_REQUIRED and self.username is not None:
            log.info("xqueue: session expired, logging in again")
            self.logged_in = False
            self.login()
            code, content = self._call(method, path, **kwargs)
        return code, content

    def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        url = self.base_url + path
        try:
            response = self.session.request(method, url, auth=self.basic_auth, timeout=self.timeout,
                                            allow_redirects=False, **kwargs)
        except requests.RequestException as exc:
            raise XQueueError(f"could not reach the XQueue at {url}: {exc}") from exc
        if response.status_code in (301, 302, 303, 307, 308):
            return 1, LOGIN_REQUIRED  # Django's login_required redirects (Open edX's XQueue)
        try:
            reply = response.json()
        except ValueError as exc:
            raise XQueueError(f"{url} answered {response.status_code} without JSON") from exc
        if not isinstance(reply, dict) or "return_code" not in reply:
            raise XQueueError(f"{url} answered {response.status_code} without a return_code", reply)
        if response.status_code >= 500:
            raise XQueueError(f"{url} answered {response.status_code}: {reply.get('content')}", reply.get("content"))
        code = reply["return_code"]
        return (code if isinstance(code, int) else 1), reply.get("content")
