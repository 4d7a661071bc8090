"""Each problem template of "Add component" makes a problem that renders and grades in the learner's runtime."""

from __future__ import annotations

from typing import Any

import pytest
from flask_login import login_user
from kampus_content.api import PUBLISHED, KampusRuntime, get_structure, publish, render_student_view
from kampus_studio.unit.catalog import PROBLEM_TEMPLATES
from opaque_keys.edx.keys import UsageKey

from .conftest import COURSE

API = f"/api/studio/v1/courses/{COURSE}"
GRADED = [t.id for t in PROBLEM_TEMPLATES if t.id not in ("blank", "blank_advanced", "custom_python")]


def _key(usage_id: str) -> tuple[str, str]:
    usage = UsageKey.from_string(usage_id)
    return (usage.block_type, usage.block_id)


@pytest.mark.parametrize("template", GRADED)
def test_template_renders_and_grades_for_a_learner(app, author, client_as, course, template):
    created = author.post(f"{API}/units/{course['unit2']}/components",
                          json={"block_type": "problem", "template": template})
    assert created.status_code == 201, created.get_data(as_text=True)
    usage_id = created.get_json()["usage_id"]
    learner = client_as("learner", course_id=COURSE)
    with app.app_context():
        publish(COURSE, user_id=None)
        structure = get_structure(COURSE, PUBLISHED)
        with app.test_request_context("/"):
            login_user(learner.user)
            view = render_student_view(structure, _key(usage_id), user=learner.user, user_is_staff=False, save=False)
            assert "problem" in view.html and "studio_check" not in view.html
        runtime = KampusRuntime(structure, user=learner.user)
        answers: dict[str, Any] = runtime.get_block(runtime.usage_key(_key(usage_id))).lcp.get_question_answers()
    assert answers, template
    form: dict[str, Any] = {}
    for input_id, answer in answers.items():
        if isinstance(answer, list) and template == "checkboxes":
            form[f"input_{input_id}[]"] = answer
        else:
            answer = answer[0] if isinstance(answer, list) else answer
            form[f"input_{input_id}"] = str(answer).split(" <b>or</b> ")[0]  # a text input shows its variants
    response = learner.post(f"/xblock/{usage_id}/handler/problem_check", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["current_score"] == body["total_possible"] > 0, (template, form, body)


def test_custom_python_template_is_saved_as_xml(app, author, course):
    created = author.post(f"{API}/units/{course['unit2']}/components",
                          json={"block_type": "problem", "template": "custom_python"})
    assert created.status_code == 201
    component = author.get(f"{API}/components/{created.get_json()['usage_id']}").get_json()
    assert component["markdown"] is None and "<customresponse" in component["data"]
