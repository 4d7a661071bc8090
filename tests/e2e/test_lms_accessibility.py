"""Issue 16's accessibility acceptance in headless Chromium: axe-core on every LMS page, and the keyboard.

* axe-core (from PyPI's ``axe-playwright-python``) runs in the browser on each LMS page, as a visitor
  (front page, catalog with a search, about page, login, register) and as a learner (dashboard, course
  home, a unit page with problems, progress, dates, updates & handouts, bookmarks, the certificate
  page): no violation of impact ``serious`` or ``critical``.
* With the keyboard alone, Tab reaches the main navigation, the course tabs and the Previous/Next
  links of a unit, each with a visible focus outline and an accessible name; the skip link comes first.
"""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.e2e

DEMO_COURSE = "course-v1:KampusX+K101+2026"
SERIOUS = ("serious", "critical")

#: The demo course with its honor track and its search documents (the e2e site is made by a plain
#: ``kampus init`` and runs no background worker), and a learner enrolled in it. Idempotent.
SETUP = r"""
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.models import User
from kampus_content.api import content_store
from kampus_content.demo import install_demo_course
from kampus_lms.api import reindex_course
from kampus_lms.enrollment.api import enroll
from kampus_lms.enrollment.demo import DEMO_COURSE_ID, offer_demo_honor_mode

app = create_app()
with app.app_context():
    if DEMO_COURSE_ID not in {index.course_key for index in content_store().list_courses()}:
        install_demo_course()
    offer_demo_honor_mode()
    reindex_course(DEMO_COURSE_ID)
    with app.extensions["kampus"].db.session_scope() as db_session:
        user = create_user(db_session, %(username)r, %(username)r + "@example.com", %(password)r,
                           name="Axe Learner", confirmed=True)
    enroll(user, DEMO_COURSE_ID)
print("ready")
"""


@pytest.fixture(scope="module")
def learner(live_site) -> str:
    username = f"a11y_{uuid.uuid4().hex[:8]}"
    live_site.run_python(SETUP % {"username": username, "password": live_site.password})
    return username


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line per rule: rule, impact, targets."""
    from_axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    results = from_axe.Axe().run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
            summary = violation["nodes"][0].get("failureSummary", "").replace("\n", " ")[:300]
            lines.append(f"{violation['id']} ({violation['impact']}) at {targets}: {summary}")
    return lines


def check(page, url: str, problems: dict[str, list[str]], label: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, (label, url, response and response.status)
    page.wait_for_load_state("load")
    found = serious_violations(page)
    if found:
        problems[f"{label} ({url})"] = found


def test_axe_finds_no_serious_violation_for_a_visitor(live_site, page, learner):
    url = live_site.url
    problems: dict[str, list[str]] = {}
    check(page, url + "/", problems, "front page")
    check(page, url + "/courses/?q=habits", problems, "catalog with a search")
    assert "1 course matches" in page.locator("#results-count").inner_text()
    check(page, url + "/courses/?q=nothing-matches-this", problems, "catalog without results")
    check(page, f"{url}/courses/{DEMO_COURSE}/about", problems, "about page")
    check(page, url + "/login", problems, "login")
    check(page, url + "/register", problems, "register")
    assert problems == {}, "\n".join(f"{where}: {line}" for where, lines in problems.items() for line in lines)


def test_axe_finds_no_serious_violation_for_a_learner(live_site, page, learner):
    url = live_site.url
    course = f"{url}/courses/{DEMO_COURSE}"
    problems: dict[str, list[str]] = {}
    live_site.log_in(page, learner)
    check(page, url + "/", problems, "front page (logged in)")
    check(page, url + "/dashboard", problems, "dashboard")
    check(page, f"{course}/about", problems, "about page (enrolled)")
    check(page, f"{course}/course/", problems, "course home")
    check(page, f"{course}/courseware/working/practice/1", problems, "unit with problems")
    # answered: the problems show their feedback, the unit its completion, the course a certificate
    page.wait_for_function("window.KampusProblem !== undefined")
    answers = {
        "Study habits": lambda p: p.get_by_label("Short practice sessions spread over several days").check(),
        "Parts of a course": lambda p: [p.get_by_label(level, exact=True).check()
                                        for level in ("Section", "Subsection", "Unit")],
        "Counting units": lambda p: p.get_by_role("textbox").fill("12"),
    }
    for title, answer in answers.items():
        problem = page.locator(".kampus-problem").filter(has=page.get_by_role("heading", name=title))
        answer(problem)
        problem.get_by_role("button", name="Submit").click()
        problem.locator(".kampus-notification").wait_for()
    found = serious_violations(page)
    if found:
        problems["unit with answered problems"] = found
    page.get_by_role("button", name=re.compile("Bookmark this page")).click()
    page.get_by_role("button", name=re.compile("Bookmarked")).wait_for()
    check(page, f"{course}/progress", problems, "progress")
    check(page, f"{course}/dates", problems, "dates")
    check(page, f"{course}/info", problems, "updates and handouts")
    check(page, f"{course}/search?q=habits", problems, "course search")
    check(page, url + "/bookmarks", problems, "bookmarks")
    check(page, url + "/dashboard", problems, "dashboard with a certificate")
    certificate = page.get_by_role("link", name="View certificate")
    assert certificate.count() == 1, "the learner passed: the dashboard links to the certificate"
    certificate_url = url + certificate.get_attribute("href") if certificate.get_attribute(
        "href").startswith("/") else certificate.get_attribute("href")
    check(page, certificate_url, problems, "certificate page")
    assert problems == {}, "\n".join(f"{where}: {line}" for where, lines in problems.items() for line in lines)


#: Where the focused element sits (the label of the nearest navigation landmark) and whether a focus
#: indicator is drawn (an outline, or the box-shadow ring Bootstrap gives form fields).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
  const shadow = Boolean(style.boxShadow) && style.boxShadow !== 'none';
  const nav = el.closest('nav');
  return {nav: nav ? nav.getAttribute('aria-label') : null, href: el.getAttribute('href'), id: el.id,
          visible: outline || shadow, outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`};
}"""


