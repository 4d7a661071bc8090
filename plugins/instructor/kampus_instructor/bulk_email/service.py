"""Bulk e-mail: composing, targets, scheduling, exactly-once sending in batches, opt-outs and history.

Open edX's ``lms/djangoapps/bulk_email``: an instructor writes a subject and an HTML message for some
targets (``myself``, ``staff``, ``learners``, ``cohort:<name>``, ``track:<mode>``), sent now or at a scheduled time; a
background task sends it, one message per recipient, through the site's mailer driver. Learners who
opted out of the course's e-mail (:class:`BulkEmailOptout`) are skipped; every message carries a signed
one-click unsubscribe link (RFC 8058 ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers).

**Exactly once.** The task first writes one :class:`BulkEmailRecipient` row per recipient (unique per
message and user, so a retried task adds none twice). It then works in batches: it *claims* a batch
(``pending`` -> ``sending``, stamped with its attempt number, one commit), and for each row, in id
order, delivers the message then marks the row ``sent`` (one commit per row). A retried task (the
worker died; the kernel's runner runs the task again with a higher attempt) never sends a ``sent``
row again. Rows a dead attempt left ``sending`` were claimed but not all delivered: since an attempt
delivers its rows one at a time in id order and marks each at once (SQLite) or at most two rows later (a
database server, below), only the *first* such row (SQLite) or the first :data:`IN_FLIGHT` (3) can have
been delivered without their mark when the worker died; the others are put back to ``pending``. Those
in-doubt rows are the window we accept (between the mailer's answer and the commit of ``sent``): the mailer
driver is asked whether it delivered each (the console and memory mailers can tell, by the message's deterministic
``Message-ID``); when the driver cannot tell, the row is recorded ``failed`` ("delivery uncertain")
and not sent again: a recipient may miss a message after a crash, never get it twice.

**Marks in the background.** On a database server (not SQLite, whose writes are local), the marks are
written by a thread of the task on a connection of its own, in order, while the task builds and sends the
next message (:class:`_MarkWriter`): the round trip of each mark is hidden behind the next message's work.
The task waits for the marks of a batch before it claims the next; the thread is at most one mark behind
(the mark it writes and one waiting), hence :data:`IN_FLIGHT` = 3 with the message being sent: after a
worker's death, a driver that cannot tell what it delivered costs up to three recipients that message,
where marks written at once cost one.

On PostgreSQL the ``sent`` marks are committed with ``synchronous_commit`` off (a worker's death loses
none: the server holds them; each batch's claim is a synchronous commit that flushes them all): only a
crash of the database server itself, mid-batch, could lose some marks of that batch, and then a driver
that cannot tell what it delivered (SMTP, SES) may send those few again. That is the one case we accept,
for four times the throughput.
"""

from __future__ import annotations

import html as html_lib
import json
import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from pathlib import Path
from typing import Any

import nh3
import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from kampus_lms.api import (
    cohort_members,
    course_modes,
    course_overview,
    enrolled_learners_page,
    enrolled_user_ids,
    enrollment_counts_by_mode,
    list_cohorts,
)

from kampus import db
from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.drivers.mailer import (
    ConsoleMailer,
    Mailer,
    MailError,
    MemoryMailer,
    add_one_click_unsubscribe,
    build_message,
)
from kampus.identity.links import lasting_signer, learner_course_token, read_learner_course_token
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.roles import INSTRUCTOR, STAFF
from kampus.rendering.dates import in_locale, locale_for_language
from kampus.tasks.api import TaskContext, submit
from kampus.urls import absolute_url
from kampus_instructor.bulk_email.models import (
    CANCELLED,
    FAILED,
    QUEUED,
    R_FAILED,
    R_PENDING,
    R_SENDING,
    R_SENT,
    R_SKIPPED,
    SCHEDULED,
    SENDING,
    SENT,
    BulkEmailCourse,
    BulkEmailMessage,
    BulkEmailOptout,
    BulkEmailRecipient,
)

log = logging.getLogger(__name__)

SEND_TASK = "instructor.bulk_email.send"
DISPATCH_TASK = "instructor.bulk_email.dispatch_due"
MAX_SUBJECT = 128
MAX_MESSAGE = 200_000
SIMPLE_TARGETS = ("myself", "staff", "learners")
_OPTOUT_SALT = "kampus-bulk-email-optout"
#: The marker replaced by each recipient's unsubscribe URL in a message rendered once.
_UNSUBSCRIBE_MARK = "\x00KAMPUS-UNSUBSCRIBE\x00"


class BulkEmailError(ValueError):
    """A request to send an e-mail that cannot be accepted (a 400 with ``field``)."""

    def __init__(self, message: str, field: str = "", status: int = 400):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


@dataclass(frozen=True)
class DeliveryCounts:
    """How the recipients of a message fared."""

    total: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pending: int = 0


