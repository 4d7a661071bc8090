"""The answer distribution's ``Variant`` (Open edX's): for a problem with variants (``rerandomize`` not
``never``, inherited from the course as Open edX's settings are) answers are counted per variant, the seed
of the learner's problem; a problem without variants has an empty variant."""

from __future__ import annotations

from collections import Counter

from kampus_content.api import learner_states
from kampus_content.store.interface import Block
from opaque_keys.edx.keys import CourseKey

from .conftest import answer, enroll_many, learner_client, newest_report, read_csv

COURSE = "course-v1:KampusX+Variants1+2026"
MC = """<problem><multiplechoiceresponse><label>Largest planet?</label><choicegroup type="MultipleChoice">
<choice correct="false">Mars</choice><choice correct="true">Jupiter</choice></choicegroup>
</multiplechoiceresponse></problem>"""
CHOICES = ["choice_1", "choice_0", "choice_1", "choice_1", "choice_0", "choice_1"]


def _publish(app) -> dict[str, str]:
    blocks = [
        Block("course", "course", {"display_name": "Variants", "start": "2020-01-01T00:00:00Z",
                                   "rerandomize": "per_student"}, [("chapter", "ch")]),
        Block("chapter", "ch", {"display_name": "Week"}, [("sequential", "seq")]),
        Block("sequential", "seq", {"display_name": "Lesson", "graded": True, "format": "Homework"},
              [("vertical", "u")]),
        Block("vertical", "u", {"display_name": "Unit"}, [("problem", "rand"), ("problem", "fixed")]),
        Block("problem", "rand", {"display_name": "Randomised", "data": MC}),  # per_student, from the course
        Block("problem", "fixed", {"display_name": "Fixed", "data": MC, "rerandomize": "never"}),
    ]
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(COURSE, blocks, ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
    locator = CourseKey.from_string(COURSE)
    return {block.id: str(locator.make_usage_key(block.type, block.id)) for block in blocks}


def test_answer_distribution_counts_randomised_problems_per_variant(app, client_as):
    usage = _publish(app)
    learners = enroll_many(app, len(CHOICES), prefix="variant", course_id=COURSE)
    for user, choice in zip(learners, CHOICES, strict=True):
        client = learner_client(app, user)
        answer(client, usage["rand"], {"input_rand_2_1": choice})
        answer(client, usage["fixed"], {"input_fixed_2_1": choice})
    with app.app_context():
        states = learner_states(COURSE, [user.id for user in learners], usage_ids=[usage["rand"]])
    seeds = {user.id: states[user.id][usage["rand"]]["seed"] for user in learners}
    assert all(isinstance(seed, int) for seed in seeds.values())
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for user, choice in zip(learners, CHOICES, strict=True):
        verdict = "correct" if choice == "choice_1" else "incorrect"
        expected[(usage["rand"], choice, verdict, str(seeds[user.id]))] += 1
        expected[(usage["fixed"], choice, verdict, "")] += 1
    assert len({key[3] for key in expected if key[0] == usage["rand"]}) > 1  # several variants answered

    staff = client_as("staff", course_id=COURSE)
    started = staff.post(f"/api/instructor/v1/courses/{COURSE}/reports/answer_distribution", json={})
    assert started.status_code == 200, started.get_data(as_text=True)
    rows = read_csv(staff, newest_report(staff, COURSE)["url"])
    assert rows[0][6] == "Variant"
    got = Counter({(r[0], r[4], r[2], r[6]): int(r[3]) for r in rows[1:]})
    assert got == expected
    rand_rows = [r for r in rows[1:] if r[0] == usage["rand"]]
    assert [int(r[6]) for r in rand_rows] == sorted(int(r[6]) for r in rand_rows)  # variants in order
