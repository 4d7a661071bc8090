"""XBlocks written for Open edX run unchanged in the browser (unmodified packages from PyPI).

* acid-xblock, Open edX's own runtime conformance block: its init function is a
  constructor (``this.runtime = runtime``, prototype methods), it asks the JS
  runtime for ``children``/``childMap`` and builds handler URLs with a suffix
  and a query, loads a package resource, and checks every learner field scope
  across requests; each check turns a mark on the page to "pass".
* xblock-google-drive: binds ``iframe.load(handler)`` / ``img.load(handler)``,
  jQuery 2 API that jQuery 3 removed (jquery-migrate restores it); the handler
  posts to ``publish_event`` and the block notes it in the page.
* feedback-xblock: a learner types feedback and votes; the handler's answer is
  shown and the state is there again after a reload.

Every page ends without a JavaScript error in the console.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

pytestmark = pytest.mark.e2e

COURSE = "course-v1:E2E+XBlockJS+2026"
#: Addresses of the embedded document and picture of the Google Drive blocks. The test answers them itself,
#: only once the blocks have started, so that the load events reach the handlers bound in their init.
DOCUMENT_PATH = "/e2e-embedded/document.html"
PICTURE_PATH = "/e2e-embedded/picture.svg"
PICTURE = ("<svg xmlns='http://www.w3.org/2000/svg' width='120' height='60'>"
           "<rect width='120' height='60' fill='#2a6'/></svg>")
#: acid-xblock adds a stylesheet from a CDN (font awesome); the site's CSP refuses it, as it should.
ALLOWED_CONSOLE_ERRORS = ("netdna.bootstrapcdn.com",)

SETUP = """
import json
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.permissions import grant_role
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
app = create_app()
units = {
    "acid": [Block("acid_parent", "parent", {"name": "parent"}, [("acid", "left"), ("acid", "right")])],
    "docs": [
        Block("google-document", "doc_iframe", {"display_name": "Syllabus",
              "embed_code": '<iframe src="%(document)s" width="400" height="120"></iframe>'}),
        Block("google-document", "doc_image", {"display_name": "Diagram", "alt_text": "A green rectangle",
              "embed_code": '<img src="%(picture)s">'}),
    ],
    "feedback": [Block("feedback", "fb", {"display_name": "Your opinion"})],
}
children = [Block("acid", "left", {"name": "left-child"}), Block("acid", "right", {"name": "right-child"})]
usage = publish_course(app, %(course)r, units, extra_blocks=children)
with app.app_context():
    with app.extensions["kampus"].db.session_scope() as db_session:
        user = create_user(db_session, %(username)r, %(username)r + "@example.com", %(password)r, name="E2E",
                           confirmed=True)
        grant_role(db_session, user, "learner", %(course)r)
