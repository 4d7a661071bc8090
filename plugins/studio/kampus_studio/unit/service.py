"""The unit editor's work, on top of :mod:`kampus_content.api`: reading a unit and its components,
and every component edit, each carrying the draft version the author saw.

Versions: an edit names the draft ``version`` its page was made from. When the draft moved on
since, the edit still goes through if nothing the edit touches (the unit and its components, and
a move's target unit) changed in between: another author's edit elsewhere in the course loses
nothing. When the unit did change, :class:`UnitError` 409 says so and nothing is written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from kampus_content.api import (
    DRAFT,
    PUBLISHED,
    BlockKey,
    BlockNotFound,
    ContentStoreError,
    CourseNotFound,
    InvalidEdit,
    Structure,
    VersionConflict,
    VersionNotFound,
    app_version_cache,
    content_store,
    create_block,
    delete_block,
    duplicate_block,
    get_structure,
    load_block_class,
    move_block,
    reorder_children,
    update_fields,
)
from kampus_problems.api import MarkdownError, markdown_to_xml, problem_xml_errors
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
from xblock.fields import Boolean, Dict, Float, Integer, List, Scope, String

from kampus_studio.unit.catalog import NOT_COMPONENTS, TEMPLATES_BY_ID, installed_block_types

#: Settings fields the unit editor does not show (the outline and the runtime own them).
HIDDEN_SETTINGS = frozenset({
    "display_name", "markdown", "data", "editor", "due", "start", "graded", "format", "graceperiod", "self_paced",
    "visible_to_staff_only", "days_early_for_beta", "xml_attributes", "tags", "parent", "children", "youtube",
    "group_access", "hide_after_due", "force_save_button", "attempts_before_showanswer_button", "name",
})
#: Longest display name of a unit or component (as the course's name on the details page).
MAX_DISPLAY_NAME = 255
#: Largest number a component setting takes (weights, attempts...): a bigger one is refused.
MAX_NUMBER = 2**31 - 1
SUPPORTED_FIELDS: tuple[type, ...] = (Boolean, Integer, Float, String, List, Dict)
#: Open edX's labels of the settings of Kampus's own blocks (which declare none), in the order shown.
FIELD_LABELS: dict[str, Any] = {
    "youtube_id_1_0": _l("YouTube ID"), "html5_sources": _l("Video file URLs"), "start_time": _l("Video start time"),
    "end_time": _l("Video stop time"), "transcripts": _l("Transcripts (language: file name)"),
    "sub": _l("Default timed transcript"), "show_captions": _l("Show transcript"),
    "download_video": _l("Video download allowed"), "source": _l("Video download URL"),
    "discussion_id": _l("Discussion ID"), "discussion_category": _l("Category"),
    "discussion_target": _l("Subcategory"),
}


class UnitError(Exception):
    """An answer other than success: ``status`` and Open edX's error body
    (``developer_message``, ``user_message``, optionally ``field_errors`` and ``errors``)."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"developer_message": message, "user_message": message, **extra}


def conflict(current_version: str | None) -> UnitError:
    """409: the unit changed since the author's page was made."""
    return UnitError(409, _("Someone else changed this unit since you opened it, so your change was not saved. "
                            "Reload the unit to see their change, then make yours again."),
                     current_version=current_version, reload=True)


# -- keys -------------------------------------------------------------------------------------------------------


def block_key_of(course_id: str, usage_id: str) -> BlockKey:
    """The block key of ``usage_id``, which must belong to ``course_id`` (404 otherwise)."""
    try:
        usage = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        raise UnitError(404, _("%(usage_id)s is not a component of this course.", usage_id=usage_id)) from None
    if str(getattr(usage, "course_key", "")) != course_id:
        raise UnitError(404, _("%(usage_id)s is not a component of this course.", usage_id=usage_id))
    return (usage.block_type, usage.block_id)


@lru_cache(maxsize=256)
def _course_locator(course_id: str) -> CourseKey:
    return CourseKey.from_string(course_id)


