"""``kampus init --demo``: the demo course offers the honor track only, so that its journey ends in a certificate."""

from __future__ import annotations

import pytest
from kampus_content.demo import install_demo_course
from kampus_lms.enrollment import api
from kampus_lms.enrollment.demo import DEMO_COURSE_ID, enroll_demo_learner, offer_demo_honor_mode

from kampus.testing import make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")


def test_the_demo_course_offers_honor_and_its_learners_enroll_in_it(app) -> None:
    with app.test_request_context():
        assert offer_demo_honor_mode() == []  # no demo course (a site without --demo): nothing changes
    demo = make_user(app, username="learner")
    someone = make_user(app, username="someone")
    with app.app_context():
        install_demo_course()  # gives the account "learner" the learner role in the demo course
    with app.test_request_context():
        lines = enroll_demo_learner(True)
        assert lines == [f"Demo course {DEMO_COURSE_ID} offers the honor track (certificate-eligible)",
                         f"Demo learner enrolled in {DEMO_COURSE_ID}: its course home is "
                         f"/courses/{DEMO_COURSE_ID}/course/"]
        assert [(mode.slug, mode.is_free) for mode in api.course_modes(DEMO_COURSE_ID)] == [("honor", True)]
        assert api.get_enrollment(demo.id, DEMO_COURSE_ID).mode == "honor"
        # a learner enrolling themselves from the about page gets the course's default mode: honor
        assert api.enroll(someone, DEMO_COURSE_ID).mode == "honor"
        # running it again (a second `kampus init --demo` step, the e2e set-up) changes nothing
        assert offer_demo_honor_mode() == [lines[0]]
        assert [mode.slug for mode in api.course_modes(DEMO_COURSE_ID)] == ["honor"]
