"""What the LMS puts in the search index for a course: edx-search's two indexes.

* ``course_info`` (:data:`COURSE_INFO_INDEX`): one document per published course, the fields of
  edx-platform's ``CourseAboutSearchIndexer`` — ``id`` and ``course`` (the course id), ``org``,
  ``number``, ``run``, ``language``, ``modes``, ``catalog_visibility``, ``invitation_only``,
  ``start``/``end``/``enrollment_start``/``enrollment_end`` (ISO dates; missing when unset),
  ``image_url``, ``effort``, ``display_org``, and under ``content`` the text searched:
  ``display_name``, ``number``, ``org``, ``short_description``, ``overview`` (tags stripped),
  ``effort``, ``subtitle``, the staff names. Fields a plugin adds through
  ``kampus_search_documents`` (a document of type ``course_info``: its ``facets``) join them.
* ``courseware_content`` (:data:`COURSEWARE_INDEX`): one document per leaf block (html, problem,
  video, ...) of the published course, as edx-platform's ``CoursewareSearchIndexer``: ``id`` (the
  block's usage id), ``course``, ``org``, ``unit`` (the usage id of its unit), ``location`` (the
  section, subsection and unit names), ``content_type``, ``start_date`` (its effective release,
  inherited), ``beta_start_date`` (when beta testers get it: ``days_early_for_beta`` earlier; Kampus's
  own field), ``staff_only`` (``visible_to_staff_only`` on it or an ancestor), ``url`` (Open edX's
  ``jump_to``), and ``content``: ``display_name`` and ``text`` (tags stripped; a problem's
  solutions, hints and scripts left out, so a search never reveals answers); a video's ``content`` also
  holds the text of each of its transcripts as ``transcript_<lang>`` (Open edX's ``VideoBlock.index_dictionary``),
  so its words find the video. Plugins add
  documents of other types through ``kampus_search_documents`` (``id``, ``type``, ``title``,
  ``body``, optional ``url`` and ``facets``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from kampus_content.api import (
    ANSWER_ELEMENTS,
    CONTAINERS,
    Block,
    BlockKey,
    Structure,
    release_info,
    transcript_texts,
)
from kampus_content.api import plain_text as content_text
from opaque_keys.edx.keys import CourseKey

from kampus.current import current_kampus
from kampus.plugins import flatten
from kampus_lms.catalog.api import CourseOverview
from kampus_lms.courseware.api import jump_to_url
from kampus_lms.enrollment.api import course_modes

log = logging.getLogger(__name__)

COURSE_INFO_INDEX = "course_info"
COURSEWARE_INDEX = "courseware_content"
#: The document type a plugin gives to add fields to a course's ``course_info`` document.
COURSE_INFO_TYPE = "course_info"

#: Fields of a leaf block read as text (``data`` is the HTML of an html block, the XML of a problem).
TEXT_FIELDS = ("data", "question", "body", "prompt", "description", "text")
#: Content types shown to learners (Open edX's ``content_type`` names where it has one).
CONTENT_TYPES = {"html": "Text", "problem": "CAPA", "video": "Video", "discussion": "Discussion"}


def plain_text(markup: str) -> str:
    """The visible text of HTML or OLX ``markup`` a learner may see: tags, code and answers dropped."""
    return content_text(markup, ANSWER_ELEMENTS)


def _beta_start(release: Any, key: BlockKey) -> Any:
    """When beta testers get the block: its start, ``days_early_for_beta`` earlier (Open edX's rule)."""
    start = release.starts.get(key)
    days = release.beta_days.get(key)
    return start - timedelta(days=days) if start is not None and days else start


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def course_info_document(overview: CourseOverview, modes: Iterable[str],
                         extra_fields: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The ``course_info`` document of one published course."""
    document: dict[str, Any] = {
        "id": overview.id,
        "course": overview.id,
        "org": overview.org,
        "number": overview.number,
        "run": overview.run,
        "display_org": overview.display_org,
        "language": overview.language or None,
        "modes": sorted(set(modes)),
        "catalog_visibility": overview.catalog_visibility,
        "invitation_only": bool(overview.invitation_only),
        "self_paced": bool(overview.self_paced),
        "start": _iso(overview.start),
        "end": _iso(overview.end),
        "enrollment_start": _iso(overview.enrollment_start),
        "enrollment_end": _iso(overview.enrollment_end),
        "image_url": overview.course_image_url,
        "effort": overview.effort,
        "content": {
            "display_name": overview.display_name,
            "number": overview.display_number,
            "org": overview.display_org,
            "short_description": plain_text(overview.short_description),
            "overview": plain_text(overview.overview_html),
            "subtitle": getattr(overview, "subtitle", ""),
            "effort": overview.effort,
            "staff": [instructor.name for instructor in getattr(overview, "instructors", ())],
        },
    }
    for name, value in (extra_fields or {}).items():
        if name not in document:
            document[name] = value
    return document


def _usage_ids(course_id: str, structure: Structure) -> dict[BlockKey, str]:
    course_key = CourseKey.from_string(course_id)
    return {key: str(course_key.make_usage_key(key[0], key[1])) for key in structure.blocks}


def _name(block: Block) -> str:
    return str(block.fields.get("display_name") or "")


def _leaf_text(block: Block) -> str:
    parts = []
    for name in TEXT_FIELDS:
        value = block.fields.get(name)
        if isinstance(value, str) and value.strip():
            parts.append(plain_text(value))
    return " ".join(part for part in parts if part)


def _transcripts(structure: Structure, block: Block) -> dict[str, str]:
    """``{"transcript_<lang>": text}`` of a video block (nothing for other blocks; a broken video is logged
    and indexed without its transcripts rather than failing the course's indexing)."""
    if block.type != "video":
        return {}
    try:
        texts = transcript_texts(structure, block.key)
    except Exception:
        log.warning("could not read the transcripts of %s in %s", block.key, structure.course_key, exc_info=True)
        return {}
    return {f"transcript_{lang}": text for lang, text in texts.items()}


def courseware_documents(course_id: str, structure: Structure) -> list[dict[str, Any]]:
    """A ``courseware_content`` document per leaf block of the published ``structure``."""
    usage_ids = _usage_ids(course_id, structure)
    release = release_info(structure)
    org = CourseKey.from_string(course_id).org
    documents: list[dict[str, Any]] = []
    root = structure.blocks.get(structure.root)
    if root is None:
        return documents

    def visit(key: BlockKey, path: list[Block], unit: Block | None) -> None:
        block = structure.blocks.get(key)
        if block is None:
            return
        if block.type in CONTAINERS and block.children:
            here = unit if block.type != "vertical" else block
            for child in block.children:
                visit(child, [*path, block], here)
            return
        if block.type in CONTAINERS:
            return
        unit_block = unit or (path[-1] if path else block)
        staff_only, _hide = release.merged.get(key, (False, False))
        location = [_name(ancestor) for ancestor in path[1:]]  # the course's name left out
        documents.append({
            "id": usage_ids[key],
            "course": course_id,
            "org": org,
            "unit": usage_ids.get(unit_block.key, usage_ids[key]),
            "location": location,
            "content_type": CONTENT_TYPES.get(block.type, block.type),
            "start_date": _iso(release.starts.get(key)),
            "beta_start_date": _iso(_beta_start(release, key)),
            "staff_only": bool(staff_only),
            "url": jump_to_url(course_id, usage_ids[key]),
            "content": {"display_name": _name(block), "text": _leaf_text(block), **_transcripts(structure, block)},
        })

    for child in root.children:
        visit(child, [root], None)
    return documents


def plugin_documents(course_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """What plugins add through ``kampus_search_documents(course_id)``: their ``courseware_content``
    documents, and the fields they add to the course's ``course_info`` document."""
    kampus = current_kampus()
    extra_fields: dict[str, Any] = {}
    documents: list[dict[str, Any]] = []
    org = CourseKey.from_string(course_id).org
    for item in flatten(kampus.hook.kampus_search_documents(course_id=course_id)):
        if not isinstance(item, Mapping) or not item.get("id"):
            log.warning("a kampus_search_documents answer for %s has no id: %r", course_id, item)
            continue
        if item.get("type") == COURSE_INFO_TYPE:
            extra_fields.update(item.get("facets") or {})
            continue
        documents.append({
            **{str(name): value for name, value in (item.get("facets") or {}).items()},
            "id": str(item["id"]),
            "course": course_id,
            "org": org,
            "content_type": str(item.get("type") or "document"),
            "url": item.get("url") or "",
            "staff_only": bool(item.get("staff_only", False)),
            "content": {"display_name": str(item.get("title") or ""), "text": plain_text(str(item.get("body") or ""))},
        })
    return documents, extra_fields


def mode_slugs(course_id: str) -> list[str]:
    """The slugs of the modes the course offers now."""
    return [mode.slug for mode in course_modes(course_id)]


__all__ = [
    "COURSEWARE_INDEX",
    "COURSE_INFO_INDEX",
    "course_info_document",
    "courseware_documents",
    "mode_slugs",
    "plain_text",
    "plugin_documents",
]
