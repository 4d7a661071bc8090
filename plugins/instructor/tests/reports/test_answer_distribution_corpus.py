"""The answer distribution of a real Open edX course (``../shared/corpus/olx``) with scripted submissions,
against counts computed here from what was submitted and what the problems answered."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from kampus_content.api import import_archive
from kampus_lms.api import course_problems

from .conftest import enroll_many, learner_client, newest_report, read_csv

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus" / "olx" / "openedx-demo-course"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/olx/openedx-demo-course")
COURSE = "course-v1:OpenedX+DemoX+DemoCourse"
CHOICE = re.compile(r'<input[^>]*type="(radio|checkbox)"[^>]*>')
NAME = re.compile(r'name="input_([^"\[]+)(\[\])?"')
VALUE = re.compile(r'value="([^"]+)"')


def choice_inputs(html: str) -> dict[str, tuple[str, list[str]]]:
    """The problem's choice inputs: ``{answer id: (radio|checkbox, [values])}``."""
    found: dict[str, tuple[str, list[str]]] = {}
    for match in CHOICE.finditer(html):
        tag = match.group(0)
        name, value = NAME.search(tag), VALUE.search(tag)
        if name and value:
            found.setdefault(name.group(1), (match.group(1), []))[1].append(value.group(1))
    return found


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/olx is absent (the shared corpus of OLX courses)")
def test_answer_distribution_of_corpus_course(app, client_as):
    with app.app_context():
        import_archive(CORPUS, course_key=COURSE, user_id=None)
        problems = [p for p in course_problems(COURSE) if p["block_type"] == "problem"]
    assert problems, "the demo course has problems"
    learners = enroll_many(app, 6, course_id=COURSE)
    clients = [learner_client(app, user) for user in learners]
    expected: Counter[tuple[str, str, str, str]] = Counter()
    scripted = 0
    for p_index, problem in enumerate(problems):
        html = clients[0].get(f"/xblock/{problem['usage_id']}").get_data(as_text=True)
        inputs = choice_inputs(html)
        if len(inputs) != 1 or len(set(re.findall(r'name="input_([^"\[]+)', html))) != 1:
            continue  # single-input choice problems: the check's ``success`` is that input's correctness
        for l_index, client in enumerate(clients):
            if (l_index + p_index) % 4 == 3:
                continue  # some learners leave some problems alone
            form, chosen = {}, {}
            for answer_id, (kind, values) in inputs.items():
                pick = values[(l_index + p_index) % len(values)]
                if kind == "checkbox":
                    picks = sorted({pick, values[0]})
                    form[f"input_{answer_id}[]"] = picks
                    chosen[answer_id] = "[" + "|".join(picks) + "]"
                else:
                    form[f"input_{answer_id}"] = pick
                    chosen[answer_id] = pick
            response = client.post(f"/xblock/{problem['usage_id']}/handler/problem_check", data=form)
            outcome = (response.get_json() or {}).get("success") if response.status_code == 200 else None
            if outcome not in ("correct", "incorrect", "partially-correct"):
                continue  # a problem that refuses the submission (attempts, dates) keeps no answer
            for answer_id, value in chosen.items():
                expected[(problem["usage_id"], answer_id, value, outcome)] += 1
                scripted += 1
    assert scripted > 20, "the scripted submissions reached the problems"
    staff = client_as("staff", course_id=COURSE)
    started = staff.post(f"/api/instructor/v1/courses/{COURSE}/reports/answer_distribution", json={})
    assert started.status_code == 200, started.get_data(as_text=True)
    rows = read_csv(staff, newest_report(staff, COURSE)["url"])
    got = Counter({(r[0], r[1], r[4], r[2]): int(r[3]) for r in rows[1:]})
    assert got == expected
