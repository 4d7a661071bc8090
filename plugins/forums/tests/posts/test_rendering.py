"""Markdown with math rendered to safe HTML: XSS payloads stay inert, math stays escaped text for MathJax."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from kampus_forums.threads.rendering import preview, rendered

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    '<svg onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "\\href{javascript:alert(1)}{click}",
    "$\\href{javascript:alert(1)}{click}$",
    "$$\\href{javascript:alert(1)}{x}</script><script>alert(1)</script>$$",
    "\\(<img src=x onerror=alert(1)>\\)",
    '[a](https://x.example "title\\" onmouseover=\\"alert(1)")',
    "<<script>script>alert(1)<</script>/script>",
    "```\n</code><script>alert(1)</script>\n```",
    "`<img src=x onerror=alert(1)>`",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "[x](  javascript:alert(1))",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
]


class _Elements(HTMLParser):
    """The real elements of a fragment: ``(tag, {attribute: value})``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, {name: value or "" for name, value in attrs}))


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Elements()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_render_inert(payload: str) -> None:
    html = rendered(payload)
    for tag, attributes in elements(html):
        assert tag in {"p", "a", "img", "code", "pre", "span", "div", "em", "strong"}, html
        assert not [name for name in attributes if name.startswith("on")], html
        assert "style" not in attributes, html
        for name in ("href", "src"):
            url = "".join(attributes.get(name, "").split()).lower()
            assert not url.startswith(("javascript:", "vbscript:", "data:")), html
    assert "<script" not in html.lower()


def test_markdown_features_render() -> None:
    html = rendered("# Title\n\n*em* **strong** ~~gone~~\n\n| a | b |\n|--:|---|\n| 1 | 2 |\n\n"
                    "[site](https://example.org) [mail](mailto:a@example.org) ![pic](/static/a.png)")
    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html and "<s>gone</s>" in html
    assert '<th style="text-align:right">a</th>' in html
    assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in html
    assert 'href="mailto:a@example.org"' in html
    assert '<img src="/static/a.png" alt="pic">' in html


def test_images_only_from_http_or_relative_urls() -> None:
    assert 'src="https://example.org/a.png"' in rendered("![a](https://example.org/a.png)")
    assert "src=" not in rendered("![a](mailto:a@example.org)")
    assert "src=" not in rendered("![a](data:image/png;base64,AAAA)")


def test_math_stays_escaped_text_between_mathjax_delimiters() -> None:
    html = rendered("Area $a_1 * b_2 < c$ and \\(x_1\\) and\n\n$$\n\\frac{1}{2} <b>\n$$\n\nand \\[y^2\\]")
    assert '<span class="math math-inline">\\(a_1 * b_2 &lt; c\\)</span>' in html
    assert '<span class="math math-inline">\\(x_1\\)</span>' in html
    assert '<div class="math math-display">\\[\\frac{1}{2} &lt;b&gt;\\]</div>' in html
    assert '<span class="math math-display">\\[y^2\\]</span>' in html
    assert "<em>" not in html  # Markdown did not read the math's * and _


def test_dollar_amounts_are_not_math_and_code_keeps_dollars() -> None:
    assert "math" not in rendered("It costs $5 and $6.")
    assert rendered("`$x$`") == "<p><code>$x$</code></p>\n"


def test_preview_is_one_line_of_text() -> None:
    assert preview(rendered("**Hello**\n\n<b>world</b>")) == "Hello &lt;b&gt;world&lt;/b&gt; "
