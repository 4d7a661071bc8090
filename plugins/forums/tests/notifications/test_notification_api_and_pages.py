"""The bell's count, the list, marking read, the preferences (Open edX's notifications API paths) and the
notifications' pages."""

from __future__ import annotations

from kampus_forums.notifications import preferences

from kampus.testing import login

from .notify_kit import COURSE, member, post, publish, thread_by

JSON = {"Content-Type": "application/json"}


def with_three_responses(app):
    publish(app)
    author, responder = member(app), member(app, username="answerer")
    thread_id = thread_by(app, author, title="Sorting lists")
    for number in range(3):
        post(app, responder, thread_id, f"Answer {number}")
    return login(app.test_client(), author), author


def test_the_bell_counts_unread_and_the_list_pages_them(app) -> None:
    client, author = with_three_responses(app)
    count = client.get("/api/notifications/count/").get_json()
    assert count == {"show_notifications_tray": True, "count": 3, "count_by_app_name": {"discussion": 3},
                     "notification_expiry_days": 60}
    page = client.get("/api/notifications/?page_size=2").get_json()
    assert page["count"] == 3 and page["num_pages"] == 2 and page["current_page"] == 1
    first = page["results"][0]
    assert first["app_name"] == "discussion" and first["notification_type"] == "new_response"
    assert first["kind"] == "response_on_my_thread" and first["course_id"] == COURSE
    assert first["content"] == "<p>answerer responded to your post &quot;Sorting lists&quot;</p>"
    assert first["content_context"]["preview"] == "Answer 2"  # newest first
    assert first["content_url"].startswith("http://localhost/courses/") and first["last_read"] is None
    assert page["next"].endswith("page=2&page_size=2") or "page=2" in page["next"]
    assert client.get("/api/notifications/?page=3&page_size=2").status_code == 404
    assert client.get("/api/notifications/?app_name=grading").get_json()["count"] == 0


def test_marking_one_and_all_read(app) -> None:
    client, author = with_three_responses(app)
    ids = [item["id"] for item in client.get("/api/notifications/").get_json()["results"]]
    answer = client.patch("/api/notifications/read/", json={"notification_id": ids[0]})
    assert answer.status_code == 200 and answer.get_json() == {"message": "Notification marked read."}
    assert client.get("/api/notifications/count/").get_json()["count"] == 2
    assert client.get("/api/notifications/?unread=true").get_json()["count"] == 2
    stranger = login(app.test_client(), member(app))
    assert stranger.patch("/api/notifications/read/", json={"notification_id": ids[1]}).status_code == 404
    assert stranger.patch("/api/notifications/read/", json={"app_name": "nope"}).status_code == 400
    assert stranger.patch("/api/notifications/read/", data="[1]", headers=JSON).status_code == 400
    assert client.patch("/api/notifications/read/", json={"app_name": "discussion"}).status_code == 200
    assert client.get("/api/notifications/count/").get_json()["count"] == 0
    read = client.get("/api/notifications/").get_json()["results"]
    assert all(item["last_read"] for item in read)


def test_opening_the_tray_marks_them_seen_but_not_read(app) -> None:
    """Open edX's badge counts unseen notifications; ``mark-seen`` (the tray opened) clears it, and the
    notifications stay unread until each is read."""
    client, author = with_three_responses(app)
    first = client.get("/api/notifications/").get_json()["results"][0]
    assert first["last_seen"] is None
    client.patch("/api/notifications/read/", json={"notification_id": first["id"]})
    assert client.get("/api/notifications/count/").get_json()["count"] == 2  # reading one sees it
    seen = client.put("/api/notifications/mark-seen/discussion/")
    assert seen.status_code == 200 and seen.get_json() == {"message": "Notifications marked as seen."}
    assert client.get("/api/notifications/count/").get_json()["count"] == 0
    listed = client.get("/api/notifications/").get_json()["results"]
    assert all(item["last_seen"] for item in listed)
    assert [item["last_read"] is None for item in listed].count(True) == 2  # still unread
    assert client.get("/api/notifications/?unread=true").get_json()["count"] == 2
    assert client.put("/api/notifications/mark-seen/grading/").status_code == 200  # an app with none
    # a new one is unseen again; the web list, once shown, sees it
    responder = login(app.test_client(), member(app))
    thread_id = listed[0]["content_context"]["thread_id"]
    assert responder.post("/api/discussion/v1/comments/", json={"thread_id": str(thread_id),
                                                                "raw_body": "One more"}).status_code == 200
    assert client.get("/api/notifications/count/").get_json()["count"] == 1
    assert client.get("/notifications/").status_code == 200
    assert client.get("/api/notifications/count/").get_json()["count"] == 0
    assert client.put("/api/notifications/mark-seen/discussion/").status_code == 200


