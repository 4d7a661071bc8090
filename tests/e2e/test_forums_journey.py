"""Issue 21's acceptance in headless Chromium: the forums tried as new users would, on a real site.

In the demo course's unit "Say hello" (its inline discussion, topic ``kampus101_introductions``): learner A
asks a question with a formula and sees MathJax typeset it; learner B answers in the same unit; a community
TA opens the thread from the Discussion tab and marks B's response as the answer; A sees the bell's count,
the notification in the list, and the daily digest (``kampus forums-digest``, console mailer) lists B's
answer; A follows the notification to the thread, which shows "Answered" and the marked answer. Then a third
learner posts spam, B reports it, a discussion moderator removes it from the reported-content queue with a
reason: the post is gone for learners and the moderation log lists the removal.

Every step clicks what a user clicks: the only address typed is the front page (and the login form's, by
``live_site.log_in``). Screenshots of the key steps go to ``/tmp/forums_journey/``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_COURSE = "course-v1:KampusX+K101+2026"
KAMPUS = str(Path(sys.executable).with_name("kampus"))
SHOTS = Path("/tmp/forums_journey")

#: The demo course (what ``kampus init --demo`` installs: the course, its honor track, its search index) on
#: the e2e site; idempotent (another test module on the same site may have put it there).
SETUP = r"""
from kampus.app import create_app
from kampus_content.api import content_store
from kampus_content.demo import install_demo_course
from kampus_lms.api import reindex_course
from kampus_lms.enrollment.demo import DEMO_COURSE_ID, offer_demo_honor_mode

app = create_app()
with app.app_context():
    if DEMO_COURSE_ID not in {index.course_key for index in content_store().list_courses()}:
        install_demo_course()
    offer_demo_honor_mode()
    reindex_course(DEMO_COURSE_ID)
print(DEMO_COURSE_ID)
"""

#: The accounts of the journey (``live_site.run_python``): learners who enroll themselves through the
#: catalog, and a community TA and a discussion moderator (enrolled, with their discussion role: what the
#: course team would have set up).
ACCOUNTS = r"""
import sqlalchemy as sa
from kampus import db
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.models import User
from kampus.identity.permissions import grant_role
from kampus_lms.api import enroll

names = %(names)r
staff = %(staff)r
app = create_app()
with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
    for username in names:
        user = create_user(db_session, username, username + "@example.com", %(password)r, confirmed=True,
                           name=username.split("_")[0].title())
        if username in staff:
            grant_role(db_session, user, staff[username], course_id=%(course)r)
with app.test_request_context():
    for username in staff:
        enroll(db.session().scalar(sa.select(User).where(User.username == username)), %(course)r,
               check_access=False)
print("ready")
"""


def shot(page, name: str) -> None:
    """A full-page screenshot of ``page`` to ``/tmp/forums_journey/<name>.png``."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def main_nav(page):
    return page.get_by_role("navigation", name="Main navigation")


def enroll_through_the_catalog(page) -> None:
    """Courses -> the Kampus 101 card -> Enroll: the course home."""
    main_nav(page).get_by_role("link", name="Courses").click()
    page.locator("#course-cards").get_by_role("link", name=re.compile("Kampus 101")).click()
    page.wait_for_url(re.compile(r".*/about$"))
    page.locator("#enroll-button").click()
    page.wait_for_url(re.compile(r".*/course/$"))


def open_course_from_dashboard(page) -> None:
    main_nav(page).get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.locator(f"[data-course-id='{DEMO_COURSE}']").get_by_role("link", name=re.compile("Kampus 101")).first.click()
    page.wait_for_url(re.compile(r".*/course/$"))


def open_say_hello(page):
    """From the course home: the outline's unit "Say hello"; its inline discussion, started."""
    page.locator("#lms-outline").get_by_role("link", name="Say hello", exact=True).click()
    page.wait_for_url(re.compile(r".*/courseware/welcome/getting_started/3$"))
    assert page.locator("#unit-title").inner_text() == "Say hello"
    forum = page.locator("[data-forum-mode='inline']")
    expect(forum).to_have_attribute("data-topic-id", "kampus101_introductions")
    expect(forum.locator(".forum-list-info")).to_contain_text("post")  # the topic's list has loaded
    return forum


