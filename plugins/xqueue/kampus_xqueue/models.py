"""XQueue tables, after Open edX's ``submission_queue/models.py``.

* :class:`Queue`: a named queue (``<org>-<course>`` or a problem's ``queuename``), pulled by graders or pushed
  to a grader URL, with the seconds a grader has to answer (``timeout``) and how many timeouts a submission
  survives (``max_failures``) before it is retired with Open edX's "could not be graded" reply.
* :class:`GraderAccount`: a grader's credentials (argon2 hash), allowed on some queues. Graders are not site
  users: a grader credential opens only ``/xqueue/*``, never the web UI.
* :class:`GraderSession`: a grader's login (the cookie holds a random token; the table its SHA-256).
* :class:`Submission`: one submission, Open edX's fields, plus the Kampus-internal target (user, course,
  usage) that the grader's reply is delivered to.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kampus.db import Base, UTCDateTime, utcnow

PULL = "pull"
PUSH = "push"
MODES = (PULL, PUSH)

#: Why a submission was retired.
GRADED = "graded"
SUPERSEDED = "superseded"
FAILED = "failed"
RETIRED_BY_STAFF = "staff"
#: A remote LMS's submission whose reply its LMS never acknowledged (more failures than the queue allows).
UNDELIVERED = "undelivered"

#: Open edX's default seconds before a pulled (or pushed) submission is handed out again.
DEFAULT_TIMEOUT = 60
#: Open edX's ``MAX_NUMBER_OF_FAILURES``.
DEFAULT_MAX_FAILURES = 3


class Queue(Base):
    """A grading queue."""

    __tablename__ = "xqueue_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(128), unique=True)
    mode: Mapped[str] = mapped_column(sa.String(8), default=PULL)
    #: The grader's URL in push mode (posted ``{"xqueue_body", "xqueue_files"}``).
    url: Mapped[str] = mapped_column(sa.String(1024), default="")
    timeout: Mapped[int] = mapped_column(default=DEFAULT_TIMEOUT)
    max_failures: Mapped[int] = mapped_column(default=DEFAULT_MAX_FAILURES)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GraderAccount(Base):
    """A grader's login, for the queues linked through :class:`GraderQueue`."""

    __tablename__ = "xqueue_grader"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(150), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GraderQueue(Base):
    """A queue a grader account may pull from and answer."""

    __tablename__ = "xqueue_grader_queue"

    grader_id: Mapped[int] = mapped_column(sa.ForeignKey("xqueue_grader.id", ondelete="CASCADE"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(sa.ForeignKey("xqueue_queue.id", ondelete="CASCADE"), primary_key=True)


class GraderSession(Base):
    """A grader's session: the SHA-256 of the token its cookie holds."""

    __tablename__ = "xqueue_grader_session"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    grader_id: Mapped[int] = mapped_column(sa.ForeignKey("xqueue_grader.id", ondelete="CASCADE"), index=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires: Mapped[datetime] = mapped_column(UTCDateTime())


class Submission(Base):
    """A submission to a queue (Open edX's ``Submission``)."""

    __tablename__ = "xqueue_submission"
    __table_args__ = (
        sa.Index("ix_xqueue_submission_waiting", "queue_name", "retired", "pull_time", "arrival_time"),
        sa.Index("ix_xqueue_submission_target", "user_id", "usage_id", "retired"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Who submitted: ``kampus`` for this site's problems.
    requester_id: Mapped[str] = mapped_column(sa.String(128), default="kampus")
    queue_name: Mapped[str] = mapped_column(sa.String(128))
    lms_callback_url: Mapped[str] = mapped_column(sa.String(1024), default="")
    #: The ``lms_key`` of the LMS header: the problem's queuekey.
    lms_key: Mapped[str] = mapped_column(sa.String(128), default="")
    # the Kampus-internal target of the reply
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kampus_user.id", ondelete="CASCADE"), default=None)
    course_id: Mapped[str] = mapped_column(sa.String(255), default="")
    usage_id: Mapped[str] = mapped_column(sa.String(255), default="")
    #: The LMS header as sent (JSON text).
    xqueue_header: Mapped[str] = mapped_column(sa.Text(), default="")
    xqueue_body: Mapped[str] = mapped_column(sa.Text(), default="")
    #: ``{"filename": blob key}`` (JSON text); Open edX's ``s3_keys``.
    file_keys: Mapped[str] = mapped_column(sa.Text(), default="")
    arrival_time: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    pull_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    push_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    return_time: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    grader_id: Mapped[str] = mapped_column(sa.String(128), default="")
    pullkey: Mapped[str] = mapped_column(sa.String(128), default="")
    grader_reply: Mapped[str] = mapped_column(sa.Text(), default="")
    num_failures: Mapped[int] = mapped_column(default=0)
    #: True once the reply reached the problem (Open edX: the LMS acknowledged it).
    lms_ack: Mapped[bool] = mapped_column(default=False)
    retired: Mapped[bool] = mapped_column(default=False)
    retire_reason: Mapped[str] = mapped_column(sa.String(16), default="")
