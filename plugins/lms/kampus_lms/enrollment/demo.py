"""``kampus init --demo``: the demo learner is enrolled in the demo course.

The content plugin installs the demo course and gives the demo account ``learner`` the course role
``learner`` in it; this turns that role into an enrollment (so the dashboard lists the course and the
enrollment events are in the log), in every course where the account holds the role.
"""

from __future__ import annotations

import sqlalchemy as sa

from kampus import db
from kampus.identity.models import CourseAccessRole, User
from kampus.identity.roles import LEARNER
from kampus_lms.enrollment.api import EnrollmentError, enroll

DEMO_LEARNER = "learner"


def enroll_demo_learner(demo: bool) -> list[str]:
    """Enroll the demo account ``learner`` where it holds the learner role; lines for the operator."""
    if not demo:
        return []
    db_session = db.session()
    user = db_session.scalar(sa.select(User).where(User.username == DEMO_LEARNER))
    if user is None:
        return []
    course_ids = db_session.scalars(
        sa.select(CourseAccessRole.course_id)
        .where(CourseAccessRole.user_id == user.id, CourseAccessRole.role == LEARNER, CourseAccessRole.course_id != "")
        .order_by(CourseAccessRole.course_id)
    ).all()
    lines = []
    for course_id in course_ids:
        try:
            enroll(user, course_id, check_access=False)
        except EnrollmentError as exc:
            lines.append(f"Demo learner not enrolled in {course_id}: {exc.message}")
            continue
        lines.append(f"Demo learner enrolled in {course_id}")
    return lines
