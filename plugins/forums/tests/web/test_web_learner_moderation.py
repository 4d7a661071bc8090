"""In Chromium, a moderator deletes every post of a spammer from the learner's menu on one of their posts
and bans them (confirmed, with a reason; the deletion runs as a background task); the spammer then sees
why they cannot post; the moderator unbans them from the banned learners' page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kampus.testing.browser import chromium_browser, log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _thread(client, forum, title: str) -> str:
    created = client.post("/api/discussion/v1/threads/", json={
        "course_id": forum.COURSE, "topic_id": forum.TOPIC, "type": "discussion", "title": title,
        "raw_body": "Hello."})
    assert created.status_code == 200, created.get_json()
    return created.get_json()["id"]


def test_a_moderator_deletes_a_spammers_posts_and_bans_them(forum, served):
    author = forum.learner(username="ana")
    spammer = forum.learner(username="zed")
    forum.member("discussion_moderator", username="mo")
    thread_id = _thread(author, forum, "Study group?")
    _thread(spammer, forum, "Win a prize now")
    spam = spammer.post("/api/discussion/v1/comments/", json={"thread_id": thread_id, "raw_body": "Cheap pills!"})
    assert spam.status_code == 200, spam.get_json()
    kept = author.post("/api/discussion/v1/comments/", json={"thread_id": thread_id, "raw_body": "Count me in."})
    assert kept.status_code == 200, kept.get_json()
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        log_in(page, served, "mo")
        page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/{forum.TOPIC}/threads/{thread_id}")
        responses = page.locator(".forum-response")
        expect(responses).to_have_count(2)
        expect(page.get_by_role("button", name="Moderate ana")).to_have_count(2)  # her post and her response
        spam_card = responses.filter(has_text="Cheap pills!")
        spam_card.get_by_role("button", name="Moderate zed").click()
        spam_card.get_by_role("button", name="Delete all posts").click()
        form = spam_card.locator(".forum-moderation-form")
        expect(form).to_contain_text("Delete every post, response and comment zed wrote in this course?")
        form.get_by_label("Reason (kept in the moderation log)").fill("Spam")
        # the banned learner is shown the reason: the moderator is told so
        expect(form.get_by_label("Reason (kept in the moderation log)")).to_have_accessible_description(
            "If you also ban zed, they see this reason while the ban lasts.")
        form.get_by_label("Also ban zed from this course's discussions").check()
        form.get_by_role("button", name="Delete all posts").click()
        expect(page.locator(".forum-success")).to_have_text(
            "Deleted 1 posts and 1 responses and comments of zed. zed is banned from this course's discussions.")
        expect(page.locator(".forum-response")).to_have_count(1)  # the thread was drawn again without the spam
        expect(page.locator(".forum-response")).to_contain_text("Count me in.")
        expect(page.locator(".forum-thread-list .forum-item-title")).to_have_text(["Study group?"])

        page.goto(served + f"/courses/{forum.COURSE}/discussion/moderation/audit-log")
        expect(page.locator(".moderation-audit tbody tr .moderation-action")).to_have_text(
            ["Banned a learner", "Deleted a learner's posts", "Deleted a post", "Deleted a response"])

        learner_page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(learner_page, served, "zed")
        learner_page.goto(served + f"/courses/{forum.COURSE}/discussion/forum/")
        notice = learner_page.locator(".forum-restriction")
        expect(notice).to_contain_text("You have been banned from this course's discussions.")
        expect(notice).to_contain_text("Reason: Spam")
        expect(learner_page.get_by_role("button", name="Add a post")).to_be_disabled()
        expect(learner_page.get_by_role("button", name="Moderate ana")).to_have_count(0)  # learners have no menu

        # the moderator unbans zed from the banned learners' page (a reason is required)
        page.get_by_role("link", name="Banned learners").click()
        ban = page.locator(".moderation-ban")
        expect(ban.locator(".moderation-banned-user")).to_have_text(["zed"])
        expect(ban).to_contain_text("Spam")
        ban.get_by_role("button", name="Unban").click()
        ban.get_by_label("Reason for unbanning (required)").fill("Appeal accepted")
        ban.get_by_role("button", name="Unban").last.click()
        expect(page.locator(".moderation-empty")).to_have_text("Nobody is banned from this course's discussions.")
        learner_page.reload()
        expect(learner_page.get_by_role("button", name="Add a post")).to_be_enabled()
        expect(learner_page.locator(".forum-restriction")).to_have_count(0)
        assert not [error for error in errors if "favicon" not in error], errors
