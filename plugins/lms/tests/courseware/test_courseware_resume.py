"""Where a learner left off: the last unit of each subsection, and the course's resume point."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import login_user
from kampus_lms.api import resume_block, unit_url
from kampus_lms.courseware.models import Visit

from kampus import db


def test_resume_is_the_unit_viewed_last(cw, app):
    cw.publish()
    client = cw.learner()
    with app.app_context():
        assert resume_block(client.user.id, cw.COURSE) is None
    client.get(cw.url("c2", "c2s1", 2))
    client.get(cw.url("c1", "c1s2", 1))
    with app.app_context():
        assert resume_block(client.user.id, cw.COURSE) == cw.usage("vertical", "c1s2u1")
    client.get(cw.url("c2", "c2s1", 2))  # again: the same row moves, no new one
    with app.app_context():
        assert resume_block(client.user.id, cw.COURSE) == cw.usage("vertical", "c2s1u2")
        rows = db.session().execute(sa.select(Visit.sequential_id, Visit.unit_id)).all()
    assert sorted(rows) == sorted([(cw.usage("sequential", "c2s1"), cw.usage("vertical", "c2s1u2")),
                                   (cw.usage("sequential", "c1s2"), cw.usage("vertical", "c1s2u1"))])


def test_a_subsection_without_position_opens_where_the_learner_was(cw):
    cw.publish(units=3)
    client = cw.learner()
    first = client.get(cw.url("c1", "c1s1")).get_data(as_text=True)
    assert "Body of unit 1.1.1" in first
    client.get(cw.url("c1", "c1s1", 3))
    again = client.get(cw.url("c1", "c1s1")).get_data(as_text=True)
    assert "Body of unit 1.1.3" in again and 'data-seq-tab="3" aria-current="page"' in again
    other = cw.learner()  # somebody else's position is theirs
    assert "Body of unit 1.1.1" in other.get(cw.url("c1", "c1s1")).get_data(as_text=True)


def test_resume_forgets_units_no_longer_published(cw, app):
    cw.publish()
    client = cw.learner()
    client.get(cw.url("c1", "c1s1", 1))
    with app.app_context():
        db.session().execute(sa.update(Visit).values(unit_id=cw.usage("vertical", "removed")))
        db.session().commit()
        assert resume_block(client.user.id, cw.COURSE) is None


def test_unit_url_counts_the_units_the_viewer_sees(cw, app):
    cw.publish(units=3, fields={"c1s1u1": {"visible_to_staff_only": True}})
    learner = cw.learner()
    staff = cw.staff()
    with app.test_request_context():
        login_user(learner.user)
        assert unit_url(cw.COURSE, cw.usage("vertical", "c1s1u3")) == cw.url("c1", "c1s1", 2)
        assert unit_url(cw.COURSE, cw.usage("vertical", "c1s1u1")).startswith(f"/courses/{cw.COURSE}/jump_to/")
    with app.test_request_context():
        login_user(staff.user)
        assert unit_url(cw.COURSE, cw.usage("vertical", "c1s1u3")) == cw.url("c1", "c1s1", 3)