# -- composing -------------------------------------------------------------------------------------------------


def sanitize_html(value: str) -> str:
    """The message's HTML with scripts, event handlers, ``javascript:`` links and unknown tags removed (nh3)."""
    return nh3.clean(value, link_rel="noopener noreferrer", url_schemes={"http", "https", "mailto"})


def html_to_text(value: str) -> str:
    """A plain-text alternative of sanitised HTML: paragraphs and line breaks kept, tags dropped."""
    spaced = value
    for tag in ("</p>", "<br>", "<br/>", "<br />", "</div>", "</li>", "</h1>", "</h2>", "</h3>", "</h4>", "</tr>"):
        spaced = spaced.replace(tag, tag + "\n")
    text = html_lib.unescape(nh3.clean(spaced, tags=set()))
    lines = [line.strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def clean_targets(course_id: str, value: Any) -> list[str]:
    """The targets of a request (a list, a JSON list in a string, or comma-separated), checked."""

    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise BulkEmailError(_("send_to must be a JSON list of targets."), "send_to") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) for item in value):
        raise BulkEmailError(_("Choose at least one group of recipients."), "send_to")
    if len(value) > 50:
        raise BulkEmailError(_("Too many targets."), "send_to")
    cohorts = None
    modes = None
    targets: list[str] = []
    for target in value:
        target = target.strip()
        if target in SIMPLE_TARGETS:
            pass
        elif target.startswith("track:"):
            if modes is None:
                modes = set(mode_slugs(course_id))
            if target[len("track:"):] not in modes:
                raise BulkEmailError(_("There is no track %(name)s in this course.", name=target[len("track:"):]),
                                     "send_to")
        elif target.startswith("cohort:"):
            if cohorts is None:
                cohorts = {cohort.name for cohort in list_cohorts(course_id)}
            if target[len("cohort:"):] not in cohorts:
                raise BulkEmailError(_("There is no cohort named %(name)s in this course.",
                                       name=target[len("cohort:"):]), "send_to")
        else:
            raise BulkEmailError(_("Unknown target %(target)s: use myself, staff, learners, cohort:<name> or "
                                   "track:<mode>.", target=target), "send_to")
        if target not in targets:
            targets.append(target)
    return targets


def mode_slugs(course_id: str) -> list[str]:
    """The course's modes (tracks) a message may target: those it offers and those learners are in."""
    slugs = [mode.slug for mode in course_modes(course_id, include_expired=True)]
    return slugs + sorted(set(enrollment_counts_by_mode(course_id)) - set(slugs))


def _parse_schedule(value: Any, now: datetime) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BulkEmailError(_("The schedule must be a date and time."), "schedule")
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BulkEmailError(_("The schedule must be a date and time (ISO 8601)."), "schedule") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    if when <= now:
        raise BulkEmailError(_("The schedule must be in the future."), "schedule")
    return when


# -- whether a course may send e-mail ---------------------------------------------------------------------------


def email_enabled(course_id: str) -> bool:
    """Open edX's ``is_bulk_email_feature_enabled(course_id)``: the site allows course e-mail
    (``instructor_bulk_email_enabled``) and global staff did not turn it off for the course; when the site
    requires it (``instructor_bulk_email_require_course_authorization``), they must have turned it on."""
    settings = current_kampus().settings
    if not settings.instructor_bulk_email_enabled:
        return False
    chosen = db.session().scalar(sa.select(BulkEmailCourse.email_enabled)
                                 .where(BulkEmailCourse.course_id == str(course_id)))
    if chosen is None:
        return not settings.instructor_bulk_email_require_course_authorization
    return bool(chosen)


def set_email_enabled(course_id: str, enabled: bool, by_user_id: int | None) -> bool:
    """Record global staff's choice for the course (Open edX's ``CourseAuthorization``/``DisabledCourse``);
    whether the course may send e-mail now (the site's flag still applies)."""
    for attempt in (1, 2):  # two first choices at once: the one that loses the insert updates the winner's row
        try:
            with current_kampus().db.session_scope() as db_session:
                row = db_session.scalar(sa.select(BulkEmailCourse)
                                        .where(BulkEmailCourse.course_id == str(course_id)).with_for_update())
                if row is None:
                    row = BulkEmailCourse(course_id=str(course_id))
                    db_session.add(row)
                row.email_enabled, row.changed_by, row.changed_at = bool(enabled), by_user_id, utcnow()
            break
        except sa.exc.IntegrityError:
            if attempt == 2:
                raise
    # not read back through the request's session: on MariaDB its snapshot may predate this commit
    return bool(enabled) and bool(current_kampus().settings.instructor_bulk_email_enabled)


