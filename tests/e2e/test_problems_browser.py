"""In a real browser: one problem of each response type is answered, submitted (feedback shown and
announced), reset and its answer shown; every input has a label. The live site runs instructor Python
in the codejail sandbox (`kampus init` turns it on when kampus-codejail is installed)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.e2e

COURSE = "course-v1:E2E+Problems+2026"
IMAGE = "data:image/svg+xml;utf8," + quote(
    "<svg xmlns='http://www.w3.org/2000/svg' width='200' height='200'><rect width='200' height='200' fill='#eee'/>"
    "<rect x='20' y='20' width='60' height='60' fill='#c33'/></svg>")

PROBLEMS = {
    "multiplechoice": """<problem><multiplechoiceresponse><label>Largest planet?</label>
        <choicegroup type="MultipleChoice"><choice correct="false">Mars</choice>
        <choice correct="true">Jupiter <choicehint>Yes, a gas giant.</choicehint></choice></choicegroup>
        </multiplechoiceresponse><solution><p>Jupiter is the largest.</p></solution></problem>""",
    "checkboxes": """<problem><choiceresponse><label>Even numbers?</label><checkboxgroup>
        <choice correct="true">2</choice><choice correct="false">3</choice><choice correct="true">4</choice>
        </checkboxgroup></choiceresponse></problem>""",
    "dropdown": """<problem><optionresponse><label>Colour of the sky?</label>
        <optioninput options="('red','blue')" correct="blue"/></optionresponse></problem>""",
    "text": """<problem><stringresponse answer="Paris" type="ci"><label>Capital of France?</label>
        <textline size="20"/></stringresponse></problem>""",
    "numerical": """<problem><numericalresponse answer="4500"><label>How many?</label>
        <responseparam type="tolerance" default="5%"/><formulaequationinput/></numericalresponse></problem>""",
    "formula": """<problem><formularesponse answer="x^2+2*x" samples="x@1:5#10" type="cs">
        <label>Expand x(x+2)</label><responseparam type="tolerance" default="0.01"/>
        <formulaequationinput/></formularesponse></problem>""",
    "image": f"""<problem><imageresponse><label>Click the red square</label>
        <imageinput src="{IMAGE}" width="200" height="200" rectangle="(20,20)-(80,80)"/></imageresponse></problem>""",
    "choicetext": """<problem><choicetextresponse><radiotextgroup label="Pick and give a value">
        <choice correct="true">The number <numtolerance_input answer="5"/></choice>
        <choice correct="false">Something else</choice></radiotextgroup></choicetextresponse></problem>""",
    "custom": """<problem><script type="loncapa/python">
def check_even(expect, answer):
    return {"ok": answer.strip().isdigit() and int(answer) % 2 == 0, "msg": "Checked in the sandbox"}
</script><customresponse cfn="check_even" expect="8"><label>An even number?</label>
        <textline size="10"/></customresponse></problem>""",
    "truefalse": """<problem><truefalseresponse><label>Water boils at 100 °C at sea level.</label>
        <choicegroup type="TrueFalse"><choice correct="true">True</choice><choice correct="false">False</choice>
        </choicegroup></truefalseresponse></problem>""",
    "symbolic": """<problem><symbolicresponse expect="x^2+2*x"><label>Expand x(x+2) symbolically</label>
        <textline size="30" math="1"/></symbolicresponse></problem>""",
    "annotation": """<problem><annotationresponse><annotationinput>
        <title>Tag the quotation</title>
        <text>"Knowledge is power." (Francis Bacon)</text>
        <comment>What does the quotation claim?</comment>
        <comment_prompt>Your reading of it</comment_prompt>
        <tag_prompt>Which tag fits best?</tag_prompt>
        <options><option choice="correct">learning empowers</option><option choice="partially-correct">politics</option>
        <option choice="incorrect">cooking</option></options>
        </annotationinput></annotationresponse></problem>""",
    # The page is a course file (static/jsinput_page.html, JSINPUT_PAGE below), served sandboxed with an
    # opaque origin: the problem reaches it only through the jschannel-style messages. The cfn gets
    # upstream's {"answer": grade, "state": state} JSON and runs in the sandbox.
    "jsinput": """<problem><script type="loncapa/python">
import json
def check_jsinput(expect, answer):
    given = json.loads(answer)
    state = json.loads(given["state"])
    ok = given["answer"].strip() == expect and state.get("typed", "").strip() == expect
    return {"ok": ok, "msg": "The page said " + given["answer"]}
