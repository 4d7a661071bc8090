"""The migrations l0011_goals_course_tags and l0012_goal_reminders make the tables the course goal, activity and
tag models describe (on every test database), and a goal goes with its learner's account."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from kampus_lms.course_home import models
from kampus_lms.course_home.api import Goal, course_goal, save_course_goal

from kampus import db
from kampus.db import Base
from kampus.identity.models import User
from kampus.testing import make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")
TABLES = ("lms_course_goal", "lms_user_course_tag", "lms_user_activity")


def test_the_course_goal_and_tag_tables_match_their_models(app) -> None:
    with app.app_context():
        with app.extensions["kampus"].db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata)
                           if any(table in repr(d) for table in TABLES)]
    assert differences == []


def test_a_goal_keeps_its_days_until_new_ones_and_goes_with_the_account(app) -> None:
    learner = make_user(app)
    course = "course-v1:A+B+C"
    with app.app_context():
        assert course_goal(learner.id, course) is None
        save_course_goal(learner.id, course, False)
        assert course_goal(learner.id, course) == Goal(days_per_week=0, subscribed_to_reminders=False)  # 0 at first
        save_course_goal(learner.id, course, True, 3)
        save_course_goal(learner.id, course, True, 0)
        assert course_goal(learner.id, course).days_per_week == 3
        with pytest.raises(ValueError):
            save_course_goal(learner.id, course, True, 8)
        session = db.session()
        session.delete(session.get(User, learner.id))
        session.commit()
        assert session.scalar(sa.select(sa.func.count()).select_from(models.CourseGoal)) == 0
