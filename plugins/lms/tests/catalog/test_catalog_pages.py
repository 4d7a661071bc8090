"""The front page, the catalog (search, facets, paging, visibility) and the about pages with their enroll states."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from kampus_content.api import Block
from kampus_content.testing.xblocks import publish_course
from kampus_lms.enrollment.api import allow_enrollment, enroll

from kampus.testing import client_as, login, make_user, recording_statements

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"


def _course(app, key: str, **fields) -> str:
    publish_course(app, key, {"u": [Block("html", "h", {"data": "<p>x</p>"})]},
                   course_fields={"display_name": key.split("+")[1], **fields})
    return key


def _page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _card_titles(html: str) -> list[str]:
    return re.findall(r'class="stretched-link[^"]*" href="[^"]+">([^<]+)</a>', html)


def test_front_page_is_the_lms_one(app, client, hook_calls) -> None:
    _course(app, "course-v1:Org+Listed+1")
    _course(app, "course-v1:Org+AboutOnly+1", catalog_visibility="about")
    _course(app, "course-v1:Org+Hidden+1", catalog_visibility="none")
    html = _page(client, "/")
    assert "kampus_front_page" in hook_calls.names()
    assert 'role="search"' in html and 'name="q"' in html
    assert _card_titles(html) == ["Listed"]
    assert 'href="/courses/course-v1:Org+Listed+1/about"' in html
    assert "/dashboard" not in html
    assert 'href="/courses"' in html  # the "Courses" navigation item


def test_front_page_links_a_learner_to_their_dashboard(app) -> None:
    client = client_as(app, "user")
    html = _page(client, "/")
    assert 'href="/dashboard"' in html
    assert "No courses are open yet" in html


def test_catalog_search_and_facets(app, client) -> None:
    _course(app, "course-v1:Alpha+Physics+1", language="en", start=PAST)
    _course(app, "course-v1:Alpha+Chemistry+1", language="fr", start=FUTURE)
    _course(app, "course-v1:Beta+Biology+1", language="en", start=PAST, enrollment_end=PAST)
    html = _page(client, "/courses")
    assert sorted(_card_titles(html)) == ["Biology", "Chemistry", "Physics"]
    assert re.search(r'id="results-count">\s*3 courses', html)
    assert 'value="Alpha"' in html and 'value="fr"' in html and "French" in html

    html = _page(client, "/courses?q=physics")
    assert _card_titles(html) == ["Physics"]
    assert "1 course matches" in html
    assert _card_titles(_page(client, "/courses?q=chem*")) == ["Chemistry"]

    html = _page(client, "/courses?org=Alpha")
    assert sorted(_card_titles(html)) == ["Chemistry", "Physics"]
    # The org facet still counts the other organisation (its own choice does not narrow it).
    assert re.search(r'value="Beta"\s+id="[^"]+">', html)

    assert sorted(_card_titles(_page(client, "/courses?language=en"))) == ["Biology", "Physics"]
    assert _card_titles(_page(client, "/courses?language=en&org=Alpha")) == ["Physics"]
    assert _card_titles(_page(client, "/courses?start=upcoming")) == ["Chemistry"]
    assert sorted(_card_titles(_page(client, "/courses?enrollment=open"))) == ["Chemistry", "Physics"]

    html = _page(client, "/courses?q=nothing+like+this")
    assert _card_titles(html) == [] and 'id="no-results"' in html and "No courses match" in html
    # Bad filter values are ignored, never an error.
    assert len(_card_titles(_page(client, "/courses?start=yesterday&page=abc&enrollment=x"))) == 3


def test_catalog_pages(app, client) -> None:
    for number in range(14):
        _course(app, f"course-v1:Org+C{number:02d}+1")
    first = _page(client, "/courses")
    assert len(_card_titles(first)) == 12 and 'rel="next"' in first
    second = _page(client, "/courses?page=2")
    assert len(_card_titles(second)) == 2 and 'aria-current="page">2<' in second
    assert set(_card_titles(first)).isdisjoint(_card_titles(second))
    assert len(_card_titles(_page(client, "/courses?page=99"))) == 2  # past the end: the last page


def test_catalog_visibility(app, client) -> None:
    _course(app, "course-v1:Org+Both+1")
    _course(app, "course-v1:Org+AboutOnly+1", catalog_visibility="about")
    _course(app, "course-v1:Org+Hidden+1", catalog_visibility="none")
    assert _card_titles(_page(client, "/courses")) == ["Both"]
    _page(client, "/courses/course-v1:Org+AboutOnly+1/about")
    _page(client, "/courses/course-v1:Org+Hidden+1/about", 404)
    staff = client_as(app, "global_staff")
    assert sorted(_card_titles(_page(staff, "/courses"))) == ["AboutOnly", "Both", "Hidden"]
    _page(staff, "/courses/course-v1:Org+Hidden+1/about")
    course_staff = client_as(app, "staff", course_id="course-v1:Org+Hidden+1")
    _page(course_staff, "/courses/course-v1:Org+Hidden+1/about")


def test_about_page_unknown_and_malformed(app, client) -> None:
    _page(client, "/courses/course-v1:Org+Nope+1/about", 404)
    _page(client, "/courses/not-a-course/about", 404)
    _page(client, "/courses/course-v1:bad key/about", 404)


def test_about_page_content(app, client) -> None:
    _course(app, "course-v1:Org+Pre+1")
    _course(app, "course-v1:Org+About+1", language="fr", start=PAST, end=FUTURE, effort="3 hours",
            pre_requisite_courses='["course-v1:Org+Pre+1"]', display_organization="The Org")
    html = _page(client, "/courses/course-v1:Org+About+1/about")
    assert "<h1" in html and ">About<" in html
    assert "The Org" in html
    assert 'id="fact-language">French<' in html
    assert 'id="fact-start"><time datetime="2020-01-01T00:00:00+00:00">' in html
    assert 'id="fact-end"' in html
    assert 'href="/courses/course-v1:Org+Pre+1/about">Pre<' in html
    assert 'id="course-image"' in html and 'alt=""' in html


def test_about_page_enroll_states(app, client) -> None:
    open_course = _course(app, "course-v1:Org+Open+1")
    closed = _course(app, "course-v1:Org+Closed+1", enrollment_end=PAST)
    later = _course(app, "course-v1:Org+Later+1", enrollment_start=FUTURE)
    invite = _course(app, "course-v1:Org+Invite+1", invitation_only="true")
    full = _course(app, "course-v1:Org+Full+1", max_student_enrollments_allowed="1")

    html = _page(client, f"/courses/{open_course}/about")
    assert 'id="register-to-enroll"' in html
    href = re.search(r'href="([^"]+)" id="register-to-enroll"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(href).query)["next"] == [f"/courses/{open_course}/enroll"]
    assert 'id="enrollment-closed"' in _page(client, f"/courses/{closed}/about")
    assert 'id="enrollment-not-yet"' in _page(client, f"/courses/{later}/about")
    assert 'id="enrollment-invitation"' in _page(client, f"/courses/{invite}/about")

    learner = make_user(app, "user")
    other = make_user(app, "user")
    learner_client = login(app.test_client(), learner)
    html = _page(learner_client, f"/courses/{open_course}/about")
    assert 'id="enroll-button"' in html and f'action="/courses/{open_course}/enroll"' in html
    assert 'name="csrf_token"' in html
    with app.test_request_context():
        enroll(learner, open_course)
        enroll(other, full)
    html = _page(learner_client, f"/courses/{open_course}/about")
    assert 'id="view-course"' in html and f'href="/courses/{open_course}/course/"' in html
    assert 'id="enrollment-full"' in _page(learner_client, f"/courses/{full}/about")

    with app.test_request_context():
        allow_enrollment(invite, learner.email)
    assert 'id="enroll-button"' in _page(learner_client, f"/courses/{invite}/about")


def test_about_page_enroll_button_posts_to_the_enrollment_view(app) -> None:
    key = _course(app, "course-v1:Org+Go+1")
    learner = make_user(app, "user")
    client = client_as(app, "user")
    login(client, learner)
    response = client.post(f"/courses/{key}/enroll")
    assert response.status_code in (302, 303)
    assert 'id="view-course"' in _page(client, f"/courses/{key}/about")


def test_catalog_queries_do_not_grow_with_courses(app, client) -> None:
    def count(url: str) -> int:
        _page(client, url)  # warm what is kept per app
        with recording_statements(app) as statements:
            _page(client, url)
        return statements.count

    for number in range(3):
        _course(app, f"course-v1:Org+Few{number}+1")
    few = {url: count(url) for url in ("/", "/courses", "/courses?q=few*&org=Org")}
    for number in range(30):
        _course(app, f"course-v1:Org+Many{number:02d}+1")
    many = {url: count(url) for url in few}
    assert many == few, (few, many)
    assert many["/"] <= 2  # the overview rows and the course index
    assert many["/courses"] <= 8  # those, and the search's page, facet and bucket counts
