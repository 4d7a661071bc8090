"""Notification preferences per course (Open edX's ``/api/notifications/configurations/<course_key_string>``):
their shape, their checks, and that they hold in the course they were made in only: the list, the bell,
digests and immediate e-mail."""

from __future__ import annotations

import json
import zlib

import sqlalchemy as sa
from kampus_forums.notifications import preferences
from kampus_forums.notifications.models import Notification
from kampus_lms import api as lms

from kampus.drivers.mailer import message_text
from kampus.testing import login

from .notify_kit import COURSE, member, post, publish, thread_by
from .test_notification_digests import run

OTHER = "course-v1:Kampus+Other+2027"
CONFIG = f"/api/notifications/configurations/{COURSE}"
CORE_INFO = ("Notifications for responses and comments on your posts, and the ones you're following, including "
             "endorsements to your responses and on your posts.")


def two_courses(app):
    """An author enrolled in both courses, and a helper who answers there."""
    publish(app)
    publish(app, OTHER)
    author = member(app)
    helper = member(app, username="helper")
    for user in (author, helper):
        member_of(app, user, OTHER)
    return author, helper


def member_of(app, user, course_id: str) -> None:
    with app.app_context():
        lms.enroll(user, course_id, check_access=False)


def answer_in(app, author, helper, course_id: str, title: str) -> None:
    thread_id = thread_by(app, author, title=title, course_id=course_id)
    post(app, helper, thread_id, f"An answer to {title}", course_id=course_id)


def patch(client, body: dict, course_id: str = COURSE):
    return client.patch(f"/api/notifications/configurations/{course_id}", data=json.dumps(body),
                        content_type="application/json")


def listed(client) -> list[str]:
    results = client.get("/api/notifications/").get_json()["results"]
    return sorted(item["content_context"]["thread_title"] for item in results)


def test_the_configuration_has_open_edx_shape_and_follows_the_account(app) -> None:
    publish(app)
    learner = member(app)
    client = login(app.test_client(), learner)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        preferences.set_cadences(session, learner.id, dict.fromkeys(
            ("response_on_my_thread", "comment_on_my_response", "endorsement", "followed_thread_post"), "weekly"))
    answer = client.get(CONFIG)
    assert answer.status_code == 200
    assert answer.get_json() == {
        "id": zlib.crc32(f"{learner.id}:{COURSE}".encode()), "course_name": answer.get_json()["course_name"],
        "course_id": COURSE,
        "notification_preference_config": {"discussion": {
            "enabled": True,
            "core_notification_types": ["new_response", "new_comment_on_response", "response_endorsed",
                                        "response_on_followed_post", "comment_on_followed_post"],
            "notification_types": {"core": {"web": True, "email": True, "push": False, "email_cadence": "Weekly",
                                            "info": CORE_INFO}},
            "non_editable": {"core": ["push"]}}}}
    moderator = login(app.test_client(), member(app, "discussion_moderator"))
    types = moderator.get(CONFIG).get_json()["notification_preference_config"]["discussion"]["notification_types"]
    assert sorted(types) == ["content_reported", "core"]
    assert types["content_reported"]["email_cadence"] == "Immediately"


def test_changes_and_their_checks(app) -> None:
    publish(app)
    learner = member(app)
    client = login(app.test_client(), learner)
    done = patch(client, {"notification_app": "discussion", "notification_type": "core",
                          "notification_channel": "web", "value": False})
    assert done.status_code == 200
    config = done.get_json()["notification_preference_config"]["discussion"]
    assert config["notification_types"]["core"]["web"] is False
    cadence = patch(client, {"notification_app": "discussion", "notification_type": "core",
                             "notification_channel": "email_cadence", "value": "Immediately"})
    assert cadence.get_json()["notification_preference_config"]["discussion"]["notification_types"]["core"][
        "email_cadence"] == "Immediately"
    email_off = patch(client, {"notification_app": "discussion", "notification_channel": "email", "value": False})
    core = email_off.get_json()["notification_preference_config"]["discussion"]["notification_types"]["core"]
    assert core["email"] is False and core["email_cadence"] == "Daily"  # off shows the account's cadence
    app_off = patch(client, {"notification_app": "discussion", "value": False})
    assert app_off.get_json()["notification_preference_config"]["discussion"]["enabled"] is False
    for bad, message in (
            ({"notification_app": "grades", "value": True}, "grades is not a valid notification app."),
            ({"notification_app": "discussion", "notification_type": "content_reported",
              "notification_channel": "web", "value": False}, "content_reported is not a valid notification type."),
            ({"notification_app": "discussion", "notification_type": "core", "value": False},
             "notification_channel is required for notification_type."),
            ({"notification_app": "discussion", "email_cadence": "Weekly"},
             "notification_type is required for email_cadence."),
            ({"notification_app": "discussion", "notification_type": "core", "email_cadence": "Hourly"},
             "Hourly is not a valid email cadence."),
            ({"notification_app": "discussion", "notification_type": "core", "notification_channel": "sms",
              "value": True}, "sms is not a valid notification channel setting."),
            ({"notification_app": "discussion", "notification_type": "core", "notification_channel": "push",
              "value": True}, "push is not editable for notification type core."),
            ({"notification_app": "discussion", "notification_type": "core", "notification_channel": "web",
              "value": "maybe"}, "value must be true or false.")):
        answer = patch(client, bad)
        assert answer.status_code == 400 and answer.get_json()["non_field_errors"] == [message], bad
    assert patch(client, {"notification_app": "discussion", "value": True}).status_code == 200
    assert client.get(CONFIG).get_json()["notification_preference_config"]["discussion"]["enabled"] is True
    outsider = login(app.test_client(), member(app, enrolled=False))
    assert outsider.get(CONFIG).status_code == 404
    assert client.get("/api/notifications/configurations/course-v1:No+Such+Run").status_code == 404
    assert client.get("/api/notifications/configurations/nonsense").status_code == 404
    assert app.test_client().get(CONFIG).status_code == 401


