"""The Discussion tab in Chromium: a learner posts a question and a response through the page and sees them;
the inline discussion of a unit lists the topic's posts; nothing breaks the page's Content-Security-Policy."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: Where the screenshots go (a reviewer looks at them); the test's temporary folder unless set.
SHOTS = os.environ.get("KAMPUS_FORUM_SCREENSHOTS")


def _watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_a_learner_posts_a_thread_and_a_response(forum, served, tmp_path):
    forum.learner(username="maria")  # another learner, so the course has a community
    learner = forum.learner(username="lin")
    shots = Path(SHOTS) if SHOTS else tmp_path
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors = _watch_errors(page)
        log_in(page, served, learner.user.username)
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/")
        expect(page.locator(".forum-topic-list button[data-topic-id]").first).to_be_visible()
        expect(page.locator(".forum-empty")).to_be_visible()

        page.get_by_role("button", name="Add a post").first.click()
        page.get_by_label("Question").check()
        page.get_by_label("Title").fill("How do I solve x² = 4?")
        page.get_by_label("Your post").fill("I tried **factoring** but got stuck: \\(x^2 - 4 = 0\\)")
        expect(page.locator(".forum-preview strong")).to_have_text("factoring")
        page.locator(".forum-markdown-help summary").click()
        page.screenshot(path=str(shots / "forum-new-post.png"), full_page=True)
        page.get_by_role("button", name="Submit", exact=True).click()

        thread = page.locator("article.forum-thread")
        expect(thread.locator(".forum-thread-title")).to_have_text("How do I solve x² = 4?")
        expect(thread.locator(".forum-thread-body strong")).to_have_text("factoring")
        expect(page.locator(".forum-thread-list .forum-item-title")).to_have_text(["How do I solve x² = 4?"])
        assert "/threads/" in page.url  # the permalink

        page.get_by_label("Your response").fill("Take the square root of both sides: $x = \\pm 2$.")
        page.get_by_role("button", name="Submit response").click()
        response = page.locator(".forum-response").first
        expect(response.locator(".forum-post-body").first).to_contain_text("Take the square root")
        expect(response.locator(".forum-author-name")).to_have_text("lin")
        # a vote on the question, a comment on the response
        thread.locator("> .forum-actions [data-action='vote']").click()
        expect(thread.locator("> .forum-actions .forum-vote-count")).to_have_text("1")
        response.get_by_role("button", name="Add a comment").click()
        response.get_by_label("Comment").fill("Thanks, *that* helps.")
        response.get_by_role("button", name="Add comment").click()
        expect(response.locator(".forum-comment .forum-post-body em")).to_have_text("that")
        # as the author of the question, the learner may mark the answer
        response.get_by_role("button", name="Mark as answer").click()
        expect(page.locator(".forum-answers .forum-badge-endorsed")).to_be_visible()
        expect(page.locator("article.forum-thread .forum-badge-answered")).to_be_visible()
        # MathJax typesets the bodies' maths, and nothing else (the Markdown hint shows its delimiters as typed)
        expect(page.locator(".forum-thread-body mjx-container")).to_have_count(1)
        expect(response.locator(".forum-post-body mjx-container")).to_have_count(1)
        expect(page.locator(".forum-editor .form-text mjx-container")).to_have_count(0)
        expect(page.locator(".forum-editor .form-text").first).to_contain_text("\\( and \\)")
        page.screenshot(path=str(shots / "forum-thread.png"), full_page=True)

        # the permalink opens the thread on a fresh page; the author edits the title
        page.goto(page.url)
        expect(page.locator("article.forum-thread .forum-thread-title")).to_have_text("How do I solve x² = 4?")
        page.locator("article.forum-thread > .forum-actions").get_by_role("button", name="Edit").click()
        page.get_by_label("Title").fill("How do I solve x² = 4 by hand?")
        page.get_by_role("button", name="Save").click()
        expect(page.locator("article.forum-thread .forum-thread-title")).to_have_text("How do I solve x² = 4 by hand?")
        expect(page.locator(".forum-thread-list .forum-item-title")).to_have_text(["How do I solve x² = 4 by hand?"])

        # the inline discussion of the unit lists the topic's posts (none yet) and takes a new one
        page.goto(served + forum.unit_url())
        inline = page.locator("[data-forum-mode='inline']")
        expect(inline.locator(".forum-empty")).to_be_visible()
        inline.get_by_role("button", name="Add a post").click()
        inline.get_by_label("Title").fill("Hello from week 1")
        inline.get_by_label("Your post").fill("Nice to meet you all.")
        inline.get_by_role("button", name="Submit", exact=True).click()
        expect(inline.locator(".forum-thread-title")).to_have_text("Hello from week 1")
        inline.get_by_role("button", name="Back to all posts").click()
        expect(inline.locator(".forum-item-title")).to_have_text(["Hello from week 1"])
        page.screenshot(path=str(shots / "forum-inline.png"), full_page=True)

        # on a phone, nothing is wider than the screen
        page.set_viewport_size({"width": 375, "height": 800})
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/")
        page.locator(".forum-thread-list .forum-thread-item").first.click()
        expect(page.locator("article.forum-thread")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=str(shots / "forum-phone.png"), full_page=True)
        assert not [error for error in errors if "Content Security Policy" in error or "Refused" in error], errors
        assert not [error for error in errors if "favicon" not in error], errors


def test_a_moderator_works_through_reported_posts(forum, served, tmp_path):
    author = forum.learner(username="ana")
    reporter = forum.learner(username="ben")
    moderator = forum.member("discussion_moderator", username="mo")
    created = author.post("/api/discussion/v1/threads/", json={
        "course_id": forum.COURSE, "topic_id": forum.TOPIC, "type": "discussion",
        "title": "Buy cheap essays here", "raw_body": "Visit my *shop*."})
    assert created.status_code == 200, created.get_json()
    thread_id = created.get_json()["id"]
    flagged = reporter.patch(f"/api/discussion/v1/threads/{thread_id}/", json={"abuse_flagged": True},
                             headers={"Content-Type": "application/merge-patch+json"})
    assert flagged.status_code == 200, flagged.get_json()
    spammer = forum.learner(username="sam")
    spam = spammer.post("/api/discussion/v1/comments/", json={"thread_id": thread_id, "raw_body": "Cheap pills!"})
    assert spam.status_code == 200, spam.get_json()
    assert reporter.patch(f"/api/discussion/v1/comments/{spam.get_json()['id']}/", json={"abuse_flagged": True},
                          headers={"Content-Type": "application/merge-patch+json"}).status_code == 200
    shots = Path(SHOTS) if SHOTS else tmp_path
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = _watch_errors(page)
        log_in(page, served, moderator.user.username)
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/")
        page.get_by_role("link", name="Reported content").click()
        items = page.locator(".moderation-item")
        expect(items).to_have_count(2)
        # the response: ban its author, then delete it with a reason
        response = items.filter(has_text="Cheap pills!")
        expect(response.locator(".moderation-author")).to_have_text("sam")
        expect(response.locator(".moderation-title")).to_have_text("In “Buy cheap essays here”")
        response.get_by_role("button", name="Ban author").click()
        response.get_by_label("Reason for the ban (the learner sees it while the ban lasts)").fill("Spam")
        response.get_by_role("button", name="Ban", exact=True).click()
        expect(response.get_by_role("alert")).to_contain_text("sam is banned")
        page.screenshot(path=str(shots / "forum-flagged.png"), full_page=True)
        response.get_by_role("button", name="Delete").click()
        response.get_by_label("Reason for deleting (kept in the moderation log)").fill("Spam")
        response.get_by_role("button", name="Delete").last.click()
        expect(items).to_have_count(1)
        # the post: its reports are cleared
        item = items.first
        expect(item.locator(".moderation-title")).to_have_text("Buy cheap essays here")
        expect(item.locator(".moderation-author")).to_have_text("ana")
        expect(item.locator(".moderation-flag-count")).to_have_text("Reports: 1")
        item.get_by_role("button", name="Clear reports").click()
        expect(items).to_have_count(0)
        page.reload()
        expect(page.locator(".moderation-empty")).to_be_visible()

        # in the thread: pin, then close with one of Open edX's reasons
        page.get_by_role("link", name="Discussion").first.click()
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/{forum.TOPIC}/threads/{thread_id}")
        thread = page.locator("article.forum-thread")
        expect(thread.locator(".forum-thread-title")).to_have_text("Buy cheap essays here")
        thread.get_by_role("button", name="Pin").click()
        expect(thread.locator(".forum-badge-pinned")).to_be_visible()
        thread.get_by_role("button", name="Close", exact=True).click()
        thread.get_by_label("Reason for closing").select_option("off-topic")
        thread.get_by_role("button", name="Close the post").click()
        expect(thread.locator(".forum-closed-notice")).to_contain_text("Post is off-topic")
        expect(thread.locator(".forum-reply")).to_have_count(0)  # no new responses in a closed thread
        page.screenshot(path=str(shots / "forum-closed.png"), full_page=True)

        page.goto(served + f"/courses/{forum.COURSE}/discussion/moderation/audit-log")
        rows = page.locator(".moderation-audit tbody tr")
        expect(rows).to_have_count(5)
        expect(rows.locator(".moderation-action")).to_have_text(
            ["Closed a post", "Pinned a post", "Cleared reports", "Deleted a response", "Banned a learner"])
        expect(rows.first.locator("td").nth(1)).to_have_text("mo")
        page.get_by_label("Action").select_option("thread.pinned")
        expect(rows).to_have_count(1)
        page.screenshot(path=str(shots / "forum-audit-log.png"), full_page=True)

        # an anonymous question answered by the moderator: "Anonymous", and the moderator's label
        secret = reporter.post("/api/discussion/v1/threads/", json={
            "course_id": forum.COURSE, "topic_id": "course", "type": "question", "anonymous": True,
            "title": "Is the exam open book?", "raw_body": "Asking for a friend."}).get_json()
        assert secret["author"] is None, secret
        answer = moderator.post("/api/discussion/v1/comments/", json={"thread_id": secret["id"],
                                                                       "raw_body": "Yes, it is."})
        assert answer.status_code == 200, answer.get_json()
        for number in range(20):  # enough for a second page of posts
            author.post("/api/discussion/v1/threads/", json={
                "course_id": forum.COURSE, "topic_id": "course", "type": "discussion",
                "title": f"Filler {number:02d}", "raw_body": "More."})
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/")
        item = page.locator(f".forum-thread-item[data-thread-id='{secret['id']}']")
        expect(page.locator(".forum-pagination")).to_contain_text("Page 1 of 2")
        if not item.count():
            page.locator(".forum-pagination [data-page='next']").click()
            expect(page.locator(".forum-pagination")).to_contain_text("Page 2 of 2")
        # the filters and the search box narrow the list
        page.get_by_label("Post type").select_option("question")
        titles = page.locator(".forum-thread-list .forum-item-title")
        expect(titles).to_have_text(["Is the exam open book?"])
        page.get_by_label("Post type").select_option("")
        page.get_by_label("Search posts").fill("exam")
        page.get_by_role("button", name="Search", exact=True).last.click()
        expect(titles).to_have_text(["Is the exam open book?"])
        expect(page.locator(".forum-list-info")).to_contain_text("exam")
        item.click()
        other = page.locator(".forum-response-list").last
        expect(other.locator(".forum-author-name")).to_have_text("mo")
        expect(other.locator(".forum-label")).to_have_text("Moderator")
        expect(page.locator("article.forum-thread header")).to_contain_text("Posted anonymously")
        # a moderator's edit of another's post carries one of Open edX's reasons
        page.locator("article.forum-thread > .forum-actions").get_by_role("button", name="Edit").click()
        page.get_by_label("Your post").fill("Asking for a friend: is the exam open book?")
        page.get_by_label("Reason for editing").select_option("needs-clarity")
        page.get_by_role("button", name="Save").click()
        note = page.locator("article.forum-thread > .forum-edit-note")
        expect(note).to_contain_text("Edited by mo")
        expect(note).to_contain_text("Content needs clarity")
        expect(page.locator("article.forum-thread .forum-thread-body")).to_have_text(
            "Asking for a friend: is the exam open book?")
        assert not [error for error in errors if "favicon" not in error], errors

        # a learner sees "Anonymous" where the author would be
        learner_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        log_in(learner_page, served, author.user.username)
        learner_page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/course/threads/{secret['id']}")
        header = learner_page.locator("article.forum-thread header")
        expect(header.locator(".forum-author-anonymous")).to_have_text("Anonymous")
        expect(header.locator(".forum-author-name")).to_have_count(0)
        expect(learner_page.locator(".forum-response .forum-label")).to_have_text("Moderator")
        learner_page.screenshot(path=str(shots / "forum-anonymous.png"), full_page=True)

        # what a learner typed shows as text: a title is never HTML, a body's HTML is sanitised
        trap = reporter.post("/api/discussion/v1/threads/", json={
            "course_id": forum.COURSE, "topic_id": "course", "type": "discussion",
            "title": "<img src=x onerror=alert(1)> $x$", "raw_body": "<script>alert(2)</script> <b>hi</b>"}).get_json()
        learner_page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/course/threads/{trap['id']}")
        article = learner_page.locator("article.forum-thread")
        expect(article.locator(".forum-thread-title")).to_have_text("<img src=x onerror=alert(1)> $x$")
        expect(article.locator(".forum-thread-body")).to_contain_text("<b>hi</b>")
        expect(learner_page.locator("article.forum-thread img, article.forum-thread script")).to_have_count(0)
        listed = learner_page.locator(f".forum-thread-item[data-thread-id='{trap['id']}'] .forum-item-title")
        expect(listed).to_have_text("<img src=x onerror=alert(1)> $x$")
        assert not [error for error in errors if "favicon" not in error], errors


def test_staff_post_to_one_cohort_of_a_divided_topic(forum, served, app, tmp_path):
    from kampus_lms import api as lms

    evening_learner, morning_learner = forum.learner(username="eve"), forum.learner(username="mo")
    staff = forum.member("staff", username="stella")
    with app.test_request_context():
        lms.set_cohorted(forum.COURSE, True)
        evening = lms.create_cohort(forum.COURSE, "Evening")
        morning = lms.create_cohort(forum.COURSE, "Morning")
        lms.add_users_to_cohort(forum.COURSE, evening.id, ["eve"])
        lms.add_users_to_cohort(forum.COURSE, morning.id, ["mo"])
        lms.enroll(staff.user, forum.COURSE, check_access=False)  # enrolled staff get a cohort of their own
        lms.add_users_to_cohort(forum.COURSE, morning.id, ["stella"])
    divided = staff.patch(f"/api/discussion/v1/courses/{forum.COURSE}/settings",
                          data='{"always_divide_inline_discussions": true}',
                          content_type="application/merge-patch+json")
    assert divided.status_code == 204
    shots = Path(SHOTS) if SHOTS else tmp_path
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        errors = _watch_errors(page)
        log_in(page, served, staff.user.username)
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/")
        # "Add a post" is enabled once the course and its topics have loaded (the click waits for it)
        page.get_by_role("button", name="Add a post").first.click()
        topic = page.locator("form.forum-new-post").get_by_label("Topic")
        visible_to = page.get_by_label("Visible to")
        topic.select_option(label="Week 1 / Introductions")
        expect(visible_to).to_be_visible()
        expect(visible_to.locator("option")).to_have_text(["All groups", "Default Group", "Evening", "Morning"])
        visible_to.select_option(label="Evening")
        page.get_by_label("Title").fill("Evening session notes")
        page.get_by_label("Your post").fill("For the evening group only.")
        page.screenshot(path=str(shots / "forum-new-post-group.png"), full_page=True)
        page.get_by_role("button", name="Submit", exact=True).click()
        expect(page.locator("article.forum-thread .forum-thread-title")).to_have_text("Evening session notes")
        # "All groups": every cohort, not the poster's own
        page.get_by_role("button", name="Add a post").first.click()
        page.locator("form.forum-new-post").get_by_label("Topic").select_option(label="Week 1 / Introductions")
        page.get_by_label("Visible to").select_option(label="All groups")
        page.get_by_label("Title").fill("For everyone")
        page.get_by_label("Your post").fill("Both groups read this.")
        page.get_by_role("button", name="Submit", exact=True).click()
        expect(page.locator("article.forum-thread .forum-thread-title")).to_have_text("For everyone")
        assert not errors, errors

    threads = f"/api/discussion/v1/threads/?course_id={quote(forum.COURSE, safe=':')}"
    seen_by_evening = [t["title"] for t in evening_learner.get(threads).get_json()["results"]]
    seen_by_morning = [t["title"] for t in morning_learner.get(threads).get_json()["results"]]
    assert seen_by_evening == ["For everyone", "Evening session notes"] and seen_by_morning == ["For everyone"]
    posted = {thread["title"]: thread for thread in staff.get(threads).get_json()["results"]}
    assert posted["Evening session notes"]["group_id"] == evening.id
    assert posted["Evening session notes"]["group_name"] == "Evening"
    assert posted["For everyone"]["group_id"] is None
