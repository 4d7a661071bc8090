"""Authors' HTML: Open edX's course-relative links (``/static/``, ``/jump_to_id/``, ``/course/``) rewritten
for a course, and the one sanitiser for author HTML on pages that are not blocks."""

from __future__ import annotations

import pytest
from kampus_content.api import ANSWER_ELEMENTS, clean_author_html, plain_text, rewrite_course_urls
from kampus_content.runtime.services import ReplaceURLService

COURSE = "course-v1:Org+Html+1"


def test_static_jump_to_id_and_course_links_point_to_the_course() -> None:
    html = ('<img src="/static/images/pic one.png"><a href=\'/static/doc.pdf?page=2#top\'>pdf</a>'
            '<div style="background: url(/static/bg.png)"></div>'
            '<a href="/jump_to_id/abc123">next</a><a href="/course/progress">progress</a>'
            '<a href="/static/">the folder</a><a href="https://example.org/static/x.png">elsewhere</a>')
    rewritten = rewrite_course_urls(html, COURSE)
    assert f'src="/assets/{COURSE}/images/pic one.png"' in rewritten
    assert f"href='/assets/{COURSE}/doc.pdf?page=2#top'" in rewritten
    assert f"url(/assets/{COURSE}/bg.png)" in rewritten
    assert f'href="/courses/{COURSE}/jump_to_id/abc123"' in rewritten
    assert f'href="/courses/{COURSE}/progress"' in rewritten
    assert 'href="/static/"' in rewritten  # no file named: left alone
    assert 'href="https://example.org/static/x.png"' in rewritten  # another site's /static/ is theirs
    assert rewrite_course_urls(html, COURSE, static_only=True).count("/jump_to_id/abc123") == 1
    assert 'href="/jump_to_id/abc123"' in rewrite_course_urls(html, COURSE, static_only=True)


def test_the_replace_urls_service_follows_open_edx() -> None:
    service = ReplaceURLService(COURSE)
    text = '<a href="/static/a.png">a</a><a href="/course/">home</a>'
    assert service.replace_urls(text) == (f'<a href="/assets/{COURSE}/a.png">a</a>'
                                          f'<a href="/courses/{COURSE}/">home</a>')
    assert service.replace_urls(text, static_replace_only=True) == (f'<a href="/assets/{COURSE}/a.png">a</a>'
                                                                    '<a href="/course/">home</a>')


ATTACKS = [
    '<script>alert(1)</script>',
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<form action="/logout"><button formaction="javascript:alert(1)">x</button></form>',
    '<object data="evil.swf"></object>',
    '<style>body { display: none }</style>',
    '<p onclick="alert(1)" onmouseover="alert(2)">text</p>',
]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("strict", [False, True])
def test_scripts_handlers_and_javascript_urls_are_removed(attack: str, strict: bool) -> None:
    cleaned = clean_author_html(attack, COURSE, strict=strict).lower()
    for bad in ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "<object", "<form",
                "<style", "alert(1)</"):
        assert bad not in cleaned, (attack, cleaned)


def test_authors_markup_and_styles_are_kept_and_the_strict_variant_drops_styles() -> None:
    html = ('<section class="intro" style="color: #333"><h2 id="welcome">Welcome</h2>'
            '<table><tr><th scope="col">A</th></tr><tr><td colspan="2">1</td></tr></table>'
            '<img src="/static/pic.png" alt="A picture"><a href="https://example.org" target="_blank">out</a>'
            '<iframe src="https://www.youtube.com/embed/abc" title="Video" allowfullscreen></iframe></section>')
    cleaned = clean_author_html(html, COURSE)
    for kept in ('class="intro"', 'style="color: #333"', '<h2 id="welcome">', '<th scope="col">',
                 '<td colspan="2">', f'src="/assets/{COURSE}/pic.png"', 'alt="A picture"',
                 'href="https://example.org"', 'rel="noopener noreferrer"', '<iframe'):
        assert kept in cleaned, kept
    strict = clean_author_html(html, COURSE, strict=True)
    assert "style=" not in strict and 'class="intro"' in strict and "<table>" in strict
    assert clean_author_html("") == clean_author_html("   \n") == ""
    without_course = clean_author_html('<a href="/static/x.pdf">x</a>')  # no course: links left as written
    assert without_course == '<a href="/static/x.pdf" rel="noopener noreferrer">x</a>'


def test_plain_text_parts_words_at_element_boundaries_but_not_inside_inline_markup() -> None:
    problem = ("<problem><label>Which organelle?</label><choicegroup><choice correct='true'>Chloroplast</choice>"
               "<choice>Nucleus</choice></choicegroup><solution><p>The chloroplast.</p></solution></problem>")
    assert plain_text(problem) == "Which organelle? Chloroplast Nucleus The chloroplast."
    assert plain_text(problem, ANSWER_ELEMENTS) == "Which organelle? Chloroplast Nucleus"
    assert plain_text("<p>Plants turn <b>light</b>s <em>into</em> sugar.</p><p>Next</p>") == (
        "Plants turn lights into sugar. Next")
    assert plain_text("<p>A &amp; B<script>x()</script></p><style>p{}</style>") == "A & B"
    assert plain_text("one<br/>two<hr>three") == "one two three"
    assert plain_text("") == plain_text(None) == ""
