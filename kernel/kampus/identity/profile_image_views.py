"""The profile images' files at ``/media/profile-images/<name>_<size>.jpg`` (Open edX's media URL).

Served from the blob store to anyone with the link, as Open edX's storage serves them (the names are
random, see :mod:`kampus.identity.profile_images`); a blob store with its own URLs (S3) is linked to
directly and this path is not used. The URLs carry ``?v=`` of the upload, so the files may be cached;
a revalidation answers 304 by the file's ETag. The files are JPEGs Kampus wrote; they are still sent
with ``nosniff`` and a sandboxing Content-Security-Policy, like every stored upload.
"""

from __future__ import annotations

import re

from flask import abort, request, send_file
from werkzeug.wrappers import Response

from kampus.current import current_kampus
from kampus.drivers.blob_store import BlobNotFoundError
from kampus.identity import profile_images
from kampus.identity.views import bp

#: ``<32 hex digits>_<size>.jpg`` for Open edX's sizes only.
_FILE = re.compile(r"^[0-9a-f]{32}_(\d{1,3})\.jpg$")
#: A week: a new image has a new ``?v=``, and after that a browser asks again (304 when unchanged).
CACHE_SECONDS = 7 * 24 * 3600
IMAGE_CSP = "default-src 'none'; sandbox"


@bp.get(profile_images.MEDIA_PATH + "<filename>", endpoint="profile_image_file")
def profile_image_file(filename: str) -> Response:
    """One size of a profile image (404 when there is none by that name)."""
    match = _FILE.match(filename)
    if match is None or int(match.group(1)) not in profile_images.SIZES.values():
        abort(404)
    key = profile_images.blob_key(filename)
    blobs = current_kampus().blob_store
    try:
        info = blobs.info(key)
        stream = blobs.open(key)
    except BlobNotFoundError:
        abort(404)
    response: Response = send_file(stream, mimetype="image/jpeg", max_age=CACHE_SECONDS, conditional=False)
    response.set_etag(f"{filename}-{info.size}-{int(info.modified.timestamp() * 1000)}")
    response.make_conditional(request.environ, complete_length=info.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = IMAGE_CSP
    return response
