"""In a real browser: an html block is marked complete after it stayed in view, a video when its player
reaches the end; both through the blocks' ``publish_completion`` handler, stored for the learner."""

from __future__ import annotations

import json
import uuid

import pytest

pytestmark = pytest.mark.e2e

COURSE = "course-v1:E2E+Completion+2026"


@pytest.fixture(scope="module")
def completion_course(live_site):
    username = f"e2e_{uuid.uuid4().hex[:8]}"
    usage = json.loads(live_site.run_python(f"""
import json
from kampus.app import create_app
from kampus.identity.accounts import create_user
from kampus.identity.permissions import grant_role
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course
app = create_app()
usage = publish_course(app, {COURSE!r}, {{"unit1": [
    Block("html", "intro", {{"data": "<p>Read me.</p>"}}),
    Block("video", "clip", {{"html5_sources": ["/static/none.mp4"]}}),
]}})
with app.app_context():
    with app.extensions["kampus"].db.session_scope() as db_session:
        user = create_user(db_session, {username!r}, "{username}@example.com", {live_site.password!r}, name="E2E",
                           confirmed=True)
        grant_role(db_session, user, "learner", {COURSE!r})
print(json.dumps(usage))
"""))
    return usage, username


def stored_completion(live_site, username: str, usage_id: str) -> float:
    return float(live_site.run_python(f"""
import sqlalchemy as sa
from kampus.app import create_app
from kampus.identity.models import User
from kampus_content.api import completion_of
app = create_app()
with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
    user_id = db_session.scalar(sa.select(User.id).where(User.username == {username!r}))
    print(completion_of(user_id, {usage_id!r}, db_session=db_session))
"""))


def test_html_viewed_and_video_watched_are_complete(live_site, page, completion_course):
    usage, username = completion_course
    live_site.log_in(page, username)
    assert stored_completion(live_site, username, usage["intro"]) == 0.0
    with page.expect_response(lambda r: "intro/handler/publish_completion" in r.url, timeout=15000) as viewed:
        page.goto(f"{live_site.url}/xblock/{usage['unit1']}")
    assert viewed.value.status == 200  # (its body is not read: the page never reads it)
    assert stored_completion(live_site, username, usage["intro"]) == 1.0

    assert stored_completion(live_site, username, usage["clip"]) == 0.0
    with page.expect_response(lambda r: "clip/handler/publish_completion" in r.url) as watched:
        page.locator("video.kampus-video-player").evaluate("(video) => video.dispatchEvent(new Event('ended'))")
    assert watched.value.status == 200
    assert stored_completion(live_site, username, usage["clip"]) == 1.0
