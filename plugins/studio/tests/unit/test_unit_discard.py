"""Discarding one unit's unpublished changes (Open edX's "Discard changes" on the unit page):
``POST /api/studio/v1/courses/<course_id>/blocks/<usage_id>/discard`` and the unit page's button."""

from __future__ import annotations

from typing import Any

from kampus_content.api import DRAFT, PUBLISHED, get_structure

from .conftest import COURSE

API = f"/api/studio/v1/courses/{COURSE}"


def unit(client: Any, usage_id: str) -> dict[str, Any]:
    response = client.get(f"{API}/units/{usage_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_discard_takes_the_unit_back_to_its_published_version_and_leaves_other_units(app, author, course):
    version = unit(author, course["unit1"])["version"]
    edited = author.patch(f"{API}/components/{course['intro']}",
                          json={"data": "<p>Changed</p>", "version": version})
    assert edited.status_code == 200, edited.get_data(as_text=True)
    added = author.post(f"{API}/units/{course['unit1']}/components",
                        json={"block_type": "html", "version": edited.get_json()["version"]})
    assert added.status_code == 201
    renamed = author.patch(f"{API}/units/{course['unit2']}",
                           json={"display_name": "Other unit", "version": added.get_json()["version"]})
    assert unit(author, course["unit1"])["state"]["state"] == "draft"

    stale = author.post(f"{API}/blocks/{course['unit1']}/discard", json={"expected_version": version})
    assert stale.status_code == 409 and stale.get_json()["current_version"] == renamed.get_json()["version"]

    answer = author.post(f"{API}/blocks/{course['unit1']}/discard",
                         json={"expected_version": renamed.get_json()["version"]})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = unit(author, course["unit1"])
    assert body["version"] == answer.get_json()["version"]
    assert body["state"]["state"] == "published"
    assert [c["usage_id"] for c in body["components"]] == [course["intro"]]
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[("html", "intro")].fields["data"] == "<p>Hello authors</p>"
        assert draft.blocks[("vertical", "unit2")].fields["display_name"] == "Other unit"  # still a draft change
        assert get_structure(COURSE, PUBLISHED).blocks[("vertical", "unit2")].fields["display_name"] == "Unit2"
    assert unit(author, course["unit2"])["state"]["state"] == "draft"


def test_a_unit_never_published_cannot_be_discarded_and_others_are_refused(app, author, client_as, client, course):
    version = unit(author, course["unit1"])["version"]
    created = author.post(f"{API}/blocks", json={"parent": course["lesson1"], "category": "vertical",
                                                 "display_name": "New", "expected_version": version})
    assert created.status_code == 201
    new_unit = created.get_json()["usage_id"]
    refused = author.post(f"{API}/blocks/{new_unit}/discard", json={})
    assert refused.status_code == 409
    assert "never published" in refused.get_json()["user_message"]
    component = author.post(f"{API}/blocks/{course['intro']}/discard", json={})
    assert component.status_code == 400
    missing = author.post(f"{API}/blocks/{course['intro'].replace('intro', 'nothing')}/discard", json={})
    assert missing.status_code == 404
    assert client.post(f"{API}/blocks/{course['unit1']}/discard", json={}).status_code == 401
    learner = client_as("learner", course_id=COURSE)
    assert learner.post(f"{API}/blocks/{course['unit1']}/discard", json={}).status_code == 403
    with app.app_context():
        assert get_structure(COURSE, DRAFT).version == created.get_json()["version"]  # nothing written


def test_the_unit_page_offers_discard_only_for_unpublished_changes(author, course):
    page = author.get(f"/studio/course/{COURSE}/unit/{course['unit1']}").get_data(as_text=True)
    assert 'id="discard-unit"' not in page
    version = unit(author, course["unit1"])["version"]
    author.patch(f"{API}/units/{course['unit1']}", json={"display_name": "Renamed", "version": version})
    page = author.get(f"/studio/course/{COURSE}/unit/{course['unit1']}").get_data(as_text=True)
    assert f'data-url="{API}/blocks/{course["unit1"]}/discard"' in page
    assert "revert to the last published version of the unit" in page
