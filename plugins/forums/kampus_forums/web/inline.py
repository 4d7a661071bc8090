"""The inline discussion of a unit: the forums fill the content plugin's discussion block (its
``kampus_wrap_fragment`` hook) with the same client as the Discussion tab, scoped to the block's topic.

The block renders a placeholder ("Discussion is not available in this course."); a learner who may read the
course's forums sees, in its place, the topic's threads, the new post form and the thread view. Authors'
views (Studio) and users who may not read the forums keep the placeholder.
"""

from __future__ import annotations

import re
from typing import Any

from flask import has_request_context, render_template, url_for
from web_fragments.fragment import Fragment

from kampus_forums.access import forum_user
from kampus_forums.web.access import current
from kampus_forums.web.config import as_data_attributes, client_attributes, client_strings

#: The block's placeholder paragraph (``content/blocks/discussion.html``), which the client replaces.
PLACEHOLDER = re.compile(r"<p\b[^>]*\bkampus-discussion-placeholder\b[^>]*>.*?</p>", re.DOTALL)


def wrap_discussion(block: Any, view: str, fragment: Fragment, context: dict[str, Any]) -> Fragment | None:
    """The discussion block's fragment with the forum client in it, or ``None`` to leave the fragment alone."""
    if view != "student_view" or getattr(getattr(block, "scope_ids", None), "block_type", None) != "discussion":
        return None
    if not has_request_context() or getattr(block.runtime, "authoring", False):
        return None
    course_id = str(block.scope_ids.usage_id.course_key)
    who = forum_user(current(), course_id)
    if who is None or not who.can_read:
        return None
    topic_id = block.topic_id() if callable(getattr(block, "topic_id", None)) else str(block.discussion_id)
    attributes = client_attributes(course_id, who, mode="inline", topic_id=topic_id)
    client = render_template("forums/inline.html", client_data=as_data_attributes(attributes),
                             client_strings=client_strings(), topic_name=getattr(block, "discussion_target", "") or "")
    content, found = PLACEHOLDER.subn(lambda _match: client, fragment.content, count=1)
    if not found:
        content = fragment.content + client
    wrapped = Fragment(content)
    wrapped.add_fragment_resources(fragment)
    wrapped.add_css_url(url_for("forums_web.static", filename="discussion.css"))
    wrapped.add_javascript_url(url_for("forums_web.static", filename="common.js"))
    wrapped.add_javascript_url(url_for("forums_web.static", filename="discussion.js"))
    return wrapped
