"""Rendering several blocks of a course's draft into one authoring page (Studio's unit editor).

:func:`render_block_views` renders each block's ``author_view`` (the runtime falls back to
``student_view`` for blocks without one, as Open edX's Studio does), or ``student_view`` for a
learner's preview of the draft, in one :class:`KampusRuntime` over the draft: handler URLs carry
``branch=draft`` and nothing an author does in a preview is recorded as a learner's score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import get_locale
from markupsafe import Markup
from web_fragments.fragment import Fragment

from kampus import db
from kampus.current import current_kampus
from kampus_content.runtime.fragments import allow_third_party_scripts, resource_tags
from kampus_content.runtime.javascript_libraries import PAGE_SCRIPTS
from kampus_content.runtime.runtime import KampusRuntime
from kampus_content.store import BlockKey, ContentStoreError, Structure

#: The views an authoring page may render.
AUTHORING_VIEWS = ("author_view", "student_view", "studio_view")


@dataclass(frozen=True)
class RenderedBlocks:
    """Blocks rendered for one page: each block's HTML by key, and the page's resources once."""

    html: dict[BlockKey, Markup]  #: each block's wrapped HTML
    head: Markup  #: tags of the resources for the page's ``<head>``
    foot: Markup  #: tags of the resources for the end of the page
    page_scripts: tuple[str, ...]  #: URLs of the scripts to load first (jQuery, the XBlock runtime)


def render_block_views(structure: Structure, keys: Sequence[BlockKey], *, user: Any,
                       view: str = "author_view", context: dict[str, Any] | None = None,
                       as_staff: bool = True) -> RenderedBlocks:
    """Render ``view`` of each block of ``keys`` of a draft ``structure`` for an author ``user``
    (``as_staff=False``: without what only course staff see, as a learner's preview).

    What rendering wrote in the author's own state (a problem's seed) is committed; a block that
    fails to render shows the runtime's error box instead, never breaking the page.
    """
    if view not in AUTHORING_VIEWS:
        raise ValueError(f"{view!r} is not an authoring view")
    kampus = current_kampus()
    runtime = KampusRuntime(structure, user=user, user_is_staff=as_staff, authoring=True, visible=None,
                            locale=str(get_locale() or kampus.settings.default_locale), db_session=db.session())
    page = Fragment()
    html: dict[BlockKey, Markup] = {}
    for key in keys:
        block = runtime.get_block(runtime.usage_key(key))
        runtime.prefetch_subtree(block.scope_ids.usage_id)
        frag = runtime.render(block, view, dict(context or {}))
        page.add_fragment_resources(frag)
        html[tuple(key)] = Markup(frag.body_html())  # type: ignore[index]
    runtime.edits = None  # a view never edits the course: only the author's own state is kept
    try:
        runtime.flush()
        db.session().commit()
    except ContentStoreError:
        db.session().rollback()
    head, foot = resource_tags(page)
    scripts = tuple(url_for("xblock.vendor_static", library=library, filename=filename)
                    for library, filename in PAGE_SCRIPTS) + (url_for("xblock.content_static",
                                                                      filename="xblock-runtime.js"),)
    if runtime.third_party_loaded:
        allow_third_party_scripts("".join(html.values()))
    return RenderedBlocks(html, head, foot, scripts)
