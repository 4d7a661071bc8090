"""Profile images (Open edX's ``profile_images`` app and ``image_helpers``).

An upload is checked by what it holds, not by its name: its size within ``profile_image_min_bytes`` and
``profile_image_max_bytes`` (Open edX's ``PROFILE_IMAGE_MIN_BYTES``/``MAX_BYTES``), then Pillow must read it
as a JPEG, PNG or GIF; a declared content type or a known image extension that says otherwise is refused
with Open edX's messages. The image is turned upright (its EXIF orientation), flattened on white, cropped
to the centred square and scaled to Open edX's sizes (:data:`SIZES`); each size is written as a JPEG
without any metadata (EXIF, GPS, ICC: nothing of the original file is kept) to the site's blob store as
``profile-images/<name>_<size>.jpg``. ``<name>`` is random (unguessable) and new for every upload: files are
never overwritten, so every upload has new URLs (the media route lets browsers cache a file for a week), and
the previous image's files are deleted only once the profile names the new ones (:func:`delete_files` after
the commit), so a concurrent removal or upload never leaves the profile naming files that are gone.
``profile_image_uploaded_at`` still gives the URLs Open edX's ``?v=``.

:func:`image_json` is Open edX's ``profile_image`` object of the account API: the stored image's URLs
(the blob store's own URL when it has one, as signed S3 URLs, else ``/media/profile-images/<file>``
served by :mod:`kampus.identity.profile_image_views`), or the site's default images when there is none.
"""

from __future__ import annotations

import io
import logging
import posixpath
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from kampus import db
from kampus.current import current_kampus
from kampus.identity.models import User
from kampus.identity.profiles import UserProfile, profile_row, profiles_of
from kampus.urls import absolute_url

#: Open edX's ``PROFILE_IMAGE_SIZES_MAP``: the image's sizes (square, in pixels) by their name in the API.
SIZES: dict[str, int] = {"full": 500, "large": 120, "medium": 50, "small": 30}
#: Where the images are in the blob store, and the path that serves them (Open edX's media URL).
BLOB_PREFIX = "profile-images"
MEDIA_PATH = "/media/profile-images/"
#: The default images (kernel static files) by size.
DEFAULT_IMAGE = "images/profiles/default_{size}.png"
#: The largest image (in pixels, after a JPEG's reduced decoding) that is decoded: a small file can hold a
#: huge picture (a PNG under 1 MB can decode to hundreds of MB), and decoding one takes memory in proportion.
MAX_PIXELS = 16_000_000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImageType:
    extensions: tuple[str, ...]
    mimetypes: tuple[str, ...]


#: Open edX's ``IMAGE_TYPES``, by Pillow's format names.
IMAGE_TYPES: dict[str, ImageType] = {
    "JPEG": ImageType((".jpeg", ".jpg"), ("image/jpeg", "image/pjpeg")),
    "PNG": ImageType((".png",), ("image/png",)),
    "GIF": ImageType((".gif",), ("image/gif",)),
}
#: The content types an upload may declare (Open edX's ``upload_media_types``).
UPLOAD_MEDIA_TYPES = frozenset(kind for image_type in IMAGE_TYPES.values() for kind in image_type.mimetypes)
_KNOWN_EXTENSIONS = frozenset(ext for image_type in IMAGE_TYPES.values() for ext in image_type.extensions)
#: A declared type that says nothing about the file (a client that does not know it).
_UNDECLARED = ("", "application/octet-stream")


class ImageValidationError(ValueError):
    """An upload that cannot be a profile image: Open edX's 400 body ``developer_message``/``user_message``."""

    def __init__(self, developer_message: str, user_message: str):
        super().__init__(developer_message)
        self.developer_message = developer_message
        self.user_message = user_message

    def body(self) -> dict[str, str]:
        return {"developer_message": self.developer_message, "user_message": self.user_message}


@dataclass(frozen=True)
class Upload:
    """An uploaded file: its bytes (at most the limit plus one), its name and its declared content type."""

    data: bytes
    filename: str = ""
    content_type: str | None = None


