"""The course tree: course, chapter (section), sequential (subsection), vertical (unit).

Containers render lazily: a course or chapter shows an outline of links, a
sequential shows a tab list of its units and renders one unit (``unit`` in the
render context, 1-based), a vertical renders its children in order. Children
the user may not see (release dates, staff-only) are left out.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Boolean, Scope, String

from kampus_content.blocks.rendering import render_block_template


def _title(block: Any) -> str:
    return block.display_name or block.scope_ids.block_type.title()


def _link(usage_id: Any) -> str:
    return f"/xblock/{usage_id}"


class ContainerBlock(XBlock):
    """Shared behaviour of the course tree's blocks."""

    completion_mode = XBlockCompletionMode.AGGREGATOR  # complete when the leaves under it are

    has_children = True
    display_name = String(scope=Scope.settings, default=None, help="Name shown to learners")
    visible_to_staff_only = Boolean(scope=Scope.settings, default=False, help="Only course staff see this")

    def _children(self) -> list[Any]:
        runtime = self.runtime
        if hasattr(runtime, "visible_children"):
            return runtime.visible_children(self)
        return list(self.children)

    def _outline(self, depth: int) -> list[dict[str, Any]]:
        """The visible children as outline items (title, link, and their own children ``depth - 1`` deep)."""
        items = []
        for child_id in self._children():
            child = self.runtime.get_block(child_id)
            nested: list[dict[str, Any]] = []
            if depth > 1 and getattr(child, "has_children", False) and isinstance(child, ContainerBlock):
                nested = child._outline(depth - 1)
            items.append({"title": _title(child), "url": _link(child_id), "children": nested})
        return items

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(render_block_template(
            "outline.html", block_type=self.scope_ids.block_type, title=_title(self), items=self._outline(2)))

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)


class CourseBlock(ContainerBlock):
    """The root of a course: an outline of its chapters and their sequentials."""

    display_name = String(scope=Scope.settings, default="Course", help="Name shown to learners")


class ChapterBlock(ContainerBlock):
    """A section: an outline of its subsections."""


class SequentialBlock(ContainerBlock):
    """A subsection: tabs of its units, one unit shown at a time."""

    graded = Boolean(scope=Scope.settings, default=False)
    format = String(scope=Scope.settings, default=None, help="Assignment type when graded")

    def _view(self, view: str, context: Any) -> Fragment:
        context = dict(context or {})
        units = self._children()
        try:
            current = int(context.get("unit") or 1)
        except (TypeError, ValueError):
            current = 1
        current = min(max(current, 1), max(len(units), 1))
        frag = Fragment()
        tabs = [
            {"position": position, "title": _title(self.runtime.get_block(unit_id)), "active": position == current}
            for position, unit_id in enumerate(units, start=1)
        ]
        body = None
        if units:
            unit = self.runtime.get_block(units[current - 1])
            child_context = {key: value for key, value in context.items() if key != "unit"}
            unit_frag = self.runtime.render_child(unit, view, child_context)
            frag.add_fragment_resources(unit_frag)
            body = Markup(unit_frag.body_html())  # rendered (and escaped) by the unit's own view
        frag.add_content(render_block_template(
            "sequential.html", title=_title(self), tabs=tabs, body=body, current=current))
        return frag

    def student_view(self, context: Any = None) -> Fragment:
        return self._view("student_view", context)

    def author_view(self, context: Any = None) -> Fragment:
        return self._view("author_view", context)


class VerticalBlock(ContainerBlock):
    """A unit: its components one after the other."""

    def _view(self, view: str, context: Any) -> Fragment:
        runtime = self.runtime
        if hasattr(runtime, "prefetch_subtree"):
            runtime.prefetch_subtree(self.scope_ids.usage_id)  # the unit's learner state in one query
        frag = Fragment()
        children = []
        for position, child_id in enumerate(self._children()):
            child = runtime.get_block(child_id)
            child_frag = runtime.render_child(child, view, context)
            frag.add_fragment_resources(child_frag)
            # the child's HTML was rendered (and escaped) by its own view
            children.append({"position": position, "usage_id": str(child_id), "html": Markup(child_frag.body_html())})
        title = _title(self) if self.display_name else ""
        frag.add_content(render_block_template("vertical.html", title=title, children=children))
        return frag

    def student_view(self, context: Any = None) -> Fragment:
        return self._view("student_view", context)

    def author_view(self, context: Any = None) -> Fragment:
        return self._view("author_view", context)
