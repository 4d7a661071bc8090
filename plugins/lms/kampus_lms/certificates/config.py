"""A course's certificate configuration: one source of truth, the course's ``certificates`` field.

Open edX keeps the configuration in the course block's ``certificates`` setting
(``xmodule/course_block.py``), which Studio edits and OLX carries in ``policies/<run>/policy.json``::

    {"certificates": [{"id": 1, "name": "...", "description": "...", "course_title": "...",
                       "is_active": true, "version": 1,
                       "signatories": [{"id": 1, "name": "...", "title": "...", "organization": "...",
                                        "signature_image_path": "/static/signature.png"}]}]}

Kampus reads the same field from the course's **published** version (so imported Open edX courses
with certificates work as they are) and keeps no copy of it: the staff page
``/courses/<course_id>/certificates/settings`` writes the field back to the course (a draft edit,
published at once when the draft had nothing else unpublished), and Studio will edit the same field.
The parsed configuration is cached per published version.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from kampus_content.api import (
    DRAFT,
    PUBLISHED,
    Asset,
    ContentStoreError,
    Structure,
    app_version_cache,
    content_store,
    find_asset,
    get_structure,
    publish,
    update_fields,
)

#: Longest accepted text of a configuration field (titles, names), in characters.
MAX_TEXT = 255
#: Most signatories one certificate shows (Open edX's Studio allows four).
MAX_SIGNATORIES = 4


class ConfigError(ValueError):
    """A configuration that cannot be saved (the message says which field and why)."""


@dataclass(frozen=True)
class Signatory:
    """A person who signs the certificate."""

    name: str
    title: str = ""
    organization: str = ""
    #: The course file of the signature image (``/static/signature.png`` or an Open edX asset key), or "".
    signature_image_path: str = ""


@dataclass(frozen=True)
class CertificateConfig:
    """The active certificate configuration of a course (``None`` when it has none)."""

    course_id: str
    #: The configuration's own name (Studio's "Certificate name"), e.g. "Honor certificate".
    name: str
    description: str
    #: The course title printed on the certificate ("" means the course's display name).
    course_title: str
    is_active: bool
    signatories: tuple[Signatory, ...] = field(default_factory=tuple)
    #: The course's display name, org and number (what the certificate prints around the title).
    course_display_name: str = ""
    org: str = ""
    display_org: str = ""
    number: str = ""
    #: The published version the configuration was read from.
    version: str = ""

    @property
    def title(self) -> str:
        """The course title the certificate shows."""
        return self.course_title or self.course_display_name


def _text(value: Any) -> str:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def _parse(structure: Structure) -> CertificateConfig | None:
    fields = structure.blocks[structure.root].fields
    chosen = _active_entry(structure)
    if chosen is None:
        return None
    signatories = tuple(
        Signatory(name=_text(item.get("name")), title=_text(item.get("title")),
                  organization=_text(item.get("organization")),
                  signature_image_path=_text(item.get("signature_image_path")))
        for item in chosen.get("signatories") or [] if isinstance(item, dict) and _text(item.get("name"))
    )[:MAX_SIGNATORIES]
    display_name = fields.get("display_name")
    org, number = _org_and_number(structure.course_key)
    return CertificateConfig(
        course_id=structure.course_key,
        name=_text(chosen.get("name")),
        description=chosen.get("description") if isinstance(chosen.get("description"), str) else "",
        course_title=_text(chosen.get("course_title")),
        is_active=True,
        signatories=signatories,
        course_display_name=display_name if isinstance(display_name, str) and display_name else number,
        org=org,
        display_org=_text(fields.get("display_organization")) or org,
        number=_text(fields.get("display_coursenumber")) or number,
        version=structure.version,
    )


def _active_entry(structure: Structure) -> dict[str, Any] | None:
    raw = structure.blocks[structure.root].fields.get("certificates")
    entries = raw.get("certificates") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        return None
    return next((entry for entry in entries if isinstance(entry, dict) and entry.get("is_active")), None)


def config_signature(structure: Structure) -> str:
    """A hash of the course's active certificate configuration in ``structure`` ("" when none is active):
    two versions with equal signatures give learners the same certificates."""
    if _parse(structure) is None:
        return ""
    text = json.dumps(_active_entry(structure), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _org_and_number(course_id: str) -> tuple[str, str]:
    # course-v1:Org+Number+Run
    body = course_id.split(":", 1)[-1]
    parts = body.split("+")
    return (parts[0], parts[1]) if len(parts) >= 2 else (body, body)


def certificate_config(course_id: str) -> CertificateConfig | None:
    """The active certificate configuration of the published course, or ``None`` (no course, never
    published, no active configuration)."""
    try:
        structure = get_structure(course_id, PUBLISHED)
    except ContentStoreError:
        return None
    # kept as a 1-tuple: a course without a configuration is cached too
    return app_version_cache("lms_certificate_config").get_or_compute(
        structure.version, lambda: (_parse(structure),))[0]


def signature_asset(course_id: str, signatory: Signatory) -> Asset | None:
    """The course file holding the signatory's signature image (PNG or JPEG only), or ``None``."""
    path = signatory.signature_image_path
    if not path:
        return None
    if "block@" in path:  # an Open edX asset key: /asset-v1:Org+Num+Run+type@asset+block@sig.png
        path = path.rsplit("block@", 1)[1]
    elif path.startswith("/static/"):
        path = path[len("/static/"):]
    elif path.startswith("/c4x/"):  # the old asset location: /c4x/Org/Num/asset/sig.png
        path = path.rsplit("/", 1)[-1]
    try:
        structure = get_structure(course_id, PUBLISHED)
    except ContentStoreError:
        return None
    asset = find_asset(structure, path.lstrip("/"))
    if asset is None or asset.content_type not in ("image/png", "image/jpeg"):
        return None
    return asset