def friendly_size(size: int, translate: bool = True) -> str:
    """Open edX's ``_user_friendly_size``: whole bytes, KB or MB."""
    units = [_("bytes"), _("KB"), _("MB")] if translate else ["bytes", "KB", "MB"]
    index = 0
    while size >= 1024 and index < len(units) - 1:
        size //= 1024
        index += 1
    return f"{size} {units[index]}"


def _valid_types() -> str:
    return ", ".join(ext for image_type in IMAGE_TYPES.values() for ext in image_type.extensions)


def _too_large(limit: int) -> ImageValidationError:
    return ImageValidationError(f"The file must be smaller than {friendly_size(limit, False)} in size.",
                                _("The file must be smaller than %(size)s in size.",
                                  size=friendly_size(limit, True)))


def _too_small(limit: int) -> ImageValidationError:
    return ImageValidationError(f"The file must be at least {friendly_size(limit, False)} in size.",
                                _("The file must be at least %(size)s in size.", size=friendly_size(limit, True)))


def _bad_type() -> ImageValidationError:
    return ImageValidationError(f"The file must be one of the following types: {_valid_types()}.",
                                _("The file must be one of the following types: %(types)s.", types=_valid_types()))


def _bad_content_type() -> ImageValidationError:
    return ImageValidationError(
        "The Content-Type header for this file does not match the file data. The file may be corrupted.",
        _("The Content-Type header for this file does not match the file data. The file may be corrupted."))


def _bad_extension() -> ImageValidationError:
    return ImageValidationError(
        "The file name extension for this file does not match the file data. The file may be corrupted.",
        _("The file name extension for this file does not match the file data. The file may be corrupted."))


def _too_many_pixels() -> ImageValidationError:
    megapixels = MAX_PIXELS // 1_000_000
    return ImageValidationError(f"The image must be at most {megapixels} megapixels.",
                                _("The image must be at most %(count)s megapixels.", count=megapixels))


def _unreadable() -> ImageValidationError:
    return ImageValidationError("The image data cannot be read. The file may be corrupted.",
                                _("The image data cannot be read. The file may be corrupted."))


def no_file() -> ImageValidationError:
    """Open edX's answer to an upload without a ``file``."""
    return ImageValidationError("No file provided for profile image", _("No file provided for profile image"))


def open_image(upload: Upload, max_bytes: int, min_bytes: int) -> Image.Image:
    """The upload opened by Pillow (not decoded yet), or :class:`ImageValidationError`: Open edX's checks,
    in its order, with the type read from the data."""
    if len(upload.data) > max_bytes:
        raise _too_large(max_bytes)
    if len(upload.data) < min_bytes:
        raise _too_small(min_bytes)
    try:
        image = Image.open(io.BytesIO(upload.data), formats=list(IMAGE_TYPES))
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _bad_type() from None
    image_type = IMAGE_TYPES[str(image.format)]
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    if declared not in _UNDECLARED and declared not in image_type.mimetypes:
        raise _bad_content_type()
    extension = posixpath.splitext(upload.filename.replace("\\", "/").lower())[1]
    if extension in _KNOWN_EXTENSIONS and extension not in image_type.extensions:
        raise _bad_extension()
    if image.format == "JPEG":
        # Decode at the smallest scale (1/2 .. 1/8) that still covers the largest size: less memory and time.
        image.draft("RGB", (SIZES["full"], SIZES["full"]))
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    return image


def _square_rgb(image: Image.Image) -> Image.Image:
    """The picture upright, without transparency (on white), cropped to its centred square (as Open edX)."""
    try:
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _unreadable() from None
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
    else:
        flat = upright.convert("RGB")
    width, height = flat.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    return flat.crop((left, top, left + side, top + side))


