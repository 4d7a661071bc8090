"""Course HTML rendered as its authors meant, under the site's Content-Security-Policy: authors' scripts
carry the response's nonce, their inline handlers are allowed by hash, Open edX's links and maths markers
are rewritten, and every content page loads the content stylesheet, Font Awesome and (with maths) MathJax.
(The browser side is tests/e2e/test_rendering_openedx_course.py.)"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

AUTHOR_HTML = """<p>Hi</p>
<script>var s = "<script>not a tag</script" + ">"; window.authorRan = true;</script>
<SCRIPT src="/static/course.js"></SCRIPT>
<button onclick="window.clicked = 'a&amp;b'">Click</button>
<a href="/jump_to_id/abc123">next</a> <a href='/course/'>home</a>"""


@pytest.fixture
def usage(app):
    return publish_course(app, DEFAULT_COURSE, {
        "scripted": [Block("html", "scripted", {"data": AUTHOR_HTML})],
        "plain": [Block("html", "plain", {"data": "<p>No maths, no script</p>"})],
        "maths": [Block("html", "maths",
                        {"data": "<p>[mathjaxinline]x^2[/mathjaxinline] and [mathjax]E=mc^2[/mathjax]</p>"})],
        "tex": [Block("html", "tex", {"data": r"<p>Area \(\pi r^2\)</p>"})],
        "mixed": [Block("html", "mixed_html", {"data": "<script>window.a = 1;</script>"}),
                  Block("feedback", "fb", {"display_name": "Your opinion"})],
    })


def policy_of(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def nonces(html: str) -> list[str]:
    return re.findall(r'<script nonce="([^"]+)"', html, flags=re.I)


def test_author_scripts_get_the_response_nonce_and_handlers_their_hash(client_as, usage):
    response = client_as("learner").get(f"/xblock/{usage['scripted']}")
    html = response.get_data(as_text=True)
    found = nonces(html)
    assert len(found) == 2 and len(set(found)) == 1  # the inline script and the course's script file
    nonce = found[0]
    assert len(nonce) >= 16
    script_src = policy_of(response)["script-src"]
    assert f"'nonce-{nonce}'" in script_src and "'self'" in script_src
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    # the handler's decoded text is allowed by its hash, and nothing else inline
    digest = base64.b64encode(hashlib.sha256(b"window.clicked = 'a&b'").digest()).decode()
    assert "'unsafe-hashes'" in script_src and f"'sha256-{digest}'" in script_src
    # text inside a script that looks like a tag is left alone
    assert 'var s = "<script>not a tag</script" + ">"' in html
    assert f'<SCRIPT nonce="{nonce}" src="/assets/{DEFAULT_COURSE}/course.js">' in html


def test_each_response_has_its_own_nonce(client_as, usage):
    learner = client_as("learner")
    first = nonces(learner.get(f"/xblock/{usage['scripted']}").get_data(as_text=True))[0]
    second = nonces(learner.get(f"/xblock/{usage['scripted']}").get_data(as_text=True))[0]
    assert first != second


def test_pages_without_author_scripts_keep_the_strict_script_policy(client_as, usage, client):
    response = client_as("learner").get(f"/xblock/{usage['plain']}")
    assert "script-src" not in policy_of(response)  # default-src 'self': no inline script at all
    assert "nonce=" not in response.get_data(as_text=True)
    home = client.get("/")
    assert home.headers["Content-Security-Policy"].startswith("default-src 'self'; style-src 'self' 'unsafe-inline';")
    assert "script-src" not in home.headers["Content-Security-Policy"]


def test_third_party_blocks_and_author_scripts_share_one_policy(client_as, usage):
    response = client_as("learner").get(f"/xblock/{usage['mixed']}")
    nonce = nonces(response.get_data(as_text=True))[0]
    script_src = policy_of(response)["script-src"]
    assert "'unsafe-eval'" in script_src and f"'nonce-{nonce}'" in script_src
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_openedx_links_are_rewritten_to_this_course(client_as, usage):
    html = client_as("learner").get(f"/xblock/{usage['scripted']}").get_data(as_text=True)
    assert f'href="/courses/{DEFAULT_COURSE}/jump_to_id/abc123"' in html
    assert f"href='/courses/{DEFAULT_COURSE}/'" in html


def test_openedx_maths_markers_become_mathjax_delimiters_and_load_mathjax(client_as, usage):
    html = client_as("learner").get(f"/xblock/{usage['maths']}").get_data(as_text=True)
    assert r"\(x^2\)" in html and r"\[E=mc^2\]" in html and "[mathjax" not in html
    assert 'src="/static/vendor/mathjax/es5/tex-mml-chtml.js" id="MathJax-script"' in html
    tex = client_as("learner").get(f"/xblock/{usage['tex']}").get_data(as_text=True)
    assert 'id="MathJax-script"' in tex


def test_every_content_page_loads_the_content_css_font_awesome_and_maths_loader(client_as, usage):
    response = client_as("learner").get(f"/xblock/{usage['plain']}")
    html = response.get_data(as_text=True)
    assert 'href="/static/content/content.css"' in html
    assert 'href="/static/vendor/font-awesome/css/font-awesome.min.css"' in html
    assert 'src="/static/content/math.js" data-mathjax-src="/static/vendor/mathjax/es5/tex-mml-chtml.js"' in html
    assert 'id="MathJax-script"' not in html  # no maths here: MathJax is not loaded
    # course HTML may use web fonts from other sites (the Open edX demo course's Google Fonts)
    directives = policy_of(response)
    assert "https:" in directives["style-src"] and "https:" in directives["font-src"]


def test_vendor_maths_and_icons_come_from_their_pypi_packages(client):
    mathjax = client.get("/static/vendor/mathjax/es5/tex-mml-chtml.js")
    assert mathjax.status_code == 200 and "javascript" in mathjax.mimetype
    assert client.get("/static/vendor/mathjax/es5/ui/safe.js").status_code == 200
    font = "/static/vendor/mathjax/es5/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff"
    assert client.get(font).status_code == 200
    css = client.get("/static/vendor/font-awesome/css/font-awesome.min.css")
    assert css.status_code == 200 and css.mimetype == "text/css" and b"Font Awesome 4.7.0" in css.data[:300]
    font = client.get("/static/vendor/font-awesome/fonts/fontawesome-webfont.woff2")
    assert font.status_code == 200 and font.mimetype == "font/woff2"
    assert client.get("/static/vendor/mathjax/../__init__.py").status_code == 404
    assert client.get("/static/vendor/katex/katex.js").status_code == 404


def test_openedx_asset_urls_redirect_to_the_course_asset(client):
    response = client.get("/asset-v1:OpenedX+DemoX+DemoCourse+type@asset+block@download-icon.svg")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/assets/course-v1:OpenedX+DemoX+DemoCourse/download-icon.svg")
    assert client.get("/asset-v1:not a key").status_code == 404
