"""The html block: HTML written by course authors (trusted, as in Open edX), with ``/static/`` links
rewritten to the course's asset URLs."""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from kampus_content.runtime.services import static_url_rewriter


class HtmlBlock(XBlock):
    """Author HTML."""

    display_name = String(scope=Scope.settings, default="Text", help="Name shown to learners")
    data = String(scope=Scope.content, default="", help="The HTML of the component")
    editor = String(scope=Scope.settings, default="visual", help="Editor used in Studio: visual or raw")

    def rendered_html(self) -> str:
        course_key = str(self.scope_ids.usage_id.course_key)
        html = static_url_rewriter(course_key)(self.data or "")
        user_id = getattr(self.runtime, "anonymous_student_id", None)
        if user_id and "%%USER_ID%%" in html:
            html = html.replace("%%USER_ID%%", user_id)
        return html

    @XBlock.supports("multi_device")
    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(f'<div class="kampus-html">{self.rendered_html()}</div>')

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)

    def studio_view(self, context: Any = None) -> Fragment:
        ident = escape(self.scope_ids.usage_id.block_id)
        frag = Fragment(
            '<form class="kampus-html-editor" novalidate>'
            f'<div class="mb-3"><label class="form-label" for="html-name-{ident}">Display name</label>'
            f'<input class="form-control" id="html-name-{ident}" name="display_name"'
            f' value="{escape(self.display_name)}"></div>'
            f'<div class="mb-3"><label class="form-label" for="html-data-{ident}">HTML</label>'
            f'<textarea class="form-control font-monospace" rows="14" id="html-data-{ident}" name="data">'
            f"{escape(self.data)}</textarea>"
            '</div><button type="submit" class="btn btn-primary">Save</button>'
            '<span class="ms-2 kampus-editor-status" role="status"></span></form>'
        )
        frag.add_javascript_url(self.runtime.resource_url("studio_editor.js"))
        frag.initialize_js("KampusFieldsEditor")
        return frag

    @XBlock.json_handler
    def studio_submit(self, data: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        """Save the editor's fields (the runtime allows this in the draft, for authors only)."""
        if "display_name" in data:
            self.display_name = str(data["display_name"])
        if "data" in data:
            self.data = str(data["data"])
        return {"result": "success"}
