"""The course tree: course, chapter (section), sequential (subsection), vertical (unit).

Containers render lazily: a course or chapter shows an outline of links, a
sequential shows a tab list of its units and renders one unit (``unit`` in the
render context, 1-based), a vertical renders its children in order. Children
the user may not see (release dates, staff-only) are left out.
"""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Boolean, Scope, String


def _title(block: Any) -> str:
    return block.display_name or block.scope_ids.block_type.title()


def _link(usage_id: Any) -> str:
    return f"/xblock/{usage_id}"


class ContainerBlock(XBlock):
    """Shared behaviour of the course tree's blocks."""

    has_children = True
    display_name = String(scope=Scope.settings, default=None, help="Name shown to learners")
    visible_to_staff_only = Boolean(scope=Scope.settings, default=False, help="Only course staff see this")

    def _children(self) -> list[Any]:
        runtime = self.runtime
        if hasattr(runtime, "visible_children"):
            return runtime.visible_children(self)
        return list(self.children)

    def _outline(self, depth: int) -> str:
        items = []
        for child_id in self._children():
            child = self.runtime.get_block(child_id)
            nested = ""
            if depth > 1 and getattr(child, "has_children", False) and isinstance(child, ContainerBlock):
                nested = child._outline(depth - 1)
            items.append(f'<li><a href="{escape(_link(child_id))}">{escape(_title(child))}</a>{nested}</li>')
        if not items:
            return ""
        return '<ul class="kampus-outline">' + "".join(items) + "</ul>"

    def student_view(self, context: Any = None) -> Fragment:
        heading = f'<h1 class="h3">{escape(_title(self))}</h1>'
        return Fragment(f'<div class="kampus-{self.scope_ids.block_type}">{heading}{self._outline(2)}</div>')

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
        tabs = []
        for position, unit_id in enumerate(units, start=1):
            unit = self.runtime.get_block(unit_id)
            active = position == current
            state = ' active" aria-current="page' if active else ""
            tabs.append(
                f'<li class="nav-item"><a class="nav-link{state}" href="?unit={position}">'
                f"{position}. {escape(_title(unit))}</a></li>"
            )
        body = ""
        if units:
            unit = self.runtime.get_block(units[current - 1])
            child_context = {key: value for key, value in context.items() if key != "unit"}
            unit_frag = self.runtime.render_child(unit, view, child_context)
            frag.add_fragment_resources(unit_frag)
            body = unit_frag.body_html()
        else:
            body = '<p class="text-body-secondary">This subsection is empty.</p>'
        pager = []
        if current > 1:
            pager.append(f'<a class="btn btn-outline-primary" href="?unit={current - 1}" rel="prev">Previous</a>')
        if current < len(units):
            pager.append(f'<a class="btn btn-outline-primary ms-auto" href="?unit={current + 1}" rel="next">Next</a>')
        frag.add_content(
            f'<div class="kampus-sequential"><h1 class="h3">{escape(_title(self))}</h1>'
            f'<nav aria-label="Units"><ul class="nav nav-tabs mb-3">{"".join(tabs)}</ul></nav>'
            f'<div class="kampus-unit">{body}</div>'
            f'<div class="d-flex mt-3">{"".join(pager)}</div></div>'
        )
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
        parts = []
        for position, child_id in enumerate(self._children()):
            child = runtime.get_block(child_id)
            child_frag = runtime.render_child(child, view, context)
            frag.add_fragment_resources(child_frag)
            parts.append(
                f'<div class="vert vert-{position} mb-4" data-id="{escape(str(child_id))}">'
                f"{child_frag.body_html()}</div>"
            )
        heading = f'<h2 class="h4">{escape(_title(self))}</h2>' if self.display_name else ""
        frag.add_content(f'<div class="vert-mod kampus-vertical">{heading}{"".join(parts)}</div>')
        return frag

    def student_view(self, context: Any = None) -> Fragment:
        return self._view("student_view", context)

    def author_view(self, context: Any = None) -> Fragment:
        return self._view("author_view", context)
