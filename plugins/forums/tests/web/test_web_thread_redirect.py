"""A thread known by its id only (the audit log's links) opens at its permalink in its own topic."""

from __future__ import annotations

from kampus.testing import DEFAULT_COURSE

FORUM = f"/courses/{DEFAULT_COURSE}/discussion/forum/"


def test_a_thread_id_redirects_to_its_permalink_in_its_topic(forum):
    learner = forum.learner()
    made = learner.post("/api/discussion/v1/threads/", json={
        "course_id": DEFAULT_COURSE, "topic_id": forum.TOPIC, "type": "discussion", "title": "Hi", "raw_body": "B"})
    assert made.status_code == 200, made.get_json()
    thread_id = made.get_json()["id"]
    answer = learner.get(f"{FORUM}threads/{thread_id}")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"{FORUM}{forum.TOPIC}/threads/{thread_id}")
    assert learner.get(f"{FORUM}threads/999999").status_code == 404
    assert learner.get(f"{FORUM}threads/nope").status_code == 404
    outsider = forum.learner(enrolled=False)
    assert outsider.get(f"{FORUM}threads/{thread_id}").status_code == 302  # to enroll, not to the thread
    assert forum.TOPIC not in outsider.get(f"{FORUM}threads/{thread_id}").headers["Location"]


def test_the_audit_log_links_threads_through_the_redirect(forum):
    script = forum.app.test_client().get("/static/forums/moderation.js").get_data(as_text=True)
    assert 'self.forumUrl + "threads/" + encodeURIComponent(entry.target_id)' in script
    assert '"general/threads/"' not in script
