"""Course overviews: read from the published course block and the OLX about files, stored on publish."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from kampus_content.api import Block, clean_author_html, content_store
from kampus_content.demo import DEMO_COURSE_FOLDER
from kampus_content.olx.service import import_folder
from kampus_content.testing.xblocks import publish_course
from kampus_lms.catalog import overviews
from kampus_lms.catalog.api import DEFAULT_COURSE_IMAGE, about_url, course_overview, list_overviews

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

DEMO = "course-v1:KampusX+K101+2026"
CORPUS = Path(__file__).resolve().parents[4] / ".." / "shared" / "corpus" / "olx"
OPENEDX_DEMO = CORPUS / "openedx-demo-course"


def _html(name: str) -> list[Block]:
    return [Block("html", name, {"display_name": name, "data": "<p>hi</p>"})]


def test_demo_course_overview(app) -> None:
    with app.app_context():
        import_folder(DEMO_COURSE_FOLDER, content_store(), user_id=None)
    with app.test_request_context():
        overview = course_overview(DEMO)
        assert overview is not None
        assert overview.display_name == "Kampus 101: Learning with Kampus"
        assert (overview.org, overview.number, overview.run) == ("KampusX", "K101", "2026")
        assert overview.display_org == "KampusX" and overview.display_number == "K101"
        assert overview.short_description == "A short introduction to learning on Kampus."
        assert "<h2>About this course</h2>" in overview.overview_html
        assert overview.effort == "1 hour"
        assert overview.language == "en"
        assert overview.start == datetime(2026, 1, 1, tzinfo=UTC)
        assert overview.self_paced is True
        assert overview.catalog_visibility == "both"
        assert overview.lowest_passing_grade == 0.5
        assert overview.course_image_url.startswith(f"/assets/{DEMO}/")
        assert overview.has_started(datetime(2026, 1, 2, tzinfo=UTC))
        assert not overview.has_started(datetime(2025, 12, 31, tzinfo=UTC))
        assert overview.is_enrollment_open()
        assert [o.id for o in list_overviews()] == [DEMO]
    assert about_url(DEMO) == f"/courses/{DEMO}/about"


@pytest.mark.skipif(not OPENEDX_DEMO.is_dir(), reason="the shared corpus (../shared/corpus/olx) is not here")
def test_open_edx_demo_course_overview(app) -> None:
    with app.app_context():
        result = import_folder(OPENEDX_DEMO, content_store(), user_id=None)
    with app.test_request_context():
        overview = course_overview(result.course_key)
        assert overview is not None
        assert overview.display_name == "Open edX Demo Course"
        assert overview.short_description.startswith("Explore Open edX")
        assert "<h2>About This Course</h2>" in overview.overview_html
        assert overview.language == "en" and overview.self_paced
        # The policy names the card image; the course holds it as an asset.
        assert overview.course_image_url == f"/assets/{result.course_key}/DemoX-Course-Card.png"
        assert overview.start == datetime(2020, 1, 1, tzinfo=UTC)
        assert overview.lowest_passing_grade == pytest.approx(0.5)


def test_fields_from_the_course_block(app) -> None:
    publish_course(app, "course-v1:Org+Fields+1", {"u": _html("a")}, course_fields={
        "display_name": "Fields", "display_organization": "The Org", "display_coursenumber": "F 1",
        "enrollment_start": "2020-01-01T00:00:00Z", "enrollment_end": "2021-01-01T00:00:00Z",
        "end": "2021-06-01T00:00:00Z", "invitation_only": "true", "max_student_enrollments_allowed": "25",
        "catalog_visibility": "about", "course_image": "/static/missing.png", "language": "fr",
        "pre_requisite_courses": '["course-v1:Org+Pre+1", "not a key"]', "certificates_display_behavior": "odd",
        "grading_policy": {"GRADER": [], "GRADE_CUTOFFS": {"A": 0.9, "B": 0.75}},
        "instructor_info": {"instructors": [{"name": "Ada", "title": "Teacher"}, {"bio": "no name"}]},
    })
    with app.test_request_context():
        overview = course_overview("course-v1:Org+Fields+1")
    assert overview is not None
    assert overview.display_org == "The Org" and overview.display_number == "F 1"
    assert overview.invitation_only is True
    assert overview.max_student_enrollments_allowed == 25
    assert overview.catalog_visibility == "about" and not overview.listed and overview.has_about_page
    assert overview.course_image_url == DEFAULT_COURSE_IMAGE
    assert overview.pre_requisite_courses == ["course-v1:Org+Pre+1"]
    assert overview.certificates_display_behavior == "end"
    assert overview.lowest_passing_grade == 0.75
    assert [i.name for i in overview.instructors] == ["Ada"]
    assert overview.has_ended(datetime(2022, 1, 1, tzinfo=UTC))
    assert not overview.is_enrollment_open(datetime(2019, 12, 31, tzinfo=UTC))
    assert overview.is_enrollment_open(datetime(2020, 6, 1, tzinfo=UTC))
    assert not overview.is_enrollment_open(datetime(2021, 1, 1, tzinfo=UTC))
    assert not overview.is_enrollment_open(datetime(2020, 1, 1, tzinfo=UTC))  # Open edX: start < now, strictly


def test_defaults_of_a_bare_course(app) -> None:
    publish_course(app, "course-v1:Org+Bare+1", {"u": _html("a")}, course_fields={"start": ""})
    with app.test_request_context():
        overview = course_overview("course-v1:Org+Bare+1")
    assert overview is not None
    assert overview.start is None and not overview.has_started()
    assert overview.catalog_visibility == "both" and overview.invitation_only is False
    assert overview.max_student_enrollments_allowed is None
    assert overview.lowest_passing_grade == 0.5  # Open edX's default cutoffs
    assert overview.short_description == "" and overview.overview_html == "" and overview.intro_video == ""
    assert overview.certificates_display_behavior == "end"


def test_unknown_unpublished_and_malformed_ids(app) -> None:
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course("course-v1:Org+Draft+1", [Block("course", "course", {"display_name": "D"})],
                            ("course", "course"), user_id=None)
    with app.test_request_context():
        assert course_overview("course-v1:Org+Nope+1") is None
        assert course_overview("course-v1:Org+Draft+1") is None
        assert course_overview("not a course") is None
        assert course_overview("") is None
        assert list_overviews() == []


def test_publish_refreshes_and_delete_forgets(app) -> None:
    key = "course-v1:Org+Life+1"
    publish_course(app, key, {"u": _html("a")}, course_fields={"display_name": "First name"})
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        structure = store.get_branch(key, "draft")
        blocks = structure.edit()
        blocks[("course", "course")].fields["display_name"] = "Second name"
        store.save_draft(key, blocks.values(), structure.root, expected_version=structure.version, user_id=None)
        version = store.publish(key, user_id=None)
    with app.test_request_context():
        overview = course_overview(key)
        assert overview is not None and overview.display_name == "Second name" and overview.version == version
    with app.app_context():
        store.delete_course(key)
    with app.test_request_context():
        assert course_overview(key) is None
        assert list_overviews() == []


def test_a_course_published_without_the_hook_is_caught_up(app) -> None:
    key = "course-v1:Org+Late+1"
    publish_course(app, key, {"u": _html("a")}, course_fields={"display_name": "Late"})
    with app.app_context():
        overviews.delete_overview(key)  # as if the LMS had not been installed when it was published
    with app.test_request_context():
        assert [o.display_name for o in list_overviews()] == ["Late"]
    with app.test_request_context():
        assert course_overview(key) is not None


def test_overview_html_is_sanitised(app) -> None:
    html = ('<section><h2 onclick="x()">Hi</h2><script>alert(1)</script><img src="/static/pic.png" alt="p">'
            '<a href="javascript:alert(1)">bad</a><a href="https://example.org">good</a><style>p{}</style></section>')
    cleaned = clean_author_html(html, "course-v1:O+N+R", strict=True)  # what the about page's overview gets
    assert "<script" not in cleaned and "onclick" not in cleaned and "javascript:" not in cleaned
    assert "<style" not in cleaned
    assert 'style="' not in clean_author_html('<p style="color: red">Hi</p>', strict=True)
    assert '<h2>Hi</h2>' in cleaned
    assert 'src="/assets/course-v1:O+N+R/pic.png"' in cleaned
    assert 'href="https://example.org"' in cleaned


@pytest.mark.parametrize("text, expected", [
    ('<iframe width="560" height="315" src="//www.youtube.com/embed/3_yD_cEKoCk?rel=0" frameborder="0" '
     'allowfullscreen=""></iframe>', "3_yD_cEKoCk"),
    ("https://youtu.be/dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("dQw4w9WgXcQ", "dQw4w9WgXcQ"),
    ("", ""),
    ("<p>no video here</p>", ""),
])
def test_youtube_id(text: str, expected: str) -> None:
    assert overviews.youtube_id(text) == expected