</script><customresponse cfn="check_jsinput" expect="42"><label>Answer in the interactive page</label>
        <jsinput html_file="/static/jsinput_page.html" gradefn="getGrade" get_statefn="getState"
                 set_statefn="setState" width="420" height="120" sop="false" title="Six times seven"/>
        </customresponse><solution><p>Six times seven is 42.</p></solution></problem>""",
}

#: Published too, but not part of the every-type test above.
EXTRA_PROBLEMS = {
    "jsinput_silent": """<problem><customresponse cfn="check" expect="1"><label>A page that never answers</label>
        <jsinput html_file="/static/silent_page.html" gradefn="getGrade" sop="false"/></customresponse></problem>""",
}
EXTRA_PROBLEMS["refused_text"] = PROBLEMS["text"]
EXTRA_PROBLEMS["refused_choice"] = PROBLEMS["multiplechoice"]
SILENT_PAGE = "<!doctype html><html lang='en'><title>Silent</title><p>This page opens no channel.</p></html>"

#: An original JS Input page: it answers the jschannel protocol by hand (scope "JSInput": a "__ready" ping /
#: pong handshake, then {"id", "method": "JSInput::getGrade", "params"} requests answered by {"id", "result"}),
#: all as JSON strings through postMessage. It has no same-origin access to the problem page.
JSINPUT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Six times seven</title></head>
<body>
<label for="product">How much is 6 &times; 7?</label>
<input id="product" type="text" size="6">
<script src="jsinput_responder.js"></script>
</body></html>
"""

#: The page's script, a sibling course file (as course pages load jschannel.js): the sandboxed page may
#: load scripts of the site (CSP default-src 'self').
JSINPUT_SCRIPT = """(function () {
  "use strict";
  var SCOPE = "JSInput";
  var box = document.getElementById("product");
  var open = false;
  var methods = {
    getGrade: function () { return box.value; },
    getState: function () { return JSON.stringify({ typed: box.value }); },
    setState: function (state) {
      box.value = JSON.parse(state).typed || "";
      document.body.setAttribute("data-restored", box.value);
      return true;
    }
  };
  function reply(message) { window.parent.postMessage(JSON.stringify(message), "*"); }
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || typeof event.data !== "string") { return; }
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; }
    if (!message || typeof message.method !== "string") { return; }
    var name = message.method.split("::");
    if (name.length !== 2 || name[0] !== SCOPE) { return; }
    if (name[1] === "__ready") {
      if (!open) {
        open = true;
        if (message.params === "ping") { reply({ method: SCOPE + "::__ready", params: "pong" }); }
      }
      return;
    }
    if (message.id === undefined) { return; }
    if (!methods.hasOwnProperty(name[1])) {
      reply({ id: message.id, error: "method_not_found", message: name[1] });
      return;
    }
    try {
      reply({ id: message.id, result: methods[name[1]](message.params) });
    } catch (e) {
      reply({ id: message.id, error: "runtime_error", message: String(e) });
    }
  });
  reply({ method: SCOPE + "::__ready", params: "ping" });
}());
"""


def make_course(live_site) -> tuple[dict[str, str], str]:
    """Publish one problem per unit on the live site and create a learner (in a child process)."""
    username = f"e2e_{uuid.uuid4().hex[:8]}"
    script = f"""
import json
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.permissions import grant_role
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
problems = json.loads({PROBLEMS_JSON!r})
app = create_app()
units = {{name: [Block("problem", name, {{"display_name": name.title(), "data": data, "showanswer": "always",
                                        "rerandomize": "onreset", "show_reset_button": "true"}})]
         for name, data in problems.items()}}
page_key = "e2e-jsinput-page-" + {username!r}
with app.app_context():
    app.extensions["kampus"].blob_store.put(page_key, {JSINPUT_PAGE!r}.encode(), "text/html")
    app.extensions["kampus"].blob_store.put(page_key + "-silent", {SILENT_PAGE!r}.encode(), "text/html")
    app.extensions["kampus"].blob_store.put(page_key + "-js", {JSINPUT_SCRIPT!r}.encode(), "text/javascript")
files = {{"static/jsinput_page.html": page_key, "static/silent_page.html": page_key + "-silent",
         "static/jsinput_responder.js": page_key + "-js"}}
usage = publish_course(app, {COURSE!r}, units, root_meta={{"files": files}})
with app.app_context():
    with app.extensions["kampus"].db.session_scope() as db_session:
        user = create_user(db_session, {username!r}, "{username}@example.com", {live_site.password!r}, name="E2E",
                           confirmed=True)
        grant_role(db_session, user, "learner", {COURSE!r})
print(json.dumps({{name: usage[name] for name in problems}}))
"""
    return json.loads(live_site.run_python(script)), username


PROBLEMS_JSON = json.dumps({**PROBLEMS, **EXTRA_PROBLEMS})


