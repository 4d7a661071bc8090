"""When learners see an issued certificate: Open edX's ``certificates_display_behavior`` (``early_no_info``,
``end``, ``end_with_date``), ``certificate_available_date`` and self-paced courses, on the dashboard, the
progress page, the public page and the PDF; the date a certificate shows; beta testers get no certificate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kampus_lms.api import certificate_status, certificate_statuses, set_allowlisted, update_certificate
from kampus_lms.catalog.api import course_overview
from kampus_lms.certificates.display import certificates_viewable, display_date

from kampus.testing import login, make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

PAST = "2021-03-04T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
PAST_DATE = datetime(2021, 3, 4, tzinfo=UTC)
FUTURE_DATE = datetime(2999, 1, 1, tzinfo=UTC)

# (course fields, shown now, the available date reported while hidden)
CASES = {
    "self-paced, whatever the end": ({"self_paced": True, "end": FUTURE}, True, None),
    "instructor-paced, end, no end date": ({"self_paced": False}, False, None),
    "instructor-paced, end, ended": ({"self_paced": False, "end": PAST}, True, None),
    "instructor-paced, end, not ended": ({"self_paced": False, "end": FUTURE}, False, FUTURE_DATE),
    "a date makes it end_with_date, not yet": (
        {"self_paced": False, "end": PAST, "certificate_available_date": FUTURE}, False, FUTURE_DATE),
    "end_with_date, date passed": (
        {"self_paced": False, "end": FUTURE, "certificates_display_behavior": "end_with_date",
         "certificate_available_date": PAST}, True, None),
    "early_no_info ignores the date": (
        {"self_paced": False, "certificates_display_behavior": "early_no_info",
         "certificate_available_date": FUTURE}, True, None),
    "deprecated certificates_show_before_end": ({"self_paced": False, "certificates_show_before_end": True},
                                                True, None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_issued_certificate_is_shown_when_open_edx_would(app, certs, case) -> None:
    fields, shown, available = CASES[case]
    course = certs.publish(**fields)
    learner = certs.enrolled("honor")
    with app.test_request_context():
        # allowlisted: the progress page grades the learner again (no scores) and keeps the certificate
        set_allowlisted(learner.id, course, True)
        info = update_certificate(learner.id, course, certs.PASS)
        assert info.stored_status == "downloadable"
        assert certificates_viewable(course_overview(course)) is shown
        assert certificate_status(learner.id, course) == info
        assert certificate_statuses(learner.id)[course] == info
    if shown:
        assert info.status == "downloadable" and info.is_downloadable and info.download_url
        assert info.available_date is None
    else:
        assert info.status == "certificate_earned_but_not_available" and not info.is_downloadable
        assert info.download_url == "" and info.pdf_url == ""
        assert info.available_date == available
    client = login(app.test_client(), learner)
    expected = 200 if shown else 404
    assert client.get(f"/certificates/{info.verify_uuid}").status_code == expected
    assert client.get(f"/certificates/{info.verify_uuid}.pdf").status_code == expected
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert ("Your certificate is available." in dashboard) is shown
    assert (f'href="/certificates/{info.verify_uuid}"' in dashboard) is shown
    progress = client.get(f"/courses/{course}/progress")
    assert progress.status_code == 200
    assert (f"/certificates/{info.verify_uuid}" in progress.get_data(as_text=True)) is shown


def test_the_certificate_shows_open_edx_s_display_date(app, certs) -> None:
    ended = certs.publish("course-v1:KampusX+Ended+2026", self_paced=False, end=PAST)
    dated = certs.publish("course-v1:KampusX+Dated+2026", self_paced=False, end=FUTURE,
                          certificates_display_behavior="end_with_date", certificate_available_date=PAST)
    paced = certs.publish("course-v1:KampusX+Paced+2026", self_paced=True, end=PAST)
    issued: dict[str, str] = {}
    for course in (ended, dated, paced):
        learner = certs.enrolled("honor", course_id=course)
        with app.test_request_context():
            issued[course] = update_certificate(learner.id, course, certs.PASS).verify_uuid
    client = app.test_client()
    for course, date in ((ended, "2021-03-04"), (dated, "2021-03-04")):
        page = client.get(f"/certificates/{issued[course]}").get_data(as_text=True)
        assert f'datetime="{date}' in page, course
    self_paced_page = client.get(f"/certificates/{issued[paced]}").get_data(as_text=True)
    assert f'datetime="{datetime.now(UTC).date().isoformat()}' in self_paced_page  # the day it was issued
    with app.test_request_context():
        overview = course_overview(dated)
        issued_at = datetime(2020, 5, 6, tzinfo=UTC)
        assert display_date(overview, issued_at) == PAST_DATE
        assert display_date(overview, issued_at, now=datetime(2020, 1, 1, tzinfo=UTC)) == issued_at  # not yet


def test_the_overview_carries_the_display_settings_as_open_edx_validates_them(app, certs) -> None:
    plain = certs.publish("course-v1:KampusX+Plain+2026", certificates_display_behavior="end_with_date")
    dated = certs.publish("course-v1:KampusX+Date+2026", certificate_available_date=FUTURE)
    early = certs.publish("course-v1:KampusX+Early+2026", certificates_display_behavior="early_no_info",
                          certificate_available_date=FUTURE)
    with app.test_request_context():
        assert (course_overview(plain).certificates_display_behavior,
                course_overview(plain).certificate_available_date) == ("end", None)  # no date: end
        assert (course_overview(dated).certificates_display_behavior,
                course_overview(dated).certificate_available_date) == ("end_with_date", FUTURE_DATE)
        assert (course_overview(early).certificates_display_behavior,
                course_overview(early).certificate_available_date) == ("early_no_info", None)
    with app.test_request_context():  # read back from the stored row
        assert course_overview(dated).certificate_available_date == FUTURE_DATE


def test_beta_testers_get_no_certificate_unless_allowlisted(app, certs, events) -> None:
    course = certs.publish()
    tester = make_user(app, "beta_tester", course_id=course)
    certs.enroll(tester, "honor")
    with app.test_request_context():
        assert update_certificate(tester.id, course, certs.PASS) is None
        assert certificate_status(tester.id, course) is None
        set_allowlisted(tester.id, course, True, "Also took the course")
        assert update_certificate(tester.id, course, certs.PASS).status == "downloadable"
    assert len(events.of_type("edx.certificate.created")) == 1
