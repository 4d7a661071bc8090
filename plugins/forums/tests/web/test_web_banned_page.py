"""The moderators' page of banned learners (who may open it), and what the Discussion tab tells a banned
learner (the page's data attributes: the message, the moderator's reason, the end)."""

from __future__ import annotations

from datetime import timedelta

from kampus.db import utcnow


def test_the_banned_learners_page_is_for_moderators(forum):
    url = f"/courses/{forum.COURSE}/discussion/moderation/banned"
    assert forum.learner().get(url).status_code == 403
    assert forum.member("community_ta").get(url).status_code == 403
    assert forum.member("group_moderator").get(url).status_code == 403
    page = forum.member("discussion_moderator").get(url)
    assert page.status_code == 200
    assert 'data-moderation-page="banned"' in page.get_data(as_text=True)
    audit = forum.member("staff").get(f"/courses/{forum.COURSE}/discussion/moderation/audit-log")
    assert f'href="{url}"' in audit.get_data(as_text=True)  # the moderator pages link to it


def test_a_banned_learner_is_told_why(forum):
    learner = forum.learner(username="sam")
    page_url = f"/courses/{forum.COURSE}/discussion/forum/"
    assert "data-restriction" not in learner.get(page_url).get_data(as_text=True)
    moderator = forum.member("discussion_moderator")
    until = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    made = moderator.post("/api/discussion/v1/moderation/ban-user/", json={
        "username": "sam", "course_id": forum.COURSE, "reason": "Spam <b>links</b>",
        "expires_at": until.isoformat()})
    assert made.status_code == 201, made.get_json()
    page = learner.get(page_url).get_data(as_text=True)
    assert 'data-restriction="You have been banned from this course&#39;s discussions."' in page
    assert 'data-restriction-reason="Spam &lt;b&gt;links&lt;/b&gt;"' in page  # escaped; the script sets it as text
    assert f'data-restriction-until="{until.strftime("%Y-%m-%dT%H:%M:%SZ")}"' in page
