"""Problems on a page: Open edX's maths markers reach MathJax (loaded with the page only when it holds
maths), and a learner's answer, echoed in the re-rendered problem and the page, stays text.
(The browser side is tests/e2e/test_rendering_openedx_course.py.)"""

from __future__ import annotations

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content", "problems")

MATHS = r"""<problem>
<p>Solve [mathjaxinline]x^2 - 3x + 2 = 0[/mathjaxinline]; recall [mathjax]x = \frac{-b}{2a}[/mathjax].</p>
<numericalresponse answer="2"><label>The larger root of \(x^2 - 3x + 2\)?</label><formulaequationinput/>
</numericalresponse></problem>"""
PLAIN = """<problem><stringresponse answer="Paris" type="ci"><label>Capital of France?</label>
<textline size="20"/></stringresponse></problem>"""
XSS = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"


@pytest.fixture
def course(app):
    return publish_course(app, DEFAULT_COURSE, {
        "maths": [Block("problem", "maths", {"display_name": "Roots", "data": MATHS})],
        "plain": [Block("problem", "plain", {"display_name": "Capital", "data": PLAIN})],
    })


def test_problem_maths_becomes_mathjax_delimiters_and_the_page_loads_mathjax(client_as, course):
    html = client_as("learner").get(f"/xblock/{course['maths']}").get_data(as_text=True)
    assert r"\(x^2 - 3x + 2 = 0\)" in html and r"\[x = \frac{-b}{2a}\]" in html
    assert "[mathjax" not in html
    assert 'id="MathJax-script"' in html and "/static/vendor/mathjax/es5/tex-mml-chtml.js" in html


def test_a_problem_without_maths_loads_only_the_maths_loader(client_as, course):
    html = client_as("learner").get(f"/xblock/{course['plain']}").get_data(as_text=True)
    assert 'id="MathJax-script"' not in html
    assert 'src="/static/content/math.js"' in html  # re-rendered HTML with maths loads MathJax then


def test_a_learner_answer_is_escaped_wherever_it_is_shown(client_as, course):
    learner = client_as("learner")
    usage = course["plain"]
    response = learner.post(f"/xblock/{usage}/handler/problem_check", data={"input_plain_2_1": XSS})
    assert response.status_code == 200
    for html in (response.get_json()["contents"], learner.get(f"/xblock/{usage}").get_data(as_text=True)):
        assert "<script>window.__pwned" not in html and "<img src=x" not in html
        assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    page = learner.get(f"/xblock/{usage}")
    assert "nonce=" not in page.get_data(as_text=True)  # nothing on a problem page is trusted to run inline
    policy = page.headers["Content-Security-Policy"]
    assert "'nonce-" not in policy and "'unsafe-inline'" not in policy.split("style-src")[0]