def raw_certificates_field(structure: Structure) -> dict[str, Any]:
    """The ``certificates`` field of the course in ``structure`` (an empty configuration list when unset)."""
    raw = structure.blocks[structure.root].fields.get("certificates")
    return copy.deepcopy(raw) if isinstance(raw, dict) else {"certificates": []}


def validate_config(name: str, description: str, course_title: str, is_active: bool,
                    signatories: list[dict[str, str]]) -> list[dict[str, str]]:
    """Check a configuration from the staff form; returns the signatories kept (empty rows dropped).

    Raises :class:`ConfigError` with a field name in ``args[1]``.
    """
    for label, value in (("name", name), ("course_title", course_title)):
        if len(value) > MAX_TEXT:
            raise ConfigError(f"{label} is longer than {MAX_TEXT} characters", label)
    if len(description) > 4 * MAX_TEXT:
        raise ConfigError(f"description is longer than {4 * MAX_TEXT} characters", "description")
    kept = []
    for index, item in enumerate(signatories):
        values = {key: (item.get(key) or "").strip() for key in ("name", "title", "organization",
                                                                 "signature_image_path")}
        if not any(values.values()):
            continue
        if not values["name"]:
            raise ConfigError(f"signatory {index + 1} needs a name", f"signatory-{index}-name")
        for key, value in values.items():
            if len(value) > MAX_TEXT:
                raise ConfigError(f"signatory {index + 1}: {key} is longer than {MAX_TEXT} characters",
                                  f"signatory-{index}-{key}")
        kept.append(values)
    if len(kept) > MAX_SIGNATORIES:
        raise ConfigError(f"at most {MAX_SIGNATORIES} signatories", "signatories")
    if is_active and not kept:
        raise ConfigError("an active certificate needs at least one signatory", "signatories")
    return kept


def save_config(course_id: str, *, user_id: int | None, name: str, description: str, course_title: str,
                is_active: bool, signatories: list[dict[str, str]]) -> bool:
    """Write the configuration into the course's ``certificates`` field (the first configuration is
    replaced, others kept inactive). Returns True when it was published at once, False when it waits
    in the draft for the course's next publication (the draft held other unpublished changes).

    Raises :class:`ConfigError` for bad values and ``ContentStoreError`` for a missing course.
    """
    kept = validate_config(name, description, course_title, is_active, signatories)
    index = content_store().get_course_index(course_id)
    was_clean = index.published_version is not None and index.published_version == index.draft_version
    draft = get_structure(course_id, DRAFT)
    raw = raw_certificates_field(draft)
    entries = [entry for entry in raw.get("certificates") or [] if isinstance(entry, dict)]
    first = dict(entries[0]) if entries else {"id": 1, "version": 1}
    first.update({
        "name": name, "description": description, "course_title": course_title, "is_active": is_active,
        "signatories": [{"id": number + 1, **values} for number, values in enumerate(kept)],
    })
    others = [{**entry, "is_active": False} if is_active else entry for entry in entries[1:]]
    raw["certificates"] = [first, *others]
    structure = update_fields(course_id, draft.root, {"certificates": raw}, user_id=user_id,
                              expected_version=draft.version)
    if was_clean:
        publish(course_id, user_id=user_id, expected_version=structure.version)
    return was_clean
