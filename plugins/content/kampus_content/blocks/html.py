"""The html block: HTML written by course authors (trusted, as in Open edX), with ``/static/`` links
rewritten to the course's asset URLs."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from kampus_content.blocks.rendering import render_block_template
from kampus_content.progress.completion import completion_from_browser
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
        frag = Fragment(render_block_template("html.html", html=Markup(self.rendered_html())))
        if not getattr(self.runtime, "authoring", False):
            frag.add_javascript_url(self.runtime.resource_url("completion.js"))
            frag.initialize_js("KampusCompletionOnView")  # posts publish_completion once the learner saw it
        return frag

    def author_view(self, context: Any = None) -> Fragment:
        return self.student_view(context)

    def studio_view(self, context: Any = None) -> Fragment:
        frag = Fragment(render_block_template(
            "html_editor.html", ident=self.scope_ids.usage_id.block_id, display_name=self.display_name,
            data=self.data))
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

    @XBlock.json_handler
    def publish_completion(self, data: Any, suffix: str = "") -> dict[str, str]:
        """Mark the block complete for the learner, who has seen it (``{"completion": 1.0}``)."""
        return completion_from_browser(self, data)
