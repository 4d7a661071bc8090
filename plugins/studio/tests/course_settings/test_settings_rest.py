"""Studio's settings REST API: each resource's round trip, validation (400, nothing written), conflicts (409),
permissions, bearer tokens, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from kampus_content.api import DRAFT, PUBLISHED, add_asset, get_structure, read_course_file

from kampus.identity.preferences import LANGUAGE, set_preference
from kampus.testing import DEFAULT_COURSE, add_translations

COURSE = DEFAULT_COURSE
API = f"/api/studio/v1/courses/{COURSE}/settings"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def draft_version(app: Any) -> str:
    with app.app_context():
        return get_structure(COURSE, DRAFT).version


def test_details_round_trip(app, author) -> None:
    before = author.get(f"{API}/details").get_json()
    assert before["display_name"] == "Settings course" and before["start_date"] == "2025-01-01T00:00:00Z"
    change = {
        "version": before["version"], "start_date": "2026-09-01T09:00:00Z", "end_date": "2026-12-20T17:00:00Z",
        "enrollment_start": "2026-08-01T00:00:00Z", "enrollment_end": "2026-09-15T00:00:00Z",
        "language": "fr", "short_description": "<b>Learn</b> things", "effort": "4 hours",
        "overview": '<section><h2>About</h2><script>alert(1)</script><p onclick="x()">Hi</p></section>',
        "intro_video": "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "self_paced": True,
    }
    answer = author.put(f"{API}/details", json=change)
    assert answer.status_code == 200, answer.get_json()
    after = answer.get_json()
    assert after["version"] != before["version"]
    assert after["start_date"] == "2026-09-01T09:00:00Z" and after["enrollment_end"] == "2026-09-15T00:00:00Z"
    assert after["language"] == "fr" and after["self_paced"] is True and after["intro_video"] == "dQw4w9WgXcQ"
    assert after["short_description"] == "Learn things"
    overview = after["overview"]
    assert "<script" not in overview and "onclick" not in overview and "<h2>About</h2>" in overview
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[draft.root].fields["start"] == "2026-09-01T09:00:00Z"
        assert b"dQw4w9WgXcQ" in read_course_file(draft, "about/video.html")
        assert read_course_file(get_structure(COURSE, PUBLISHED), "about/overview.html") is None
    # clearing the end date removes it
    cleared = author.put(f"{API}/details", json={"version": after["version"], "end_date": None,
                                                 "enrollment_end": None}).get_json()
    assert cleared["end_date"] is None and cleared["start_date"] == "2026-09-01T09:00:00Z"


@pytest.mark.parametrize(("change", "field"), [
    ({"start_date": "2026-09-01T00:00:00Z", "end_date": "2026-08-01T00:00:00Z"}, "end_date"),
    ({"enrollment_start": "2026-01-02T00:00:00Z", "enrollment_end": "2026-01-01T00:00:00Z"}, "enrollment_end"),
    ({"start_date": "2026-01-01T00:00:00Z", "enrollment_start": "2026-02-01T00:00:00Z"}, "enrollment_start"),
    ({"end_date": "2026-01-01T00:00:00Z", "enrollment_end": "2026-02-01T00:00:00Z"}, "enrollment_end"),
    ({"start_date": None}, "start_date"),
    ({"start_date": "next tuesday-ish"}, "start_date"),
    ({"language": "not a language!"}, "language"),
    ({"pre_requisite_courses": ["course-v1:Nobody+None+2020"]}, "pre_requisite_courses"),
    ({"pre_requisite_courses": [COURSE]}, "pre_requisite_courses"),
    ({"course_image_name": "missing.png"}, "course_image_name"),
    ({"intro_video": "not a video!"}, "intro_video"),
    ({"display_name": ""}, "display_name"),
    ({"run": "2099"}, "run"),
    ({"nonsense": 1}, "nonsense"),
])
def test_details_validation_changes_nothing(app, author, change, field) -> None:
    version = draft_version(app)
    answer = author.put(f"{API}/details", json={"version": version, **change})
    assert answer.status_code == 400, answer.get_json()
    body = answer.get_json()
    assert field in body["field_errors"], body
    assert body["field_errors"][field]["user_message"] and body["developer_message"]
    assert draft_version(app) == version


def test_date_order_messages_are_in_the_authors_language(app, author, tmp_path) -> None:
    french = {"The course end date must be later than the course start date.":
              "La date de fin du cours doit suivre sa date de début."}
    add_translations(app, tmp_path / "translations", "fr", french)
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        set_preference(author.user.id, LANGUAGE, "fr", db_session=session)
    answer = author.put(f"{API}/details", json={"start_date": "2026-09-01T00:00:00Z",
                                                 "end_date": "2026-08-01T00:00:00Z"})
    assert answer.status_code == 400
    message = answer.get_json()["field_errors"]["end_date"]["user_message"]
    assert message == "La date de fin du cours doit suivre sa date de début."


def test_prerequisites_name_existing_courses(app, author) -> None:
    from kampus_content.testing.xblocks import publish_course

    publish_course(app, "course-v1:KampusX+Pre+2026", {"u": []})
    answer = author.put(f"{API}/details", json={"pre_requisite_courses": ["course-v1:KampusX+Pre+2026"]})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["pre_requisite_courses"] == ["course-v1:KampusX+Pre+2026"]


def test_stale_version_is_a_conflict(app, author) -> None:
    stale = draft_version(app)
    assert author.put(f"{API}/details", json={"version": stale, "language": "de"}).status_code == 200
    current = draft_version(app)
    answer = author.put(f"{API}/details", json={"version": stale, "language": "fr"})
    assert answer.status_code == 409
    assert "Reload" in answer.get_json()["user_message"] and answer.get_json()["current_version"] == current
    assert draft_version(app) == current
    for path, body in (("grading", {"graders": [], "grade_cutoffs": {"Pass": 0.5}}),
                       ("advanced", {"settings": {"max_attempts": 3}}), ("handouts", {"data": "<p>x</p>"})):
        method = author.patch if path == "advanced" else author.put
        assert method(f"{API}/{path}", json={"version": stale, **body}).status_code == 409, path
    assert author.delete(f"{API}/updates/1?version={stale}").status_code in (404, 409)


def test_permissions_and_tokens(app, client_as, course, bearer) -> None:
    anonymous = client_as("anonymous")
    assert anonymous.get(f"{API}/details").status_code == 401
    assert anonymous.put(f"{API}/details", json={"language": "fr"}).status_code in (400, 401, 403)
    for role in ("learner", "ta", "user"):
        client = client_as(role, course_id=COURSE)
        assert client.get(f"{API}/grading").status_code == 403, role
        assert client.put(f"{API}/details", json={"language": "fr"}).status_code == 403, role
        assert client.get(f"/studio/course/{COURSE}/settings/grading").status_code == 403, role
    instructor = client_as("instructor", course_id=COURSE)
    assert instructor.get(f"{API}/grading").status_code == 200
    staff_elsewhere = client_as("staff", course_id="course-v1:Other+X+2026")
    assert staff_elsewhere.get(f"{API}/details").status_code == 403
    admin = client_as("global_staff")
    assert admin.get("/api/studio/v1/courses/course-v1:No+Such+2026/settings/details").status_code == 404
    # a bearer token works without a CSRF token; the session cookie is not needed
    headers = bearer(client_as("staff", course_id=COURSE).user)
    plain = app.test_client()
    assert plain.get(f"{API}/details", headers=headers).status_code == 200
    answer = plain.put(f"{API}/details", json={"language": "pt-br"}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["language"] == "pt-br"


def test_grading_round_trip(app, author) -> None:
    before = author.get(f"{API}/grading").get_json()
    assert sum(g["weight"] for g in before["graders"]) == pytest.approx(100)
    change = {
        "version": before["version"],
        "graders": [
            {"type": "Homework", "short_label": "HW", "weight": 40, "min_count": 5, "drop_count": 1},
            {"type": "Final Exam", "short_label": "Final", "weight": 60, "min_count": 1, "drop_count": 0},
        ],
        "grade_cutoffs": {"A": 0.9, "B": 0.75, "C": 0.6},
        "grace_period": {"hours": 2, "minutes": 30},
    }
    answer = author.put(f"{API}/grading", json=change)
    assert answer.status_code == 200, answer.get_json()
    after = answer.get_json()
    assert [g["type"] for g in after["graders"]] == ["Homework", "Final Exam"]
    assert after["graders"][0]["weight"] == 40 and after["graders"][0]["drop_count"] == 1
    assert after["grade_cutoffs"] == {"A": 0.9, "B": 0.75, "C": 0.6}
    assert after["grace_period"] == {"hours": 2, "minutes": 30, "seconds": 0}
    with app.app_context():
        from kampus_content.api import grading_policy

        policy = grading_policy(COURSE, DRAFT)
        assert policy["GRADER"][1] == {"type": "Final Exam", "short_label": "Final", "weight": 0.6,
                                       "min_count": 1, "drop_count": 0}
        assert policy["GRADE_CUTOFFS"] == {"A": 0.9, "B": 0.75, "C": 0.6}
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[draft.root].fields["graceperiod"] == "2 hours 30 minutes"
    no_grace = author.put(f"{API}/grading", json={**change, "version": after["version"], "grace_period": None})
    assert no_grace.get_json()["grace_period"] is None


@pytest.mark.parametrize(("graders", "cutoffs", "field"), [
    ([{"type": "HW", "weight": 50, "min_count": 1, "drop_count": 0}], {"Pass": 0.5}, "graders"),
    ([{"type": "HW", "weight": 100, "min_count": 2, "drop_count": 3}], {"Pass": 0.5}, "graders.0.drop_count"),
    ([{"type": "", "weight": 100, "min_count": 1, "drop_count": 0}], {"Pass": 0.5}, "graders.0.type"),
    ([{"type": "HW", "weight": 150, "min_count": 1, "drop_count": 0}], {"Pass": 0.5}, "graders.0.weight"),
    ([{"type": "HW", "weight": "lots", "min_count": 1, "drop_count": 0}], {"Pass": 0.5}, "graders.0.weight"),
    ([{"type": "HW", "weight": 50, "min_count": 1, "drop_count": 0},
      {"type": "hw", "weight": 50, "min_count": 1, "drop_count": 0}], {"Pass": 0.5}, "graders.1.type"),
    ([{"type": "HW", "weight": 100, "min_count": 1.5, "drop_count": 0}], {"Pass": 0.5}, "graders.0.min_count"),
    ([{"type": "HW", "weight": 100, "min_count": 1, "drop_count": 0}], {"Pass": 1.5}, "grade_cutoffs.Pass"),
    ([{"type": "HW", "weight": 100, "min_count": 1, "drop_count": 0}], {}, "grade_cutoffs"),
    ([{"type": "HW", "weight": 100, "min_count": 1, "drop_count": 0}],
     {"A": 0.9, "B": 0.8, "C": 0.7, "D": 0.6, "E": 0.5, "F": 0.4}, "grade_cutoffs"),
])
def test_grading_validation_changes_nothing(app, author, graders, cutoffs, field) -> None:
    version = draft_version(app)
    answer = author.put(f"{API}/grading", json={"version": version, "graders": graders, "grade_cutoffs": cutoffs})
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["field_errors"], answer.get_json()
    assert draft_version(app) == version


def test_advanced_settings(app, author) -> None:
    before = author.get(f"{API}/advanced").get_json()
    settings = before["settings"]
    assert settings["max_attempts"]["value"] is None and settings["showanswer"]["value"] == "finished"
    assert "start" not in settings and "grading_policy" not in settings and "tabs" not in settings
    assert "xqa_key" not in settings  # deprecated and unset: hidden
    answer = author.patch(f"{API}/advanced", json={"version": before["version"], "settings": {
        "max_attempts": 3, "showanswer": "past_due", "discussion_topics": {"General": {"id": "general"}},
        "invitation_only": True, "display_name": "Renamed course"}})
    assert answer.status_code == 200, answer.get_json()
    after = answer.get_json()["settings"]
    assert after["max_attempts"]["value"] == 3 and after["max_attempts"]["set"] is True
    assert after["display_name"]["value"] == "Renamed course"
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[draft.root].fields["showanswer"] == "past_due"
    reset = author.patch(f"{API}/advanced", json={"settings": {"max_attempts": None}}).get_json()
    assert reset["settings"]["max_attempts"]["set"] is False


@pytest.mark.parametrize(("settings", "field"), [
    ({"max_attempts": 2, "no_such_key": 1}, "no_such_key"),
    ({"max_attempts": "three"}, "max_attempts"),
    ({"invitation_only": "yes"}, "invitation_only"),
    ({"showanswer": "sometimes"}, "showanswer"),
    ({"discussion_topics": ["not", "a", "dict"]}, "discussion_topics"),
    ({"advanced_modules": "done"}, "advanced_modules"),
    ({"announcement": "soon"}, "announcement"),
    ({"grading_policy": {}}, "grading_policy"),
    ({"start": "2026-01-01T00:00:00Z"}, "start"),
    ({}, "settings"),
])
def test_advanced_refuses_bad_keys_and_values(app, author, settings, field) -> None:
    version = draft_version(app)
    answer = author.patch(f"{API}/advanced", json={"version": version, "settings": settings})
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["field_errors"], answer.get_json()
    assert draft_version(app) == version


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", b'"text"'])
def test_bad_json_bodies_are_400(app, author, payload) -> None:
    version = draft_version(app)
    for path, method in (("advanced", "PATCH"), ("details", "PUT"), ("grading", "PUT"), ("textbooks", "PUT")):
        answer = author.open(f"{API}/{path}", method=method, data=payload, content_type="application/json")
        assert answer.status_code == 400, (path, answer.get_data(as_text=True))
        assert answer.is_json and "Traceback" not in answer.get_data(as_text=True)
    assert draft_version(app) == version


def test_pages_and_tabs(app, author) -> None:
    tabs = author.get(f"{API}/tabs").get_json()
    assert [t["id"] for t in tabs["tabs"]] == ["courseware", "course_info", "progress"]
    created = author.post(f"{API}/tabs/pages", json={"version": tabs["version"], "name": "Syllabus",
                                                      "content": "<p>Week 1</p><script>x()</script>"})
    assert created.status_code == 201, created.get_json()
    page = created.get_json()
    assert page["name"] == "Syllabus" and "<script" not in page["content"]
    slug = page["url_slug"]
    order = [{"id": f"static_tab_{slug}"}, {"id": "courseware"}, {"id": "course_info"},
             {"id": "progress", "is_hidden": True}]
    answer = author.put(f"{API}/tabs", json={"tabs": order})
    assert answer.status_code == 200, answer.get_json()
    assert [(t["id"], t["is_hidden"]) for t in answer.get_json()["tabs"]] == [
        (f"static_tab_{slug}", False), ("courseware", False), ("course_info", False), ("progress", True)]
    # every tab exactly once; courseware cannot be hidden
    version = draft_version(app)
    assert author.put(f"{API}/tabs", json={"tabs": order[:2]}).status_code == 400
    bad = author.put(f"{API}/tabs", json={"tabs": [{**order[1], "is_hidden": True}, order[0], *order[2:]]})
    assert bad.status_code == 400 and "tabs.0.is_hidden" in bad.get_json()["field_errors"]
    assert draft_version(app) == version
    edited = author.put(f"{API}/tabs/pages/{slug}", json={"name": "Course syllabus", "content": "<p>New</p>"})
    assert edited.get_json()["name"] == "Course syllabus"
    with app.app_context():
        assert read_course_file(get_structure(COURSE, DRAFT), f"tabs/{slug}.html") == b"<p>New</p>"
    assert author.put(f"{API}/tabs/pages/nope", json={"name": "X"}).status_code == 404
    assert author.post(f"{API}/tabs/pages", json={"name": ""}).status_code == 400
    assert author.delete(f"{API}/tabs/pages/{slug}?version={draft_version(app)}").status_code == 204
    assert all(t["type"] != "static_tab" for t in author.get(f"{API}/tabs").get_json()["tabs"])
    with app.app_context():
        assert read_course_file(get_structure(COURSE, DRAFT), f"tabs/{slug}.html") is None


def test_updates_and_handouts(app, author) -> None:
    assert author.get(f"{API}/updates").get_json()["updates"] == []
    first = author.post(f"{API}/updates", json={"date": "2026-09-01", "content": "<p>Welcome!</p>"})
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["date"] == "September 1, 2026"
    second = author.post(f"{API}/updates", json={"date": "2026-09-08", "content": "<p>Week 2</p>"}).get_json()
    listed = author.get(f"{API}/updates").get_json()["updates"]
    assert [u["content"] for u in listed] == ["<p>Week 2</p>", "<p>Welcome!</p>"]
    assert author.put(f"{API}/updates/{second['id']}", json={"date": "2026-09-09", "content": "<p>Wk 2</p>"}
                      ).status_code == 200
    assert author.post(f"{API}/updates", json={"date": "whenever", "content": "x"}).status_code == 400
    assert author.post(f"{API}/updates", json={"date": "2026-09-01", "content": ""}).status_code == 400
    assert author.delete(f"{API}/updates/{first.get_json()['id']}?version={draft_version(app)}").status_code == 204
    assert [u["date"] for u in author.get(f"{API}/updates").get_json()["updates"]] == ["September 9, 2026"]
    assert author.delete(f"{API}/updates/999").status_code == 404
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert b"<h2>September 9, 2026</h2><p>Wk 2</p>" in read_course_file(draft, "info/updates.html")
    handouts = author.put(f"{API}/handouts", json={"data": '<ul><li><a href="/static/a.pdf">A</a></li></ul>'})
    assert handouts.status_code == 200 and "a.pdf" in handouts.get_json()["data"]
    assert author.put(f"{API}/handouts", json={"data": 42}).status_code == 400


def test_legacy_updates_html_is_read_and_kept(app, author) -> None:
    from kampus_content.api import edit_course

    with app.app_context():
        edit_course(COURSE, user_id=None, files={"info/updates.html": b"<ol><li><h2>May 2, 2014</h2><p>Two</p></li>"
                                                                      b"<li><h2>May 1, 2014</h2><p>One</p></li></ol>"})
    listed = author.get(f"{API}/updates").get_json()["updates"]
    assert [(u["date"], u["content"]) for u in listed] == [("May 2, 2014", "<p>Two</p>"), ("May 1, 2014", "<p>One</p>")]
    author.post(f"{API}/updates", json={"date": "2014-05-03", "content": "<p>Three</p>"})
    assert [u["content"] for u in author.get(f"{API}/updates").get_json()["updates"]] == [
        "<p>Three</p>", "<p>Two</p>", "<p>One</p>"]


def test_textbooks(app, author) -> None:
    with app.app_context():
        add_asset(COURSE, "book1.pdf", b"%PDF-1.4", user_id=None)
    bad = author.put(f"{API}/textbooks", json={"textbooks": [
        {"tab_title": "Book", "chapters": [{"title": "One", "url": "/static/missing.pdf"}]},
        {"tab_title": "", "chapters": []}]})
    assert bad.status_code == 400
    assert set(bad.get_json()["field_errors"]) == {"textbooks.0.chapters.0.url", "textbooks.1.tab_title",
                                                   "textbooks.1.chapters"}
    good = author.put(f"{API}/textbooks", json={"textbooks": [
        {"tab_title": "Physics", "chapters": [{"title": "Motion", "url": "/static/book1.pdf"},
                                              {"title": "Online", "url": "https://example.org/c2.pdf"}]}]})
    assert good.status_code == 200, good.get_json()
    books = good.get_json()["textbooks"]
    assert books[0]["id"] == "1Physics" and books[0]["chapters"][0]["url"] == "/static/book1.pdf"
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        assert draft.blocks[draft.root].fields["pdf_textbooks"][0]["tab_title"] == "Physics"


def test_certificates(app, author) -> None:
    with app.app_context():
        add_asset(COURSE, "sig.png", PNG, user_id=None)
        add_asset(COURSE, "sig.txt", b"hello", user_id=None)
    config = {"name": "Honor", "course_title": "Physics 1", "description": "For passing", "is_active": True,
              "signatories": [{"name": "Ada", "title": "Professor", "organization": "KX",
                               "signature_image_path": "/static/sig.png"}]}
    answer = author.put(f"{API}/certificates", json={"certificates": [config]})
    assert answer.status_code == 200, answer.get_json()
    saved = answer.get_json()["certificates"][0]
    assert saved["id"] == 1 and saved["is_active"] is True and saved["signatories"][0]["name"] == "Ada"
    with app.app_context():
        draft = get_structure(COURSE, DRAFT)
        stored = draft.blocks[draft.root].fields["certificates"]["certificates"][0]
        assert stored["name"] == "Honor" and stored["signatories"][0]["signature_image_path"] == "/static/sig.png"
    version = draft_version(app)
    for bad, field in (
        ({**config, "name": ""}, "certificates.0.name"),
        ({**config, "signatories": []}, "certificates.0.signatories"),
        ({**config, "signatories": [{"name": ""}]}, "certificates.0.signatories.0.name"),
        ({**config, "signatories": [{"name": "A", "signature_image_path": "/static/sig.txt"}]},
         "certificates.0.signatories.0.signature_image_path"),
        ({**config, "signatories": [{"name": str(n)} for n in range(5)]}, "certificates.0.signatories"),
    ):
        response = author.put(f"{API}/certificates", json={"certificates": [bad]})
        assert response.status_code == 400, field
        assert field in response.get_json()["field_errors"], (field, response.get_json())
    two_active = author.put(f"{API}/certificates", json={"certificates": [config, {**config, "name": "Other"}]})
    assert "certificates" in two_active.get_json()["field_errors"]
    assert draft_version(app) == version


def test_course_image_upload(app, author, monkeypatch) -> None:
    from kampus_studio.course_settings import rest

    version = draft_version(app)
    answer = author.post(f"{API}/details/image", data={"file": (__import__("io").BytesIO(PNG), "card.png"),
                                                        "version": version}, content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    uploaded = answer.get_json()
    assert uploaded["course_image_name"] == "card.png"
    saved = author.put(f"{API}/details", json={"version": uploaded["version"], "course_image_name": "card.png"})
    assert saved.status_code == 200 and saved.get_json()["course_image_asset_path"].endswith("/card.png")
    with app.app_context():
        from kampus_content.api import publish

        publish(COURSE, user_id=None)
    assert author.get(saved.get_json()["course_image_asset_path"]).data == PNG
    version = draft_version(app)
    io = __import__("io")
    for data, name in ((b"not an image", "card.png"), (PNG, "card.exe"), (PNG, "card.svg")):
        response = author.post(f"{API}/details/image", data={"file": (io.BytesIO(data), name)},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and "file" in response.get_json()["field_errors"], name
    assert author.post(f"{API}/details/image", data={}, content_type="multipart/form-data").status_code == 400
    monkeypatch.setattr(rest, "MAX_IMAGE_BYTES", 32)
    assert author.post(f"{API}/details/image", data={"file": (io.BytesIO(PNG), "big.png")},
                       content_type="multipart/form-data").status_code == 413
    assert draft_version(app) == version


def test_openapi_documents_every_settings_endpoint(client) -> None:
    paths = client.get("/api/openapi.json").get_json()["paths"]
    prefix = "/api/studio/v1/courses/{course_id}/settings/"
    for part, methods in (("details", {"get", "put", "patch"}), ("grading", {"get", "put"}),
                          ("advanced", {"get", "patch", "put"}), ("tabs", {"get", "put"}), ("tabs/pages", {"post"}),
                          ("tabs/pages/{url_slug}", {"put", "delete"}), ("updates", {"get", "post"}),
                          ("updates/{update_id}", {"put", "delete"}), ("handouts", {"get", "put"}),
                          ("textbooks", {"get", "put"}), ("certificates", {"get", "put"}),
                          ("details/image", {"post"})):
        assert prefix + part in paths, part
        assert methods <= set(paths[prefix + part]), (part, set(paths[prefix + part]))
