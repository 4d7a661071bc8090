"""The discussion block: an anchor for an inline forum thread list, which the forums plugin fills
(through the ``kampus_wrap_fragment`` hook) when it is installed."""

from __future__ import annotations

from typing import Any

from markupsafe import escape
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String


class DiscussionBlock(XBlock):
    """An inline discussion."""

    display_name = String(scope=Scope.settings, default="Discussion")
    discussion_id = String(scope=Scope.settings, default="", help="Id of the discussion (topic)")
    discussion_category = String(scope=Scope.settings, default="Week 1", help="Category in the forum")
    discussion_target = String(scope=Scope.settings, default="Topic-Level Student-Visible Label")

    def topic_id(self) -> str:
        return self.discussion_id or self.scope_ids.usage_id.block_id

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(
            '<section class="discussion-module kampus-discussion border rounded p-3"'
            f' data-discussion-id="{escape(self.topic_id())}"'
            f' data-discussion-category="{escape(self.discussion_category)}"'
            f' data-discussion-target="{escape(self.discussion_target)}">'
            f'<h3 class="h5">{escape(self.display_name or "Discussion")}</h3>'
            '<p class="text-body-secondary mb-0 kampus-discussion-placeholder">'
            "Discussion is not available in this course.</p></section>"
        )

    def author_view(self, context: Any = None) -> Fragment:
        return Fragment(
            '<div class="kampus-discussion border rounded p-3">'
            f"<strong>Discussion</strong>: {escape(self.discussion_category)} / "
            f"{escape(self.discussion_target)} <code>{escape(self.topic_id())}</code></div>"
        )
