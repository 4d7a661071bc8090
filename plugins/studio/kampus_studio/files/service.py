"""Course files for Studio's "Files & uploads" page and its REST API (Open edX's ``assets_handler``).

Everything goes through :mod:`kampus_content.api`: a course's files are the ``static/`` files of its
draft (each change is one new draft version, live for learners once the course is published);
their bytes are in the blob store. This module adds what Studio needs on top:

* rows with Open edX's asset fields (``display_name``, ``content_type``, ``date_added``, ``url``,
  ``portable_url``, ``thumbnail``, ``locked``, ``id``) plus the size, read from the blob store
  (cached per blob: blob keys are content hashes, so a blob's size never changes);
* search by name, filter by Open edX's type groups, sort, pages;
* upload checks, every file checked before any is stored: the size limit
  (``studio_max_upload_mb``, Open edX's ``MAX_ASSET_UPLOAD_FILE_SIZE_IN_MB``), names, a deny list
  of executable extensions (``studio_upload_denied_extensions``), executables by their first bytes
  whatever their name, and SVG images that carry scripts. Files are served by the content plugin
  with their type, ``nosniff`` and a sandboxing policy (see ``kampus_content.assets``).
"""

from __future__ import annotations

import posixpath
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import quote

from flask import current_app
from flask_babel import gettext as _
from kampus_content.api import (
    DRAFT,
    Asset,
    AssetNotFound,
    add_assets,
    asset_url,
    delete_asset,
    find_asset,
    get_structure,
    list_assets,
    safe_xml_parser,
    set_asset_locked,
)
from lxml import etree
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import AssetKey, CourseKey

from kampus import current_kampus
from kampus.drivers.blob_store import BlobInfo, BlobNotFoundError

MIB = 1024 * 1024
#: Open edX's ``MAX_ASSET_UPLOAD_FILE_SIZE_IN_MB``.
DEFAULT_MAX_UPLOAD_MB = 20
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
#: Extensions of programs and scripts a computer runs when opened: never course material.
DEFAULT_DENIED_EXTENSIONS = (
    "exe", "msi", "msp", "com", "scr", "pif", "bat", "cmd", "cpl", "dll", "sys", "vbs", "vbe", "jse", "wsf",
    "wsh", "ps1", "psm1", "hta", "lnk", "reg", "inf", "sh", "bash", "csh", "ksh", "command", "app", "apk",
    "dmg", "pkg", "deb", "rpm", "jar", "elf", "bin", "run", "msc", "gadget", "application", "appx",
)
#: First bytes of executables (Windows PE, ELF, Mach-O, scripts with an interpreter line).
EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe",
                         b"\xcf\xfa\xed\xfe", b"#!")
_SNIFF_BYTES = 4096

#: Open edX's ``FILES_AND_UPLOAD_TYPE_FILTERS`` groups (by content type), in the page's order.
TYPE_GROUPS: dict[str, tuple[str, ...]] = {
    "Images": ("image/",),
    "Documents": (
        "application/pdf", "text/plain", "text/csv", "application/msword", "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.",
        "application/vnd.oasis.opendocument.", "application/rtf", "text/rtf", "application/epub+zip",
    ),
    "Audio": ("audio/",),
    "Video": ("video/",),
    "Code": ("text/html", "text/css", "text/javascript", "application/javascript", "application/json",
             "text/x-python", "application/xml", "text/xml", "application/xhtml+xml"),
}
OTHER = "OTHER"
SORT_KEYS = ("display_name", "date_added", "content_type", "size")
_INFO_CACHE = "kampus_studio.files.blob_info"
_INFO_CACHE_SIZE = 50_000


class UploadRefused(ValueError):
    """An upload that is not stored; ``status`` is 400 (bad file) or 413 (too large)."""

    def __init__(self, message: str, *, filename: str = "", status: int = 400):
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.status = status


