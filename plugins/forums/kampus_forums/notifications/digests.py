"""Digests and immediate e-mail: which notifications go out, to whom, and each at most once.

**Periods.** A daily digest covers one UTC day, ``[00:00, 24:00)``; a weekly one a UTC week from Monday
00:00. A run at ``now`` sends the last *finished* period (the day before, the week before), plus, to catch up
after a run was missed or failed, the ``forums_digest_catch_up_periods`` periods before it. A digest lists
the user's notifications of the period that are still unread, were not mailed on their own, whose kind the
user gets at that cadence and whose thread was not deleted. As Open edX's digests, a post that was ever
reported (its abuse flags current or cleared) is left out, except from the moderators' own
``content_reported`` notifications.

**Fan-out.** The periodic task (:func:`plan`) finds the users with something to send and no digest claimed
for the period, and submits batch tasks of ``forums_digest_batch_size`` users (:func:`send_batch`). It
then purges the claims older than the catch-up window and the notifications older than
``forums_notification_expiry_days`` (:func:`purge`).

**At most one digest per user and period.** Before sending, a batch *claims* the user's digest: it inserts the
:class:`DigestSent` row (unique on user, cadence, period start) with status ``sending`` and commits. A batch
run again (the worker died and the kernel re-sent the task, or the periodic task ran twice) finds the row and
skips the user. After sending, the row becomes ``sent`` (or ``empty``: nothing left to send). When the driver
keeps failing (transient errors are retried first), the claim is deleted so that the next run sends it.

The window is a worker that dies between its claim and the ``sent`` mark: the row stays ``sending``. A
later run that finds such a claim older than ``forums_digest_stale_claim_seconds`` asks the driver whether
the digest went out (by its deterministic ``Message-ID``: the console and memory drivers can tell): if it
did, the row is marked ``sent``; if it did not, the run takes the claim over (a compare-and-set) and sends;
if the driver cannot tell (SMTP), the claim stays and that user misses that digest. We prefer a digest
missed after a crash to a digest received twice: **at most once**, and exactly once whenever the driver
can tell or no worker died mid-send.

**Immediate e-mail** is claimed the same way on the notification itself: ``emailed_at`` is set with a
compare-and-set (``WHERE emailed_at IS NULL``) before the message is sent and cleared again when the driver
failed, so a notification is never mailed twice, and one mailed on its own is never in a digest.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from kampus.current import current_kampus
from kampus.db import utcnow
from kampus.identity.models import User
from kampus.tasks.api import AlreadyRunningError, submit
from kampus_forums.interactions.models import AbuseFlag
from kampus_forums.notifications import course_preferences, mailing
from kampus_forums.notifications.models import (
    CONTENT_REPORTED,
    DAILY,
    EMPTY,
    IMMEDIATELY,
    SENDING,
    SENT,
    WEEKLY,
    CourseNotificationPreference,
    DigestSent,
    Notification,
    NotificationPreference,
)
from kampus_forums.threads.models import COMMENT, THREAD, Thread

log = logging.getLogger(__name__)

PLAN_TASK = "forums.notifications.digest"
BATCH_TASK = "forums.notifications.digest_batch"
IMMEDIATE_TASK = "forums.notifications.send_immediate"
DIGEST_CADENCES = (DAILY, WEEKLY)
#: Old notifications deleted per transaction.
PURGE_CHUNK = 2000


class DigestError(ValueError):
    """A bad cadence or time."""


# -- periods ---------------------------------------------------------------------------------------------------


def parse_time(value: str | datetime | None) -> datetime:
    """An aware UTC time from ISO 8601 (naive means UTC); now when ``None``."""
    if value is None:
        return utcnow()
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise DigestError(f"not an ISO 8601 time: {value!r}") from None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def last_period(cadence: str, now: datetime) -> tuple[datetime, datetime]:
    """The last finished period of ``cadence`` at ``now``: ``(start, end)``."""
    if cadence not in DIGEST_CADENCES:
        raise DigestError(f"cadence must be daily or weekly, not {cadence!r}")
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if cadence == DAILY:
        return midnight - timedelta(days=1), midnight
    monday = midnight - timedelta(days=midnight.weekday())
    return monday - timedelta(days=7), monday


def periods(cadence: str, now: datetime, catch_up: int) -> list[tuple[datetime, datetime]]:
    """The last finished period and the ``catch_up`` ones before it, oldest first."""
    start, end = last_period(cadence, now)
    length = end - start
    return [(start - length * back, end - length * back) for back in range(max(0, catch_up), -1, -1)]


# -- what is due -------------------------------------------------------------------------------------------------


def _due(cadence: str, start: datetime, end: datetime) -> Any:
    """A query of the notifications a digest of the period would list (all users): the cadence of their kind
    in their course (:func:`course_preferences.effective_cadence`) is ``cadence``."""
    chosen = aliased(NotificationPreference)
    in_course = aliased(CourseNotificationPreference)
    return (sa.select(Notification)
            .join(Thread, Thread.id == Notification.thread_id)
            .outerjoin(chosen, sa.and_(chosen.user_id == Notification.user_id, chosen.kind == Notification.kind))
            .outerjoin(in_course, sa.and_(in_course.user_id == Notification.user_id,
                                          in_course.course_id == Notification.course_id,
                                          in_course.kind == Notification.kind))
            .where(Notification.created_at >= start, Notification.created_at < end,
                   Notification.read_at.is_(None), Notification.emailed_at.is_(None), Thread.deleted_at.is_(None),
                   course_preferences.effective_cadence(in_course, chosen.cadence, Notification.kind) == cadence,
                   sa.or_(Notification.kind == CONTENT_REPORTED, ~_ever_reported())))


def _ever_reported() -> Any:
    """Whether the notification's post (its comment, else its thread) has an abuse flag, current or cleared."""
    return sa.exists().where(sa.or_(
        sa.and_(Notification.comment_id.is_not(None), AbuseFlag.content_type == COMMENT,
                AbuseFlag.content_id == Notification.comment_id),
        sa.and_(Notification.comment_id.is_(None), AbuseFlag.content_type == THREAD,
                AbuseFlag.content_id == Notification.thread_id)))