def test_anonymous_callers_are_refused(app, client) -> None:
    publish(app)
    assert client.get("/api/notifications/count/").status_code == 401
    assert client.get("/api/notifications/").status_code == 401
    assert client.get("/api/notifications/v3/configurations/").status_code == 401
    assert client.get("/notifications/").status_code in (302, 401)


def test_configurations_read_and_change_the_email_cadence(app) -> None:
    publish(app)
    user = member(app)
    client = login(app.test_client(), user)
    data = client.get("/api/notifications/v3/configurations/").get_json()["data"]["discussion"]
    assert data["notification_types"]["response_on_my_thread"] == {
        "web": True, "email": True, "push": False, "email_cadence": "Daily", "info": "Responses to my posts"}
    assert data["notification_types"]["content_reported"]["email_cadence"] == "Immediately"
    changed = client.put("/api/notifications/v3/configurations/", json={
        "notification_app": "discussion", "notification_type": "new_response", "email_cadence": "Weekly"})
    assert changed.status_code == 200
    assert changed.get_json()["data"] == {"updated_value": "Weekly", "notification_type": "new_response",
                                          "channel": "email_cadence", "app": "discussion"}
    off = client.put("/api/notifications/v3/configurations/", json={
        "notification_app": "discussion", "notification_type": "grouped_notification",
        "notification_channel": "email", "value": False})
    assert off.status_code == 200
    types = client.get("/api/notifications/v3/configurations/").get_json()["data"]["discussion"]["notification_types"]
    assert {entry["email"] for entry in types.values()} == {False}
    assert types["response_on_my_thread"]["email_cadence"] == "Daily"  # off shows the default cadence
    client.put("/api/notifications/v3/configurations/", json={
        "notification_app": "discussion", "notification_type": "endorsement", "notification_channel": "email",
        "value": True})
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        assert preferences.preferences_of(session, user.id)["endorsement"] == "daily"
    for bad in ({"notification_app": "grades", "notification_type": "endorsement", "email_cadence": "Daily"},
                {"notification_app": "discussion", "notification_type": "nope", "email_cadence": "Daily"},
                {"notification_app": "discussion", "notification_type": "endorsement", "email_cadence": "Hourly"},
                {"notification_app": "discussion", "notification_type": "endorsement",
                 "notification_channel": "web", "value": False},
                {"notification_app": "discussion", "notification_type": "endorsement"}):
        answer = client.put("/api/notifications/v3/configurations/", json=bad)
        assert answer.status_code == 400, bad
        assert answer.get_json()["status"] == "error"


def test_the_pages_list_mark_read_and_save_preferences(app) -> None:
    client, author = with_three_responses(app)
    home = client.get("/notifications/")
    assert home.status_code == 200
    html = home.get_data(as_text=True)
    assert "Notifications (3)" in html and "answerer responded to your post" in html
    assert "/static/forums/notifications.js" in html and "<script>" not in html
    assert client.get("/static/forums/notifications.js").status_code == 200
    ids = [item["id"] for item in client.get("/api/notifications/").get_json()["results"]]
    assert client.post(f"/notifications/{ids[0]}/read").status_code == 302
    assert "Notifications (2)" in client.get("/notifications/").get_data(as_text=True)
    assert client.post("/notifications/read-all").status_code == 302
    page = client.get("/notifications/").get_data(as_text=True)
    assert "Notifications (" not in page
    assert client.post("/notifications/999999/read").status_code == 404
    prefs = client.get("/notifications/preferences")
    assert prefs.status_code == 200 and b'name="endorsement"' in prefs.data
    saved = client.post("/notifications/preferences", data={"endorsement": "weekly", "content_reported": "off"})
    assert saved.status_code == 302
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        chosen = preferences.preferences_of(session, author.id)
    assert chosen["endorsement"] == "weekly" and chosen["content_reported"] == "off"
    assert client.post("/notifications/preferences", data={"endorsement": "hourly"}).status_code == 400


def test_the_api_is_in_the_openapi_document(app, client) -> None:
    document = client.get("/api/openapi.json").get_json()
    paths = document["paths"]
    for path, method in (("/api/notifications/", "get"), ("/api/notifications/count/", "get"),
                         ("/api/notifications/mark-seen/{app_name}/", "put"),
                         ("/api/notifications/read/", "patch"), ("/api/notifications/v3/configurations/", "get"),
                         ("/api/notifications/v3/configurations/", "put"),
                         ("/api/notifications/configurations/{course_key_string}", "get"),
                         ("/api/notifications/configurations/{course_key_string}", "patch"),
                         ("/api/notifications/enrollments/", "get")):
        assert method in paths[path], path
        assert paths[path][method]["tags"] == ["notifications"]


def test_the_bell_is_in_the_navigation_of_every_page_for_users_only(app, client) -> None:
    author_client, _author = with_three_responses(app)
    page = author_client.get("/").get_data(as_text=True)
    assert 'href="/notifications/"' in page and "Notifications (3)" in page
    assert 'href="/notifications/"' not in client.get("/").get_data(as_text=True)