def test_web_off_in_one_course_hides_its_notifications_there_only(app, mailbox) -> None:
    author, helper = two_courses(app)
    client = login(app.test_client(), author)
    patch(client, {"notification_app": "discussion", "notification_type": "core", "notification_channel": "web",
                   "value": False})
    answer_in(app, author, helper, COURSE, "Quiet course")
    answer_in(app, author, helper, OTHER, "Loud course")
    assert listed(client) == ["Loud course"]
    assert client.get("/api/notifications/count/").get_json()["count"] == 1
    assert "Notifications (1)" in client.get("/notifications/").get_data(as_text=True)
    run(app)  # e-mail is still on there: the digest lists both
    (digest,) = mailbox
    assert "Quiet course" in message_text(digest) and "Loud course" in message_text(digest)


def test_email_off_in_one_course_leaves_it_out_of_the_digest_only(app, mailbox) -> None:
    author, helper = two_courses(app)
    client = login(app.test_client(), author)
    patch(client, {"notification_app": "discussion", "notification_type": "core", "notification_channel": "email",
                   "value": False})
    answer_in(app, author, helper, COURSE, "Quiet course")
    answer_in(app, author, helper, OTHER, "Loud course")
    assert listed(client) == ["Loud course", "Quiet course"]
    run(app)
    (digest,) = mailbox
    assert "Loud course" in message_text(digest) and "Quiet course" not in message_text(digest)


def test_a_course_turned_off_gets_nothing_and_another_cadence_mails_at_once(app, mailbox) -> None:
    author, helper = two_courses(app)
    client = login(app.test_client(), author)
    patch(client, {"notification_app": "discussion", "value": False})
    patch(client, {"notification_app": "discussion", "notification_type": "core", "email_cadence": "Immediately"},
          course_id=OTHER)
    answer_in(app, author, helper, COURSE, "Silent course")
    answer_in(app, author, helper, OTHER, "Urgent course")
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        courses = list(session.scalars(sa.select(Notification.course_id).where(Notification.user_id == author.id)))
    assert courses == [OTHER]
    (message,) = mailbox
    assert "Urgent course" in message["Subject"]
    # the one-click unsubscribe of that mail turns the course's own cadence off too
    link = message["List-Unsubscribe"].strip("<>")
    assert app.test_client().post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    core = client.get(f"/api/notifications/configurations/{OTHER}").get_json()[
        "notification_preference_config"]["discussion"]["notification_types"]["core"]
    assert core["email"] is False


def test_the_pages_list_the_courses_and_save_one(app) -> None:
    author, helper = two_courses(app)
    client = login(app.test_client(), author)
    answer_in(app, author, helper, COURSE, "Linked")
    listing = client.get("/notifications/").get_data(as_text=True)
    assert f"/notifications/preferences/{COURSE}" in listing
    account = client.get("/notifications/preferences").get_data(as_text=True)
    assert f"/notifications/preferences/{COURSE}" in account and f"/notifications/preferences/{OTHER}" in account
    page = client.get(f"/notifications/preferences/{COURSE}")
    assert page.status_code == 200 and b'name="core-web"' in page.data and b"content_reported" not in page.data
    saved = client.post(f"/notifications/preferences/{COURSE}",
                        data={"enabled": "1", "core-email": "weekly"})  # web unticked
    assert saved.status_code == 302
    core = client.get(CONFIG).get_json()["notification_preference_config"]["discussion"]["notification_types"]["core"]
    assert (core["web"], core["email"], core["email_cadence"]) == (False, True, "Weekly")
    other = client.get(f"/api/notifications/configurations/{OTHER}").get_json()
    assert other["notification_preference_config"]["discussion"]["notification_types"]["core"]["web"] is True
    assert client.post(f"/notifications/preferences/{COURSE}", data={"core-email": "hourly"}).status_code == 400
    assert client.get("/notifications/preferences/course-v1:No+Such+Run").status_code == 404
    enrollments = client.get("/api/notifications/enrollments/").get_json()
    assert enrollments["count"] == 2 and enrollments["show_preferences"] is True
    assert {entry["course"]["id"] for entry in enrollments["results"]} == {COURSE, OTHER}
