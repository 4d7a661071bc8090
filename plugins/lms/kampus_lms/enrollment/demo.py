"""``kampus init --demo``: the demo course offers the honor track, and the demo learner is enrolled in it.

The content plugin installs the demo course (:data:`DEMO_COURSE_ID`) and gives the demo account
``learner`` the course role ``learner`` in it. Here:

* the demo course offers one mode, ``honor`` (free): Open edX gives no certificate in ``audit``, its
  default mode, and the demo course's journey ends in a certificate. With honor as its only mode,
  every learner who enrolls themselves from the about page is certificate-eligible (Open edX's
  ``_default_course_mode`` picks honor when audit is not offered);
* the ``learner`` role of the demo account becomes an enrollment (so the dashboard lists the course and
  the enrollment events are in the log), in every course where the account holds the role.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from kampus import db
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.roles import LEARNER
from kampus_lms.catalog.api import course_overview
from kampus_lms.enrollment.api import HONOR, EnrollmentError, enroll, set_course_mode

DEMO_LEARNER = "learner"
#: The course of the content plugin's demo (``kampus_content/demo_course``).
DEMO_COURSE_ID = "course-v1:KampusX+K101+2026"


def offer_demo_honor_mode() -> list[str]:
    """Make the published demo course offer the free ``honor`` track (idempotent); lines for the operator.

    Nothing happens when the demo course is not published (a site made without ``--demo``)."""
    if course_overview(DEMO_COURSE_ID) is None:
        return []
    set_course_mode(DEMO_COURSE_ID, HONOR, _("Honor"),
                    description=_("Free, with a certificate for learners who pass the course."))
    return [f"Demo course {DEMO_COURSE_ID} offers the honor track (certificate-eligible)"]


def enroll_demo_learner(demo: bool) -> list[str]:
    """With ``demo``: the demo course's honor track, then the demo account ``learner`` enrolled where it
    holds the learner role; lines for the operator."""
    if not demo:
        return []
    lines = offer_demo_honor_mode()
    db_session = db.session()
    user = db_session.scalar(sa.select(User).where(User.username == DEMO_LEARNER))
    if user is None:
        return lines
    course_ids = db_session.scalars(
        sa.select(CourseAccessRole.course_id)
        .where(CourseAccessRole.user_id == user.id, CourseAccessRole.role == LEARNER, CourseAccessRole.course_id != "")
        .order_by(CourseAccessRole.course_id)
    ).all()
    for course_id in course_ids:
        try:
            enroll(user, course_id, check_access=False)
        except EnrollmentError as exc:
            lines.append(f"Demo learner not enrolled in {course_id}: {exc.message}")
            continue
        lines.append(f"Demo learner enrolled in {course_id}: its course home is /courses/{course_id}/course/")
    return lines
