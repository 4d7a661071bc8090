"""Placeholders for blocks that cannot run here: an unknown tag, or a class that fails to import.

The block's data stays in the structure untouched (and its raw OLX in the
block's meta), so import and export keep it; learners see a short notice,
course staff see the block type and the error.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String


class PlaceholderBlock(XBlock):
    """Stands in for a block type that is not installed or failed to load."""

    display_name = String(scope=Scope.settings, default="")
    unavailable_type: str = ""
    load_error: str | None = None

    def _notice(self) -> Fragment:
        runtime = self.runtime
        if getattr(runtime, "user_is_staff", False) or getattr(runtime, "authoring", False):
            reason = escape(self.load_error) if self.load_error else "No XBlock of this type is installed."
            html = (
                '<div class="alert alert-warning kampus-block-unavailable" role="note">'
                f"<strong>{escape(self.unavailable_type)}</strong>: this component cannot be shown. "
                f'<span class="small d-block">{reason}</span></div>'
            )
        else:
            html = ('<div class="alert alert-secondary kampus-block-unavailable" role="note">'
                    "This component is not available.</div>")
        return Fragment(html)

    def student_view(self, context: Any = None) -> Fragment:
        return self._notice()

    def author_view(self, context: Any = None) -> Fragment:
        return self._notice()

    def studio_view(self, context: Any = None) -> Fragment:
        return self._notice()


_placeholders: dict[tuple[str, str | None], type] = {}


def placeholder_class(block_type: str, error: str | None) -> type:
    """A :class:`PlaceholderBlock` subclass for ``block_type`` (``error``: why its class failed to load)."""
    key = (block_type, error)
    cls = _placeholders.get(key)
    if cls is None:
        cls = type("PlaceholderBlock_" + "".join(c if c.isalnum() else "_" for c in block_type), (PlaceholderBlock,),
                   {"unavailable_type": block_type, "load_error": error, "__module__": __name__})
        _placeholders[key] = cls
    return cls


def error_fragment(runtime: Any, block: Any, exc: BaseException) -> Fragment:
    """What a block that raised while rendering shows."""
    if getattr(runtime, "user_is_staff", False) or getattr(runtime, "authoring", False):
        return Fragment(
            '<div class="alert alert-danger" role="alert">'
            f"<strong>{escape(block.scope_ids.block_type)}</strong> failed to render: "
            f"{escape(type(exc).__name__)}: {escape(str(exc))}</div>"
        )
    return Fragment('<div class="alert alert-secondary" role="note">This component could not be displayed.</div>')
