"""Issue 21's acceptance: stored XSS in the forums, in headless Chromium.

Every payload of ``xss_payloads.py`` (OWASP's filter-evasion forms, Markdown links, LaTeX for MathJax) is
posted through the discussion REST API, by learners logged in on the live site, as a thread's title, the
thread's body, a response and a comment on it; some are reported (the moderators' queue) and some become
moderation reasons (the audit log). Then every page that shows them is loaded: the Discussion tab's thread
list (all its pages), each thread, the unit "Say hello" with its inline discussion, the reported-content
queue, the moderation log and the notifications of the authors. On each, once MathJax has typeset the
bodies: no dialog opened (``alert``/``confirm``/``prompt``), no script was refused by the
Content-Security-Policy (a payload that got into the page and tried to run), no element with an ``on*``
attribute, no ``javascript:``/``data:``/``vbscript:`` URL, no active element (script, iframe, form...)
inside a post, and each title shows as the exact text that was posted. Links and maths in bodies are
hovered and clicked.
"""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.e2e

COURSE = "course-v1:KampusX+K101+2026"
INLINE_TOPIC = "kampus101_introductions"
GENERAL_TOPIC = "kampus101_general"
UNIT = "block-v1:KampusX+K101+2026+type@vertical+block@say_hello"
API = "/api/discussion/v1/"
FORUM = f"/courses/{quote(COURSE, safe=':+')}/discussion/forum/"
MODERATION = f"/courses/{quote(COURSE, safe=':+')}/discussion/moderation/"
#: the items of the reported-content queue (one page of 20) and the moderation reasons (two log entries each)
FLAGGED_THREADS, FLAGGED_RESPONSES, FLAGGED_COMMENTS, AUDITED = 7, 7, 6, 8
#: where the pages keep what users wrote (the forum clients, the moderator pages, the notification list)
CONTAINERS = (".kampus-forum", "[data-moderation-page]", "#notifications-list")
#: what MathJax's \\href filter makes of URLs on a forum page (None: the link is dropped)
MATH_URLS = {"https://example.org/a": "https://example.org/a", "/relative": "/relative", "#here": "#here",
             "javascript:alert(1)": None, "java\tscript:alert(1)": None, "\x01javascript:alert(1)": None,
             " JAVASCRIPT:alert(1)": None, "java\nscript:alert(1)": None, "data:text/html,x": None,
             "vbscript:x": None, "file:///etc/passwd": None}
#: the posts of a thread's view (the editors' previews are ``.forum-body`` too)
POSTS = ".forum-thread-body, .forum-post-body"


