"""Bulk e-mail: targets, sanitising, unsubscribe (link, RFC 8058 headers, opt-out honoured), schedule,
history counts, retries, permissions, bearer tokens, and exactly-once delivery when a worker dies."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from email.utils import getaddresses
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from kampus_instructor.bulk_email import service
from kampus_instructor.bulk_email.models import BulkEmailMessage, BulkEmailRecipient
from kampus_lms.api import enroll, set_course_mode, unenroll
from openapi_spec_validator import validate

from kampus.db import utcnow
from kampus.drivers.mailer import Mailer, MailError, message_html, message_text
from kampus.testing import make_user

from .conftest import COURSE, bearer, enroll_many, make_cohort

SEND = f"/courses/{COURSE}/instructor/api/send_email"
HISTORY = f"/courses/{COURSE}/instructor/api/list_email_content"


def to_of(message) -> list[str]:
    return [address for _name, address in getaddresses(message.get_all("To", []))]


def recipients(mailbox) -> list[str]:
    return sorted(address for message in mailbox for address in to_of(message))


def send(client, targets, subject="Hello", message="<p>Hi <b>all</b></p>", **extra):
    return client.post(SEND, json={"send_to": targets, "subject": subject, "message": message, **extra})


def test_targets_resolve_to_the_right_recipients(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    instructor = make_user(app, "instructor", course)
    learners = enroll_many(app, 4)
    make_cohort(app, "Night owls", [learners[1].username, learners[3].username])
    gone = enroll_many(app, 1, prefix="gone")[0]
    with app.test_request_context():
        unenroll(gone, course)

    assert send(staff, ["myself"]).status_code == 200
    assert recipients(mailbox) == [staff.user.email]
    mailbox.clear()
    assert send(staff, ["staff"]).status_code == 200
    assert recipients(mailbox) == sorted([staff.user.email, instructor.email])
    mailbox.clear()
    answer = send(staff, '["learners"]')  # Open edX posts send_to as a JSON string
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert recipients(mailbox) == sorted(u.email for u in learners)
    mailbox.clear()
    assert send(staff, ["cohort:Night owls"]).status_code == 200
    assert recipients(mailbox) == sorted([learners[1].email, learners[3].email])
    mailbox.clear()
    assert send(staff, ["myself", "cohort:Night owls", "learners"]).status_code == 200
    assert len(mailbox) == 5 and len(set(recipients(mailbox))) == 5  # one message each, overlaps merged
    mailbox.clear()
    verified = make_user(app, "user", username="vera")
    with app.test_request_context():
        set_course_mode(course, "verified", "Verified")
        enroll(verified, course, mode="verified", check_access=False)
    assert send(staff, ["track:verified"]).status_code == 200
    assert recipients(mailbox) == [verified.email]
    assert send(staff, ["track:honor"]).status_code == 400
    bad = send(staff, ["cohort:Nobody"])
    assert bad.status_code == 400 and "send_to" in bad.get_json()["field_errors"]
    assert send(staff, ["everyone"]).status_code == 400
    assert send(staff, []).status_code == 400


def test_message_is_sanitised_and_carries_unsubscribe(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    learner = enroll_many(app, 1)[0]
    dirty = ('<p onclick="steal()">Read <a href="javascript:alert(1)">this</a> and '
             '<a href="https://example.org/x">that</a></p><script>alert(1)</script><img src=x onerror=alert(2)>')
    assert send(staff, ["learners"], subject="Week 2", message=dirty).status_code == 200
    (sent,) = mailbox
    html = message_html(sent)
    for bad in ("<script", "onclick", "onerror", "javascript:"):
        assert bad not in html
    assert 'href="https://example.org/x"' in html
    text = message_text(sent)
    assert "Read this and that" in text and "<" not in text.split("--")[0]
    assert sent["Subject"] == "Week 2"
    assert "Mail course" in sent["From"]
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = sent["List-Unsubscribe"].strip("<>")
    assert link.startswith("https://kampus.test/bulk_email/unsubscribe/")
    assert f"List-Unsubscribe: <{link}>" in sent.as_bytes().decode()  # as a link: not folded, not encoded
    assert link in text and link.replace("&", "&amp;") in html
    with app.app_context():
        stored = app.extensions["kampus"].db.sessionmaker().scalar(sa.select(BulkEmailMessage))
        assert "<script" not in stored.html_message
    assert learner.email in to_of(sent)


def test_one_click_unsubscribe_is_honoured(app, course, client_as, mailbox, client):
    staff = client_as("staff", course)
    alice, bob = enroll_many(app, 2)
    send(staff, ["learners"])
    link = next(m for m in mailbox if alice.email in to_of(m))["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("https://kampus.test")
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.get_data(as_text=True)
    # RFC 8058: the mail provider posts the form field, without cookie or CSRF token
    one_click = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    mailbox.clear()
    answer = send(staff, ["learners"], subject="Second").get_json()
    assert recipients(mailbox) == [bob.email]
    history = staff.post(HISTORY).get_json()["emails"]
    latest = next(e for e in history if e["id"] == answer["email_id"])
    assert (latest["sent"], latest["skipped"], latest["failed"], latest["total"]) == (1, 1, 0, 2)
    forged = client.post(path[:-3] + "abc", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 404
    # the page's own button resubscribes and unsubscribes
    assert "Subscribe again" in client.post(path, data={"action": "unsubscribe"}).get_data(as_text=True)
    client.post(path, data={"action": "resubscribe"})
    mailbox.clear()
    send(staff, ["learners"], subject="Third")
    assert recipients(mailbox) == sorted([alice.email, bob.email])


def test_scheduled_email_waits_for_its_time(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    enroll_many(app, 2)
    when = (utcnow() + timedelta(hours=2)).isoformat()
    answer = send(staff, ["learners"], schedule=when)
    assert answer.status_code == 200 and answer.get_json()["status"] == "scheduled"
    assert mailbox == []
    assert staff.post(HISTORY).get_json()["emails"][0]["status"] == "scheduled"
    with app.app_context():
        assert service.dispatch_due() == []
        assert service.dispatch_due(now=utcnow() + timedelta(hours=3)) == [answer.get_json()["email_id"]]
        assert service.dispatch_due(now=utcnow() + timedelta(hours=3)) == []  # taken once
    assert len(mailbox) == 2
    assert staff.post(HISTORY).get_json()["emails"][0]["status"] == "sent"
    past = send(staff, ["learners"], schedule=(utcnow() - timedelta(minutes=1)).isoformat())
    assert past.status_code == 400 and "schedule" in past.get_json()["field_errors"]
    assert send(staff, ["learners"], schedule="next tuesday").status_code == 400
    later = send(staff, ["learners"], schedule=when).get_json()
    cancel_url = f"/api/instructor/v1/courses/{COURSE}/bulk_email/{later['email_id']}"
    assert staff.delete(cancel_url).status_code == 200
    assert staff.delete(cancel_url).status_code == 404
    with app.app_context():
        assert service.dispatch_due(now=utcnow() + timedelta(hours=3)) == []


def test_history_counts_and_transient_retries(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    learners = enroll_many(app, 5)
    mailer = app.extensions["kampus"].mailer
    real = mailer.deliver
    calls = Counter()

    def flaky(message):
        to = to_of(message)[0]
        calls[to] += 1
        if to == learners[0].email and calls[to] == 1:
            raise MailError("451 try again later")  # transient: the retry goes through
        if to == learners[1].email:
            raise MailError("554 rejected")  # keeps failing: recorded as failed after the retries
        real(message)

    mailer.deliver = flaky
    answer = send(staff, ["learners"])
    assert answer.status_code == 200
    emails = staff.post(HISTORY).get_json()["emails"]
    assert emails[0]["subject"] == "Hello" and emails[0]["requester"] == staff.user.username
    assert (emails[0]["sent"], emails[0]["failed"], emails[0]["skipped"], emails[0]["pending"]) == (4, 1, 0, 0)
    assert calls[learners[0].email] == 2
    assert calls[learners[1].email] == 4  # one try and three retries
    assert len(mailbox) == 4
    page = staff.get(f"/courses/{COURSE}/instructor/bulk_email")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Send Email" in body and "Email history" in body


def test_failed_recipients_are_listed_with_the_reason(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    learners = enroll_many(app, 3)
    mailer = app.extensions["kampus"].mailer
    real = mailer.deliver

    def rejecting(message):
        if to_of(message)[0] == learners[2].email:
            raise MailError("550 5.1.1 mailbox unavailable")
        real(message)

    mailer.deliver = rejecting
    assert send(staff, ["learners"]).status_code == 200
    (email,) = staff.post(HISTORY).get_json()["emails"]
    url = f"/api/instructor/v1/courses/{COURSE}/bulk_email/{email['id']}/failures"
    answer = staff.get(url)
    assert answer.status_code == 200
    assert answer.get_json() == {"email_id": email["id"], "count": 1, "failures": [
        {"username": learners[2].username, "email": learners[2].email, "error": "550 5.1.1 mailbox unavailable"}]}

    page = staff.get(f"/courses/{COURSE}/instructor/bulk_email")
    failures_page = f"/courses/{COURSE}/instructor/bulk_email/{email['id']}/failures"
    assert f'href="{failures_page}"' in page.get_data(as_text=True)  # the history's failed count links to it
    listing = staff.get(failures_page)
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert learners[2].email in body and "550 5.1.1 mailbox unavailable" in body
    assert learners[0].email not in body and "1 recipient could not be reached." in body

    assert staff.get(f"/api/instructor/v1/courses/{COURSE}/bulk_email/{email['id'] + 99}/failures").status_code == 404
    assert staff.get(f"/courses/{COURSE}/instructor/bulk_email/{email['id'] + 99}/failures").status_code == 404
    learner = client_as("learner", course)
    assert learner.get(url).status_code == 403
    assert learner.get(failures_page).status_code in (302, 403)


def test_a_failed_task_shows_in_the_history(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    enroll_many(app, 2)

    def broken(message):
        raise RuntimeError("disk full")

    app.extensions["kampus"].mailer.deliver = broken
    assert send(staff, ["learners"]).status_code == 200
    (email,) = staff.post(HISTORY).get_json()["emails"]
    assert email["status"] == "failed" and email["error"] == "RuntimeError: disk full"
    assert (email["sent"], email["pending"]) == (0, 2)


def test_bad_requests_are_refused_with_nothing_recorded(app, course, client_as, mailbox):
    staff = client_as("staff", course)
    enroll_many(app, 1)
    cases = [({"subject": ""}, "subject"), ({"subject": "x" * 129}, "subject"), ({"subject": "a\nBcc: b"}, "subject"),
             ({"message": ""}, "message"), ({"message": "<script>only()</script>"}, "message")]
    for change, field in cases:
        body = {"send_to": ["learners"], "subject": "Hi", "message": "<p>x</p>", **change}
        answer = staff.post(SEND, json=body)
        assert answer.status_code == 400, change
        assert field in answer.get_json()["field_errors"]
    huge = staff.post(SEND, json={"send_to": ["learners"], "subject": "Hi", "message": "x" * 300_000})
    assert huge.status_code == 413
    assert staff.post(SEND, data="not json", content_type="application/json").status_code == 400
    with app.app_context():
        assert app.extensions["kampus"].db.sessionmaker().scalar(sa.select(sa.func.count(BulkEmailMessage.id))) == 0
    assert mailbox == []


def test_permissions_and_bearer_tokens(app, course, client_as, client, mailbox):
    learner = client_as("user")
    with app.test_request_context():
        enroll(learner.user, course, check_access=False)
    assert send(learner, ["learners"]).status_code == 403
    assert send(client, ["learners"]).status_code == 401
    assert client_as("ta", course).post(SEND, json={}).status_code == 403  # TAs see the dashboard, not e-mail
    assert learner.get(f"/courses/{COURSE}/instructor/bulk_email").status_code == 403
    instructor = make_user(app, "instructor", course)
    headers = bearer(app, instructor)
    api = app.test_client()
    answer = api.post(SEND, json={"send_to": ["learners"], "subject": "Token", "message": "<p>t</p>"},
                      headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert recipients(mailbox) == [learner.user.email]
    assert api.post(HISTORY, headers=headers).get_json()["emails"][0]["subject"] == "Token"
    preview = api.post(f"/api/instructor/v1/courses/{COURSE}/bulk_email/preview",
                       json={"message": "<p onclick='x()'>Hi</p>"}, headers=headers).get_json()
    assert preview["html"] == "<p>Hi</p>" and preview["text"] == "Hi\n"
    document = client.get("/api/openapi.json").get_json()
    validate(document)
    paths = document["paths"]
    for path in ("/courses/{course_id}/instructor/api/send_email",
                 "/courses/{course_id}/instructor/api/list_email_content",
                 "/api/instructor/v1/courses/{course_id}/bulk_email/preview",
                 "/api/instructor/v1/courses/{course_id}/bulk_email/{email_id}"):
        assert path in paths, path


# -- exactly once --------------------------------------------------------------------------------------------


class WorkerDied(BaseException):
    """What SIGKILL looks like from inside the task: nothing after it runs."""


def _message(app, staff_user) -> int:
    with app.test_request_context():
        scheduled = service.create_message(COURSE, staff_user, "Once", "<p>once</p>", ["learners"],
                                           (utcnow() + timedelta(days=1)).isoformat())
    return scheduled.id


def _run(app, message_id: int, attempt: int):
    task = SimpleNamespace(attempt=attempt, record_id=f"record-{attempt}", progress=lambda *a, **k: None)
    with app.app_context():
        return service.deliver_message(task, message_id)


@pytest.mark.parametrize("dies", ["after_delivery", "before_delivery"])
def test_a_retried_batch_never_sends_twice(app, course, client_as, mailbox, dies):
    staff = client_as("staff", course)
    learners = enroll_many(app, 10)
    message_id = _message(app, staff.user)
    mailer = app.extensions["kampus"].mailer
    real = mailer.deliver
    count = {"n": 0}

    def dying(message):
        count["n"] += 1
        if count["n"] == 5:  # mid-batch (batches of 3): rows 4-6 claimed, row 5 in flight
            if dies == "after_delivery":
                real(message)
            raise WorkerDied()
        real(message)

    mailer.deliver = dying
    with pytest.raises(WorkerDied):
        _run(app, message_id, attempt=1)
    mailer.deliver = real
    result = _run(app, message_id, attempt=2)
    got = Counter(address for message in mailbox for address in to_of(message))
    assert got == Counter({learner.email: 1 for learner in learners})
    assert (result["sent"], result["failed"], result["pending"]) == (10, 0, 0)
    assert _run(app, message_id, attempt=3)["sent"] == 10  # a late duplicate of the task sends nothing
    assert len(mailbox) == 10


class OpaqueMailer(Mailer):
    """A driver that cannot say whether it delivered a message (like SMTP)."""

    def __init__(self, settings):
        super().__init__(settings)
        self.outbox = []

    def deliver(self, message):
        self.outbox.append(message)


def test_an_uncertain_delivery_is_not_repeated(app, course, client_as):
    staff = client_as("staff", course)
    learners = enroll_many(app, 7)
    message_id = _message(app, staff.user)
    kampus = app.extensions["kampus"]
    opaque = OpaqueMailer(kampus.settings)
    kampus._drivers["mailer:"] = opaque

    def dying(message):
        opaque.outbox.append(message)
        raise WorkerDied()  # delivered, then the worker died before recording it

    opaque.deliver = dying
    with pytest.raises(WorkerDied):
        _run(app, message_id, attempt=1)
    opaque.deliver = opaque.outbox.append
    result = _run(app, message_id, attempt=2)
    got = Counter(to_of(message)[0] for message in opaque.outbox)
    # the in-doubt rows (the first one on SQLite, whose marks are written at once; the first three on a server,
    # whose marks trail the deliveries): failed, "delivery uncertain"; never a second copy
    in_doubt = 1 if kampus.db.engine.dialect.name == "sqlite" else 3
    assert max(got.values()) == 1 and len(got) == 7 - (in_doubt - 1)
    assert (result["sent"], result["failed"]) == (7 - in_doubt, in_doubt)
    with app.app_context():
        rows = kampus.db.sessionmaker().scalars(sa.select(BulkEmailRecipient).where(
            BulkEmailRecipient.status == "failed").order_by(BulkEmailRecipient.id)).all()
        assert all("uncertain" in row.error for row in rows)
        assert [row.email for row in rows] == [learner.email for learner in learners[:in_doubt]]


class _SlowConnection:
    """A marks connection whose every statement takes 0.1 s (a far database); ``fail_on``: a row whose
    mark fails."""

    invalidated = False

    def __init__(self, written: list[int], fail_on: int | None = None):
        self.written, self.fail_on = written, fail_on

    def execute(self, _statement, values):
        time.sleep(0.1)
        if values["row_id"] == self.fail_on:
            raise RuntimeError("the database went away")
        self.written.append(values["row_id"])

    def exec_driver_sql(self, _sql):
        pass

    def close(self):
        pass


def test_background_marks_trail_the_deliveries_by_at_most_one_and_report_errors(monkeypatch):
    """The bound the in-doubt rule counts on (IN_FLIGHT = 3: the mark being written, one waiting, the message
    being sent): a third mark waits until the writer took the second; a failed mark fails the batch."""
    written: list[int] = []
    monkeypatch.setattr(service._MarkWriter, "_open", lambda self: _SlowConnection(written))
    with service._MarkWriter(None, background=True, async_commit=False) as marks:
        started = time.perf_counter()
        marks.mark({"row_id": 1})
        marks.mark({"row_id": 2})  # 1 being written, 2 waiting: no wait yet
        assert time.perf_counter() - started < 0.08
        marks.mark({"row_id": 3})  # waits for the writer to finish 1 and take 2
        assert time.perf_counter() - started >= 0.09 and written == [1]
        marks.wait()
        assert written == [1, 2, 3]

    written.clear()
    monkeypatch.setattr(service._MarkWriter, "_open", lambda self: _SlowConnection(written, fail_on=2))
    with pytest.raises(RuntimeError, match="went away"):
        with service._MarkWriter(None, background=True, async_commit=False) as marks:
            for row_id in (1, 2, 3):
                marks.mark({"row_id": row_id})
            marks.wait()
    assert written == [1]  # nothing written after the failed mark


def test_global_staff_turn_a_courses_email_off_and_on(app, course, client_as, mailbox):
    """Open edX's BulkEmailFlag with DisabledCourse/CourseAuthorization: a course whose e-mail is off cannot
    send (403), its team does not see the Email section, and scheduled e-mail waits until it is on again."""
    staff = client_as("staff", course)
    admin = client_as("global_staff", course)
    enroll_many(app, 2)
    settings_url = f"/api/instructor/v1/courses/{COURSE}/bulk_email/settings"
    assert staff.get(settings_url).get_json() == {"course_id": COURSE, "email_enabled": True}
    later = (utcnow() + timedelta(hours=2)).isoformat()
    assert send(staff, ["learners"], subject="Later", schedule=later).status_code == 200

    answer = staff.put(settings_url, json={"email_enabled": False})
    assert answer.status_code == 403  # only global staff switch it
    assert admin.put(settings_url, json={"email_enabled": "no"}).status_code == 400
    assert admin.put(settings_url, json={"email_enabled": False}).get_json()["email_enabled"] is False

    refused = send(staff, ["learners"])
    assert refused.status_code == 403
    assert refused.get_json()["developer_message"] == "Email is not enabled for this course."
    dashboard = staff.get(f"/courses/{COURSE}/instructor").get_data(as_text=True)
    assert "/instructor/bulk_email" not in dashboard  # the section is gone for the course team
    assert staff.get(f"/courses/{COURSE}/instructor/bulk_email").status_code == 404
    page = admin.get(f"/courses/{COURSE}/instructor/bulk_email").get_data(as_text=True)
    assert 'id="bulk-email-switch"' in page and 'id="bulk-email-off"' in page
    with app.app_context():
        assert service.dispatch_due(now=utcnow() + timedelta(hours=3)) == []  # the scheduled one waits
    assert mailbox == []

    # the page's switch (a form post) turns it on again; the scheduled e-mail then goes out
    switch = f"/courses/{COURSE}/instructor/bulk_email/switch"
    assert admin.post(switch, data={"email_enabled": "on"}).status_code == 302
    assert staff.get(settings_url).get_json()["email_enabled"] is True
    with app.app_context():
        assert len(service.dispatch_due(now=utcnow() + timedelta(hours=3))) == 1
    assert sorted(message["Subject"] for message in mailbox) == ["Later", "Later"]
    assert staff.post(switch, data={}).status_code == 403


@pytest.mark.parametrize("kampus_settings", [{"instructor_bulk_email_require_course_authorization": True,
                                              "instructor_bulk_email_retry_seconds": 0.0}])
def test_a_site_can_require_each_course_to_be_authorised(app, course, client_as, mailbox, kampus_settings):
    staff = client_as("staff", course)
    enroll_many(app, 1)
    assert send(staff, ["learners"]).status_code == 403
    admin = client_as("global_staff", course)
    assert admin.put(f"/api/instructor/v1/courses/{COURSE}/bulk_email/settings",
                     json={"email_enabled": True}).status_code == 200
    assert send(staff, ["learners"]).status_code == 200
    assert len(mailbox) == 1


def test_two_first_switches_at_once_do_not_fail(app, course, monkeypatch):
    """The losing insert of two simultaneous first choices updates the winner's row instead of a 500."""
    from sqlalchemy.orm import Session

    with app.app_context():
        service.set_email_enabled(COURSE, True, None)  # the other request's row, committed first
        real = Session.scalar
        calls = []

        def first_lookup_misses(self, statement, *args, **kwargs):
            calls.append(statement)
            return None if len(calls) == 1 else real(self, statement, *args, **kwargs)

        monkeypatch.setattr(Session, "scalar", first_lookup_misses)
        assert service.set_email_enabled(COURSE, False, None) is False
        monkeypatch.undo()
        assert len(calls) == 2
        assert service.email_enabled(COURSE) is False
