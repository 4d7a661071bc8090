"""In a real browser: one problem of each response type is answered, submitted (feedback shown and
announced), reset and its answer shown; every input has a label. The live site runs instructor Python
in the codejail sandbox (`kampus init` turns it on when kampus-codejail is installed)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.e2e

COURSE = "course-v1:E2E+Problems+2026"
PASSWORD = "a long e2e password 42"
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
}


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
usage = publish_course(app, {COURSE!r}, units)
with app.app_context():
    with app.extensions["kampus"].db.session_scope() as db_session:
        user = create_user(db_session, {username!r}, "{username}@example.com", {PASSWORD!r}, name="E2E", confirmed=True)
        grant_role(db_session, user, "learner", {COURSE!r})
print(json.dumps({{name: usage[name] for name in problems}}))
"""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAMPUS_")}
    env.update(KAMPUS_HOME=str(live_site.home), KAMPUS_BASE_URL=live_site.url)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    import json

    return json.loads(done.stdout.strip().splitlines()[-1]), username


PROBLEMS_JSON = __import__("json").dumps(PROBLEMS)


@pytest.fixture(scope="module")
def problem_course(live_site):
    if not (live_site.home / "kampus.toml").read_text().count('"problems"'):
        pytest.skip("the problems plugin is not enabled on the live site")
    return make_course(live_site)


def login(page, live_site, username: str) -> None:
    page.goto(live_site.url + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main").get_by_role("button", name="Log in").click()
    page.wait_for_url(live_site.url + "/")


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
    else:  # pragma: no cover
        raise AssertionError(name)


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_problem_in_the_browser(live_site, page, problem_course, name):
    usage, username = problem_course
    login(page, live_site, username)
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
