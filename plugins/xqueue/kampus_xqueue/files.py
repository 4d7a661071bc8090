"""Files submitted with a submission: stored in the blob store, handed to graders as signed URLs.

A URL ``/xqueue/files/<submission id>/<token>/<filename>`` carries a token signed with the site's secret,
naming the submission, the file and the pull (its ``pullkey``): it stops working when the submission is
taken again, answered or retired, and expires after the queue's timeout (at least
:data:`MIN_FILE_URL_SECONDS`). No login is needed to fetch it: graders fetch files with plain HTTP clients.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeTimedSerializer

from kampus.current import current_kampus
from kampus.urls import absolute_url
from kampus_xqueue.models import Submission

#: A file URL lives at least this long (seconds), whatever the queue's timeout.
MIN_FILE_URL_SECONDS = 300


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_kampus().settings.secret_key, salt="kampus-xqueue-file")


def file_keys(submission: Submission) -> dict[str, str]:
    """``{filename: blob key}`` of a submission."""
    return json.loads(submission.file_keys) if submission.file_keys else {}


def file_urls(submission: Submission) -> dict[str, str]:
    """``{filename: absolute URL}`` of a taken submission's files (valid for this pull only)."""
    serializer = _serializer()
    urls = {}
    for name in file_keys(submission):
        token = serializer.dumps([submission.id, name, submission.pullkey])
        urls[name] = absolute_url(f"/xqueue/files/{submission.id}/{token}/{quote(name, safe='')}")
    return urls


def check_file_token(submission: Submission, token: str, filename: str, timeout: int) -> str | None:
    """The blob key of ``filename`` when ``token`` is valid for it now, else ``None``."""
    try:
        signed: Any = _serializer().loads(token, max_age=max(timeout, MIN_FILE_URL_SECONDS))
        signed_id, name, pullkey = signed
    except (BadSignature, ValueError, TypeError):
        return None
    keys = file_keys(submission)
    if signed_id != submission.id or name != filename or not pullkey or pullkey != submission.pullkey:
        return None
    return keys.get(name)