def _disabled_courses(course_ids: Iterable[str]) -> set[str]:
    """Of ``course_ids``, those whose e-mail is off now (one query)."""
    ids = sorted(set(course_ids))
    if not ids:
        return set()
    settings = current_kampus().settings
    if not settings.instructor_bulk_email_enabled:
        return set(ids)
    with current_kampus().db.session_scope() as db_session:
        chosen = dict(db_session.execute(sa.select(BulkEmailCourse.course_id, BulkEmailCourse.email_enabled)
                                         .where(BulkEmailCourse.course_id.in_(ids))).all())
    default = not settings.instructor_bulk_email_require_course_authorization
    return {course_id for course_id in ids if not chosen.get(course_id, default)}


def create_message(course_id: str, sender: Any, subject: Any, message: Any, targets: Any,
                   schedule: Any = None) -> BulkEmailMessage:
    """Check and record an e-mail of ``sender`` to ``targets``; submit its sending task unless scheduled.

    Raises :class:`BulkEmailError` (nothing recorded) for a bad subject, message, target or schedule, and
    with status 403 when the course may not send e-mail (:func:`email_enabled`).
    """
    if not email_enabled(course_id):
        raise BulkEmailError(_("Email is not enabled for this course."), status=403)
    if not isinstance(subject, str) or not subject.strip():
        raise BulkEmailError(_("The subject is required."), "subject")
    subject = subject.strip()
    if len(subject) > MAX_SUBJECT:
        raise BulkEmailError(_("The subject may have at most %(count)d characters.", count=MAX_SUBJECT), "subject")
    if "\r" in subject or "\n" in subject:
        raise BulkEmailError(_("The subject must be one line."), "subject")
    if not isinstance(message, str) or not message.strip():
        raise BulkEmailError(_("The message is required."), "message")
    if len(message) > MAX_MESSAGE:
        raise BulkEmailError(_("The message is too long."), "message", status=413)
    clean = sanitize_html(message)
    if not html_to_text(clean).strip():
        raise BulkEmailError(_("The message has no text once unsafe HTML is removed."), "message")
    checked = clean_targets(course_id, targets)
    now = utcnow()
    send_at = _parse_schedule(schedule, now)
    with current_kampus().db.session_scope() as db_session:
        row = BulkEmailMessage(course_id=str(course_id), sender_id=getattr(sender, "id", None), subject=subject,
                               html_message=clean, targets=checked, status=SCHEDULED if send_at else QUEUED,
                               send_at=send_at, created_at=now)
        db_session.add(row)
        db_session.flush()
        message_id = row.id
    if send_at is None:
        _submit(message_id)
    return get_message(message_id)  # type: ignore[return-value]


def _submit(message_id: int) -> None:
    with current_kampus().db.session_scope() as db_session:
        row = db_session.get(BulkEmailMessage, message_id)
        course_id, sender_id = row.course_id, row.sender_id
    try:
        record = submit(SEND_TASK, message_id, user_id=sender_id, key=f"bulk_email:{message_id}", course_id=course_id)
    except Exception as exc:
        with current_kampus().db.session_scope() as db_session:
            row = db_session.get(BulkEmailMessage, message_id)
            if row.status in (QUEUED, SCHEDULED):
                row.status, row.error = FAILED, f"The e-mail could not be queued: {type(exc).__name__}"[:500]
        raise
    with current_kampus().db.session_scope() as db_session:
        row = db_session.get(BulkEmailMessage, message_id)
        if not row.task_id:
            row.task_id = record.id