@pytest.fixture(scope="module")
def problem_course(live_site):
    if not (live_site.home / "kampus.toml").read_text().count('"problems"'):
        pytest.skip("the problems plugin is not enabled on the live site")
    return make_course(live_site)


UNLABELLED = """(root) => Array.from(root.querySelectorAll('input, select, textarea'))
  .filter((el) => el.type !== 'hidden')
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML)"""


def answer(page, name: str) -> None:
    problem = page.locator(".kampus-problem")
    if name == "multiplechoice":
        problem.get_by_label("Jupiter").check()
    elif name == "checkboxes":
        problem.get_by_label("2", exact=True).check()
        problem.get_by_label("4", exact=True).check()
    elif name == "dropdown":
        problem.get_by_label("Colour of the sky?").select_option("blue")
    elif name == "text":
        problem.get_by_label("Capital of France?").fill("paris")
    elif name == "numerical":
        problem.get_by_label("How many?").fill("4600")
    elif name == "formula":
        problem.get_by_label("Expand x(x+2)").fill("x*(x+2)")
    elif name == "image":
        problem.locator(".kampus-imageinput-image").click(position={"x": 50, "y": 50})
        value = problem.get_by_label("Click the red square").input_value()
        assert value == "[50,50]", value
    elif name == "choicetext":
        problem.locator(".kampus-ct-choice").first.check()
        problem.get_by_label("Value for choice 1").fill("5")
    elif name == "custom":
        problem.get_by_label("An even number?").fill("12")
    elif name == "truefalse":
        problem.get_by_label("True", exact=True).check()
    elif name == "symbolic":
        # As upstream's symmath_check: a reordering is equal once sympified; x*(x+2) would need the MathML
        # of the math preview (dynamath) to be judged equal.
        problem.get_by_label("Expand x(x+2) symbolically").fill("2*x + x^2")
    elif name == "annotation":
        problem.get_by_label("Your reading of it").fill("Learning gives people power.")
        problem.get_by_label("learning empowers").check()
    elif name == "jsinput":
        frame = page.frame_locator(".kampus-jsinput iframe")
        frame.get_by_label("How much is 6 × 7?").fill("42")
    else:  # pragma: no cover
        raise AssertionError(name)


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_problem_in_the_browser(live_site, page, problem_course, name):
    usage, username = problem_course
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{usage[name]}")
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    page.wait_for_function("window.KampusProblem !== undefined")
    assert page.evaluate(UNLABELLED, problem.element_handle()) == []

    answer(page, name)
    problem.get_by_role("button", name="Submit").click()
    notification = problem.locator(".kampus-notification")
    notification.wait_for()
    assert "Correct" in notification.inner_text(), notification.inner_text()
    live = problem.locator(".kampus-problem-live")
    assert live.get_attribute("aria-live") == "polite"
    page.wait_for_function("(el) => el.textContent.includes('Correct')", arg=live.element_handle())
    assert problem.locator(".kampus-status.status-correct").count() >= 1

    problem.get_by_role("button", name="Reset").click()
    page.wait_for_function("(el) => el.textContent.includes('reset')", arg=live.element_handle())
    assert problem.locator(".kampus-notification").count() == 0
    assert problem.locator(".kampus-status.status-correct").count() == 0

    problem.get_by_role("button", name="Show answer").click()
    page.wait_for_function("(el) => el.textContent.includes('Answers are displayed')", arg=live.element_handle())
    shown = problem.locator(".kampus-answer:not([hidden]), .kampus-choice-correct-answer, "
                            ".kampus-solution:not([hidden])")
    assert shown.count() >= 1
    if name == "multiplechoice":
        assert "Jupiter is the largest." in problem.locator(".kampus-solution").inner_text()
        assert problem.locator(".kampus-choice-correct-answer").inner_text().startswith("Jupiter")


def test_jsinput_page_is_sandboxed_and_keeps_its_state(live_site, page, problem_course):
    """The course page in the JS Input frame runs with an opaque origin; its state comes back after a reload."""
    usage, username = problem_course
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{usage['jsinput']}")
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    page.wait_for_function("window.KampusProblem !== undefined")
    frame_element = problem.locator(".kampus-jsinput iframe")
    assert "frame=1" in frame_element.get_attribute("src")
    frame = page.frame_locator(".kampus-jsinput iframe")
    frame.get_by_label("How much is 6 × 7?").fill("42")
    # Sandboxed without allow-same-origin: the problem page cannot reach into the frame, nor the frame out.
    assert page.evaluate("(f) => { try { return !!f.contentWindow.document; } catch (e) { return false; } }",
                         frame_element.element_handle()) is False
    inner = next(f for f in page.frames if "jsinput_page.html" in f.url)
    cookies = inner.evaluate("() => { try { return document.cookie; } catch (e) { return 'blocked'; } }")
    assert cookies in ("", "blocked")
    assert inner.evaluate("() => self.origin") == "null"

    problem.get_by_role("button", name="Submit").click()
    notification = problem.locator(".kampus-notification")
    notification.wait_for()
    assert "Correct" in notification.inner_text(), notification.inner_text()
    value = problem.locator(".kampus-jsinput-value").input_value()
    assert json.loads(value) == {"answer": "42", "state": '{"typed":"42"}'}

    page.reload()
    problem.wait_for()
    frame = page.frame_locator(".kampus-jsinput iframe")
    frame.locator("body[data-restored='42']").wait_for()
    assert frame.get_by_label("How much is 6 × 7?").input_value() == "42"
    assert problem.locator(".kampus-status.status-correct").count() >= 1