def usage_id_of(structure: Structure, key: BlockKey) -> str:
    """The Open edX usage id of ``key`` in the course of ``structure``."""
    course_key = structure.course_key
    if course_key.startswith("course-v1:"):  # the usage key's serialisation, without parsing (pages list many)
        return f"block-v1:{course_key[len('course-v1:'):]}+type@{key[0]}+block@{key[1]}"
    return str(_course_locator(course_key).make_usage_key(key[0], key[1]))


def parents_of(structure: Structure) -> dict[BlockKey, BlockKey]:
    """Each block's parent, computed once per draft version and app."""
    if not structure.version:
        return structure.parents()
    return app_version_cache("parents").get_or_compute(structure.version, structure.parents)


def draft_of(course_id: str) -> Structure:
    """The course's draft (404 when there is no such course)."""
    try:
        return get_structure(course_id, DRAFT)
    except (CourseNotFound, VersionNotFound):
        raise UnitError(404, _("There is no course %(course_id)s.", course_id=course_id)) from None


def published_of(course_id: str) -> Structure | None:
    """The course's published version, or ``None`` before its first publish."""
    try:
        return get_structure(course_id, PUBLISHED)
    except (CourseNotFound, VersionNotFound):
        return None


def unit_of(structure: Structure, key: BlockKey) -> BlockKey:
    """``key`` if it is a unit of the draft (404 otherwise)."""
    if key[0] != "vertical" or key not in structure.blocks:
        raise UnitError(404, _("This unit does not exist in the course's draft."))
    return key


def component_of(structure: Structure, key: BlockKey) -> tuple[BlockKey, BlockKey]:
    """``(component, its unit)`` for a component of the draft (404 otherwise)."""
    parent = parents_of(structure).get(key)
    if key not in structure.blocks or parent is None or parent[0] != "vertical":
        raise UnitError(404, _("This component does not exist in the course's draft."))
    return key, parent


# -- versions ------------------------------------------------------------------------------------------------------


def _snapshot(structure: Structure, keys: Iterable[BlockKey]) -> dict[BlockKey, Any]:
    seen: dict[BlockKey, Any] = {}
    for key in keys:
        if key not in structure.blocks:
            seen[key] = None
            continue
        for block in structure.walk(key):
            seen[block.key] = (json.dumps(block.fields, sort_keys=True, default=str), list(block.children))
    return seen


def base_version(course_id: str, expected: str | None, watched: Iterable[BlockKey]) -> Structure:
    """The draft an edit applies to: the current one, when ``expected`` is it or nothing ``watched``
    (blocks and their subtrees) changed since ``expected``; else :func:`conflict`."""
    current = draft_of(course_id)
    if not expected or expected == current.version:
        return current
    try:
        seen = content_store().get_structure(course_id, expected)
    except (VersionNotFound, ContentStoreError):
        raise conflict(current.version) from None
    watched = list(watched)
    if _snapshot(seen, watched) != _snapshot(current, watched):
        raise conflict(current.version)
    return current


# -- reading -------------------------------------------------------------------------------------------------------


def _same_subtree(draft: Structure, published: Structure | None, key: BlockKey) -> bool:
    if published is None or key not in published.blocks:
        return False
    return _snapshot(draft, [key]) == _snapshot(published, [key])


def unit_state(draft: Structure, published: Structure | None, key: BlockKey) -> dict[str, Any]:
    """As the outline shows it: ``published`` (live as in the draft), ``draft`` (unpublished changes)
    or ``unpublished`` (never published); ``staff_only`` when hidden from learners."""
    if published is None or key not in published.blocks:
        state, label = "unpublished", _("Draft (never published)")  # as the outline says, and Open edX
    elif _same_subtree(draft, published, key):
        state, label = "published", _("Published and live")
    else:
        state, label = "draft", _("Draft (unpublished changes)")
    fields = draft.blocks[key].fields
    return {"state": state, "label": label, "staff_only": bool(fields.get("visible_to_staff_only"))}


