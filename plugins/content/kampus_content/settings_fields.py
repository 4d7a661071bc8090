"""Typed reading of the settings every block shares, with Open edX's inheritance.

Blocks keep OLX attribute values as written (strings); policy values keep their
JSON types. This module reads the common scheduling and visibility settings
(``start``, ``due``, ``visible_to_staff_only``, ``graded``, ...) as Python values
and applies Open edX's inheritance (a child without its own ``start`` inherits
its parent's), without loading any XBlock class, so that course-wide questions
(what is released, what is graded) stay fast on large courses.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as date_parser

from kampus_content.store.interface import Block, BlockKey, Structure

#: Open edX's InheritanceMixin fields: set on a parent, they apply to its descendants.
INHERITED = (
    "start", "due", "graded", "graceperiod", "showanswer", "show_correctness", "rerandomize",
    "days_early_for_beta", "max_attempts", "visible_to_staff_only", "group_access", "hide_after_due",
    "self_paced", "show_reset_button", "submission_wait_seconds",
    "static_asset_path", "use_latex_compiler", "matlab_api_key", "video_speed_optimizations",
    "video_auto_advance", "video_bumper", "xqa_key", "course_edit_method", "giturl", "text_customization",
)
DATE_FIELDS = {"start", "due", "end", "enrollment_start", "enrollment_end", "announcement",
               "certificate_available_date"}
BOOL_FIELDS = {"graded", "visible_to_staff_only", "hide_after_due", "self_paced", "show_reset_button",
               "hide_from_toc", "is_entrance_exam", "is_time_limited", "is_proctored_enabled", "is_practice_exam",
               "video_speed_optimizations", "video_auto_advance", "use_latex_compiler"}
INT_FIELDS = {"max_attempts", "submission_wait_seconds", "days_early_for_beta", "default_time_limit_minutes"}
FLOAT_FIELDS = {"weight"}

#: Open edX's default course start: "never released" until a start is set.
DEFAULT_START = datetime(2030, 1, 1, tzinfo=UTC)


def _unquote(value: str) -> str:
    # Old Open edX exports JSON-encode some attribute values: start="&quot;2013-02-05T05:00&quot;".
    stripped = value.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        try:
            return json.loads(stripped)
        except ValueError:
            return stripped[1:-1]
    return stripped


def parse_date(value: Any) -> datetime | None:
    """A date setting as an aware datetime (naive dates are UTC), or ``None``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str):
        return None
    try:
        parsed = date_parser.isoparse(_unquote(value))
    except (ValueError, OverflowError):
        try:
            parsed = date_parser.parse(_unquote(value))
        except (ValueError, OverflowError):
            return None
    if not parsed.tzinfo:
        return parsed.replace(tzinfo=UTC)
    try:
        # An offset of a day or more ("+99:00") or a date that leaves the calendar in UTC is no date.
        parsed.utcoffset()
        parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed


def parse_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        text = _unquote(value).lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no", ""):
            return False
    return bool(value)


def typed(name: str, value: Any) -> Any:
    """``value`` of the setting ``name`` as a Python value."""
    if name in DATE_FIELDS:
        return parse_date(value)
    if name in BOOL_FIELDS:
        return parse_bool(value)
    if name in INT_FIELDS and isinstance(value, str):
        try:
            return int(float(_unquote(value)))
        except (ValueError, OverflowError):
            return None
    if name in INT_FIELDS and isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if name in FLOAT_FIELDS and isinstance(value, str):
        try:
            number = float(_unquote(value))
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    if name in FLOAT_FIELDS and isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def own_setting(block: Block, name: str) -> Any:
    """The block's own value of ``name`` (typed), or ``None`` when unset."""
    if name not in block.fields:
        return None
    return typed(name, block.fields[name])


def inherited_settings(structure: Structure, names: tuple[str, ...] = INHERITED) -> dict[BlockKey, dict[str, Any]]:
    """Every block's effective value of each inheritable setting in ``names``.

    One walk from the root: a block's own value wins, else its parent's
    effective value. Blocks not reachable from the root get only their own.
    """
    effective: dict[BlockKey, dict[str, Any]] = {}
    stack: list[tuple[BlockKey, dict[str, Any]]] = [(structure.root, {})]
    while stack:
        key, parent_values = stack.pop()
        block = structure.blocks.get(key)
        if block is None or key in effective:
            continue
        values = dict(parent_values)
        for name in names:
            if name in block.fields:
                values[name] = typed(name, block.fields[name])
        effective[key] = values
        stack.extend((child, values) for child in reversed(block.children))
    for key, block in structure.blocks.items():
        if key not in effective:
            effective[key] = {name: typed(name, block.fields[name]) for name in names if name in block.fields}
    return effective