@dataclass(frozen=True)
class FileRow:
    """One course file as Studio shows it (Open edX's asset JSON, plus the size)."""

    id: str  #: Open edX's asset key, ``asset-v1:Org+Num+Run+type@asset+block@<name>``
    name: str  #: the asset name (the file's path under ``static/``, normalised as Open edX does)
    display_name: str
    path: str
    content_type: str
    type_group: str
    size: int
    date_added: datetime | None
    locked: bool
    url: str  #: Open edX's Studio URL of the file (``/asset-v1:...``)
    portable_url: str  #: what authors write in HTML: ``/static/<name>``
    download_url: str  #: the draft's file, for authors (``/assets/<course>/<path>?branch=draft``)
    thumbnail: str | None

    def to_json(self) -> dict[str, Any]:
        """Open edX's asset JSON (``_get_asset_json``) with ``size`` and ``name`` added."""
        return {
            "id": self.id, "display_name": self.display_name, "content_type": self.content_type,
            "date_added": self.date_added.isoformat() if self.date_added else None, "url": self.url,
            "external_url": self.download_url, "portable_url": self.portable_url, "thumbnail": self.thumbnail,
            "locked": self.locked, "size": self.size, "name": self.name, "type_group": self.type_group,
        }


@dataclass(frozen=True)
class FilePage:
    """One page of a course's files."""

    rows: list[FileRow]
    total: int
    page: int  #: 0 first, as Open edX counts
    page_size: int
    search: str
    asset_type: str
    sort: str
    direction: str

    @property
    def start(self) -> int:
        return self.page * self.page_size

    @property
    def end(self) -> int:
        return self.start + len(self.rows)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


# -- settings ------------------------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    """The largest file an author may upload, in bytes (``studio_max_upload_mb``)."""
    return int(current_kampus().settings.studio_max_upload_mb) * MIB


def denied_extensions() -> frozenset[str]:
    """Extensions refused on upload (``studio_upload_denied_extensions``), lower case, without the dot."""
    listed = current_kampus().settings.studio_upload_denied_extensions
    return frozenset(ext.strip().lower().lstrip(".") for ext in listed if ext.strip())


# -- rows ----------------------------------------------------------------------------------------------------


def type_group(content_type: str) -> str:
    """Open edX's filter group of a content type (``Images``, ``Documents``, ... or ``OTHER``)."""
    for group, prefixes in TYPE_GROUPS.items():
        if any(content_type == prefix or (prefix.endswith(("/", ".")) and content_type.startswith(prefix))
               for prefix in prefixes):
            return group
    return OTHER


def _blob_info(key: str) -> BlobInfo | None:
    """The blob's info, cached for this app (content-addressed blobs never change)."""
    cache: dict[str, BlobInfo | None] = current_app.extensions.setdefault(_INFO_CACHE, {})
    if key in cache:
        return cache[key]
    try:
        info: BlobInfo | None = current_kampus().blob_store.info(key)
    except BlobNotFoundError:
        info = None
    if len(cache) >= _INFO_CACHE_SIZE:
        cache.clear()
    cache[key] = info
    return info


def asset_key(course_id: str, name: str) -> str:
    """Open edX's asset key of a file of the course."""
    return str(CourseKey.from_string(course_id).make_asset_key("asset", name))


def row_of(course_id: str, asset: Asset) -> FileRow:
    """Studio's row of one asset."""
    info = _blob_info(asset.blob_key)
    key = asset_key(course_id, asset.name)
    download = asset_url(course_id, quote(asset.path)) + "?branch=draft"
    thumbnail = download if asset.content_type.startswith("image/") else None
    return FileRow(
        id=key, name=asset.name, display_name=posixpath.basename(asset.path), path=asset.path,
        content_type=asset.content_type, type_group=type_group(asset.content_type),
        size=info.size if info else 0, date_added=info.modified.astimezone(UTC) if info else None,
        locked=asset.locked, url="/" + key, portable_url=f"/static/{asset.name}", download_url=download,
        thumbnail=thumbnail,
    )


def course_files(course_id: str) -> list[FileRow]:
    """Every file of the course's draft, by path. Raises ``CourseNotFound``."""
    return [row_of(course_id, asset) for asset in list_assets(course_id, DRAFT)]


def draft_version(course_id: str) -> str:
    """The version of the course's draft (what the page's edits expect)."""
    return get_structure(course_id, DRAFT).version