def render_sizes(image: Image.Image) -> dict[int, bytes]:
    """The JPEG files of every size (:data:`SIZES`), largest first; none carries metadata."""
    square = _square_rgb(image)
    files: dict[int, bytes] = {}
    source = square
    for size in sorted(SIZES.values(), reverse=True):
        # Each size from the next larger one: the same look as from the original, for less work.
        source = source.resize((size, size), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        source.save(out, format="JPEG", quality=90, optimize=True)
        files[size] = out.getvalue()
    return files


def file_name(name: str, size: int) -> str:
    """Open edX's ``_get_profile_image_filename``."""
    return f"{name}_{size}.jpg"


def blob_key(filename: str) -> str:
    return f"{BLOB_PREFIX}/{filename}"


def save(db_session: Session, user_id: int, upload: Upload, *, now: datetime | None = None) -> str:
    """Check the upload, store its sizes under a new name and record it on the profile (in the caller's
    transaction; the caller commits). Returns the previous image's name, whose files the caller deletes with
    :func:`delete_files` once that is committed (empty when there was none). :class:`ImageValidationError`
    when it cannot be a profile image; nothing is written."""
    settings = current_kampus().settings
    image = open_image(upload, int(settings.profile_image_max_bytes), int(settings.profile_image_min_bytes))
    files = render_sizes(image)
    name = secrets.token_hex(16)
    blobs = current_kampus().blob_store
    written: list[str] = []
    try:
        for size, data in files.items():
            key = blob_key(file_name(name, size))
            blobs.put(key, data, "image/jpeg")
            written.append(key)
    except BaseException:
        for key in written:
            blobs.delete(key)
        raise
    profile = profile_row(db_session, user_id)
    if profile in db_session and profile not in db_session.new:
        # Two uploads at once: the second waits, then replaces (and deletes) the first one's files.
        db_session.refresh(profile, with_for_update=True)
    previous = profile.profile_image_name or ""
    profile.profile_image_name = name
    profile.profile_image_uploaded_at = now or db.utcnow()
    db_session.flush()
    return previous


def clear(db_session: Session, user_id: int) -> str:
    """Record that the user has no image (in the caller's transaction); the name of the files to delete
    with :func:`delete_files` once that is committed (empty when there were none)."""
    profile = db_session.get(UserProfile, user_id)
    if profile is None:
        return ""
    name = profile.profile_image_name
    profile.profile_image_name = ""
    profile.profile_image_uploaded_at = None
    db_session.flush()
    return name


def delete_files(name: str) -> None:
    """Remove the stored sizes of the image ``name`` (see :func:`clear` and :func:`save`), after the commit
    that stopped naming it. A file that cannot be deleted is logged and left (an orphan file is harmless;
    the profile already names another image or none)."""
    if not name:
        return
    blobs = current_kampus().blob_store
    for size in SIZES.values():
        key = blob_key(file_name(name, size))
        try:
            blobs.delete(key)
        except Exception:
            log.exception("profile images: the old file %s could not be deleted", key)


def _stored_url(name: str, size: int, version: int) -> str:
    key = blob_key(file_name(name, size))
    url = current_kampus().blob_store.url(key) or absolute_url(MEDIA_PATH + file_name(name, size))
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}v={version}"


def _default_url(size: int) -> str:
    return absolute_url(url_for("kampus_static", filename=DEFAULT_IMAGE.format(size=size)))


def has_image(profile: UserProfile | None) -> bool:
    """Open edX's ``UserProfile.has_profile_image``."""
    return bool(profile is not None and profile.profile_image_uploaded_at is not None and profile.profile_image_name)


def image_json(profile: UserProfile | None) -> dict[str, Any]:
    """Open edX's ``profile_image`` object: ``has_image`` and the absolute URL of each size (the default
    images without one)."""
    if profile is not None and has_image(profile):
        assert profile.profile_image_uploaded_at is not None
        version = int(profile.profile_image_uploaded_at.timestamp())
        urls = {label: _stored_url(profile.profile_image_name, size, version) for label, size in SIZES.items()}
    else:
        urls = {label: _default_url(size) for label, size in SIZES.items()}
    return {"has_image": has_image(profile), **{f"image_url_{label}": url for label, url in urls.items()}}


def image_of_user(user_id: int) -> dict[str, Any]:
    """The ``profile_image`` object of one user."""
    return image_json(profiles_of([user_id]).get(user_id))


def images_by_username(usernames: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The ``profile_image`` objects of the accounts named ``usernames`` that exist (one query)."""
    names = sorted(set(usernames))
    if not names:
        return {}
    rows = db.session().execute(
        sa.select(User.username, UserProfile)
        .outerjoin(UserProfile, UserProfile.user_id == User.id)
        .where(User.username.in_(names))).all()
    return {row.username: image_json(row.UserProfile) for row in rows}

