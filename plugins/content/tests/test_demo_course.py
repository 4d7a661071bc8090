"""The demo course of `kampus init --demo`: it imports, and the demo learner can open it."""

from __future__ import annotations

from kampus_content.demo import course_url

from kampus.testing import login, make_user

DEMO = "course-v1:KampusX+K101+2026"


def test_demo_course_is_installed_for_the_demo_accounts(make_app) -> None:
    app = make_app(plugins=["content"])
    learner = make_user(app, "user", username="learner")
    make_user(app, "user", username="instructor")
    outsider = make_user(app, "user", username="someone")
    with app.app_context():
        lines = app.extensions["kampus"].hook.kampus_init_site(app=app, demo=True)
    assert any(DEMO in line for result in lines for line in result)

    client = login(app.test_client(), learner)
    home = client.get("/").get_data(as_text=True)
    assert "Kampus 101: Learning with Kampus" in home
    outline = client.get(course_url(DEMO))
    assert outline.status_code == 200
    assert "Welcome" in outline.get_data(as_text=True)
    response = client.get("/api/courses/v1/blocks/",
                          query_string={"course_id": DEMO, "username": "learner", "depth": "all"})
    blocks = response.get_json()
    assert response.status_code == 200, blocks
    assert any(block["type"] == "html" for block in blocks["blocks"].values())

    other = login(app.test_client(), outsider)
    assert "Kampus 101" not in other.get("/").get_data(as_text=True)
    assert other.get(course_url(DEMO)).status_code == 403
