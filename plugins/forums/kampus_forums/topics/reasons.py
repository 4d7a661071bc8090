"""The reasons a moderator gives for editing or closing a post (Open edX's
``DISCUSSION_MODERATION_EDIT_REASON_CODES`` and ``DISCUSSION_MODERATION_CLOSE_REASON_CODES``).

A site may replace either list with the settings ``forums_edit_reasons`` / ``forums_close_reasons``: entries
``code:Label`` (the labels of the defaults are translated, a site's are shown as written).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from kampus_hookspecs import Setting

from kampus.current import current_kampus

#: Open edX's default edit reasons (``lms/envs/common.py``), in its order.
DEFAULT_EDIT_REASONS: dict[str, Any] = {
    "grammar-spelling": _l("Has grammar / spelling issues"),
    "needs-clarity": _l("Content needs clarity"),
    "academic-integrity": _l("Has academic integrity concern"),
    "inappropriate-language": _l("Has inappropriate language"),
    "format-change": _l("Formatting changes needed"),
    "post-type-change": _l("Post type needs change"),
    "contains-pii": _l("Contains personally identifiable information"),
    "violates-guidelines": _l("Violates community guidelines"),
}
#: Open edX's default close reasons.
DEFAULT_CLOSE_REASONS: dict[str, Any] = {
    "academic-integrity": _l("Post violates honour code or academic integrity"),
    "read-only": _l("Post should be read-only"),
    "duplicate": _l("Post is a duplicate"),
    "off-topic": _l("Post is off-topic"),
}

SETTINGS = [
    Setting("forums_edit_reasons", list, [], "Reasons a moderator may give for editing a post, as code:Label "
            "entries (empty: Open edX's defaults)."),
    Setting("forums_close_reasons", list, [], "Reasons a moderator may give for closing a thread, as "
            "code:Label entries (empty: Open edX's defaults)."),
]


def _configured(name: str, defaults: dict[str, Any]) -> dict[str, str]:
    raw = current_kampus().settings.get(name) or []
    found: dict[str, str] = {}
    for entry in raw if isinstance(raw, list | tuple) else []:
        code, _sep, label = str(entry).partition(":")
        if code.strip():
            found[code.strip()] = label.strip() or code.strip()
    return found or {code: str(label) for code, label in defaults.items()}


def edit_reasons() -> dict[str, str]:
    """The edit reasons, ``{code: label}`` in display order."""
    return _configured("forums_edit_reasons", DEFAULT_EDIT_REASONS)


def close_reasons() -> dict[str, str]:
    """The close reasons, ``{code: label}`` in display order."""
    return _configured("forums_close_reasons", DEFAULT_CLOSE_REASONS)


def as_list(reasons: dict[str, str]) -> list[dict[str, str]]:
    """``[{"code", "label"}]`` as the course metadata lists them."""
    return [{"code": code, "label": label} for code, label in reasons.items()]