def editor_kind(block_type: str) -> str:
    """Which editor a component gets: ``html``, ``problem``, ``studio_view`` (a third-party XBlock's
    own editor) or ``settings`` (its settings fields)."""
    if block_type in ("html", "problem"):
        return block_type
    cls = load_block_class(block_type)
    if getattr(cls, "studio_view", None) is not None and not cls.__module__.startswith("kampus_"):
        return "studio_view"
    return "settings"


def _display_name(structure: Structure, key: BlockKey) -> str:
    name = structure.blocks[key].fields.get("display_name")
    if isinstance(name, str) and name:
        return name
    cls = load_block_class(key[0])
    default = getattr(getattr(cls, "fields", {}).get("display_name"), "default", None)
    return str(default) if isinstance(default, str) and default else key[0]


def component_summary(structure: Structure, key: BlockKey) -> dict[str, Any]:
    """``{"usage_id", "block_type", "display_name", "editor"}`` of a component."""
    return {"usage_id": usage_id_of(structure, key), "block_type": key[0],
            "display_name": _display_name(structure, key), "editor": editor_kind(key[0])}


def unit_json(course_id: str, key: BlockKey) -> dict[str, Any]:
    """A unit as the REST API and the page show it."""
    draft = draft_of(course_id)
    unit_of(draft, key)
    published = published_of(course_id)
    parents = parents_of(draft)
    sequence = parents.get(key)
    ancestors: list[dict[str, str]] = []
    step = sequence
    while step is not None and step != draft.root:
        ancestors.insert(0, {"usage_id": usage_id_of(draft, step), "display_name": _display_name(draft, step)})
        step = parents.get(step)
    siblings = [child for child in draft.blocks[sequence].children if child in draft.blocks] if sequence else [key]
    return {
        "usage_id": usage_id_of(draft, key),
        "course_id": course_id,
        "display_name": _display_name(draft, key),
        "version": draft.version,
        "state": unit_state(draft, published, key),
        "parent": usage_id_of(draft, sequence) if sequence else None,
        "ancestors": ancestors,
        "siblings": [{"usage_id": usage_id_of(draft, sibling), "display_name": _display_name(draft, sibling),
                      "current": sibling == key} for sibling in siblings if sibling[0] == "vertical"],
        "components": [component_summary(draft, child) for child in draft.blocks[key].children
                       if child in draft.blocks],
    }


def other_units(structure: Structure) -> list[dict[str, str]]:
    """Every unit of the draft in outline order, ``{"usage_id", "path"}`` (the Move dialog's choices)."""
    parents = parents_of(structure)
    units: list[dict[str, str]] = []
    for block in structure.walk():
        if block.type != "vertical":
            continue
        path: list[str] = []
        key: BlockKey | None = block.key
        while key is not None and key != structure.root:
            path.append(_display_name(structure, key))
            key = parents.get(key)
        units.append({"usage_id": usage_id_of(structure, block.key), "path": " › ".join(reversed(path))})
    return units


def _field_kind(field_obj: Any) -> str:
    for cls, kind in ((Boolean, "boolean"), (Integer, "integer"), (Float, "float"), (List, "list"), (Dict, "dict")):
        if isinstance(field_obj, cls):
            return kind
    return "string"


def _options(field_obj: Any) -> list[dict[str, str]] | None:
    values = getattr(field_obj, "values", None)
    if not isinstance(values, (list, tuple)) or not values:
        return None
    options = []
    for value in values:
        if isinstance(value, dict):
            label = value.get("display_name", value.get("value"))
            options.append({"value": str(value.get("value")), "label": str(label)})
        else:
            options.append({"value": str(value), "label": str(value)})
    return options


def settings_fields(block_type: str) -> dict[str, Any]:
    """The editable settings fields of a block type, by name."""
    cls = load_block_class(block_type)
    fields = {}
    for name, field_obj in sorted(getattr(cls, "fields", {}).items()):
        if name in HIDDEN_SETTINGS or field_obj.scope != Scope.settings:
            continue
        if not isinstance(field_obj, SUPPORTED_FIELDS):
            continue
        fields[name] = field_obj
    return fields


