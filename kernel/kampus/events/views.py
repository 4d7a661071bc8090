"""``POST /event``: events from the browser, as Open edX's ``track.views.user_track``.

Form fields: ``event_type`` (required), ``event`` (the event's data, usually a
JSON string; stored as the string it is), ``page`` (the URL of the page). The
course context comes from the page URL. Anonymous users may send events; the
request is CSRF-protected like every POST (Open edX's ``Logger`` sends the
``X-CSRFToken`` header).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from kampus.events.emit import course_id_from_url, emit

MAX_EVENT_TYPE_CHARS = 255
MAX_EVENT_BYTES = 64 * 1024
MAX_PAGE_CHARS = 4096

bp = Blueprint("events", __name__)


def _error(message: str, field: str) -> Response:
    response = jsonify({"error": {"status": 400, "message": message, "field": field}})
    response.status_code = 400
    return response


@bp.post("/event")
def browser_event() -> Response:
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
