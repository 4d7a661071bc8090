"""Unit pages: tabs, previous/next across subsection and section boundaries, what each viewer sees."""

from __future__ import annotations

import re

from kampus_content.progress.completion import record_completion

from kampus import db


def _links(html: str, rel: str) -> list[str]:
    return re.findall(rf'href="([^"]+)" rel="{rel}"', html)


def test_unit_page_shows_breadcrumbs_tabs_and_the_unit(cw):
    cw.publish()
    client = cw.learner()
    page = client.get(cw.url("c1", "c1s2", 2))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Body of unit 1.2.2" in html and "Body of unit 1.2.1" not in html
    # breadcrumbs: course (to the outline) > section > subsection > unit
    assert f'href="/courses/{cw.COURSE}/course/"' in html
    assert 'aria-current="page">Unit 1.2.2</li>' in html
    assert ">Section 1</a>" in html and ">Subsection 1.2</a>" in html
    # two unit tabs, the second current
    assert html.count('data-seq-tab="') == 2
    assert re.search(r'data-seq-tab="2" aria-current="page"', html)
    assert "<main" in html and "lms-course-tabs" in html  # inside the course layout


def test_next_and_previous_cross_subsection_and_section_boundaries(cw):
    cw.publish()
    client = cw.learner()
    last_of_first = client.get(cw.url("c1", "c1s1", 2)).get_data(as_text=True)
    assert _links(last_of_first, "next") == [cw.url("c1", "c1s2", 1)] * 2  # top and bottom
    assert _links(last_of_first, "prev") == [cw.url("c1", "c1s1", 1)] * 2
    end_of_section = client.get(cw.url("c1", "c1s2", 2)).get_data(as_text=True)
    assert _links(end_of_section, "next")[0] == cw.url("c2", "c2s1", 1)
    start_of_section = client.get(cw.url("c2", "c2s1", 1)).get_data(as_text=True)
    assert _links(start_of_section, "prev")[0] == cw.url("c1", "c1s2", 2)
    assert 'data-crosses="true"' in start_of_section
    first = client.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert _links(first, "prev") == [] and 'aria-disabled="true"' in first
    last = client.get(cw.url("c2", "c2s2", 2)).get_data(as_text=True)
    assert _links(last, "next") == []


def test_learners_skip_what_they_may_not_see_and_staff_see_it_with_a_notice(cw):
    cw.publish(sections=3, fields={
        "c2": {"start": cw.FUTURE},  # a whole section not released
        "c1s2u1": {"visible_to_staff_only": True},
        "c3s1": {"hide_from_toc": True},
    })
    learner = cw.learner()
    html = learner.get(cw.url("c1", "c1s1", 2)).get_data(as_text=True)
    # Next skips the staff-only unit 1.2.1 ...
    assert _links(html, "next")[0] == cw.url("c1", "c1s2", 1)
    unit = learner.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert "Body of unit 1.2.2" in unit and 'data-seq-tab="2"' not in unit  # ... which is the only tab left
    # ... then the unreleased section 2 and the hidden-from-TOC subsection 3.1
    assert _links(unit, "next")[0] == cw.url("c3", "c3s2", 1)
    assert learner.get(cw.url("c2", "c2s1", 1)).status_code == 404
    # hide_from_toc: left out of navigation, still open by its link (Open edX)
    hidden = learner.get(cw.url("c3", "c3s1", 1))
    assert hidden.status_code == 200 and "Body of unit 3.1.1" in hidden.get_data(as_text=True)

    staff = cw.staff()
    staff_unit = staff.get(cw.url("c1", "c1s2", 1)).get_data(as_text=True)
    assert "Body of unit 1.2.1" in staff_unit and "visible to course staff only" in staff_unit
    future = staff.get(cw.url("c2", "c2s1", 1)).get_data(as_text=True)
    assert "Body of unit 2.1.1" in future and "not released to learners yet" in future


def test_position_out_of_range_and_unknown_blocks(cw):
    cw.publish()
    client = cw.learner()
    assert client.get(cw.url("c1", "c1s1", 9)).headers["Location"].endswith(cw.url("c1", "c1s1"))
    assert client.get(cw.url("c1", "nope", 1)).status_code == 404
    assert client.get(cw.url("c2", "c1s1", 1)).status_code == 404  # a subsection of another section
    assert client.get("/courses/not-a-course/courseware/c1/c1s1/1").status_code == 404
    assert client.get(cw.url("c1", "c1s1", 1, course_id="course-v1:KampusX+None+2026")).status_code == 404


def test_course_and_section_roots_lead_to_their_first_unit(cw):
    cw.publish(fields={"c1s1": {"start": cw.FUTURE}})
    client = cw.learner()
    assert client.get(f"/courses/{cw.COURSE}/courseware/").headers["Location"].endswith(cw.url("c1", "c1s2", 1))
    assert client.get(f"/courses/{cw.COURSE}/courseware/c2/").headers["Location"].endswith(cw.url("c2", "c2s1", 1))
    assert client.get(f"/courses/{cw.COURSE}/courseware/zz/").status_code == 404


def test_graded_subsection_shows_its_assignment_type_and_due_date(cw):
    cw.publish(fields={"c1s1": {"graded": True, "format": "Homework", "due": "2030-01-05T13:00:00Z"}})
    html = cw.learner().get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert "Homework" in html and 'datetime="2030-01-05T13:00:00' in html


def test_unit_tabs_show_completion_of_the_viewer(cw, app):
    cw.publish()
    client = cw.learner()
    with app.app_context():
        record_completion(db.session(), user_id=client.user.id, course_key=cw.COURSE,
                          usage_key=cw.usage("html", "c1s1u2h"), block_type="html", completion=1.0)
        db.session().commit()
    html = client.get(cw.url("c1", "c1s1", 1)).get_data(as_text=True)
    assert re.search(r"Unit 2 of 2: Unit 1\.1\.2</span>\s*</a>", html) is None
    assert "Unit 2 of 2: Unit 1.1.2, completed" in html
    assert "Unit 1 of 2: Unit 1.1.1, completed" not in html


def test_open_edx_unit_urls_with_a_trailing_slash_work(cw):
    cw.publish()
    page = cw.learner().get(cw.url("c1", "c1s2", 2) + "/")
    assert page.status_code == 200 and "Body of unit 1.2.2" in page.get_data(as_text=True)