def component_json(course_id: str, key: BlockKey) -> dict[str, Any]:
    """A component with what its editor needs: its content (``data``, ``markdown``) and settings."""
    draft = draft_of(course_id)
    component_of(draft, key)
    stored = draft.blocks[key].fields
    settings = []
    known = settings_fields(key[0])
    order = list(FIELD_LABELS)
    for name in sorted(known, key=lambda n: (order.index(n) if n in order else len(order), n)):
        field_obj = known[name]
        default = field_obj.default
        label = field_obj.display_name if field_obj.display_name and field_obj.display_name != name else None
        label = label or FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()
        settings.append({
            "name": name, "display_name": str(label), "help": str(field_obj.help or ""),
            "type": _field_kind(field_obj), "value": stored.get(name, default if _jsonable(default) else None),
            "explicitly_set": name in stored, "options": _options(field_obj),
        })
    answer = {**component_summary(draft, key), "version": draft.version, "settings": settings,
              "unit": usage_id_of(draft, parents_of(draft)[key])}
    if key[0] in ("html", "problem"):
        answer["data"] = stored.get("data", "" if key[0] == "html" else "<problem></problem>")
    if key[0] == "problem":
        answer["markdown"] = stored.get("markdown")
    return answer


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


# -- editing -------------------------------------------------------------------------------------------------------


@dataclass
class FieldChanges:
    """What an update sets and removes, after checking every value."""

    set: dict[str, Any] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _coerce(field_obj: Any, kind: str, value: Any) -> Any:
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1", "on", "yes"):
            return True
        if str(value).lower() in ("false", "0", "off", "no"):
            return False
        raise ValueError(_("Enter true or false."))
    if kind == "integer":
        if isinstance(value, bool):
            raise ValueError(_("Enter a whole number."))
        try:
            number = int(str(value).strip())
        except ValueError:
            raise ValueError(_("Enter a whole number.")) from None
        if abs(number) > MAX_NUMBER:
            raise ValueError(_("Enter a number from %(low)s to %(high)s.", low=-MAX_NUMBER, high=MAX_NUMBER))
        return number
    if kind == "float":
        if isinstance(value, bool):
            raise ValueError(_("Enter a number."))
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
        if not math.isfinite(number) or abs(number) > MAX_NUMBER:
            raise ValueError(_("Enter a number from %(low)s to %(high)s.", low=-MAX_NUMBER, high=MAX_NUMBER))
        return number
    if kind in ("list", "dict"):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                if kind == "list":
                    value = [line.strip() for line in value.splitlines() if line.strip()]
                else:
                    raise ValueError(_("Enter a JSON object, e.g. {\"en\": \"transcript.srt\"}.")) from None
        expected = list if kind == "list" else dict
        if not isinstance(value, expected):
            raise ValueError(_("Enter a JSON list.") if kind == "list" else _("Enter a JSON object."))
        return value
    value = str(value)
    options = _options(field_obj)
    if options and value not in {option["value"] for option in options}:
        raise ValueError(_("Choose one of: %(values)s.", values=", ".join(option["value"] for option in options)))
    return value


def settings_changes(block_type: str, values: Mapping[str, Any]) -> FieldChanges:
    """The checked changes of settings ``values`` (``None`` or ``""`` resets a field to its default)."""
    known = settings_fields(block_type)
    changes = FieldChanges()
    for name, value in values.items():
        field_obj = known.get(name)
        if field_obj is None:
            changes.errors[name] = _("%(name)s is not a setting of this component.", name=name)
            continue
        kind = _field_kind(field_obj)
        if value is None or (value == "" and kind != "string"):
            changes.remove.append(name)
            continue
        if name == "display_name" and isinstance(value, str) and len(value.strip()) > MAX_DISPLAY_NAME:
            changes.errors[name] = _("Enter at most %(limit)s characters.", limit=MAX_DISPLAY_NAME)
            continue
        try:
            changes.set[name] = field_obj.to_json(_coerce(field_obj, kind, value))
        except (ValueError, TypeError) as exc:
            changes.errors[name] = str(exc)
    return changes