def due_user_ids(cadence: str, start: datetime, end: datetime) -> list[int]:
    """Users with something to send for the period and no digest claimed for it, ascending."""
    due = _due(cadence, start, end).subquery()
    claimed = sa.select(DigestSent.user_id).where(DigestSent.cadence == cadence, DigestSent.period_start == start)
    with current_kampus().db.session_scope() as session:
        return list(session.scalars(sa.select(due.c.user_id).where(due.c.user_id.not_in(claimed))
                                    .distinct().order_by(due.c.user_id)))


def plan(cadence: str, now: datetime | None = None, *, inline: bool = False) -> dict[str, Any]:
    """Send the digests of ``cadence`` due at ``now``: submit one batch task per
    ``forums_digest_batch_size`` users (``inline``: run the batches here, for the command line)."""
    now = parse_time(now)
    settings = current_kampus().settings
    size = max(1, int(settings.forums_digest_batch_size))
    report: dict[str, Any] = {"cadence": cadence, "now": now.isoformat(), "periods": []}
    for start, end in periods(cadence, now, int(settings.forums_digest_catch_up_periods)):
        users = due_user_ids(cadence, start, end)
        entry: dict[str, Any] = {"period_start": start.isoformat(), "period_end": end.isoformat(),
                                 "users": len(users), "batches": 0}
        for first in range(0, len(users), size):
            chunk = users[first:first + size]
            if inline:
                counts = send_batch(cadence, start.isoformat(), end.isoformat(), chunk)
                for name, value in counts.items():
                    entry[name] = entry.get(name, 0) + value
            else:
                try:
                    submit(BATCH_TASK, cadence, start.isoformat(), end.isoformat(), chunk,
                           key=f"{cadence}:{start.date().isoformat()}:{chunk[0]}")
                except AlreadyRunningError:
                    log.info("digest batch %s %s from user %s is already running", cadence, start, chunk[0])
                    continue
            entry["batches"] += 1
        report["periods"].append(entry)
    report["purged"] = purge(cadence, now)
    return report


