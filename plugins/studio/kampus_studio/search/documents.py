"""What Studio puts in its search index: one document per block of a course's draft.

The index is ``studio_content`` (:data:`STUDIO_INDEX`, Open edX's Studio index name), with the fields of
Open edX's Studio content search (``openedx/core/djangoapps/content/search/documents.py``,
``searchable_doc_for_course_block``) that Kampus has:

* ``id`` and ``usage_key``: the block's usage id; ``type``: ``course_block``; ``block_id``, ``block_type``;
* ``context_key``: the course id; ``org``;
* ``breadcrumbs``: ``[{"display_name": <course>}, {"display_name", "usage_key"} of each section, subsection
  and unit above the block]``;
* ``problem_types``: a problem's response types (``multiplechoiceresponse``, ``numericalresponse``, ...);
* ``content``: the searched text. ``display_name``, then a text block's ``html_content``, a problem's
  ``capa_content`` (all its text, answers and hints included: authors search their own content), a
  video's transcripts as ``transcript_<lang>``, other blocks' text fields as ``text``.

Kampus's own fields: ``unit`` and ``section``, the usage ids of the unit and the section the block is in (or
is), so a result links to the page that edits it.

Open edX also indexes tags and collections; Kampus has neither, so its documents have no ``tags``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from kampus_content.api import DEFAULT_DISPLAY_NAMES, Block, BlockKey, Structure, plain_text, transcript_texts
from opaque_keys.edx.keys import CourseKey

log = logging.getLogger(__name__)

STUDIO_INDEX = "studio_content"
#: The document ``type`` of a course's block (Open edX's ``DocType.course_block``).
COURSE_BLOCK = "course_block"
SECTION, SUBSECTION, UNIT = "chapter", "sequential", "vertical"
#: Fields of a block read as text, besides a text block's and a problem's ``data``.
TEXT_FIELDS = ("data", "question", "body", "prompt", "description", "text")
_RESPONSE_TAG = re.compile(r"<\s*([a-z]+response)\b")


def display_name(block: Block) -> str:
    """The block's display name, or Studio's default name of its type."""
    name = block.fields.get("display_name")
    return name if isinstance(name, str) and name else DEFAULT_DISPLAY_NAMES.get(block.type, block.type)


def problem_types(block: Block) -> list[str]:
    """The response types of a problem (``<multiplechoiceresponse>`` ...), sorted, each once."""
    data = block.fields.get("data")
    if block.type != "problem" or not isinstance(data, str):
        return []
    return sorted(set(_RESPONSE_TAG.findall(data)))


def _content(structure: Structure, block: Block) -> dict[str, Any]:
    content: dict[str, Any] = {"display_name": display_name(block)}
    if block.type == "html":
        content["html_content"] = plain_text(str(block.fields.get("data") or ""))
    elif block.type == "problem":
        content["capa_content"] = plain_text(str(block.fields.get("data") or ""))
    elif block.type == "video":
        try:
            texts = transcript_texts(structure, block.key)
        except Exception:  # a broken transcript must not stop the course's indexing
            log.warning("could not read the transcripts of %s in %s", block.key, structure.course_key, exc_info=True)
            texts = {}
        content.update({f"transcript_{lang}": text for lang, text in texts.items()})
    else:
        text = " ".join(plain_text(value) for name in TEXT_FIELDS
                        if isinstance(value := block.fields.get(name), str) and value.strip())
        if text:
            content["text"] = text
    return content


def studio_documents(course_id: str, structure: Structure) -> list[dict[str, Any]]:
    """A ``studio_content`` document per block of ``structure`` (a draft) under its root, the root left out."""
    course_key = CourseKey.from_string(course_id)
    root = structure.get(structure.root)
    if root is None:
        return []
    course_crumb = {"display_name": display_name(root)}
    documents: list[dict[str, Any]] = []
    # (block key, breadcrumbs above it, the unit and the section it is in)
    stack: list[tuple[BlockKey, list[dict[str, str]], str | None, str | None]] = [
        (child, [course_crumb], None, None) for child in reversed(root.children)]
    seen: set[BlockKey] = {structure.root}
    while stack:
        key, crumbs, unit, section = stack.pop()
        block = structure.blocks.get(key)
        if block is None or key in seen:
            continue
        seen.add(key)
        usage_id = str(course_key.make_usage_key(block.type, block.id))
        if block.type == UNIT:
            unit = usage_id
        if block.type == SECTION:
            section = usage_id
        documents.append({
            "id": usage_id,
            "usage_key": usage_id,
            "type": COURSE_BLOCK,
            "block_id": block.id,
            "block_type": block.type,
            "context_key": course_id,
            "org": course_key.org,
            "breadcrumbs": crumbs,
            "unit": unit,
            "section": section,
            "problem_types": problem_types(block),
            "content": _content(structure, block),
        })
        below = [*crumbs, {"display_name": display_name(block), "usage_key": usage_id}]
        stack.extend((child, below, unit, section) for child in reversed(block.children))
    return documents


__all__ = ["COURSE_BLOCK", "STUDIO_INDEX", "display_name", "problem_types", "studio_documents"]
