"""Unmodified third-party XBlocks from PyPI in a unit: render, answer their handlers, keep state."""

from __future__ import annotations

import json
import sys

import pytest
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

POLL_ANSWERS = json.dumps([["R", {"label": "Red", "img": None}], ["B", {"label": "Blue", "img": None}]])


@pytest.fixture
def unit(app):
    return publish_course(app, DEFAULT_COURSE, {
        "unit1": [
            Block("html", "intro", {"data": "<p>Welcome to the unit</p>"}),
            Block("done", "done1", {"align": "right"}),
            Block("poll", "poll1", {"question": "Favourite colour?", "answers": POLL_ANSWERS}),
            Block("drag-and-drop-v2", "dnd1", {"display_name": "Triangle"}),
            Block("drag-and-drop-v2", "dnd2", {"display_name": "Assessed", "mode": "assessment",
                                               "max_attempts": "3"}),
        ],
    })


def handler(client, usage_id, name, data, **kwargs):
    return client.post(f"/xblock/{usage_id}/handler/{name}", data=json.dumps(data),
                       content_type="application/json", **kwargs)


def test_unit_renders_third_party_blocks(client_as, unit):
    learner = client_as("learner")
    response = learner.get(f"/xblock/{unit['unit1']}")
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert "Welcome to the unit" in html
    assert "done_onoffswitch" in html  # done-xblock's template
    assert "Favourite colour?" in html  # poll
    assert 'data-init="DoneXBlock"' in html and 'data-init="PollBlock"' in html
    assert 'data-init="DragAndDropBlock"' in html
    assert "xblock-runtime.js" in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert "This component is not available" not in html
    # poll compiles Handlebars templates in the browser: eval allowed on such pages, inline scripts still not
    policy = response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" in policy and "'unsafe-inline'" not in policy.split("style-src")[0]


def test_fragment_scripts_and_package_resources_are_served(client_as, unit):
    learner = client_as("learner")
    html = learner.get(f"/xblock/{unit['unit1']}").get_data(as_text=True)
    import re

    scripts = re.findall(r'<script src="(/xblock/resource/[0-9a-f]{64}\.js)"', html)
    assert scripts
    body = learner.get(scripts[0])
    assert body.status_code == 200 and body.mimetype == "application/javascript"
    image = learner.get("/xblock/resource/done/public/check-full.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert learner.get("/xblock/resource/done/done.py").status_code == 404
    assert learner.get("/xblock/resource/done/public/../done.py").status_code == 404
    assert learner.get("/xblock/resource/poll/public/js/vendor/handlebars.js").status_code == 200


def test_done_toggle_keeps_state(client_as, unit, events):
    learner = client_as("learner")
    response = handler(learner, unit["done1"], "toggle_button", {"done": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"state": True}
    html = learner.get(f"/xblock/{unit['unit1']}").get_data(as_text=True)
    assert '"state": true' in html  # DoneXBlock's init args
    other = client_as("learner")
    assert '"state": false' in other.get(f"/xblock/{unit['unit1']}").get_data(as_text=True)
    assert "edx.done.toggled" in events.types()


def test_poll_vote_keeps_state_and_tally(client_as, unit):
    learner = client_as("learner")
    response = handler(learner, unit["poll1"], "vote", {"choice": "B"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["success"] is True
    again = handler(learner, unit["poll1"], "vote", {"choice": "R"})
    assert again.get_json()["success"] is False  # already voted
    voted = handler(learner, unit["poll1"], "student_voted", {})
    assert voted.get_json()["voted"] is True
    other = client_as("learner")
    assert handler(other, unit["poll1"], "student_voted", {}).get_json()["voted"] is False
    handler(other, unit["poll1"], "vote", {"choice": "B"})
    results = handler(other, unit["poll1"], "get_results", {}).get_json()
    assert results["total"] == 2  # the tally is shared (user_state_summary)
    html = learner.get(f"/xblock/{unit['unit1']}").get_data(as_text=True)
    assert learner.get(f"/xblock/{unit['poll1']}").status_code == 200
    assert "Favourite colour?" in html


def test_drag_and_drop_drop_and_attempt(client_as, unit, hook_calls):
    learner = client_as("learner")
    response = handler(learner, unit["dnd1"], "drop_item", {"val": 0, "zone": "top"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["correct"] is True
    state = learner.get(f"/xblock/{unit['dnd1']}/handler/student_view_user_state")
    assert state.status_code == 200
    assert state.get_json()["items"]["0"]["zone"] == "top"

    assert handler(learner, unit["dnd2"], "drop_item", {"val": 1, "zone": "top"}).status_code == 200
    attempt = handler(learner, unit["dnd2"], "do_attempt", {})
    assert attempt.status_code == 200, attempt.get_data(as_text=True)
    assert attempt.get_json()["attempts"] == 1
    assert attempt.get_json()["correct"] is False
    scores = hook_calls.of("kampus_score_changed")
    assert any(call["usage_id"] == unit["dnd2"] for call in scores)
    again = learner.get(f"/xblock/{unit['dnd2']}/handler/student_view_user_state").get_json()
    assert again["attempts"] == 1
    # standard mode rejects do_attempt with the block's own error
    assert handler(learner, unit["dnd1"], "do_attempt", {}).status_code == 400


def test_unloadable_block_shows_placeholder(client_as, app, monkeypatch):
    from importlib.metadata import EntryPoint

    from kampus_content.runtime.runtime import forget_block_class
    from xblock.core import XBlock

    entry = EntryPoint(name="edx_sga", value="edx_sga.sga:StaffGradedAssignmentXBlock", group="xblock.v1")
    monkeypatch.setattr(XBlock, "extra_entry_points", [("edx_sga", entry)])
    forget_block_class("edx_sga")
    monkeypatch.setitem(sys.modules, "edx_sga", None)  # its import fails, as it does without edx-platform
    try:
        usage = publish_course(app, DEFAULT_COURSE, {
            "unit1": [Block("html", "intro", {"data": "<p>Hello</p>"}),
                      Block("edx_sga", "sga1", {"display_name": "Essay", "weight": "10"})],
        })
        learner = client_as("learner")
        response = learner.get(f"/xblock/{usage['unit1']}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "This component is not available" in html and "Hello" in html
        staff = client_as("staff")
        html = staff.get(f"/xblock/{usage['unit1']}").get_data(as_text=True)
        assert "edx_sga" in html and "ModuleNotFoundError" in html
        with app.app_context():
            structure = app.extensions["kampus"].driver("content_store").get_branch(DEFAULT_COURSE, "published")
        assert structure.blocks[("edx_sga", "sga1")].fields == {"display_name": "Essay", "weight": "10"}
    finally:
        forget_block_class("edx_sga")


def test_kernel_does_not_set_up_django():
    """Django is set up only when a third-party block needs it. (kombu, under Celery, imports a few
    ``django.utils`` helpers whenever Django is installed; nothing configures Django or loads its
    settings, apps or templates.)"""
    import subprocess

    code = ("import sys, kampus.app, kampus_content.plugin, kampus_content.api; "
            "print(sorted(m for m in sys.modules if m.startswith(('django.conf', 'django.apps', 'django.template'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
