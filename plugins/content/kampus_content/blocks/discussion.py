"""The discussion block: an anchor for an inline forum thread list, which the forums plugin fills
(through the ``kampus_wrap_fragment`` hook) when it is installed."""

from __future__ import annotations

from typing import Any

from web_fragments.fragment import Fragment
from xblock.completable import XBlockCompletionMode
from xblock.core import XBlock
from xblock.fields import Scope, String

from kampus_content.blocks.rendering import render_block_template


class DiscussionBlock(XBlock):
    """An inline discussion."""

    completion_mode = XBlockCompletionMode.EXCLUDED  # as in Open edX: not counted in completion

    display_name = String(scope=Scope.settings, default="Discussion")
    discussion_id = String(scope=Scope.settings, default="", help="Id of the discussion (topic)")
    discussion_category = String(scope=Scope.settings, default="Week 1", help="Category in the forum")
    discussion_target = String(scope=Scope.settings, default="Topic-Level Student-Visible Label")

    def topic_id(self) -> str:
        return self.discussion_id or self.scope_ids.usage_id.block_id

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(render_block_template(
            "discussion.html", topic_id=self.topic_id(), category=self.discussion_category,
            target=self.discussion_target, title=self.display_name))

    def author_view(self, context: Any = None) -> Fragment:
        return Fragment(render_block_template(
            "discussion_author.html", topic_id=self.topic_id(), category=self.discussion_category,
            target=self.discussion_target))