print(json.dumps(usage))
"""


@pytest.fixture(scope="module")
def js_course(live_site) -> tuple[dict[str, str], str]:
    """The course published on the live site (in a child process, as the site's own app) and a learner."""
    username = f"e2e_js_{uuid.uuid4().hex[:8]}"
    script = SETUP % {"course": COURSE, "username": username, "password": live_site.password,
                      "document": DOCUMENT_PATH, "picture": PICTURE_PATH}
    return json.loads(live_site.run_python(script)), username


class Console:
    """The page's uncaught errors and console errors, less the CSP refusals listed as allowed."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("console", self._message)

    def _message(self, message) -> None:
        if message.type == "error" and not any(allowed in message.text for allowed in ALLOWED_CONSOLE_ERRORS):
            self.errors.append(message.text)


ACID_MARKS = "() => document.querySelectorAll('.acid-block i.unknown, .acid-parent-block i.unknown').length"
#: per acid block: init run, local resource, and 4 marks for each of the 4 learner scopes of student_view
ACID_BLOCK_MARKS = 2 + 4 * 4


def check_acid_page(page) -> None:
    page.wait_for_function(f"({ACID_MARKS})() === 0")
    failures = page.evaluate("""() => Array.from(document.querySelectorAll('i.fail, i.error'))
        .map((mark) => mark.closest('tr, p').textContent.replace(/\\s+/g, ' ').trim() + ' ' +
             (mark.nextSibling ? mark.nextSibling.textContent : ''))""")
    assert failures == []
    # the parent's own acid marks, its two child checks, and the two children's marks
    assert page.locator("i.pass").count() == 3 * ACID_BLOCK_MARKS + 2


def test_acid_blocks_pass_the_runtime_conformance_checks(live_site, page, js_course):
    usage, username = js_course
    console = Console(page)
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{usage['acid']}")
    check_acid_page(page)
    for scope in ("user_state", "user_state_summary", "preferences", "user_info"):
        assert page.locator(f".scope-{scope} i.pass").count() == 3 * 4, scope

    # The init function ran as a constructor: the block objects are AcidBlock / AcidParentBlock instances
    # carrying what Open edX's runtime sets; children and childMap answer with the children's objects.
    found = page.evaluate("""() => {
        const parent = document.querySelector('.xblock[data-block-type="acid_parent"]');
        const unit = document.querySelector('.xblock[data-block-type="vertical"]');
        const block = unit.xblock_children.find((child) => child.element === parent);  // as Open edX keeps them
        const child = block.runtime.childMap(parent, 'left-child');
        return {
            parent: block instanceof window.AcidParentBlock && parent.xblockInstance === block,
            ownElement: block.element === parent && block.type === 'acid_parent' && block.name === 'parent',
            children: block.runtime.children(parent).map((c) => [c.name, c instanceof window.AcidBlock]),
            childElement: child.element.getAttribute('data-block-type'),
            missing: block.runtime.childMap(parent, 'nobody') === undefined,
            initialized: document.querySelectorAll('.xblock.xblock-initialized').length,
            handlerUrl: block.runtime.handlerUrl(parent, 'check_storage', 'SUFFIX1', 'QUERY=1&SCOPE=x'),
            resource: block.runtime.localResourceUrl(block, 'public/test_data.json'),
            jquery: window.jQuery.fn.jquery,
            migrate: window.jQuery.migrateVersion,
        };
    }""")
    assert found["parent"] and found["ownElement"]
    assert found["children"] == [["left-child", True], ["right-child", True]]
    assert found["childElement"] == "acid" and found["missing"]
    assert found["initialized"] >= 3
    assert found["handlerUrl"] == f"/xblock/{usage['parent']}/handler/check_storage/SUFFIX1?QUERY=1&SCOPE=x"
    assert found["resource"] == "/xblock/resource/acid_parent/public/test_data.json"
    assert found["jquery"].startswith("3.") and found["migrate"].startswith("3.")

    # Stored values are read back by later requests: a second visit passes the same checks.
    page.reload()
    check_acid_page(page)
    assert console.errors == []


def held_routes(page) -> list:
    """Hold the requests of the embedded document and picture until the test answers them."""
    held: list = []
    page.route(f"**{DOCUMENT_PATH}", lambda route: held.append(route))
    page.route(f"**{PICTURE_PATH}", lambda route: held.append(route))
    return held


def answer(held: list) -> None:
    for route in held:
        if route.request.url.endswith(".svg"):
            route.fulfill(status=200, content_type="image/svg+xml", body=PICTURE)
        else:
            route.fulfill(status=200, content_type="text/html",
                          body="<!doctype html><html lang='en'><title>Syllabus</title><p>Week 1: reading.</p></html>")


def tracked(live_site, event_type: str, username: str, wanted: int) -> list[dict]:
    """The tracking-log events of ``event_type`` for ``username`` (waits up to 10 s for ``wanted`` of them)."""
    log = live_site.home / "tracking.log"
    deadline = time.monotonic() + 10
    while True:
        events = []
        if log.exists():
            for line in log.read_text().splitlines():
                event = json.loads(line)
                if event.get("event_type") == event_type and event.get("username") == username:
                    events.append(event)
        if len(events) >= wanted or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def test_google_drive_blocks_use_jquery2_load_handlers(live_site, page, js_course):
    usage, username = js_course
    console = Console(page)
    live_site.log_in(page, username)
    held = held_routes(page)
    page.goto(f"{live_site.url}/xblock/{usage['docs']}", wait_until="domcontentloaded")
    page.wait_for_function("""() => document.querySelectorAll(
        '.xblock-initialized[data-block-type="google-document"]').length === 2""")
    deadline = time.monotonic() + 10
    while len(held) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert len(held) == 2, [route.request.url for route in held]
    answer(held)

    # Each load handler (bound with jQuery 2's .load(fn)) posted to publish_event and noted the answer.
    for block in ("doc_iframe", "doc_image"):
        marker = page.locator(f'.xblock[data-usage-id="{usage[block]}"] .load_event_complete')
        page.wait_for_function("(input) => input.value !== ''", arg=marker.element_handle())
        assert "published the event" in marker.input_value()
    assert page.locator(f'.xblock[data-usage-id="{usage["doc_iframe"]}"] iframe').get_attribute("title") == "Syllabus"
    assert page.get_by_alt_text("A green rectangle").is_visible()
    warnings = page.evaluate("() => window.jQuery.migrateWarnings.join('\\n')")
    assert "load" in warnings  # the jQuery 2 API the block relies on, which jquery-migrate restored

    events = tracked(live_site, "edx.googlecomponent.document.displayed", username, 2)
    shown = sorted((event["event"]["displayed_in"], event["event"]["url"]) for event in events)
    assert shown == [("iframe", DOCUMENT_PATH), ("img", PICTURE_PATH)]
    assert console.errors == []


def test_feedback_block_answers_and_keeps_state(live_site, page, js_course):
    usage, username = js_course
    console = Console(page)
    live_site.log_in(page, username)
    page.goto(f"{live_site.url}/xblock/{usage['feedback']}")
    block = page.locator(f'.xblock[data-usage-id="{usage["fb"]}"]')
    page.wait_for_function("(el) => el.classList.contains('xblock-initialized')", arg=block.element_handle())

    block.locator(".feedback_freeform_area").fill("The examples made it clear.")
    block.locator(".feedback_submit_feedback").click()
    thanks = block.locator(".feedback_thank_you")
    page.wait_for_function("(el) => el.textContent.trim() !== ''", arg=thanks.element_handle())
    assert "thank" in thanks.inner_text().lower()

    radios = block.locator(".feedback_radio")
    assert radios.count() >= 2
    with page.expect_response(lambda response: "/handler/feedback" in response.url) as answered:
        radios.nth(1).check()
    assert answered.value.ok and answered.value.json()["success"] is True

    page.reload()
    block = page.locator(f'.xblock[data-usage-id="{usage["fb"]}"]')
    block.locator(".feedback_freeform_area").wait_for()
    assert block.locator(".feedback_freeform_area").input_value() == "The examples made it clear."
    assert block.locator(".feedback_radio").nth(1).is_checked()
    assert console.errors == []
