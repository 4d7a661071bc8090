"""``POST /event``: events from the browser, as Open edX's ``track.views.user_track``.

Form fields: ``event_type`` (required), ``event`` (the event's data, usually a
JSON string; stored as the string it is), ``page`` (the URL of the page). The
course context comes from the page URL. Anonymous users may send events; the
request is CSRF-protected like every POST (Open edX's ``Logger`` sends the
``X-CSRFToken`` header). Each user (or address, for anonymous users) may
send ``event_rate_limit`` events per ``event_rate_window`` seconds; beyond,
the answer is 429 with ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from kampus.current import current_kampus
from kampus.events.emit import course_id_from_url, emit
from kampus.identity.throttle import rate_limiter

MAX_EVENT_TYPE_CHARS = 255
MAX_EVENT_BYTES = 64 * 1024
MAX_PAGE_CHARS = 4096

bp = Blueprint("events", __name__)


def _error(message: str, field: str) -> Response:
    response = jsonify({"error": {"status": 400, "message": message, "field": field}})
    response.status_code = 400
    return response


def _too_many(wait: int) -> Response:
    response = jsonify({"error": {"status": 429, "message": "Too many events: wait, then send again."}})
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def _rate_limit_wait() -> int | None:
    """Seconds the caller must wait before sending another event, or ``None``."""
    settings = current_kampus().settings
    if settings.event_rate_limit <= 0:
        return None
    limiter = rate_limiter(current_kampus(), "browser_events", settings.event_rate_limit,
                           max(1, settings.event_rate_window))
    key = f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr or ''}"
    return limiter.hit(key)


@bp.post("/event")
def browser_event() -> Response:
    wait = _rate_limit_wait()
    if wait is not None:
        return _too_many(wait)
    event_type = request.form.get("event_type", "")
    data = request.form.get("event", "")
    page = request.form.get("page") or None
    if not event_type.strip():
        return _error("The field event_type is required.", "event_type")
    if len(event_type) > MAX_EVENT_TYPE_CHARS:
        return _error(f"The field event_type is longer than {MAX_EVENT_TYPE_CHARS} characters.", "event_type")
    if len(data.encode("utf-8", "surrogatepass")) > MAX_EVENT_BYTES:
        return _error(f"The field event is larger than {MAX_EVENT_BYTES // 1024} KiB.", "event")
    if page is not None and len(page) > MAX_PAGE_CHARS:
        return _error(f"The field page is longer than {MAX_PAGE_CHARS} characters.", "page")
    course_id = course_id_from_url(page) or course_id_from_url(request.headers.get("Referer"))
    emit(event_type, data, event_source="browser", page=page, course_id=course_id or None)
    return Response("success", mimetype="text/plain")