def _payload_module() -> ModuleType:
    """``xss_payloads.py`` beside this file (the tests run with ``--import-mode=importlib``)."""
    spec = importlib.util.spec_from_file_location("xss_payloads", Path(__file__).with_name("xss_payloads.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAYLOADS: list[str] = _payload_module().PAYLOADS

#: The demo course (installed when missing), three learners and a forum moderator, all enrolled. Idempotent.
SETUP = r"""
import json
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.permissions import grant_role
from kampus_content.api import content_store
from kampus_content.demo import install_demo_course
from kampus_lms.enrollment.api import enroll
from kampus_lms.enrollment.demo import DEMO_COURSE_ID, offer_demo_honor_mode

names = json.loads(%(names)r)
app = create_app()
with app.app_context():
    if DEMO_COURSE_ID not in {index.course_key for index in content_store().list_courses()}:
        install_demo_course()
    offer_demo_honor_mode()
    users = {}
    with app.extensions["kampus"].db.session_scope() as db_session:
        for role, username in names.items():
            users[role] = create_user(db_session, username, username + "@example.com", %(password)r,
                                      name=role.title(), confirmed=True)
        grant_role(db_session, users["moderator"], "discussion_moderator", DEMO_COURSE_ID)
    for user in users.values():
        enroll(user, DEMO_COURSE_ID)
print("ready")
"""

#: Sends ``calls`` ([method, path, JSON body, content type]) one after the other with the page's session and
#: CSRF token, as the forum client does; answers [[status, JSON], ...].
API_CALLS = """async (calls) => {
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const answers = [];
  for (const [method, path, body, type] of calls) {
    const response = await fetch(path, {method, credentials: "same-origin",
      headers: {"Content-Type": type || "application/json", "Accept": "application/json", "X-CSRFToken": token},
      body: body === null ? undefined : JSON.stringify(body)});
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (error) { data = text.slice(0, 300); }
    answers.push([response.status, data]);
  }
  return answers;
}"""

#: Records what a payload that got into a page would set off: scripts the Content-Security-Policy refused.
WATCH = """window.__xss = {refused: []};
document.addEventListener("securitypolicyviolation", (event) => {
  window.__xss.refused.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || ""));
});"""

#: Whether MathJax has typeset every maths span of the posts (MathJax loads on demand when a body has maths).
TYPESET = """() => {
  const spans = Array.from(document.querySelectorAll(".forum-body .math"));
  if (!spans.length) { return true; }
  if (!window.MathJax || !window.MathJax.version || !window.MathJax.startup) { return false; }
  return spans.every((span) => span.querySelector("mjx-container"));
}"""

#: What is wrong in the page: event attributes, script URLs, active elements in posts, refused scripts.
INSPECT = """(containers) => {
  const problems = [];
  const urlAttributes = ["href", "src", "action", "formaction", "data", "background", "poster", "srcdoc",
                         "codebase", "dynsrc", "lowsrc", "ping", "xlink:href", "content"];
  // the browser drops spaces and control characters around a URL and tabs and newlines inside its scheme
  const blank = /[\\s\\u0000-\\u001f\\u007f-\\u009f\\u180e\\u200b-\\u200f]/g;
  const squeeze = (value) => String(value).replace(blank, "").toLowerCase();
  const scripted = (value) => /^(javascript|vbscript|livescript|data):/.test(squeeze(value))
    || /(^|;)url=(javascript|data|vbscript):/.test(squeeze(value));
  const describe = (node) => "<" + node.tagName.toLowerCase() + "> in "
    + ((node.closest("[data-thread-id], [data-comment-id], li, tr") || node).outerHTML || "").slice(0, 160);
  for (const node of document.body.querySelectorAll("*")) {
    for (const attribute of Array.from(node.attributes)) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) { problems.push(name + "= on " + describe(node)); }
      if ((urlAttributes.includes(name) || name.endsWith(":href")) && scripted(attribute.value)) {
        problems.push(name + "=" + attribute.value + " on " + describe(node));
      }
      if (name === "style" && /expression\\(|javascript:|vbscript:/i.test(attribute.value)) {
        problems.push("style=" + attribute.value + " on " + describe(node));
      }
    }
    for (const property of ["href", "src", "action", "formAction"]) {
      const value = node[property];
      if (typeof value === "string" && value && scripted(value)) {
        problems.push(property + " " + value + " of " + describe(node));
      }
    }
  }
  const active = "script, iframe, frame, frameset, object, embed, applet, base, meta, link, style, form, input, " +
    "button, textarea, select, keygen, svg, video, audio, source, details, marquee, " +
    "noscript, template, table[background]";
  for (const container of containers.flatMap((selector) => Array.from(document.querySelectorAll(selector)))) {
    const posts = container.matches("[data-moderation-page], #notifications-list")
      ? container.querySelectorAll(".moderation-text, .moderation-title, li > div")
      : container.querySelectorAll(".forum-body, .forum-item-title, .forum-thread-title");
    for (const post of posts) {
      for (const node of post.querySelectorAll(active)) {
        if (!node.closest("mjx-assistive-mml")) { problems.push("active element " + describe(node)); }
      }
      for (const node of post.querySelectorAll("mjx-container a[href], a[href]")) {
        if (!/^(https?|mailto):$/.test(new URL(node.href, location.href).protocol)) {
          problems.push("link to " + node.href + " in a post");
        }
      }
    }
  }
  for (const refused of (window.__xss ? window.__xss.refused : [])) {
    if (/^script-src/.test(refused)) { problems.push("the page refused a script: " + refused); }
  }
  return problems;
}"""


class Watcher:
    """The dialogs opened in a browser context's pages (each dismissed, so that the page goes on)."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []

    def on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message} at {dialog.page.url if dialog.page else '?'}")
        dialog.dismiss()


def open_session(browser: Any, live_site: Any, username: str, watcher: Watcher) -> Any:
    """A page of a new browser context logged in as ``username``, every dialog and refused script watched."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH)
    context.on("dialog", watcher.on_dialog)
    page = context.new_page()
    page.set_default_timeout(20000)
    live_site.log_in(page, username)
    return page


def api(page: Any, calls: list[list[Any]]) -> list[Any]:
    """The JSON answers of ``calls``, each of which must succeed."""
    answers = page.evaluate(API_CALLS, calls)
    for call, (status, data) in zip(calls, answers, strict=True):
        assert status < 300, (call[:2], status, data)
    return [data for _status, data in answers]


def settle(page: Any) -> None:
    """Wait until the forum client has filled its pane and MathJax has typeset every post."""
    page.wait_for_load_state("load")
    page.wait_for_function(TYPESET, timeout=30000)
    page.evaluate("""() => (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise)
                          ? window.MathJax.startup.promise.then(() => true) : true""")


def inspect(page: Any, watcher: Watcher, where: str) -> None:
    """Fail with everything that shows a payload running, or able to run, on the page."""
    problems = page.evaluate(INSPECT, list(CONTAINERS))
    assert not watcher.dialogs, f"{where}: a payload opened a dialog: {watcher.dialogs}"
    assert not problems, f"{where}: " + "\n".join(problems[:20])


def poke_bodies(page: Any) -> None:
    """Hover each post and each link or formula in it; click the links that stay on the page (any link that
    is not http(s) or mailto already failed :func:`inspect`) and the formulas."""
    for body in page.locator(POSTS).all():
        body.scroll_into_view_if_needed()
        body.hover()
    for target in page.locator(", ".join(f"{post} a, {post} mjx-container" for post in POSTS.split(", "))).all():
        if not target.is_visible():  # an empty link, a formula MathJax could not typeset
            continue
        target.scroll_into_view_if_needed()
        target.hover(force=True)  # MathJax's display box covers its formula
        leaves = page.evaluate("""(node) => Boolean(node.closest('a[href]') || node.querySelector('a[href]'))""",
                               target.element_handle())
        if not leaves:
            target.click(force=True)


def titles(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "(nodes) => nodes.map((node) => node.textContent)")


@pytest.fixture(scope="module")
def forum(live_site: Any, browser: Any) -> Iterator[dict[str, Any]]:
    """Everyone's pages and what they posted: a thread per payload (title and body), a learner's response and
    the author's comment on it with the same payload, one thread with every payload in its body, reports and
    moderation reasons."""
    suffix = uuid.uuid4().hex[:6]
    names = {role: f"xss_{role}_{suffix}" for role in ("author", "replier", "moderator", "muted")}
    live_site.run_python(SETUP % {"names": json.dumps(names), "password": live_site.password})
    watchers = {role: Watcher() for role in ("author", "replier", "moderator")}
    pages = {role: open_session(browser, live_site, names[role], watchers[role]) for role in watchers}
    for page in pages.values():
        page.goto(live_site.url + FORUM)
    topics = [INLINE_TOPIC if i % 3 == 0 or "\\" in payload else GENERAL_TOPIC for i, payload in enumerate(PAYLOADS)]
    threads = api(pages["author"], [
        ["POST", API + "threads/", {"course_id": COURSE, "topic_id": topic, "type": "discussion", "title": payload,
                                    "raw_body": payload}, None]
        for payload, topic in zip(PAYLOADS, topics, strict=True)])
    everything = api(pages["author"], [["POST", API + "threads/", {
        "course_id": COURSE, "topic_id": GENERAL_TOPIC, "type": "discussion", "title": "Every payload at once",
        "raw_body": "\n\n".join(PAYLOADS)}, None]])[0]
    responses = api(pages["replier"], [
        ["POST", API + "comments/", {"thread_id": thread["id"], "raw_body": payload}, None]
        for thread, payload in zip(threads, PAYLOADS, strict=True)])
    comments = api(pages["author"], [
        ["POST", API + "comments/", {"thread_id": thread["id"], "parent_id": response["id"], "raw_body": payload}, None]
        for thread, response, payload in zip(threads, responses, PAYLOADS, strict=True)])
    for stored, payload in zip(threads + responses + comments, PAYLOADS * 3, strict=True):
        assert stored["raw_body"] == payload  # stored as typed
    for thread, payload in zip(threads, PAYLOADS, strict=True):
        assert thread["title"] == payload
    step = len(PAYLOADS) // FLAGGED_THREADS
    flagged = {"thread": list(range(0, len(PAYLOADS), step))[:FLAGGED_THREADS],
               "response": list(range(1, len(PAYLOADS), step))[:FLAGGED_RESPONSES],
               "comment": list(range(2, len(PAYLOADS), step))[:FLAGGED_COMMENTS]}
    merge = "application/merge-patch+json"
    api(pages["replier"], [["PATCH", API + f"threads/{threads[i]['id']}/", {"abuse_flagged": True}, merge]
                           for i in flagged["thread"]]
        + [["PATCH", API + f"comments/{responses[i]['id']}/", {"abuse_flagged": True}, merge]
           for i in flagged["response"]]
        + [["PATCH", API + f"comments/{comments[i]['id']}/", {"abuse_flagged": True}, merge]
           for i in flagged["comment"]])
    audited = [PAYLOADS[i] for i in range(len(PAYLOADS) - 1, 0, -(len(PAYLOADS) // AUDITED))][:AUDITED]
    for reason in audited:
        mute = api(pages["moderator"], [["POST", API + "moderation/mute-user/",
                                         {"course_id": COURSE, "username": names["muted"], "reason": reason}, None]])[0]
        api(pages["moderator"], [["POST", API + f"moderation/{mute['mute_id']}/unmute/",
                                  {"course_id": COURSE, "reason": reason}, None]])
    yield {"names": names, "pages": pages, "watchers": watchers, "threads": threads, "topics": topics,
           "everything": everything, "flagged": flagged, "audited": audited, "responses": responses,
           "comments": comments}
    for page in pages.values():
        page.context.close()


def test_thread_list_shows_every_title_as_text(live_site, forum):
    """The Discussion tab's thread list, page after page: every title is there, as text."""
    page, watcher = forum["pages"]["author"], forum["watchers"]["author"]
    page.goto(live_site.url + FORUM)
    seen: list[str] = []
    number = 1
    while True:
        page.locator(".forum-thread-list .forum-thread-item").first.wait_for()
        settle(page)
        inspect(page, watcher, f"the thread list, page {number}")
        seen += titles(page, ".forum-thread-list .forum-item-title")
        following = page.locator(".forum-pagination [data-page=next]")
        if not following.count() or following.is_disabled():
            break
        first = page.locator(".forum-thread-item").first.get_attribute("data-thread-id")
        following.click()
        page.wait_for_function("(first) => { const item = document.querySelector('.forum-thread-item'); "
                               "return item && item.dataset.threadId !== first; }", arg=first)
        number += 1
    missing = [payload for payload in PAYLOADS if payload not in seen]
    assert not missing, f"titles not shown as text in the list: {missing}"
    assert number > 1


def test_each_thread_shows_its_payloads_inert(live_site, forum, tmp_path_factory):
    """Every thread's page: the title, the body, the response and the comment; then the thread with every
    payload in its body (its screenshot is kept in pytest's temporary folder, the path printed)."""
    page, watcher = forum["pages"]["author"], forum["watchers"]["author"]
    for thread, topic, payload in zip(forum["threads"], forum["topics"], PAYLOADS, strict=True):
        page.goto(f"{live_site.url}{FORUM}{topic}/threads/{thread['id']}")
        page.locator(".forum-thread .forum-thread-body").wait_for(state="attached")
        page.locator(".forum-response .forum-comment .forum-post-body").first.wait_for(state="attached")
        settle(page)
        where = f"thread {thread['id']} ({payload!r})"
        inspect(page, watcher, where)
        assert page.locator(".forum-thread-title").text_content() == payload, where
        bodies = page.locator(POSTS)
        assert bodies.count() == 3, where
        for index in range(3):  # the body, the response and the comment all show something of the payload
            shown = bodies.nth(index).evaluate("(node) => node.textContent.trim() || node.children.length")
            assert shown, f"{where}: post {index} shows nothing"
        poke_bodies(page)
        inspect(page, watcher, where + " after hovering and clicking")
    everything = forum["everything"]
    page.goto(f"{live_site.url}{FORUM}{GENERAL_TOPIC}/threads/{everything['id']}")
    page.locator(".forum-thread .forum-thread-body").wait_for(state="attached")
    settle(page)
    inspect(page, watcher, "the thread with every payload")
    verdicts = page.evaluate("""(urls) => { const safe = window.MathJax.startup.document.safe;
                                          return urls.map((url) => safe.filterMethods.filterURL(safe, url)); }""",
                             list(MATH_URLS))
    assert verdicts == list(MATH_URLS.values()), "MathJax's \\href filter on the forum page"
    poke_bodies(page)
    inspect(page, watcher, "the thread with every payload, after hovering and clicking")
    shot = tmp_path_factory.mktemp("screenshots") / "forums-xss-every-payload.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot of the thread with every payload: {shot}")


def test_inline_discussion_of_the_unit(live_site, forum):
    """The unit "Say hello": its inline discussion lists the topic's threads (all pages); every thread with
    LaTeX or a Markdown link is opened in place."""
    page, watcher = forum["pages"]["replier"], forum["watchers"]["replier"]
    page.goto(f"{live_site.url}/courses/{quote(COURSE, safe=':+')}/jump_to/{quote(UNIT, safe=':+@')}")
    inline = page.locator(".kampus-forum[data-forum-mode=inline]")
    inline.locator(".forum-thread-item").first.wait_for()
    expected = {payload for payload, topic in zip(PAYLOADS, forum["topics"], strict=True) if topic == INLINE_TOPIC}
    seen: list[str] = []
    to_open: list[str] = []
    while True:
        settle(page)
        inspect(page, watcher, "the unit's inline discussion")
        seen += titles(page, ".kampus-forum[data-forum-mode=inline] .forum-item-title")
        for item in inline.locator(".forum-thread-item").all():
            title = item.locator(".forum-item-title").text_content()
            if ("\\" in title or "](" in title) and title in expected:
                to_open.append(item.get_attribute("data-thread-id"))
        following = inline.locator(".forum-pagination [data-page=next]")
        if not following.count() or following.is_disabled():
            break
        first = inline.locator(".forum-thread-item").first.get_attribute("data-thread-id")
        following.click()
        page.wait_for_function("(first) => { const item = document.querySelector('.forum-thread-item'); "
                               "return item && item.dataset.threadId !== first; }", arg=first)
    assert expected <= set(seen), f"titles missing inline: {expected - set(seen)}"
    assert len(to_open) == len([title for title in expected if "\\" in title or "](" in title]) > 15
    for thread_id in to_open:
        page.goto(f"{live_site.url}/courses/{quote(COURSE, safe=':+')}/jump_to/{quote(UNIT, safe=':+@')}")
        item = inline.locator(f".forum-thread-item[data-thread-id='{thread_id}']")
        while not item.count():  # on a later page of the list
            first = inline.locator(".forum-thread-item").first
            first.wait_for()
            current = first.get_attribute("data-thread-id")
            if item.count():
                break
            inline.locator(".forum-pagination [data-page=next]").click()
            page.wait_for_function("(first) => { const item = document.querySelector('.forum-thread-item'); "
                                   "return item && item.dataset.threadId !== first; }", arg=current)
        item.click()
        inline.locator(".forum-thread .forum-thread-body").wait_for(state="attached")
        inline.locator(".forum-response .forum-comment .forum-post-body").first.wait_for(state="attached")
        settle(page)
        inspect(page, watcher, f"inline thread {thread_id}")
        poke_bodies(page)
        inspect(page, watcher, f"inline thread {thread_id} after hovering and clicking")


def test_moderator_pages(live_site, forum):
    """The reported-content queue shows the reported posts' titles and bodies as text; the moderation log the
    reasons; the moderator's notifications the reports. Every page of each (other tests may moderate too)."""
    page, watcher = forum["pages"]["moderator"], forum["watchers"]["moderator"]
    queue = moderation_pages(live_site, page, watcher, "flagged", ".moderation-item",
                             {"text": ".moderation-text", "title": ".moderation-title"})
    reported = [PAYLOADS[i] for kind in ("thread", "response", "comment") for i in forum["flagged"][kind]]
    missing = [payload for payload in reported if payload not in queue["text"]]
    assert not missing, f"reported posts not shown as text: {missing}"
    missing = [PAYLOADS[i] for i in forum["flagged"]["thread"] if PAYLOADS[i] not in queue["title"]]
    assert not missing, f"reported threads' titles not shown as text: {missing}"
    log = moderation_pages(live_site, page, watcher, "audit-log", "tbody tr",
                           {"reason": "tbody td.text-break"})
    missing = [reason for reason in forum["audited"] if reason not in log["reason"]]
    assert not missing, f"moderation reasons not shown as text: {missing}"
    notifications(live_site, page, watcher, [PAYLOADS[i] for i in forum["flagged"]["thread"]])


def moderation_pages(live_site: Any, page: Any, watcher: Watcher, path: str, row: str,
                     fields: dict[str, str]) -> dict[str, list[str]]:
    """The texts of ``fields`` (name: selector) on every page of a moderator page, each page inspected."""
    page.goto(live_site.url + MODERATION + path)
    root = page.locator("[data-moderation-page]")
    found: dict[str, list[str]] = {name: [] for name in fields}
    number = 1
    while True:
        root.locator(row).first.wait_for()
        page.wait_for_load_state("networkidle")
        inspect(page, watcher, f"{path}, page {number}")
        for name, selector in fields.items():
            found[name] += titles(page, f"[data-moderation-page] {selector}")
        following = root.get_by_role("button", name="Next", exact=True)
        if not following.count() or following.is_disabled():
            return found
        following.click()
        number += 1
        root.get_by_text(f"Page {number} of").wait_for()


def test_notifications_of_the_authors(live_site, forum):
    """The author's notifications ("... responded to your post "<title>"") and the replier's ("... commented
    on your response in "<title>""), all pages."""
    notifications(live_site, forum["pages"]["author"], forum["watchers"]["author"], PAYLOADS)
    notifications(live_site, forum["pages"]["replier"], forum["watchers"]["replier"], PAYLOADS)


def notifications(live_site: Any, page: Any, watcher: Watcher, expected: list[str]) -> None:
    """Every page of /notifications/ is inert and, together, they name each of ``expected`` titles."""
    shown: list[str] = []
    address = live_site.url + "/notifications/"
    number = 1
    while address:
        page.goto(address)
        page.locator("#notifications-list").wait_for()
        inspect(page, watcher, f"the notifications, page {number}")
        shown += titles(page, "#notifications-list [data-notification-open]")
        older = page.get_by_role("link", name="Older")
        address = older.get_attribute("href") if older.count() else ""
        if address and address.startswith("/"):
            address = live_site.url + address
        number += 1
    text = "\n".join(shown)
    missing = [payload for payload in expected if f'"{payload[:300]}"' not in text]
    assert not missing, f"titles missing from the notifications: {missing}"
