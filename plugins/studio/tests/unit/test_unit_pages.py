"""The unit editor's pages: the editor with author views, the learner preview, TinyMCE's files, and a
third-party XBlock edited through its own studio_view and studio_submit handler."""

from __future__ import annotations

from kampus_content.api import DRAFT, get_structure

from .conftest import COURSE

API = f"/api/studio/v1/courses/{COURSE}"


def page_url(usage_id: str) -> str:
    return f"/studio/course/{COURSE}/unit/{usage_id}"


def test_unit_page_shows_components_through_author_view(author, course):
    author.post(f"{API}/units/{course['unit1']}/components", json={"block_type": "problem", "template": "dropdown"})
    response = author.get(page_url(course["unit1"]))
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    html = response.get_data(as_text=True)
    assert "Hello authors" in html  # the HTML block's author view
    assert "the correct answer" in html  # the problem rendered
    assert 'data-view="author_view"' in html
    assert f'href="/courses/{COURSE}/jump_to/{course["unit1"]}"' in html  # view live
    for label in ("Multiple Choice", "Checkboxes", "Numerical Input", "Text Input", "Dropdown"):
        assert label in html
    assert 'data-add-type="done"' in html  # an installed third-party XBlock under Advanced
    assert "Week 1" in html and "Lesson 1" in html  # the breadcrumb
    assert f'href="{page_url(course["unit2"])}"' in html  # the other unit of the subsection
    assert "Published and live" not in html  # a component was added: the unit has unpublished changes
    assert "Draft (unpublished changes)" in html


def test_unit_page_refuses_others_and_unknown_units(client, client_as, author, course):
    assert client_as("learner", course_id=COURSE).get(page_url(course["unit1"])).status_code == 403
    assert author.get(page_url(course["intro"])).status_code == 404  # not a unit
    assert author.get(page_url("block-v1:Other+X+1+type@vertical+block@unit1")).status_code == 404
    assert author.get(page_url("not-a-key")).status_code == 404
    assert client.get(page_url(course["unit1"])).status_code in (302, 401)


def test_preview_shows_the_draft_as_a_learner(author, course):
    author.patch(f"{API}/components/{course['intro']}", json={"data": "<p>Draft text</p>"})
    response = author.get(page_url(course["unit1"]) + "/preview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Draft text" in html and "Back to the unit editor" in html


def test_tinymce_is_served_from_its_package(client):
    response = client.get("/studio/static/unit/tinymce/tinymce.min.js")
    assert response.status_code == 200 and b"TinyMCE" in response.data[:200]
    assert client.get("/studio/static/unit/tinymce/plugins/code/plugin.min.js").status_code == 200


def test_third_party_xblock_studio_view_saves_the_draft(app, author, course):
    created = author.post(f"{API}/units/{course['unit2']}/components", json={"block_type": "poll"})
    assert created.status_code == 201, created.get_data(as_text=True)
    usage_id = created.get_json()["usage_id"]
    assert author.get(f"{API}/components/{usage_id}").get_json()["editor"] == "studio_view"
    editor = author.get(f"/studio/course/{COURSE}/component/{usage_id}/studio_view")
    assert editor.status_code == 200
    html = editor.get_data(as_text=True)
    assert 'id="poll-question-editor"' in html and 'data-view="studio_view"' in html
    assert "kampus-navbar" not in html  # the editor alone, for the unit editor's dialog
    assert author.get(f"/studio/course/{COURSE}/component/{course['unit2']}/studio_view").status_code == 404
    payload = {"display_name": "Favourite colour", "question": "Which colour?", "feedback": "", "max_submissions": 1,
               "private_results": False,
               "answers": [{"key": "r", "label": "Red"}, {"key": "b", "label": "Blue"}]}
    saved = author.post(f"/xblock/{usage_id}/handler/studio_submit?branch=draft", json=payload)
    assert saved.status_code == 200 and saved.get_json()["success"], saved.get_data(as_text=True)
    block_id = usage_id.rsplit("@", 1)[1]
    with app.app_context():
        fields = get_structure(COURSE, DRAFT).blocks[("poll", block_id)].fields
    assert fields["question"] == "Which colour?" and fields["display_name"] == "Favourite colour"
    page = author.get(page_url(course["unit2"])).get_data(as_text=True)
    assert "Favourite colour" in page
