"""Placeholders for blocks that cannot run here: an unknown tag, or a class that fails to import.

The block's data stays in the structure untouched (and its raw OLX in the
block's meta), so import and export keep it; learners see a short notice,
course staff see the block type and the error.
"""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from kampus_content.blocks.rendering import render_block_template


class PlaceholderBlock(XBlock):
    """Stands in for a block type that is not installed or failed to load."""

    display_name = String(scope=Scope.settings, default="")
    unavailable_type: str = ""
    load_error: str | None = None

    def _notice(self) -> Fragment:
        return Fragment(render_block_template(
            "unavailable.html", for_staff=_shows_details(self.runtime), block_type=self.unavailable_type,
            load_error=self.load_error))

    def student_view(self, context: Any = None) -> Fragment:
        return self._notice()

    def author_view(self, context: Any = None) -> Fragment:
        return self._notice()

    def studio_view(self, context: Any = None) -> Fragment:
        return self._notice()


# Process-wide on purpose: a placeholder class depends only on the block type and its load error,
# as the classes of runtime.load_block_class do (no app's settings or data).
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


def _shows_details(runtime: Any) -> bool:
    """Whether the viewer may see why a block cannot be shown (course staff, authors)."""
    return bool(getattr(runtime, "user_is_staff", False) or getattr(runtime, "authoring", False))


def error_fragment(runtime: Any, block: Any, exc: BaseException) -> Fragment:
    """What a block that raised while rendering shows."""
    return Fragment(render_block_template(
        "render_error.html", for_staff=_shows_details(runtime), block_type=block.scope_ids.block_type,
        error_type=type(exc).__name__, error=str(exc)))