def problem_changes(markdown: str | None, data: str | None, use_markdown: bool) -> FieldChanges:
    """The ``data`` (and ``markdown``) of a problem from the simple or the advanced editor, checked:
    Markdown that cannot be converted, or XML with errors, is refused with the parser's message and line."""
    changes = FieldChanges()
    source = "data"
    if use_markdown:
        source = "markdown"
        try:
            data = markdown_to_xml(markdown or "")
        except MarkdownError as exc:
            raise UnitError(400, str(exc), field_errors={"markdown": field_error(str(exc))},
                            errors=[{"message": str(exc), "line": None, "column": None}]) from None
        changes.set["markdown"] = markdown or ""
    else:
        changes.remove.append("markdown")
    errors = problem_xml_errors(data or "")
    if errors:
        first = errors[0]
        where = ""
        if first.line and first.column:
            where = _(" (line %(line)s, column %(column)s)", line=first.line, column=first.column)
        elif first.line:
            where = _(" (line %(line)s)", line=first.line)
        message = first.message + where
        raise UnitError(400, message, field_errors={source: field_error(message)},
                        errors=[error.as_dict() for error in errors], xml=data if use_markdown else None)
    changes.set["data"] = data
    return changes


def field_error(message: str) -> dict[str, str]:
    """One field's error in an answer's ``field_errors`` (Open edX's developer and user messages)."""
    return {"developer_message": message, "user_message": message}


def _check_display_name(name: str) -> str:
    """``name`` when it is short enough for a display name, else a 400 with a field error."""
    if len(name) > MAX_DISPLAY_NAME:
        message = _("Enter at most %(limit)s characters.", limit=MAX_DISPLAY_NAME)
        raise UnitError(400, message, field_errors={"display_name": field_error(message)})
    return name


def expected_version_of(base: Structure, version: str | None) -> str | None:
    """The version an edit based on ``base`` must find: ``base``'s when the author sent a version (the unit
    was checked against it), none when they did not (the edit applies to the latest draft: last writer wins)."""
    return base.version if version else None


def run_edit(call: Any) -> Any:
    """Run a content edit, its errors as answers."""
    try:
        return call()
    except VersionConflict as exc:
        raise conflict(getattr(exc, "actual", None)) from None
    except BlockNotFound as exc:
        raise UnitError(404, str(exc)) from None
    except InvalidEdit as exc:
        raise UnitError(400, str(exc)) from None


def rename_unit(course_id: str, key: BlockKey, display_name: str, *, user_id: int | None,
                version: str | None) -> str:
    """Rename a unit; returns the new draft version."""
    display_name = display_name.strip()
    if not display_name:
        message = _("A unit needs a name.")
        raise UnitError(400, message, field_errors={"display_name": field_error(message)})
    _check_display_name(display_name)
    current = base_version(course_id, version, [key])
    unit_of(current, key)
    structure = run_edit(lambda: update_fields(course_id, key, {"display_name": display_name}, user_id=user_id,
                                               expected_version=expected_version_of(current, version)))
    return structure.version


def create_component(course_id: str, unit: BlockKey, block_type: str, *, template: str | None, user_id: int | None,
                     version: str | None, index: int | None = None) -> tuple[str, BlockKey]:
    """Add a component of ``block_type`` (a problem from ``template``) to the unit."""
    if block_type in NOT_COMPONENTS or block_type not in installed_block_types():
        raise UnitError(400, _("%(type)s is not a component type installed on this site.", type=block_type),
                        field_errors={"block_type": field_error(_("Choose an installed component type."))})
    fields: dict[str, Any] = {}
    if block_type == "problem":
        chosen = TEMPLATES_BY_ID.get(template or "blank")
        if chosen is None:
            raise UnitError(400, _("There is no problem template %(id)s.", id=template),
                            field_errors={"template": field_error(_("Choose a problem template."))})
        fields["display_name"] = str(chosen.display_name)
        if chosen.markdown is not None:
            fields["markdown"] = chosen.markdown
            fields["data"] = (markdown_to_xml(chosen.markdown) if chosen.markdown
                              else chosen.data or "<problem></problem>")
        else:
            fields["data"] = chosen.data or "<problem></problem>"
    elif block_type == "html":
        fields = {"display_name": _("Text"), "data": ""}
    current = base_version(course_id, version, [unit])
    unit_of(current, unit)
    structure, key = run_edit(lambda: create_block(course_id, unit, block_type, user_id=user_id, fields=fields,
                                                   index=index, expected_version=expected_version_of(current, version)))
    return structure.version, key