def get_message(message_id: int) -> BulkEmailMessage | None:
    """The message ``message_id`` (detached), or ``None``."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.get(BulkEmailMessage, message_id)
        if row is not None:
            db_session.expunge(row)
        return row


def dispatch_due(now: datetime | None = None) -> list[int]:
    """Submit the sending task of every scheduled message whose time has come; their ids.

    Each message is taken with a compare-and-set (``scheduled`` -> ``queued``), so of several callers
    (a worker's periodic check, a page view) only one submits it. A course whose e-mail is off keeps its
    scheduled messages waiting (its team can cancel them; they go out if the e-mail is turned on again).
    """
    now = now or utcnow()
    kampus = current_kampus()
    with kampus.db.session_scope() as db_session:
        due = list(db_session.execute(sa.select(BulkEmailMessage.id, BulkEmailMessage.course_id).where(
            BulkEmailMessage.status == SCHEDULED, BulkEmailMessage.send_at <= now).order_by(BulkEmailMessage.id)))
    off = _disabled_courses(course_id for _id, course_id in due)
    taken = []
    for message_id in (message_id for message_id, course_id in due if course_id not in off):
        with kampus.db.session_scope() as db_session:
            won = db_session.execute(sa.update(BulkEmailMessage).where(
                BulkEmailMessage.id == message_id, BulkEmailMessage.status == SCHEDULED).values(status=QUEUED)
                .execution_options(synchronize_session=False)).rowcount
        if won == 1:
            try:
                _submit(message_id)
            except Exception:
                log.exception("scheduled bulk e-mail %s could not be queued", message_id)
                continue
            taken.append(message_id)
    return taken


def cancel_scheduled(course_id: str, message_id: int) -> bool:
    """Cancel a message that still waits for its time; whether it was cancelled."""
    with current_kampus().db.session_scope() as db_session:
        return db_session.execute(sa.update(BulkEmailMessage).where(
            BulkEmailMessage.id == message_id, BulkEmailMessage.course_id == str(course_id),
            BulkEmailMessage.status == SCHEDULED).values(status=CANCELLED, finished_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount == 1


# -- recipients ------------------------------------------------------------------------------------------------


def _staff_ids(course_id: str) -> set[int]:
    org = str(course_id).split(":", 1)[-1].split("+", 1)[0]
    return set(db.session().scalars(sa.select(CourseAccessRole.user_id).where(
        CourseAccessRole.role.in_((STAFF, INSTRUCTOR)),
        sa.or_(CourseAccessRole.course_id == str(course_id),
               sa.and_(CourseAccessRole.course_id == "", CourseAccessRole.org == org)))))


def _cohort_member_ids(course_id: str, name: str) -> set[int]:

    ids: set[int] = set()
    for cohort in list_cohorts(course_id):
        if cohort.name != name:
            continue
        offset = 0
        while True:
            users, total = cohort_members(course_id, cohort.id, offset=offset, limit=500)
            ids.update(user.id for user in users)
            offset += len(users)
            if not users or offset >= total:
                break
    return ids


def _track_member_ids(course_id: str, slug: str) -> set[int]:
    ids: set[int] = set()
    after = None
    while True:
        page, more = enrolled_learners_page(course_id, after_id=after, limit=500, mode=slug)
        ids.update(learner.user.id for learner in page)
        if not more or not page:
            return ids
        after = page[-1].enrollment_id


def resolve_recipients(course_id: str, targets: Iterable[str], sender_id: int | None) -> list[int]:
    """User ids the targets name, ascending: ``myself`` is the sender, ``staff`` the course's staff and
    instructors, ``learners`` everyone enrolled, ``cohort:<name>`` that cohort's enrolled members,
    ``track:<mode>`` the learners enrolled in that mode."""
    ids: set[int] = set()
    enrolled: set[int] | None = None
    for target in targets:
        if target == "myself" and sender_id is not None:
            ids.add(sender_id)
        elif target == "staff":
            ids |= _staff_ids(course_id)
        elif target == "learners":
            enrolled = enrolled if enrolled is not None else set(enrolled_user_ids(course_id))
            ids |= enrolled
        elif target.startswith("cohort:"):
            enrolled = enrolled if enrolled is not None else set(enrolled_user_ids(course_id))
            ids |= _cohort_member_ids(course_id, target[len("cohort:"):]) & enrolled
        elif target.startswith("track:"):
            ids |= _track_member_ids(course_id, target[len("track:"):])
    return sorted(ids)


def _write_recipients(message: BulkEmailMessage) -> None:
    """Write the message's recipient rows once (a retry adds only the missing ones)."""
    kampus = current_kampus()
    with kampus.db.session_scope() as db_session:
        ids = resolve_recipients(message.course_id, message.targets or [], message.sender_id)
        existing = set(db_session.scalars(sa.select(BulkEmailRecipient.user_id).where(
            BulkEmailRecipient.message_id == message.id)))
        opted_out = set(db_session.scalars(sa.select(BulkEmailOptout.user_id).where(
            BulkEmailOptout.course_id == message.course_id)))
    todo = [user_id for user_id in ids if user_id not in existing]
    for start in range(0, len(todo), 500):
        chunk = todo[start:start + 500]
        with kampus.db.session_scope() as db_session:
            users = {row[0]: row[1] for row in db_session.execute(
                sa.select(User.id, User.email).where(User.id.in_(chunk)))}
            rows = []
            for user_id in chunk:
                email = users.get(user_id) or ""
                skip = ""
                if user_id in opted_out and user_id != message.sender_id:
                    skip = "opted out"
                elif "@" not in email:
                    skip = "no e-mail address"
                rows.append({"message_id": message.id, "user_id": user_id, "email": email[:254],
                             "status": R_SKIPPED if skip else R_PENDING, "attempt": 0, "error": skip})
            db_session.execute(sa.insert(BulkEmailRecipient), rows)
    with kampus.db.session_scope() as db_session:
        db_session.get(BulkEmailMessage, message.id).recipients_ready = True


# -- opt-outs and unsubscribe links ----------------------------------------------------------------------------


def unsubscribe_token(user_id: int, course_id: str) -> str:
    """A signed token naming a learner and a course (no expiry: old e-mails' links keep working)."""
    return learner_course_token(_OPTOUT_SALT, user_id, course_id)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """The (user id, course id) a token names, or ``None`` when it is forged or malformed."""
    return read_learner_course_token(_OPTOUT_SALT, token)


def unsubscribe_url(user_id: int, course_id: str) -> str:
    """The absolute one-click unsubscribe URL of a learner and course."""
    return absolute_url(f"/bulk_email/unsubscribe/{unsubscribe_token(user_id, course_id)}")


class _UnsubscribeLinks:
    """:func:`unsubscribe_url` for many learners of one course (one serializer, one base URL)."""

    def __init__(self, course_id: str):
        self.course_id = str(course_id)
        self.serializer = lasting_signer(_OPTOUT_SALT)
        self.base = absolute_url("/bulk_email/unsubscribe/")

    def url(self, user_id: int) -> str:
        return self.base + self.serializer.dumps([int(user_id), self.course_id])


def set_optout(user_id: int, course_id: str, opted_out: bool = True) -> None:
    """Record (or remove) a learner's opt-out of a course's e-mail; idempotent."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.scalar(sa.select(BulkEmailOptout).where(
            BulkEmailOptout.user_id == user_id, BulkEmailOptout.course_id == str(course_id)))
        if opted_out and row is None:
            db_session.add(BulkEmailOptout(user_id=user_id, course_id=str(course_id)))
        elif not opted_out and row is not None:
            db_session.delete(row)


def is_opted_out(user_id: int, course_id: str) -> bool:
    """Whether the learner opted out of the course's e-mail."""
    return db.session().scalar(sa.select(sa.func.count()).select_from(BulkEmailOptout).where(
        BulkEmailOptout.user_id == user_id, BulkEmailOptout.course_id == str(course_id))) > 0


# -- sending ---------------------------------------------------------------------------------------------------


def message_id_header(message_id: int, user_id: int, mail_from: str) -> str:
    """The deterministic ``Message-ID`` of one message to one recipient (how a retry recognises it)."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<kampus-bulk-{message_id}-{user_id}@{domain}>"


class _Rendered:
    """A message rendered once; each recipient's copy only swaps in their unsubscribe URL."""

    def __init__(self, message: BulkEmailMessage, site_name: str):
        overview = course_overview(message.course_id)
        course_name = getattr(overview, "display_name", "") or message.course_id
        context = {"course_name": course_name, "site_name": site_name, "unsubscribe_url": _UNSUBSCRIBE_MARK,
                   "body_html": message.html_message, "body_text": html_to_text(message.html_message)}
        # the wrapper (footer, unsubscribe line) in the course's language, as Open edX's course e-mail, not in
        # the language of whoever sent it: one message, written once, goes to the whole course
        with in_locale(locale_for_language(getattr(overview, "language", None))) as locale:
            self.html = render_template("instructor/bulk_email/email.html", email_locale=locale, **context)
            self.text = render_template("instructor/bulk_email/email.txt", **context)
        self.subject = message.subject
        self.from_name = course_name

    def build(self, mail_from: str, to: str, unsubscribe: str, message_id: str) -> EmailMessage:
        name, address = parseaddr(mail_from)
        sender = formataddr((self.from_name[:70], address)) if address else mail_from
        built = build_message(sender, to, self.subject, self.text.replace(_UNSUBSCRIBE_MARK, unsubscribe),
                              self.html.replace(_UNSUBSCRIBE_MARK, html_lib.escape(unsubscribe)))
        del built["Message-ID"]
        built["Message-ID"] = message_id
        add_one_click_unsubscribe(built, unsubscribe)
        return built


def render_messages(message_id: int, limit: int | None = None) -> Iterator[EmailMessage]:
    """The messages a send of ``message_id`` would deliver to its recipient rows (pending or not), without
    sending nor writing anything: what the benchmark compares sending with."""
    kampus = current_kampus()
    message = get_message(message_id)
    if message is None:
        return
    mail_from = kampus.settings.mail_from
    rendered = _Rendered(message, kampus.settings.site_name)
    with kampus.db.session_scope() as db_session:
        rows = list(db_session.execute(sa.select(BulkEmailRecipient.user_id, BulkEmailRecipient.email).where(
            BulkEmailRecipient.message_id == message_id).order_by(BulkEmailRecipient.id).limit(limit)))
    links = _UnsubscribeLinks(message.course_id)
    for user_id, email in rows:  # one at a time, as a send builds them
        yield rendered.build(mail_from, email, links.url(user_id),
                             message_id_header(message_id, user_id, mail_from))


def was_delivered(mailer: Mailer, message_id: str) -> bool | None:
    """Whether ``mailer`` delivered the message with this ``Message-ID``: ``None`` when it cannot tell.

    The console mailer's outbox and the memory mailer's list can be searched; a driver may offer its
    own ``was_delivered(message_id)``; SMTP cannot say.
    """
    own = getattr(mailer, "was_delivered", None)
    if callable(own):
        return own(message_id)  # type: ignore[no-any-return]
    if isinstance(mailer, MemoryMailer):
        return any(sent["Message-ID"] == message_id for sent in mailer.outbox)
    if isinstance(mailer, ConsoleMailer):
        needle = f"Message-ID: {message_id}".encode()
        return any(needle in path.read_bytes() for path in Path(mailer.folder).glob("*.eml"))
    return None


def _resolve_in_doubt(message_id: int, attempt: int, mailer: Mailer, mail_from: str) -> None:
    """Settle the rows a dead attempt left ``sending`` (see the module's documentation)."""
    kampus = current_kampus()
    with kampus.db.session_scope() as db_session:
        rows = list(db_session.execute(sa.select(BulkEmailRecipient.id, BulkEmailRecipient.user_id,
                                                 BulkEmailRecipient.attempt).where(
            BulkEmailRecipient.message_id == message_id, BulkEmailRecipient.status == R_SENDING,
            BulkEmailRecipient.attempt != attempt).order_by(BulkEmailRecipient.attempt, BulkEmailRecipient.id)))
    in_flight = _in_flight(kampus.db.engine)
    first_of_attempt: dict[int, list[tuple[int, int]]] = {}
    for row_id, user_id, row_attempt in rows:
        first = first_of_attempt.setdefault(row_attempt, [])
        if len(first) < in_flight:
            first.append((row_id, user_id))
    in_doubt = dict(row for first in first_of_attempt.values() for row in first)
    with kampus.db.session_scope() as db_session:
        others = [row_id for row_id, _user, _attempt in rows if row_id not in in_doubt]
        if others:
            db_session.execute(sa.update(BulkEmailRecipient).where(BulkEmailRecipient.id.in_(others),
                                                                   BulkEmailRecipient.status == R_SENDING)
                               .values(status=R_PENDING).execution_options(synchronize_session=False))
        for row_id, user_id in in_doubt.items():
            delivered = was_delivered(mailer, message_id_header(message_id, user_id, mail_from))
            if delivered is True:
                values = {"status": R_SENT, "sent_at": utcnow()}
            elif delivered is False:
                values = {"status": R_PENDING}
            else:
                values = {"status": R_FAILED, "error": "delivery uncertain after a worker stopped; not sent again"}
            db_session.execute(sa.update(BulkEmailRecipient).where(BulkEmailRecipient.id == row_id)
                               .values(**values).execution_options(synchronize_session=False))


def _claim_batch(message_id: int, attempt: int, size: int) -> list[tuple[int, int, str]]:
    kampus = current_kampus()
    with kampus.db.session_scope() as db_session:
        ids = list(db_session.scalars(sa.select(BulkEmailRecipient.id).where(
            BulkEmailRecipient.message_id == message_id, BulkEmailRecipient.status == R_PENDING)
            .order_by(BulkEmailRecipient.id).limit(size)))
        if not ids:
            return []
        db_session.execute(sa.update(BulkEmailRecipient).where(
            BulkEmailRecipient.id.in_(ids), BulkEmailRecipient.status == R_PENDING)
            .values(status=R_SENDING, attempt=attempt).execution_options(synchronize_session=False))
    with kampus.db.session_scope() as db_session:
        return list(db_session.execute(sa.select(BulkEmailRecipient.id, BulkEmailRecipient.user_id,
                                                 BulkEmailRecipient.email).where(
            BulkEmailRecipient.id.in_(ids), BulkEmailRecipient.status == R_SENDING,
            BulkEmailRecipient.attempt == attempt).order_by(BulkEmailRecipient.id)))


def _deliver_one(mailer: Mailer, built: EmailMessage, retries: int, backoff: float) -> str:
    """Deliver with retries on transient failures (:class:`MailError`); the error text, or ``""``."""
    for attempt in range(retries + 1):
        try:
            mailer.deliver(built)
            return ""
        except MailError as exc:
            if attempt >= retries:
                return str(exc)[:255] or "MailError"
            time.sleep(backoff * (2 ** attempt))
        except ValueError as exc:  # a bad address: retrying cannot help
            return str(exc)[:255]
    return "MailError"  # pragma: no cover - the loop always returns


def delivery_counts(message_ids: list[int]) -> dict[int, DeliveryCounts]:
    """Recipient counts by message (one query)."""
    if not message_ids:
        return {}
    # a session of its own: a running task's request-wide session may hold an old snapshot (REPEATABLE READ)
    with current_kampus().db.session_scope() as db_session:
        rows = list(db_session.execute(sa.select(BulkEmailRecipient.message_id, BulkEmailRecipient.status,
                                                 sa.func.count()).where(BulkEmailRecipient.message_id.in_(message_ids))
                                       .group_by(BulkEmailRecipient.message_id, BulkEmailRecipient.status)))
    by: dict[int, dict[str, int]] = {}
    for message_id, status, count in rows:
        by.setdefault(message_id, {})[status] = int(count)
    out = {}
    for message_id in message_ids:
        c = by.get(message_id, {})
        out[message_id] = DeliveryCounts(total=sum(c.values()), sent=c.get(R_SENT, 0), failed=c.get(R_FAILED, 0),
                                         skipped=c.get(R_SKIPPED, 0),
                                         pending=c.get(R_PENDING, 0) + c.get(R_SENDING, 0))
    return out


_RECIPIENTS = BulkEmailRecipient.__table__
#: Marking one recipient row done (a Core statement on a connection: cheaper than a session per row).
#: Only a row this attempt still holds: a late mark of an attempt taken over never overwrites the next one's.
_MARK = (sa.update(_RECIPIENTS).where(_RECIPIENTS.c.id == sa.bindparam("row_id"),
                                      _RECIPIENTS.c.status == R_SENDING,
                                      _RECIPIENTS.c.attempt == sa.bindparam("row_attempt"))
         .values(status=sa.bindparam("status"), error=sa.bindparam("error"), sent_at=sa.bindparam("sent_at")))


#: Rows of a dead attempt that may have been delivered without their mark (see the module's documentation):
#: marks written in the background trail the deliveries; on SQLite they are written at once.
IN_FLIGHT = 3


def _marks_in_background(engine: sa.Engine) -> bool:
    return engine.dialect.name != "sqlite"


def _in_flight(engine: sa.Engine) -> int:
    return IN_FLIGHT if _marks_in_background(engine) else 1


class _MarkWriter:
    """Writes recipients' marks (:data:`_MARK`) in order on one autocommit connection: in a thread of its own
    (``background``), at most one mark waiting, so that the task sends the next message meanwhile; else at
    once. ``async_commit``: PostgreSQL's ``synchronous_commit`` off on that connection. :meth:`wait` returns
    once every mark given so far is written, and raises the writer's error if one failed."""

    def __init__(self, engine: sa.Engine, *, background: bool, async_commit: bool):
        self._engine, self._background, self._async_commit = engine, background, async_commit
        self._connection: sa.Connection | None = None
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> _MarkWriter:
        if self._background:
            self._thread = threading.Thread(target=self._run, name="bulk-email-marks", daemon=True)
            self._thread.start()
        else:
            self._connection = self._open()
        return self

    def _open(self) -> sa.Connection:
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        if self._async_commit:
            connection.exec_driver_sql("SET synchronous_commit TO OFF")
        return connection

    def _close(self, connection: sa.Connection) -> None:
        try:
            if self._async_commit and not connection.invalidated:
                connection.exec_driver_sql("RESET synchronous_commit")
        except Exception:  # a connection the server dropped: the pool discards it
            log.warning("bulk e-mail: could not reset the marks' connection", exc_info=True)
        finally:
            connection.close()

    def _run(self) -> None:
        connection = None
        try:
            connection = self._open()
            while (values := self._queue.get()) is not None:
                try:
                    if self._error is None:
                        connection.execute(_MARK, values)
                except BaseException as exc:  # kept for the task's thread, which raises it
                    self._error = exc
                finally:
                    self._queue.task_done()
            self._queue.task_done()
        except BaseException as exc:
            self._error = self._error or exc
            while True:  # never leave the task's thread blocked on a full queue
                if self._queue.get() is None:
                    self._queue.task_done()
                    break
                self._queue.task_done()
        finally:
            if connection is not None:
                self._close(connection)

    def mark(self, values: dict[str, Any]) -> None:
        if self._error is not None:
            raise self._error
        if self._thread is None:
            assert self._connection is not None
            self._connection.execute(_MARK, values)
        else:
            self._queue.put(values)

    def wait(self) -> None:
        if self._thread is not None:
            self._queue.join()
        if self._error is not None:
            raise self._error

    def __exit__(self, *exc_info: Any) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
        elif self._connection is not None:
            self._close(self._connection)
        if self._error is not None:
            if exc_info[0] is None:
                raise self._error
            log.error("bulk e-mail: writing a mark failed while the task was failing",
                      exc_info=(type(self._error), self._error, self._error.__traceback__))


def deliver_message(task: TaskContext, message_id: int) -> dict[str, Any]:
    """The sending task's work (idempotent; see the module's documentation); returns the delivery counts."""
    kampus = current_kampus()
    settings = kampus.settings
    with kampus.db.session_scope() as db_session:
        message = db_session.get(BulkEmailMessage, message_id)
        if message is None:
            return {"message_id": message_id, "missing": True}
        if message.status in (SENT, CANCELLED):
            db_session.expunge(message)
        else:
            message.status = SENDING
            if not message.task_id:
                message.task_id = task.record_id
            db_session.flush()
            db_session.expunge(message)
    if message.status in (SENT, CANCELLED):
        return {"message_id": message_id, **delivery_counts([message_id])[message_id].__dict__}
    if not message.recipients_ready:
        _write_recipients(message)
    mailer = kampus.mailer
    mail_from = settings.mail_from
    _resolve_in_doubt(message_id, task.attempt, mailer, mail_from)
    rendered = _Rendered(message, settings.site_name)
    links = _UnsubscribeLinks(message.course_id)
    batch = max(1, int(settings.instructor_bulk_email_batch_size))
    retries = max(0, int(settings.instructor_bulk_email_retries))
    backoff = float(settings.instructor_bulk_email_retry_seconds)
    # PostgreSQL: a row's "sent" need not wait for the disk (the server has it when a worker dies); the
    # next batch's claim, a synchronous commit, flushes them all (see the module's documentation)
    async_marks = kampus.db.engine.dialect.name == "postgresql"
    total = delivery_counts([message_id])[message_id].total
    done = total - delivery_counts([message_id])[message_id].pending
    task.progress(done, total, "Sending")
    # one connection in autocommit: each mark is its own transaction in one round trip, where BEGIN, UPDATE
    # and COMMIT took three; on a database server, written by a thread while the next message is sent
    with _MarkWriter(kampus.db.engine, background=_marks_in_background(kampus.db.engine),
                     async_commit=async_marks) as marks:
        while True:
            claimed = _claim_batch(message_id, task.attempt, batch)
            if not claimed:
                break
            for row_id, user_id, email in claimed:
                built = rendered.build(mail_from, email, links.url(user_id),
                                       message_id_header(message_id, user_id, mail_from))
                error = _deliver_one(mailer, built, retries, backoff)
                marks.mark({"row_id": row_id, "row_attempt": task.attempt, "status": R_FAILED if error else R_SENT,
                            "error": error, "sent_at": None if error else utcnow()})
            marks.wait()  # the batch's marks written before the next claim
            done += len(claimed)
            task.progress(done, total, "Sending")
    with kampus.db.session_scope() as db_session:
        row = db_session.get(BulkEmailMessage, message_id)
        row.status, row.finished_at = SENT, utcnow()
    counts = delivery_counts([message_id])[message_id]
    return {"message_id": message_id, **counts.__dict__}


def mark_failed(message_id: int, error: str) -> None:
    """Record that the sending task of ``message_id`` failed (rows already sent stay sent)."""
    with current_kampus().db.session_scope() as db_session:
        row = db_session.get(BulkEmailMessage, message_id)
        if row is not None and row.status not in (SENT, CANCELLED):
            row.status, row.error, row.finished_at = FAILED, error.splitlines()[0][:500] if error else "", utcnow()


# -- history ---------------------------------------------------------------------------------------------------


def history(course_id: str, limit: int = 100) -> list[tuple[BulkEmailMessage, DeliveryCounts, str]]:
    """The course's messages, newest first, with their delivery counts and the sender's username."""
    rows = list(db.session().execute(
        sa.select(BulkEmailMessage, User.username).outerjoin(User, User.id == BulkEmailMessage.sender_id)
        .where(BulkEmailMessage.course_id == str(course_id))
        .order_by(BulkEmailMessage.created_at.desc(), BulkEmailMessage.id.desc()).limit(limit)))
    counts = delivery_counts([message.id for message, _name in rows])
    return [(message, counts[message.id], username or "") for message, username in rows]


@dataclass(frozen=True)
class FailedRecipient:
    """A recipient a message could not be delivered to, and why (the mailer's answer)."""

    user_id: int
    username: str
    email: str
    error: str


def failed_recipients(course_id: str, message_id: int, limit: int = 1000) -> tuple[int, list[FailedRecipient]] | None:
    """The recipients of ``message_id`` whose delivery failed: ``(how many, the first limit by username)``;
    ``None`` when the course has no such message."""
    session = db.session()
    if session.scalar(sa.select(BulkEmailMessage.id).where(BulkEmailMessage.id == message_id,
                                                           BulkEmailMessage.course_id == str(course_id))) is None:
        return None
    failed = sa.and_(BulkEmailRecipient.message_id == message_id, BulkEmailRecipient.status == R_FAILED)
    count = session.scalar(sa.select(sa.func.count()).select_from(BulkEmailRecipient).where(failed)) or 0
    rows = session.execute(
        sa.select(BulkEmailRecipient.user_id, User.username, BulkEmailRecipient.email, BulkEmailRecipient.error)
        .join(User, User.id == BulkEmailRecipient.user_id).where(failed).order_by(User.username).limit(limit))
    return int(count), [FailedRecipient(*row) for row in rows]