def purge(cadence: str, now: datetime) -> dict[str, int]:
    """Forget what no run needs any more: the claims of periods older than the catch-up window, and
    notifications older than ``forums_notification_expiry_days`` (Open edX's ``NOTIFICATIONS_EXPIRY``;
    0 keeps them). Deleted a chunk at a time."""
    settings = current_kampus().settings
    oldest_start = periods(cadence, now, int(settings.forums_digest_catch_up_periods))[0][0]
    purged = {"claims": 0, "notifications": 0}
    with current_kampus().db.session_scope() as session:
        purged["claims"] = session.execute(sa.delete(DigestSent).where(
            DigestSent.cadence == cadence, DigestSent.period_start < oldest_start)
            .execution_options(synchronize_session=False)).rowcount or 0
    days = int(settings.forums_notification_expiry_days)
    if days <= 0:
        return purged
    cutoff = now - timedelta(days=days)
    while True:
        with current_kampus().db.session_scope() as session:
            ids = list(session.scalars(sa.select(Notification.id).where(Notification.created_at < cutoff)
                                       .order_by(Notification.id).limit(PURGE_CHUNK)))
            if ids:
                session.execute(sa.delete(Notification).where(Notification.id.in_(ids))
                                .execution_options(synchronize_session=False))
        purged["notifications"] += len(ids)
        if len(ids) < PURGE_CHUNK:
            return purged


# -- claims ------------------------------------------------------------------------------------------------------


def digest_key(user_id: int, cadence: str, start: datetime) -> str:
    return f"{cadence}-{start:%Y%m%d}-{user_id}"


def claim(user_id: int, cadence: str, start: datetime, end: datetime) -> bool:
    """Claim the user's digest of the period (see the module's documentation); whether this run sends it."""
    kampus = current_kampus()
    try:
        with kampus.db.session_scope() as session:
            session.add(DigestSent(user_id=user_id, cadence=cadence, period_start=start, period_end=end,
                                   status=SENDING, created_at=utcnow()))
        return True
    except sa.exc.IntegrityError:
        pass
    stale = utcnow() - timedelta(seconds=float(kampus.settings.forums_digest_stale_claim_seconds))
    with kampus.db.session_scope() as session:
        row = session.scalar(sa.select(DigestSent).where(DigestSent.user_id == user_id, DigestSent.cadence == cadence,
                                                         DigestSent.period_start == start))
        if row is None or row.status != SENDING or row.created_at > stale:
            return False
        row_id, claimed_at = row.id, row.created_at
    delivered = mailing.was_delivered(kampus.mailer, mailing.message_id("d", digest_key(user_id, cadence, start)))
    with kampus.db.session_scope() as session:
        unchanged = sa.and_(DigestSent.id == row_id, DigestSent.status == SENDING,
                            DigestSent.created_at == claimed_at)
        if delivered is True:
            session.execute(sa.update(DigestSent).where(unchanged).values(status=SENT, sent_at=utcnow())
                            .execution_options(synchronize_session=False))
            return False
        if delivered is None:
            log.warning("digest %s of user %s for %s: a run died while sending it and the mailer cannot tell "
                        "whether it went out; not sent again", cadence, user_id, start.date())
            return False
        return session.execute(sa.update(DigestSent).where(unchanged).values(created_at=utcnow())
                               .execution_options(synchronize_session=False)).rowcount == 1


def _finish(user_id: int, cadence: str, start: datetime, status: str, count: int = 0) -> None:
    with current_kampus().db.session_scope() as session:
        session.execute(sa.update(DigestSent).where(
            DigestSent.user_id == user_id, DigestSent.cadence == cadence, DigestSent.period_start == start)
            .values(status=status, notification_count=count, sent_at=utcnow() if status == SENT else None)
            .execution_options(synchronize_session=False))


def _release(user_id: int, cadence: str, start: datetime) -> None:
    with current_kampus().db.session_scope() as session:
        session.execute(sa.delete(DigestSent).where(
            DigestSent.user_id == user_id, DigestSent.cadence == cadence, DigestSent.period_start == start,
            DigestSent.status == SENDING).execution_options(synchronize_session=False))