def update_component(course_id: str, key: BlockKey, payload: Mapping[str, Any], *, user_id: int | None,
                     version: str | None) -> str:
    """Save an editor's changes: ``display_name``, ``data`` (HTML or problem XML), ``markdown`` with
    ``use_markdown`` (problems), ``settings`` (by field name). Every value is checked before anything is written."""
    current = draft_of(course_id)
    _component, unit = component_of(current, key)
    changes = FieldChanges()
    if "display_name" in payload and payload["display_name"] is not None:
        changes.set["display_name"] = _check_display_name(str(payload["display_name"]).strip())
    if key[0] == "problem" and ("data" in payload or "markdown" in payload):
        use_markdown = bool(payload.get("use_markdown", payload.get("markdown") is not None))
        found = problem_changes(payload.get("markdown"), payload.get("data"), use_markdown)
        changes.set.update(found.set)
        changes.remove.extend(found.remove)
    elif key[0] == "html" and "data" in payload:
        changes.set["data"] = str(payload.get("data") or "")
    elif "data" in payload or "markdown" in payload:
        raise UnitError(400, _("This component has no content to set: change its settings."))
    found = settings_changes(key[0], payload.get("settings") or {})
    if found.errors:
        first = next(iter(found.errors.values()))
        raise UnitError(400, first, field_errors={f"settings.{name}": field_error(message)
                                                  for name, message in found.errors.items()})
    changes.set.update(found.set)
    changes.remove.extend(found.remove)
    base = base_version(course_id, version, [unit])
    structure = run_edit(lambda: update_fields(course_id, key, changes.set, remove=changes.remove, user_id=user_id,
                                               expected_version=expected_version_of(base, version)))
    return structure.version


def duplicate_component(course_id: str, key: BlockKey, *, user_id: int | None,
                        version: str | None) -> tuple[str, BlockKey]:
    """Copy a component right after itself."""
    _component, unit = component_of(draft_of(course_id), key)
    base = base_version(course_id, version, [unit])
    structure, copy = run_edit(lambda: duplicate_block(course_id, key, user_id=user_id,
                                                       expected_version=expected_version_of(base, version)))
    return structure.version, copy


def move_component(course_id: str, key: BlockKey, target: BlockKey, *, user_id: int | None, version: str | None,
                   index: int | None = None) -> str:
    """Move a component to another unit (last there, or at ``index``)."""
    current = draft_of(course_id)
    _component, unit = component_of(current, key)
    unit_of(current, target)
    base = base_version(course_id, version, [unit, target])
    structure = run_edit(lambda: move_block(course_id, key, target, user_id=user_id, index=index,
                                            expected_version=expected_version_of(base, version)))
    return structure.version


def delete_component(course_id: str, key: BlockKey, *, user_id: int | None, version: str | None) -> str:
    """Delete a component (with its children)."""
    _component, unit = component_of(draft_of(course_id), key)
    base = base_version(course_id, version, [unit])
    structure = run_edit(lambda: delete_block(course_id, key, user_id=user_id,
                                              expected_version=expected_version_of(base, version)))
    return structure.version


def reorder_components(course_id: str, unit: BlockKey, order: list[str], *, user_id: int | None,
                       version: str | None) -> str:
    """Put the unit's components in the order of the usage ids ``order`` (the same components)."""
    keys = [block_key_of(course_id, usage_id) for usage_id in order]
    base = base_version(course_id, version, [unit])
    unit_of(base, unit)
    structure = run_edit(lambda: reorder_children(course_id, unit, keys, user_id=user_id,
                                                  expected_version=expected_version_of(base, version)))
    return structure.version