def page_of_files(rows: Sequence[FileRow], *, search: str = "", asset_type: str = "", sort: str = "date_added",
                  direction: str = "desc", page: int = 0, page_size: int = DEFAULT_PAGE_SIZE) -> FilePage:
    """Search (name contains, case-insensitive), filter (a type group, or several joined by ``,``),
    sort (:data:`SORT_KEYS`, ``asc``/``desc``) and cut a page (0 first; past the end: the last page)."""
    sort = sort if sort in SORT_KEYS else "date_added"
    direction = "asc" if direction == "asc" else "desc"
    page_size = min(max(int(page_size), 1), MAX_PAGE_SIZE)
    found = list(rows)
    needle = search.strip().lower()
    if needle:
        found = [row for row in found if needle in row.display_name.lower() or needle in row.name.lower()]
    groups = {group.strip() for group in asset_type.split(",") if group.strip()}
    if groups:
        found = [row for row in found if row.type_group in groups]

    def sort_key(row: FileRow) -> Any:
        if sort == "date_added":
            return (row.date_added or datetime.min.replace(tzinfo=UTC), row.display_name.lower())
        if sort == "size":
            return (row.size, row.display_name.lower())
        if sort == "content_type":
            return (row.content_type, row.display_name.lower())
        return (row.display_name.lower(), row.name)

    found.sort(key=sort_key, reverse=direction == "desc")
    last_page = max(0, -(-len(found) // page_size) - 1)
    page = min(max(int(page), 0), last_page)
    return FilePage(rows=found[page * page_size:(page + 1) * page_size], total=len(found), page=page,
                    page_size=page_size, search=search.strip(), asset_type=",".join(sorted(groups)), sort=sort,
                    direction=direction)


def find_file(course_id: str, name: str) -> FileRow | None:
    """The draft's file named ``name`` (asset name, path, or Open edX asset key), or ``None``."""
    path = path_of(course_id, name)
    if path is None:
        return None
    asset = find_asset(get_structure(course_id, DRAFT), path)
    return row_of(course_id, asset) if asset is not None else None


def path_of(course_id: str, name: str) -> str | None:
    """``name`` as a path under ``static/``: an asset key of this course gives its name; ``None`` for a
    key of another course or a malformed one."""
    if name.startswith("asset-v1:") or name.startswith("/asset-v1:"):
        try:
            key = AssetKey.from_string(name.lstrip("/"))
        except InvalidKeyError:
            return None
        if str(key.course_key) != str(CourseKey.from_string(course_id)):
            return None
        return str(key.path)
    return name


# -- checks --------------------------------------------------------------------------------------------------


def clean_filename(filename: str | None) -> str:
    """The name a browser sent, without any folder part; :class:`UploadRefused` when nothing is left."""
    name = posixpath.basename((filename or "").replace("\\", "/")).strip()
    if not name or name in (".", "..") or any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise UploadRefused(_("The file has no usable name."), filename=filename or "")
    if len(name.encode("utf-8")) > 255:
        raise UploadRefused(_("The file name is too long (at most 255 bytes)."), filename=name)
    return name


def stream_size(stream: IO[bytes]) -> int:
    """The size of a seekable upload stream (left at its start)."""
    start = stream.tell()
    stream.seek(0, 2)
    size = stream.tell() - start
    stream.seek(start)
    return size


def check_upload(filename: str | None, stream: IO[bytes]) -> tuple[str, int]:
    """Check one uploaded file; returns its clean name and size, or raises :class:`UploadRefused`."""
    name = clean_filename(filename)
    size = stream_size(stream)
    limit = max_upload_bytes()
    if size > limit:
        raise UploadRefused(_("File %(name)s exceeds maximum size of %(limit)s MB.", name=name, limit=limit // MIB),
                            filename=name, status=413)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension and extension in denied_extensions():
        raise UploadRefused(_("File %(name)s was not uploaded: files of type .%(extension)s (programs and scripts) "
                              "cannot be added to a course.", name=name, extension=extension), filename=name)
    start = stream.tell()
    head = stream.read(_SNIFF_BYTES)
    stream.seek(start)
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise UploadRefused(_("File %(name)s was not uploaded: it is a program, which cannot be added to a course.",
                              name=name), filename=name)
    if extension in ("svg", "svgz") or head.lstrip()[:4].lower() == b"<svg":
        whole = stream.read(limit + 1)  # an image: at most the size limit
        stream.seek(start)
        problem = svg_problem(whole, limit)
        if problem is not None:
            raise UploadRefused(_("File %(name)s was not uploaded: %(problem)s", name=name, problem=problem),
                                filename=name)
    return name, size


_SVG_SCRIPT_ELEMENTS = {"script", "foreignobject", "handler", "listener"}
_SVG_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_SPACE_AND_CONTROLS = re.compile(r"[\x00-\x20\x7f]+")


def _scripted(value: str) -> bool:
    """Whether text (entities already decoded by the parser) holds a script URL, however spaced or cased."""
    compact = _SPACE_AND_CONTROLS.sub("", value).lower()
    return "javascript:" in compact or "vbscript:" in compact


def svg_problem(data: bytes, limit: int) -> str | None:
    """Why an SVG image (``data``; gzip-compressed ``.svgz`` too) may not be a course file, or ``None``.

    The image is parsed (a safe parser: no entity declarations, DTD or network) after checking it is UTF-8;
    refused are script-like elements (``script``, ``foreignObject``, ``handler``), event-handler attributes
    (``on...``, also as an animation's ``attributeName``) and ``javascript:`` URLs in any attribute, text or
    processing instruction, whatever character references spell them."""
    refused = _("SVG images with scripts or event handlers cannot be added to a course.")
    if data[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = inflater.decompress(data, limit + 1)
        except zlib.error:
            return _("the compressed SVG image is damaged.")
        if len(data) > limit or inflater.unconsumed_tail:
            return _("the SVG image is too large once uncompressed.")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return _("SVG images must be encoded as UTF-8.")
    declared = _SVG_ENCODING.match(data)
    if declared and declared.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        return _("SVG images must be encoded as UTF-8.")
    if b"\x00" in data:
        return _("SVG images must be encoded as UTF-8.")
    if re.search(rb"<!ENTITY", data, re.IGNORECASE):
        return refused
    try:
        root = etree.fromstring(data, safe_xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return _("the SVG image is not well-formed XML.")
    nodes = [*root.itersiblings(preceding=True), *root.iter(), *root.itersiblings()]
    for node in nodes:
        if isinstance(node, etree._ProcessingInstruction):
            if _scripted(node.text or "") or _scripted(str(node.get("href") or "")):
                return refused
            continue
        if not isinstance(node.tag, str):
            continue
        if etree.QName(node).localname.lower() in _SVG_SCRIPT_ELEMENTS:
            return refused
        if _scripted(node.text or "") or _scripted(node.tail or ""):
            return refused
        for attribute, value in node.attrib.items():
            local = etree.QName(attribute).localname.lower()
            if local.startswith("on") or _scripted(value):
                return refused
            if local == "attributename" and _SPACE_AND_CONTROLS.sub("", value).lower().startswith("on"):
                return refused
    return None


# -- changes -------------------------------------------------------------------------------------------------


def upload_files(course_id: str, uploads: Sequence[tuple[str | None, IO[bytes]]], *, user_id: int | None,
                 locked: bool = False) -> list[FileRow]:
    """Check every file, then add them all as one draft version (streamed into the blob store); a
    refused file stores nothing (:class:`UploadRefused`). Raises ``CourseNotFound``."""
    if not uploads:
        raise UploadRefused(_("Choose one or more files to upload."))
    checked = [(check_upload(filename, stream)[0], stream) for filename, stream in uploads]
    try:
        added = add_assets(course_id, checked, user_id=user_id, locked=locked)
    except ValueError as error:  # a name the content plugin refuses
        raise UploadRefused(str(error)) from None
    return [row_of(course_id, asset) for asset in added]


def set_locked(course_id: str, name: str, locked: bool, *, user_id: int | None,
               expected_version: str | None = None) -> FileRow:
    """Lock (enrolled learners and staff only) or unlock a file. Raises ``AssetNotFound``, ``VersionConflict``."""
    path = path_of(course_id, name)
    if path is None:
        raise AssetNotFound(f"no asset {name!r} in {course_id}")
    # without an expected version, the content API applies it to the latest draft (retrying a lost race)
    asset = set_asset_locked(course_id, path, locked, user_id=user_id, expected_version=expected_version or None)
    return row_of(course_id, asset)


def remove_file(course_id: str, name: str, *, user_id: int | None, expected_version: str | None = None) -> None:
    """Delete a file from the draft. Raises ``AssetNotFound``, ``VersionConflict``."""
    path = path_of(course_id, name)
    if path is None:
        raise AssetNotFound(f"no asset {name!r} in {course_id}")
    delete_asset(course_id, path, user_id=user_id, expected_version=expected_version or None)


__all__ = [
    "DEFAULT_DENIED_EXTENSIONS",
    "DEFAULT_MAX_UPLOAD_MB",
    "FilePage",
    "FileRow",
    "TYPE_GROUPS",
    "UploadRefused",
    "check_upload",
    "course_files",
    "draft_version",
    "find_file",
    "max_upload_bytes",
    "page_of_files",
    "remove_file",
    "set_locked",
    "upload_files",
]
