"""A video component's transcripts, uploaded in Studio's video editor (Open edX's "Add a transcript").

The author picks a language and an ``.srt`` or ``.sjson`` file (Open edX's two transcript formats). The
file is checked as every Studio upload is (name, the ``studio_max_upload_mb`` limit: 413, programs
refused), then read: text in UTF-8 that parses as its format with at least one caption, else a 400 that
says what is wrong and nothing is written. It is stored as the course file ``<video id>-<language>.<ext>``
(Open edX names them ``<edx_video_id>-<language>.srt``) and named in the video's ``transcripts`` field
(language code to file name), in one draft version: the LMS player's ``transcript`` handler serves it.
"""

from __future__ import annotations

import re
from typing import IO, Any

from flask_babel import gettext as _
from kampus_content.api import TranscriptError, add_video_transcript, parse_transcript

from kampus_studio.files.service import UploadRefused, check_upload
from kampus_studio.unit.service import (
    UnitError,
    base_version,
    component_of,
    draft_of,
    expected_version_of,
    field_error,
    run_edit,
)

#: The transcript formats an author may upload (by file extension).
EXTENSIONS = ("srt", "sjson")
#: A language code as Open edX's transcripts use them (``en``, ``pt-br``, ``zh_HANS``).
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def _refuse(message: str, field: str = "file", status: int = 400) -> UnitError:
    return UnitError(status, message, field_errors={field: field_error(message)})


def upload_transcript(course_id: str, key: Any, language: str, filename: str | None, stream: IO[bytes], *,
                      user_id: int | None, version: str | None) -> dict[str, Any]:
    """Check and store the transcript ``filename`` for the video component ``key`` in ``language``; returns
    ``{"language", "filename", "transcripts", "captions", "version"}``. Raises :class:`UnitError`."""
    draft = draft_of(course_id)
    _component, unit = component_of(draft, key)
    if key[0] != "video":
        raise UnitError(400, _("Only a video component has transcripts."))
    language = (language or "").strip()
    if not LANGUAGE.match(language):
        raise _refuse(_("Choose the transcript's language (a language code such as en or pt-br)."), "language")
    try:
        name, _size = check_upload(filename, stream)
    except UploadRefused as refused:
        raise _refuse(refused.message, status=refused.status) from None
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EXTENSIONS:
        raise _refuse(_("A transcript is an .srt or .sjson file; %(name)s is not.", name=name))
    data = stream.read()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_("%(name)s is not text in UTF-8: save the transcript as UTF-8 and upload it again.",
                        name=name)) from None
    try:
        cues = parse_transcript(name.lower(), text)
    except TranscriptError as exc:
        raise _refuse(_("There is a problem with this transcript file: %(problem)s", problem=str(exc))) from None
    if not cues:
        raise _refuse(_("There is a problem with this transcript file: no captions were found in %(name)s (an "
                        "SRT file has numbered blocks of a time range and text).", name=name))
    stored = f"{key[1]}-{language}.{extension}"
    base = base_version(course_id, version, [unit])
    run_edit(lambda: add_video_transcript(course_id, key, language, stored, data, user_id=user_id,
                                          expected_version=expected_version_of(base, version)))
    now = draft_of(course_id)
    transcripts = now.blocks[key].fields.get("transcripts") or {}
    return {"language": language, "filename": stored, "transcripts": transcripts, "captions": len(cues),
            "version": now.version}
