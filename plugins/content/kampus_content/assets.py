"""Course assets (the ``static/`` files of a course) at ``/assets/<course_id>/<path>``.

Assets are public, as in Open edX, unless ``policies/assets.json`` marks them
``locked``: then only users who may view the course get them. A lock in the draft
holds for the published file at once (an author locks a file to hide it now). Uploaded files
are hostile until proven otherwise: each is served with its stored content
type, ``nosniff``, a sandboxing Content-Security-Policy, and as an attachment
when a browser would run it as a page (HTML, SVG, XML).

One exception, for JS Input problems (an author's page in an iframe of the problem): an HTML page
loaded *as a frame* (``Sec-Fetch-Dest: iframe``/``frame``, or ``?frame=1`` that the JS Input renderer
adds for browsers without fetch metadata) is served inline and may run scripts, but in a sandbox
without ``allow-same-origin``: it gets an opaque origin, so it reaches neither the site's cookies nor
its pages' DOM, and talks to the problem only through ``postMessage``. ``X-Frame-Options: SAMEORIGIN``
keeps other sites from framing it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, request, send_file
from flask_login import current_user
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from werkzeug.wrappers import Response

from kampus import current_kampus
from kampus.identity.permissions import has_permission
from kampus_content.asset_index import find_asset
from kampus_content.store import DRAFT, PUBLISHED, ContentStoreError, content_store

bp = Blueprint("content_assets", __name__)

#: Types a browser renders as a document (and could run scripts in): sent as downloads when opened directly.
ACTIVE_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")
#: Active types that may be shown (sandboxed, scripts allowed) when the browser loads them as a frame.
FRAME_TYPES = ("text/html", "application/xhtml+xml")
ASSET_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"
FRAME_CSP = "sandbox allow-scripts allow-forms; default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:"


def _loaded_as_frame() -> bool:
    """Whether the browser loads this response into an (i)frame (fetch metadata, else ``?frame=1``)."""
    dest = request.headers.get("Sec-Fetch-Dest", "").lower()
    if dest:
        return dest in ("iframe", "frame")
    return request.args.get("frame") == "1"


def _locked_in_draft(course_id: str, path: str) -> bool:
    """Whether the draft locks the file: locking takes effect at once, as in Open edX, not at the next
    publish (unlocking waits for the publish: the safe side)."""
    draft = content_store().get_branch(course_id, DRAFT)
    asset = find_asset(draft, path) if draft is not None else None
    return bool(asset and asset.locked)


@bp.get("/assets/<course_id>/<path:path>")
def course_asset(course_id: str, path: str) -> Any:
    try:
        CourseKey.from_string(course_id)
    except InvalidKeyError:
        abort(404)
    author = request.args.get("branch") == DRAFT and has_permission(current_user, "course.edit_content", course_id)
    try:
        structure = content_store().get_branch(course_id, DRAFT if author else PUBLISHED)
    except ContentStoreError:
        abort(404)
    if structure is None:
        abort(404)
    # By the exact path, else by Open edX's asset name ("Brain green.png" is "Brain_green.png").
    asset = find_asset(structure, path)
    if asset is None:
        abort(404, "No such file in this course.")
    locked = asset.locked or (not author and _locked_in_draft(course_id, path))
    if locked and not has_permission(current_user, "course.view", course_id):
        abort(403, "This file is only for learners of the course.")
    content_type = asset.content_type
    framed = content_type in FRAME_TYPES and _loaded_as_frame()
    blobs = current_kampus().blob_store
    response: Response = send_file(blobs.open(asset.blob_key), mimetype=content_type,
                                   as_attachment=content_type in ACTIVE_TYPES and not framed,
                                   download_name=asset.path.rsplit("/", 1)[-1], max_age=3600, conditional=False)
    # Byte ranges (a video player seeks with them) and revalidation: the blob key is the content's hash.
    response.set_etag(asset.blob_key.rsplit("/", 1)[-1])
    response.make_conditional(request.environ, accept_ranges=True, complete_length=blobs.info(asset.blob_key).size)
    if locked or author:
        # Only for some users: no shared cache (proxy, CDN) may keep it for others.
        response.cache_control.public = False
        response.cache_control.private = True
    # An asset opened as a page may not run scripts or reach the site as the user; a page in a frame
    # (JS Input) may run scripts, but only with an opaque origin (no allow-same-origin).
    response.headers["Content-Security-Policy"] = FRAME_CSP if framed else ASSET_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    # The same URL answers differently for a frame and a direct load: caches must keep them apart.
    response.vary.update(("Sec-Fetch-Dest",))
    return response