def test_jsinput_page_that_does_not_answer_is_reported(live_site, page, problem_course):
    """A page that never opens the channel: Submit tells the learner instead of sending an empty answer."""
    usage, username = problem_course
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{usage['jsinput_silent']}")
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    page.wait_for_function("window.KampusProblem !== undefined")
    page.evaluate("window.KampusJSInput.timeout = 1500")
    problem.get_by_role("button", name="Submit").click()
    error = problem.locator(".kampus-problem-error")
    error.wait_for()
    assert "did not respond" in error.inner_text()
    assert "did not respond" in problem.locator(".kampus-jsinput-message").inner_text()
    assert problem.locator(".kampus-notification").count() == 0


def open_problem(page, live_site, problem_course, name: str):
    usage, username = problem_course
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{usage[name]}")
    problem = page.locator(".kampus-problem")
    problem.wait_for()
    page.wait_for_function("window.KampusProblem !== undefined")
    return problem


def submit_and_wait_correct(page, problem) -> None:
    problem.get_by_role("button", name="Submit").click()
    problem.locator(".kampus-notification").wait_for()
    assert problem.locator(".kampus-status.status-correct").count() == 1


def test_refused_empty_answer_leaves_no_correct_mark(live_site, page, problem_course):
    """Correct, then the answer emptied (without input events) and submitted: the server refuses it, and the
    "correct" mark no longer stands beside the empty box; the stored answer is still the graded one."""
    problem = open_problem(page, live_site, problem_course, "refused_text")
    problem.get_by_label("Capital of France?").fill("paris")
    submit_and_wait_correct(page, problem)
    problem.get_by_label("Capital of France?").evaluate("(el) => { el.value = '   '; }")
    assert problem.locator(".kampus-status.status-correct").count() == 1  # no event fired: still marked
    problem.get_by_role("button", name="Submit").click()
    error = problem.locator(".kampus-problem-error")
    error.wait_for()
    assert "Please enter an answer before submitting." in error.inner_text()
    assert problem.locator(".kampus-status.status-correct").count() == 0
    assert problem.locator(".kampus-status").get_attribute("data-status") == "unsubmitted"
    page.reload()
    problem.wait_for()
    assert problem.get_by_label("Capital of France?").input_value() == "paris"
    assert problem.locator(".kampus-status.status-correct").count() == 1


def test_malformed_choice_leaves_no_correct_mark(live_site, page, problem_course):
    """A choice the problem does not have (a tampered form) is a bad request: the mark of the changed input goes."""
    problem = open_problem(page, live_site, problem_course, "refused_choice")
    problem.get_by_label("Jupiter").check()
    submit_and_wait_correct(page, problem)
    problem.get_by_label("Jupiter").evaluate("(el) => { el.value = 'choice_9'; }")
    problem.get_by_role("button", name="Submit").click()
    error = problem.locator(".kampus-problem-error")
    error.wait_for()
    assert "choice_9 is not one of the choices" in error.inner_text()
    assert problem.locator(".kampus-status.status-correct").count() == 0
    assert problem.locator(".kampus-choice.choice-correct").count() == 0


def test_changing_an_answer_clears_its_mark(live_site, page, problem_course):
    """As Open edX's bindResetCorrectness: once the learner edits a graded answer, its mark and feedback go."""
    problem = open_problem(page, live_site, problem_course, "refused_choice")
    problem.get_by_role("button", name="Reset").click()
    problem.locator(".kampus-notification").wait_for(state="detached")
    problem.get_by_label("Mars").check()
    problem.get_by_role("button", name="Submit").click()
    problem.locator(".kampus-notification").wait_for()
    assert problem.locator(".kampus-status.status-incorrect").count() == 1
    problem.get_by_label("Jupiter").check()
    assert problem.locator(".kampus-status.status-incorrect").count() == 0
    assert problem.locator(".kampus-status").get_attribute("data-status") == "unsubmitted"
