"""A learner's due-date extension (the instructor's "Change due date") holds everywhere the due date
matters for that learner, as Open edX's individual due date overrides do: a ``hide_after_due``
subsection stays open until the extended date (unit page, jump_to, previous/next, outline), and the
unit page, outline, Dates page and progress page show the learner's own due date. Other learners keep
the course's."""

from __future__ import annotations

from datetime import UTC, datetime

from kampus_lms.grades.api import reset_due_date_extension, set_due_date_extension

HIDDEN = {"c1s2": {"hide_after_due": "true", "due": "2021-01-01T00:00:00Z", "graded": "true",
                   "format": "Homework"}}
MESSAGE = "The due date for this assignment has passed"
EXTENDED = datetime(2099, 3, 4, 5, 0, tzinfo=UTC)
EXTENDED_ISO = 'datetime="2099-03-04T05:00:00+00:00"'
ORIGINAL_ISO = 'datetime="2021-01-01T00:00:00+00:00"'


def _extend(cw, client, due=EXTENDED):
    with cw.app.test_request_context():
        set_due_date_extension(cw.COURSE, client.user.id, cw.usage("sequential", "c1s2"), due, reason="ill")


def test_an_extension_keeps_a_hidden_after_due_subsection_open_for_that_learner(cw):
    cw.publish(fields=HIDDEN)
    extended, other = cw.learner(), cw.learner()
    _extend(cw, extended)

    page = extended.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert "Body of unit 1.2.1" in page and MESSAGE not in page
    assert EXTENDED_ISO in page and ORIGINAL_ISO not in page  # the learner's due date beside the title
    jump = extended.get(f"/courses/{cw.COURSE}/jump_to/{cw.usage('html', 'c1s2u2h')}")
    assert jump.headers["Location"].endswith(cw.url("c1", "c1s2", 2) + "#c1s2u2h")
    following = extended.get(cw.url("c1", "c1s1", 2)).get_data(as_text=True)
    assert cw.url("c1", "c1s2", 1) in following  # "next" leads into the subsection
    outline = extended.get(f"/courses/{cw.COURSE}/course/").get_data(as_text=True)
    assert "Unit 1.2.1" in outline and EXTENDED_ISO in outline and ORIGINAL_ISO not in outline

    # another learner, served after the first (the per-version caches keep the two apart)
    hidden = other.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert MESSAGE in hidden and "Body of unit 1.2.1" not in hidden and ORIGINAL_ISO in hidden
    assert "Unit 1.2.1" not in other.get(f"/courses/{cw.COURSE}/course/").get_data(as_text=True)


def test_a_passed_extension_hides_the_content_again_and_a_reset_restores_the_course_date(cw):
    cw.publish(fields=HIDDEN)
    learner = cw.learner()
    _extend(cw, learner, datetime(2022, 6, 1, tzinfo=UTC))
    page = learner.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert MESSAGE in page and 'datetime="2022-06-01T00:00:00+00:00"' in page

    _extend(cw, learner)
    assert "Body of unit 1.2.1" in learner.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    with cw.app.test_request_context():
        reset_due_date_extension(cw.COURSE, learner.user.id, cw.usage("sequential", "c1s2"))
    assert MESSAGE in learner.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)


def test_the_dates_and_progress_pages_show_the_extended_due_date(cw):
    cw.publish(fields=HIDDEN)
    extended, other = cw.learner(), cw.learner()
    _extend(cw, extended)
    for path in ("dates", "progress"):
        page = extended.get(f"/courses/{cw.COURSE}/{path}").get_data(as_text=True)
        assert EXTENDED_ISO in page and ORIGINAL_ISO not in page, path
        assert ORIGINAL_ISO in other.get(f"/courses/{cw.COURSE}/{path}").get_data(as_text=True), path


def test_staff_viewing_as_the_learner_see_the_learners_dates(cw):
    cw.publish(fields=HIDDEN)
    learner, staff = cw.learner(), cw.staff()
    _extend(cw, learner)
    staff.post(f"/courses/{cw.COURSE}/masquerade",
               data={"role": "specific", "user_name": learner.user.username, "next": cw.url("c1", "c1s2", 1)})
    page = staff.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert "Body of unit 1.2.1" in page and EXTENDED_ISO in page and MESSAGE not in page
    progress = staff.get(f"/courses/{cw.COURSE}/progress/{learner.user.id}/").get_data(as_text=True)
    assert EXTENDED_ISO in progress
