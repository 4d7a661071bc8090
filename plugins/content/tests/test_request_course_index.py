"""The course index is read once per request, and every write of the store in that request forgets it."""

from __future__ import annotations

import pytest
from kampus_content.api import DRAFT, PUBLISHED, content_store, get_structure, publish, update_fields
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE, recording_statements

pytestmark = pytest.mark.kampus_plugins("content")


def test_one_index_read_per_request_and_writes_forget_it(app) -> None:
    publish_course(app, DEFAULT_COURSE, {"unit": [Block("html", "page", {"data": "<p>x</p>"})]})
    with app.test_request_context():
        with recording_statements(app) as recorded:
            first = get_structure(DEFAULT_COURSE)
            assert get_structure(DEFAULT_COURSE) is first
            draft = get_structure(DEFAULT_COURSE, DRAFT)
        assert len(recorded.touching("content_course_index")) == 1
        update_fields(DEFAULT_COURSE, ("html", "page"), {"data": "<p>y</p>"}, user_id=None)
        edited = get_structure(DEFAULT_COURSE, DRAFT)
        assert edited.version != draft.version and edited.blocks[("html", "page")].fields["data"] == "<p>y</p>"
        assert get_structure(DEFAULT_COURSE, PUBLISHED).version == first.version
        published = publish(DEFAULT_COURSE, user_id=None)
        assert get_structure(DEFAULT_COURSE).version == published != first.version
    with app.app_context(), recording_statements(app) as outside:  # no request: nothing kept
        content_store().get_branch(DEFAULT_COURSE)
        content_store().get_branch(DEFAULT_COURSE)
    assert len(outside.touching("content_course_index")) == 2
