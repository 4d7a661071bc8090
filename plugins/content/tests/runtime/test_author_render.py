"""render_block_views: several blocks of the draft rendered for an authoring page, resources once."""

from __future__ import annotations

import pytest
from flask_login import login_user
from kampus_content.api import DRAFT, get_structure, render_block_views, update_fields
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE, make_user

pytestmark = pytest.mark.kampus_plugins("content")


@pytest.fixture
def unit(app):
    return publish_course(app, DEFAULT_COURSE, {
        "unit1": [Block("html", "intro", {"data": "<p>Published text</p>"}), Block("done", "done1", {})],
    })


def test_author_views_of_the_draft_with_page_resources(app, unit):
    staff = make_user(app, "staff", course_id=DEFAULT_COURSE)
    with app.app_context():
        update_fields(DEFAULT_COURSE, ("html", "intro"), {"data": "<p>Draft text</p>"}, user_id=None)
        draft = get_structure(DEFAULT_COURSE, DRAFT)
        with app.test_request_context("/"):
            login_user(staff)
            rendered = render_block_views(draft, [("html", "intro"), ("done", "done1")], user=staff)
    assert "Draft text" in rendered.html[("html", "intro")]
    assert 'data-block-type="done"' in rendered.html[("done", "done1")]
    assert any(src.endswith("xblock-runtime.js") for src in rendered.page_scripts)
    assert "done" in rendered.head + rendered.foot  # the third-party block's own resources, once for the page


def test_only_authoring_views(app, unit):
    staff = make_user(app, "staff", course_id=DEFAULT_COURSE)
    with app.app_context(), app.test_request_context("/"):
        with pytest.raises(ValueError):
            render_block_views(get_structure(DEFAULT_COURSE, DRAFT), [("html", "intro")], user=staff, view="bogus")
