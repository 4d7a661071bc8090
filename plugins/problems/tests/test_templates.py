"""The problem's HTML comes from Jinja templates: autoescaped, every fixed string through gettext,
rendered with the app's environment (site overrides apply) or, without an app, a standalone one."""

from __future__ import annotations

import gettext

import pytest
from jinja2 import Environment, FileSystemLoader
from kampus_problems import templating
from kampus_problems.capa import LoncapaProblem

EVERY_INPUT = """<problem><customresponse cfn="f"><textline/><textline/></customresponse>
<optionresponse><label>Colour?</label><optioninput options="('red','blue')" correct="blue"/></optionresponse>
<multiplechoiceresponse><label>Planet?</label><choicegroup><choice correct="true">Jupiter</choice>
  <choice correct="false">Mars</choice></choicegroup></multiplechoiceresponse>
<imageresponse><imageinput src="/static/a.png" rectangle="(1,1)-(2,2)"/></imageresponse>
<annotationresponse><annotationinput><title>T</title><text>X</text><options><option choice="correct">o</option>
  </options></annotationinput></annotationresponse>
<customresponse cfn="f"><jsinput html_file="/static/p.html" gradefn="g"/></customresponse>
</problem>"""


class Marked(gettext.NullTranslations):
    """Wraps every translated string in «», to see which strings went through gettext."""

    def gettext(self, message: str) -> str:
        return f"«{message}»"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"«{singular if n == 1 else plural}»"


def marked_environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templating.TEMPLATES)), autoescape=True,
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(Marked(), newstyle=True)  # type: ignore[attr-defined]
    return env


def test_every_fixed_string_is_translated(monkeypatch):
    monkeypatch.setattr("kampus_problems.capa.rendering.problem_environment", marked_environment)
    html = LoncapaProblem(EVERY_INPUT, seed=1).get_html()
    for text in ("«Select an option»", "«unanswered»", "«correct answer»", "««Answer» (part 1)»",
                 "««Answer» (part 2)»", "«Click the image, or type the point as [x,y] in pixels",
                 "«Your comment»", "«Tags»", 'title="«Interactive problem»"'):
        assert text in html, text
    for untranslated in (">Select an option<", ">unanswered<", ">correct answer<", "Your comment<"):
        assert untranslated not in html


def test_author_text_is_escaped_and_author_markup_kept():
    html = LoncapaProblem("""<problem><stringresponse answer="x"><label>Is <b>1 &lt; 2</b>?</label>
        <textline trailing_text="&lt;script&gt;"/></stringresponse></problem>""", seed=1).get_html()
    assert "<b>1 &lt; 2</b>" in html
    assert '<span class="kampus-trailing-text">&lt;script&gt;</span>' in html
    assert "<script>" not in html


def test_inside_an_app_the_apps_environment_renders_site_overrides(make_app, tmp_path):
    site = tmp_path / "site-templates"
    (site / "problems" / "inputs").mkdir(parents=True)
    (site / "problems" / "inputs" / "filesubmission.html").write_text('<p class="site-override">{{ ctx.input_id }}</p>')
    app = make_app(plugins=["content", "problems"], settings={"site_templates": str(site)})
    xml = '<problem><coderesponse queuename="q"><filesubmission/><codeparam><grader_payload>{}</grader_payload>' \
          "</codeparam></coderesponse></problem>"
    with app.app_context():  # as in `kampus check-problem` or a task: no request
        html = LoncapaProblem(xml, seed=1).get_html()
    assert '<p class="site-override">1_2_1</p>' in html
    assert "site-override" not in LoncapaProblem(xml, seed=1).get_html()  # without an app: the plugin's own


@pytest.mark.kampus_plugins("content", "problems")
def test_demand_hints_and_errors_come_from_templates(app):
    with app.test_request_context():
        html = str(templating.render("problems/demand_hints.html", hints=["<b>one</b>"], count=2))
        error = str(templating.render("problems/error.html", message="", detail="<x>"))
    assert html == ('<ol><li class="hint-index-0" tabindex="-1"><strong>Hint (1 of 2): </strong>'
                    "&lt;b&gt;one&lt;/b&gt;</li></ol>")
    assert "This problem could not be displayed." in error and "<pre>&lt;x&gt;</pre>" in error