def send_batch(cadence: str, start_iso: str, end_iso: str, user_ids: list[int]) -> dict[str, int]:
    """Send the digests of ``user_ids`` for the period, each at most once; counts of ``sent``, ``empty``,
    ``skipped`` (claimed by another run) and ``failed`` (released for the next run)."""
    start, end = parse_time(start_iso), parse_time(end_iso)
    if cadence not in DIGEST_CADENCES:
        raise DigestError(f"cadence must be daily or weekly, not {cadence!r}")
    kampus = current_kampus()
    counts = {"sent": 0, "empty": 0, "skipped": 0, "failed": 0}
    for user_id in sorted({int(uid) for uid in user_ids}):
        if not claim(user_id, cadence, start, end):
            counts["skipped"] += 1
            continue
        try:
            with kampus.db.session_scope() as session:
                user = session.get(User, user_id)
                rows = list(session.scalars(_due(cadence, start, end).where(Notification.user_id == user_id)
                                            .order_by(Notification.created_at, Notification.id)))
                if user is None or not user.is_active or "@" not in (user.email or "") or not rows:
                    message = None
                else:
                    message = mailing.digest_message(user, cadence, rows, digest_key(user_id, cadence, start))
        except Exception:
            _release(user_id, cadence, start)
            raise
        if message is None:
            _finish(user_id, cadence, start, EMPTY)
            counts["empty"] += 1
            continue
        try:
            mailing.deliver(message)
        except mailing.DeliveryFailed as exc:
            log.warning("digest %s of user %s for %s not sent (%s); the next run tries again", cadence, user_id,
                        start.date(), exc)
            _release(user_id, cadence, start)
            counts["failed"] += 1
            continue
        _finish(user_id, cadence, start, SENT, len(rows))
        counts["sent"] += 1
    return counts


# -- immediate e-mail --------------------------------------------------------------------------------------------


def submit_immediate(notification_ids: list[int]) -> None:
    """Queue the immediate e-mail of these notifications (a failure to queue is logged: the in-app
    notifications exist whatever happens to their e-mail)."""
    if not notification_ids:
        return
    try:
        submit(IMMEDIATE_TASK, sorted(notification_ids))
    except Exception:
        log.exception("the immediate e-mail of notifications %s could not be queued", notification_ids)


def send_immediate(notification_ids: list[int]) -> dict[str, int]:
    """Mail each notification whose recipient wants this kind ``immediately``, at most once."""
    kampus = current_kampus()
    counts = {"sent": 0, "skipped": 0, "failed": 0}
    for notification_id in sorted({int(nid) for nid in notification_ids}):
        claimed_at = utcnow()
        with kampus.db.session_scope() as session:
            row = session.get(Notification, notification_id)
            user = session.get(User, row.user_id) if row is not None else None
            wanted = (row is not None and user is not None and user.is_active and "@" in (user.email or "")
                      and row.read_at is None and row.emailed_at is None
                      and course_preferences.delivery(session, row.course_id, row.kind,
                                                      [row.user_id])[row.user_id][1] == IMMEDIATELY)
            won = wanted and session.execute(sa.update(Notification).where(
                Notification.id == notification_id, Notification.emailed_at.is_(None))
                .values(emailed_at=claimed_at).execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            counts["skipped"] += 1
            continue
        try:
            with kampus.db.session_scope() as session:
                message = mailing.immediate_message(session.get(User, user.id), session.get(Notification,
                                                                                            notification_id))
            mailing.deliver(message)
        except Exception as exc:
            with kampus.db.session_scope() as session:
                session.execute(sa.update(Notification).where(Notification.id == notification_id,
                                                              Notification.emailed_at == claimed_at)
                                .values(emailed_at=None).execution_options(synchronize_session=False))
            if not isinstance(exc, mailing.DeliveryFailed):
                raise
            log.warning("notification %s not mailed (%s)", notification_id, exc)
            counts["failed"] += 1
            continue
        counts["sent"] += 1
    return counts
