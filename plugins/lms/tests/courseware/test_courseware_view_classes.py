"""What the courseware keeps per published version and viewer class (staff or learner rule, content
groups, beta access, and where "now" falls among the course's release and due dates) answers as if it
were computed for each request; a reload of the unit viewed last writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask_login import login_user
from kampus_content.api import get_structure
from kampus_content.progress.completion import record_completion
from kampus_lms.api import resume_block
from kampus_lms.course_home.api import outline_for
from kampus_lms.courseware.api import viewer_nav
from kampus_lms.courseware.models import Visit
from kampus_lms.courseware.navigation import ViewerNav, course_nav, visibility_rule

from kampus import db
from kampus.testing import recording_statements

BEFORE = datetime(2030, 1, 1, tzinfo=UTC)
AT = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
AFTER = datetime(2031, 1, 1, tzinfo=UTC)


def _course(cw):
    return cw.publish(blocks=cw.blocks(units=2, fields={
        "c2": {"start": "2030-06-01T12:00:00Z"},
        "c1s2": {"due": "2030-06-01T12:00:00Z", "hide_after_due": True},
    }))


def _reachable(app, user, course, now):
    with app.test_request_context():
        login_user(user)
        nav = viewer_nav(user, course, now=now)
        return [unit.key[1] for unit in nav.reachable], nav.cache_key


def test_the_units_a_learner_reaches_follow_the_clock_through_the_cache(cw, app):
    course = _course(cw)
    learner = cw.learner(course)
    runs = {}
    for label, now in (("before", BEFORE), ("at", AT), ("after", AFTER), ("before again", BEFORE)):
        runs[label] = _reachable(app, learner.user, course, now)
    assert runs["before"][0] == ["c1s1u1", "c1s1u2", "c1s2u1", "c1s2u2"]
    assert runs["at"][0] == ["c1s1u1", "c1s1u2", "c1s2u1", "c1s2u2", "c2s1u1", "c2s1u2", "c2s2u1", "c2s2u2"]
    # after the hide-after-due date, subsection 1.2's units are hidden
    assert runs["after"][0] == ["c1s1u1", "c1s1u2", "c2s1u1", "c2s1u2", "c2s2u1", "c2s2u2"]
    assert runs["before again"] == runs["before"]
    assert len({key for _units, key in runs.values()}) == 3
    for now in (BEFORE, AT, AFTER):  # the cached answer is the one computed afresh
        with app.test_request_context():
            structure = get_structure(course)
            rule = visibility_rule(structure, staff_view=False, beta=False, now=now, groups={})
            fresh = ViewerNav(course_nav(structure), rule)
            assert fresh.cache_key is None
            assert [u.key[1] for u in fresh.reachable] == _reachable(app, learner.user, course, now)[0]


def test_the_outline_plan_follows_the_clock_and_the_viewer(cw, app):
    course = _course(cw)
    learner, staff = cw.learner(course), cw.staff(course)

    def outline(user, now):
        with app.test_request_context():
            login_user(user)
            found = outline_for(user, course, now=now)
        return [(section.display_name, [(sub.display_name, [unit.display_name for unit in sub.units],
                                         sub.content_hidden, sub.labels.not_released)
                                        for sub in section.subsections], section.labels.not_released)
                for section in found.sections]

    assert [name for name, _subs, _label in outline(learner.user, BEFORE)] == ["Section 1"]
    assert [name for name, _subs, _label in outline(learner.user, AFTER)] == ["Section 1", "Section 2"]
    hidden = outline(learner.user, AFTER)[0][1][1]
    assert hidden == ("Subsection 1.2", [], True, False)  # past its due date: content hidden
    assert outline(learner.user, BEFORE)[0][1][1] == ("Subsection 1.2", ["Unit 1.2.1", "Unit 1.2.2"], False, False)
    # staff see everything, labelled "not released" until the section's start only
    assert [label for _name, _subs, label in outline(staff.user, BEFORE)] == [False, True]
    assert [label for _name, _subs, label in outline(staff.user, AFTER)] == [False, False]
    assert [name for name, _subs, _label in outline(learner.user, BEFORE)] == ["Section 1"]  # learners unaffected


def test_reloading_the_unit_viewed_last_writes_nothing(cw, app):
    cw.publish()
    client = cw.learner()
    first, second = cw.url("c1", "c1s1", 1), cw.url("c1", "c1s2", 2)
    assert client.get(first).status_code == 200
    with recording_statements(app) as recorder:
        assert client.get(first).status_code == 200
    assert recorder.writes("lms_visit") == []
    with recording_statements(app) as recorder:
        assert client.get(second).status_code == 200
    assert len(recorder.writes("lms_visit")) == 1
    with recording_statements(app) as recorder:
        assert client.get(first).status_code == 200  # an older row becomes the newest again
    assert len(recorder.writes("lms_visit")) == 1
    with app.app_context():
        assert resume_block(client.user.id, cw.COURSE) == cw.usage("vertical", "c1s1u1")
        assert db.session().scalar(sa.select(sa.func.count()).select_from(Visit)) == 2


def test_the_unit_tabs_read_only_their_own_completions(cw, app):
    cw.publish()
    client = cw.learner()
    with app.app_context():
        session = db.session()
        for unit in ("c1s1u2", "c2s2u1"):
            record_completion(session, user_id=client.user.id, course_key=cw.COURSE, block_type="html",
                              usage_key=cw.usage("html", f"{unit}h"), completion=1.0)
        session.commit()
    client.get(cw.url("c1", "c1s1", 1))
    with recording_statements(app) as recorder:
        html = client.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert "Unit 2 of 2: Unit 1.1.2, completed" in html and "Unit 1 of 2: Unit 1.1.1, completed" not in html
    [query] = recorder.touching("content_block_completion")
    assert "usage_key IN" in query
    html = client.get(cw.url("c2", "c2s2", 1)).get_data(as_text=True)
    assert "Unit 1 of 2: Unit 2.2.1, completed" in html
