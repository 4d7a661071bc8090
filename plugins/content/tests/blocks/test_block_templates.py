"""The core blocks render through Jinja templates: names escaped exactly once, every word translatable."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block, publish_course
from web_fragments.fragment import Fragment
from xblock.core import XBlock

from kampus.testing import DEFAULT_COURSE, client_as

pytestmark = pytest.mark.kampus_plugins("content")

EVIL = "<script>alert('x')</script> & Co"
EVIL_ONCE = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"


class BrokenBlock(XBlock):
    """Fails to render, with a message that holds markup."""

    def student_view(self, context: Any = None) -> Fragment:
        raise RuntimeError("<b>boom</b>")


@pytest.fixture(autouse=True)
def broken_block():
    with installed_block("broken", BrokenBlock):
        yield


def build_course(app) -> dict[str, str]:
    return publish_course(app, DEFAULT_COURSE, {
        "unit1": [
            Block("html", "text", {"data": "<p>Author <em>HTML</em></p>", "display_name": EVIL}),
            Block("video", "vid", {"html5_sources": '["https://cdn.example.com/a.mp4"]', "display_name": EVIL,
                                   "download_video": "true"}),
            Block("discussion", "talk", {"display_name": EVIL, "discussion_category": EVIL,
                                         "discussion_target": "T"}),
            Block("no_such_block_type", "gone", {}),
            Block("broken", "bad", {}),
        ],
        "unit2": [],
    }, unit_fields={"unit1": {"display_name": EVIL}})


@pytest.fixture
def course(app):
    return build_course(app)


def test_names_are_escaped_exactly_once(client_as, course):
    staff = client_as("staff")
    unit = staff.get(f"/xblock/{course['lesson1']}").get_data(as_text=True)
    assert EVIL_ONCE in unit  # the unit's tab and heading, the video's title, the discussion
    assert "&amp;lt;" not in unit and "&amp;#39;" not in unit and "&amp;amp;" not in unit
    assert "<script>alert" not in unit
    assert "<p>Author <em>HTML</em></p>" in unit  # author HTML is trusted, as in Open edX
    assert f'data-discussion-category="{EVIL_ONCE}"' in unit
    assert "&lt;b&gt;boom&lt;/b&gt;" in unit and "<b>boom" not in unit  # staff see the error, escaped
    editor = staff.get(f"/xblock/{course['text']}?view=studio_view").get_data(as_text=True)
    assert f'value="{EVIL_ONCE}"' in editor
    assert "&lt;p&gt;Author &lt;em&gt;HTML&lt;/em&gt;&lt;/p&gt;</textarea>" in editor


def test_learners_see_short_notices(client_as, course):
    unit = client_as("learner").get(f"/xblock/{course['lesson1']}").get_data(as_text=True)
    assert "This component is not available." in unit
    assert "This component could not be displayed." in unit
    assert "boom" not in unit and "RuntimeError" not in unit and "cannot be shown" not in unit


def test_empty_subsection_and_outline(client_as, course):
    learner = client_as("learner")
    second = learner.get(f"/xblock/{course['lesson1']}?unit=2").get_data(as_text=True)
    assert "This subsection is empty." not in second  # unit2 exists but has no components
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert 'class="nav-link active" aria-current="page" href="?unit=2"' in second
    outline = learner.get(f"/xblock/{course['course']}").get_data(as_text=True)
    assert f'<a href="/xblock/{course["week1"]}">Week 1</a><ul class="kampus-outline">' in outline


def test_every_word_goes_through_gettext(make_app):
    app = make_app(plugins=["content"])

    def gettext(message: str) -> str:
        return f"[{message}]"

    def ngettext(singular: str, plural: str, n: int) -> str:
        return f"[{singular if n == 1 else plural}]"

    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)
    course = build_course(app)
    staff, learner = client_as(app, "staff"), client_as(app, "learner")
    unit = staff.get(f"/xblock/{course['lesson1']}").get_data(as_text=True)
    for words in ("[Next]", "[Speed]", "[Download video]", "[Your browser cannot play this video.]",
                  "[Discussion is not available in this course.]", "[this component cannot be shown.]",
                  "[No XBlock of this type is installed.]", "[failed to render:]", f"[1. {EVIL_ONCE}]"):
        assert words in unit, words
    assert "[This component is not available.]" in learner.get(f"/xblock/{course['gone']}").get_data(as_text=True)
    assert "[Previous]" in learner.get(f"/xblock/{course['lesson1']}?unit=2").get_data(as_text=True)
    editor = staff.get(f"/xblock/{course['text']}?view=studio_view").get_data(as_text=True)
    assert "[Display name]" in editor and "[Save]" in editor
    author = staff.get(f"/xblock/{course['talk']}?view=author_view").get_data(as_text=True)
    assert "<strong>[Discussion]</strong>" in author
    missing_view = staff.get(f"/xblock/{course['bad']}?view=studio_view").get_data(as_text=True)
    assert "[broken: this view (studio_view) is not available.]" in missing_view