def tab_through(page, limit: int = 80) -> list[dict]:
    """Press Tab from the top of the page until the focus leaves the page or comes back round (at most
    ``limit`` presses); for each stop, where it is, its focus indicator and its accessible name (as
    Playwright's accessibility tree computes it: ``- link "Next: Say hello"``)."""
    page.locator("body").focus()
    seen: list[dict] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            break
        focused["aria"] = page.locator("*:focus").aria_snapshot().splitlines()[0]
        if seen and focused == seen[0]:
            break
        seen.append(focused)
    return seen


def accessible_name(stop: dict) -> str:
    """The name in an aria snapshot line (``- 'link "Next: Say hello"':`` gives ``Next: Say hello``;
    YAML quotes the line when the name holds a colon)."""
    match = re.match(r'^- \'?[\w-]+ "(.*)"', stop["aria"])
    return match.group(1) if match else ""


def test_the_keyboard_reaches_navigation_course_tabs_and_previous_next(live_site, page, learner):
    live_site.log_in(page, learner)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_site.url}/courses/{DEMO_COURSE}/courseware/welcome/getting_started/2")
    page.wait_for_load_state("load")
    stops = tab_through(page)
    assert stops, "Tab moves the focus"
    assert accessible_name(stops[0]) == "Skip to content", stops[0]

    def reached(nav: str, name: str) -> dict:
        for stop in stops:
            if stop["nav"] == nav and re.search(name, accessible_name(stop)):
                return stop
        raise AssertionError(f"Tab never reaches {name!r} in the {nav!r} navigation: {stops}")

    wanted = [reached("Main navigation", "^Courses$"), reached("Main navigation", "^Dashboard$"),
              reached("Course", "^Course$"), reached("Course", "^Progress$"), reached("Course", "^Dates$"),
              reached("Units of this subsection", r"^Previous\s*: About this course$"),
              reached("Units of this subsection", r"^Next\s*: Say hello$"),
              reached("Previous and next unit", r"^Previous\s*: About this course$"),
              reached("Previous and next unit", r"^Next\s*: Say hello$")]
    for stop in wanted:
        assert stop["visible"], f"no visible focus indicator on {stop}"
    unnamed = [stop for stop in stops if not accessible_name(stop)]
    assert unnamed == [], f"focusable elements without an accessible name: {unnamed}"
    invisible = [stop for stop in stops if not stop["visible"]]
    assert invisible == [], f"focusable elements without a visible focus indicator: {invisible}"

    # the skip link moves the focus to the main content
    page.locator("body").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