def open_discussion_tab(page):
    """The course tabs' "Discussion": the forum client of the tab, started."""
    page.get_by_role("navigation", name="Course", exact=True).get_by_role("link", name="Discussion").click()
    page.wait_for_url(re.compile(r".*/discussion/forum/$"))
    forum = page.locator("[data-forum-mode='tab']")
    expect(forum.locator(".forum-list-info")).to_contain_text("post")
    return forum


def typeset(page, node) -> None:
    """Wait until MathJax has typeset something in ``node``."""
    page.wait_for_function("window.MathJax && window.MathJax.startup && window.MathJax.startup.promise",
                           timeout=20000)
    page.evaluate("() => window.MathJax.startup.promise")
    node.locator("mjx-container").first.wait_for(timeout=20000)


def kampus(live_site, *args: str) -> str:
    """``kampus <args>`` in the site's environment (as its operator would run it); its output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAMPUS_")}
    env.update(KAMPUS_HOME=str(live_site.home), KAMPUS_BASE_URL=live_site.url)
    done = subprocess.run([KAMPUS, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def mails_to(outbox: Path, address: str) -> list:
    """The messages of the console mailer's outbox sent to ``address``, oldest first."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if address in str(message["To"]):
            found.append(message)
    return found


def test_a_question_answered_endorsed_notified_digested_and_spam_removed(live_site, browser, page):
    assert live_site.run_python(SETUP) == DEMO_COURSE
    suffix = uuid.uuid4().hex[:6]
    ada, ben, cal = f"ada_{suffix}", f"ben_{suffix}", f"cal_{suffix}"
    tara, mona = f"tara_{suffix}", f"mona_{suffix}"
    live_site.run_python(ACCOUNTS % {
        "names": [ada, ben, cal, tara, mona], "password": live_site.password, "course": DEMO_COURSE,
        "staff": {tara: "community_ta", mona: "discussion_moderator"}})
    title = f"Integral question {suffix}"
    question = r"What is \(x^2\) when $$\int_0^1 x\,dx$$?"
    answer = f"The integral is one half ({suffix}): x squared is then a quarter."
    spam = f"Cheap essays {suffix}"
    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        other = context.new_page()
        other.set_default_timeout(15000)
        return other

    try:
        # -- Ada enrolls, opens "Say hello" through the outline and asks a question with a formula -----------
        page.set_viewport_size({"width": 1280, "height": 900})
        live_site.log_in(page, ada)
        enroll_through_the_catalog(page)
        forum = open_say_hello(page)
        forum.get_by_role("button", name="Add a post").click()
        form = forum.locator("form.forum-new-post")
        form.get_by_label("Question", exact=True).check()
        form.get_by_label("Title").fill(title)
        form.get_by_label("Your post").fill(question)
        preview = form.locator(".forum-preview")
        typeset(page, preview)  # the editor's preview shows the maths typeset
        shot(page, "01-ada-asks-with-a-preview")
        form.get_by_role("button", name="Submit").click()
        thread = forum.locator("article.forum-thread")
        expect(thread.locator(".forum-thread-title")).to_have_text(title)
        expect(thread.locator(".forum-badge-type")).to_contain_text("Question")
        body = thread.locator(".forum-thread-body")
        typeset(page, body)
        assert body.locator("mjx-container").count() == 2, body.inner_html()  # \(x^2\) and $$...$$
        assert body.locator("mjx-container[display='true']").count() == 1  # $$...$$ on its own line
        shot(page, "02-ada-question-typeset")

        # -- Ben enrolls, opens the same unit and answers ---------------------------------------------------
        ben_page = new_page()
        live_site.log_in(ben_page, ben)
        enroll_through_the_catalog(ben_page)
        forum_b = open_say_hello(ben_page)
        item = forum_b.locator(".forum-thread-item").filter(has_text=title)
        expect(item).to_have_count(1)
        item.click()
        thread_b = forum_b.locator("article.forum-thread")
        expect(thread_b.locator(".forum-thread-title")).to_have_text(title)
        typeset(ben_page, thread_b.locator(".forum-thread-body"))
        reply = thread_b.locator("form.forum-reply").first
        reply.get_by_label("Your response").fill(answer)
        reply.get_by_role("button", name="Submit response").click()
        response_b = thread_b.locator(".forum-response").filter(has_text=answer)
        expect(response_b).to_have_count(1)
        shot(ben_page, "03-ben-answers")

        # -- the community TA opens the thread from the Discussion tab and marks the answer -------------------
        ta_page = new_page()
        live_site.log_in(ta_page, tara)
        open_course_from_dashboard(ta_page)
        forum_t = open_discussion_tab(ta_page)
        forum_t.locator(".forum-thread-item").filter(has_text=title).click()
        ta_page.wait_for_url(re.compile(r".*/discussion/forum/kampus101_introductions/threads/\d+$"))
        thread_t = forum_t.locator("article.forum-thread")
        expect(thread_t.locator(".forum-thread-title")).to_have_text(title)
        response_t = thread_t.locator(".forum-response").filter(has_text=answer)
        response_t.get_by_role("button", name="Mark as answer").click()
        answers = thread_t.locator(".forum-answers")
        expect(answers.locator(".forum-response").filter(has_text=answer)).to_have_count(1)
        endorsed = answers.locator(".forum-response.forum-endorsed").filter(has_text=answer)
        expect(endorsed.locator(".forum-badge-endorsed")).to_contain_text("Answer")
        expect(endorsed.locator(".forum-endorsed-by")).to_contain_text(tara)
        expect(thread_t.locator(".forum-badge-answered")).to_be_visible()
        shot(ta_page, "04-ta-marks-the-answer")

        # -- Ada sees the bell's count and the notification ----------------------------------------------------
        main_nav(page).get_by_role("link", name="Courses").click()  # any page: the navigation is fresh
        bell = main_nav(page).get_by_role("link", name=re.compile("Notifications"))
        expect(bell).to_contain_text("Notifications (1)")
        bell.click()
        page.wait_for_url(re.compile(r".*/notifications/$"))
        notes = page.locator("#notifications-list [data-notification-id]")
        expect(notes).to_have_count(1)
        note = notes.first
        expect(note).to_contain_text(f'{ben} responded to your post "{title}"')
        expect(note).to_contain_text(answer)
        assert note.get_attribute("data-unread") is not None
        shot(page, "05-ada-notifications")

        # -- the daily digest of today (sent "tomorrow") lists Ben's answer for Ada ---------------------------
        # (a digest lists the notifications still unread: it is sent before Ada opens hers)
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT00:30:00+00:00")
        output = kampus(live_site, "forums-digest", "--cadence", "daily", "--now", tomorrow)
        # the console mailer prints each message (between rules of 72 dashes) before the command's JSON report
        report = json.loads(output.rsplit("-" * 72 + "\n", 1)[-1])
        assert report["cadence"] == "daily" and report["periods"], report
        digests = [message for message in mails_to(live_site.outbox, f"{ada}@example.com")
                   if "digest" in str(message["Subject"]).lower()]
        assert len(digests) == 1, [str(message["Subject"]) for message in digests]
        text = digests[0].get_body(preferencelist=("plain",)).get_content()
        assert title in text, text
        assert f'{ben} responded to your post "{title}"' in text, text
        assert answer in text, text
        html = digests[0].get_body(preferencelist=("html",)).get_content()
        assert answer in html and title in html
        ben_digests = [message for message in mails_to(live_site.outbox, f"{ben}@example.com")
                       if "digest" in str(message["Subject"]).lower()]
        assert len(ben_digests) == 1  # Ben's: his response marked as the answer
        assert f'{tara} marked your response as the answer to "{title}"' in \
            ben_digests[0].get_body(preferencelist=("plain",)).get_content()
        kampus(live_site, "forums-digest", "--cadence", "daily", "--now", tomorrow)
        assert len([message for message in mails_to(live_site.outbox, f"{ada}@example.com")
                    if "digest" in str(message["Subject"]).lower()]) == 1  # sent once per period

        # -- Ada follows the notification: the thread, answered, with the marked answer -------------------------
        note.get_by_role("link", name=re.compile("responded to your post")).click()
        page.wait_for_url(re.compile(r".*/discussion/forum/kampus101_introductions/threads/\d+$"))
        forum_a = page.locator("[data-forum-mode='tab']")
        thread_a = forum_a.locator("article.forum-thread")
        expect(thread_a.locator(".forum-thread-title")).to_have_text(title)
        expect(thread_a.locator(".forum-badge-answered")).to_have_text(re.compile("Answered"))
        marked = thread_a.locator(".forum-answers .forum-response.forum-endorsed")
        expect(marked).to_have_count(1)
        expect(marked).to_contain_text(answer)
        expect(marked.locator(".forum-badge-endorsed")).to_contain_text("Answer")
        author = marked.locator(".forum-author").first
        expect(author.locator(".forum-author-name")).to_have_text(ben)
        expect(author.locator(".forum-label")).to_have_count(0)  # Ben is a learner: no label
        expect(marked.locator(".forum-endorsed-by")).to_contain_text(tara)
        expect(marked.locator(".forum-endorsed-by .forum-label")).to_have_text("Community TA")
        typeset(page, thread_a.locator(".forum-thread-body"))
        list_item = forum_a.locator(".forum-thread-item").filter(has_text=title)
        expect(list_item.locator(".forum-badge-answered")).to_be_visible()
        shot(page, "06-ada-sees-the-answer")
        expect(main_nav(page).get_by_role("link", name=re.compile("Notifications"))).not_to_contain_text("(1)")

        # -- Cal posts spam in the unit; Ben reports it -------------------------------------------------------
        cal_page = new_page()
        live_site.log_in(cal_page, cal)
        enroll_through_the_catalog(cal_page)
        forum_c = open_say_hello(cal_page)
        forum_c.get_by_role("button", name="Add a post").click()
        form_c = forum_c.locator("form.forum-new-post")
        form_c.get_by_label("Title").fill(spam)
        form_c.get_by_label("Your post").fill("Buy essays at http://spam.example now, cheap cheap cheap!")
        form_c.get_by_role("button", name="Submit").click()
        expect(forum_c.locator("article.forum-thread .forum-thread-title")).to_have_text(spam)

        ben_page.reload()
        forum_b = ben_page.locator("[data-forum-mode='inline']")
        expect(forum_b.locator(".forum-list-info")).to_contain_text("post")
        forum_b.locator(".forum-thread-item").filter(has_text=spam).click()
        thread_b = forum_b.locator("article.forum-thread")
        expect(thread_b.locator(".forum-thread-title")).to_have_text(spam)
        thread_b.get_by_role("button", name="Report").click()
        expect(thread_b.get_by_role("button", name="Unreport")).to_have_attribute("aria-pressed", "true")
        shot(ben_page, "07-ben-reports-spam")

        # -- the moderator: the bell, the reported-content queue, delete with a reason, the log --------------
        mod_page = new_page()
        live_site.log_in(mod_page, mona)
        expect(main_nav(mod_page).get_by_role("link", name=re.compile("Notifications"))).to_contain_text("(1)")
        open_course_from_dashboard(mod_page)
        open_discussion_tab(mod_page)
        mod_page.get_by_role("navigation", name="Moderation").get_by_role("link", name="Reported content").click()
        mod_page.wait_for_url(re.compile(r".*/discussion/moderation/flagged$"))
        queued = mod_page.locator(".moderation-item").filter(has_text=spam)
        expect(queued).to_have_count(1)
        expect(queued.locator(".moderation-author")).to_have_text(cal)
        expect(queued.locator(".moderation-flag-count")).to_contain_text("1")
        shot(mod_page, "08-moderator-queue")
        queued.get_by_role("button", name="Delete").click()
        queued.get_by_label("Reason for deleting").fill("Spam: advertising")
        queued.locator("form.moderation-reason").get_by_role("button", name="Delete").click()
        expect(mod_page.locator(".moderation-item").filter(has_text=spam)).to_have_count(0)

        mod_page.get_by_role("link", name="Moderation log").click()
        mod_page.wait_for_url(re.compile(r".*/discussion/moderation/audit-log$"))
        removal = mod_page.locator("table.moderation-audit tbody tr[data-action='thread.deleted']")
        expect(removal).to_have_count(1)
        expect(removal).to_contain_text(mona)
        expect(removal).to_contain_text("Deleted a post")
        expect(removal).to_contain_text(cal)
        expect(removal).to_contain_text("Spam: advertising")
        shot(mod_page, "09-moderation-log")

        # -- the spam is gone for learners: Ben's unit and Ada's Discussion tab --------------------------------
        ben_page.reload()
        forum_b = ben_page.locator("[data-forum-mode='inline']")
        expect(forum_b.locator(".forum-thread-item").filter(has_text=title)).to_have_count(1)
        expect(forum_b.locator(".forum-thread-item").filter(has_text=spam)).to_have_count(0)
        page.reload()
        forum_a = page.locator("[data-forum-mode='tab']")
        expect(forum_a.locator(".forum-thread-item").filter(has_text=title)).to_have_count(1)
        expect(forum_a.locator(".forum-thread-item").filter(has_text=spam)).to_have_count(0)
        shot(ben_page, "10-spam-gone")
    finally:
        for context in contexts:
            context.close()

