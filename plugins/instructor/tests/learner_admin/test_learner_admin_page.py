"""The learner admin page: find a learner and see their grade, act on a problem and on due dates through
its forms (the same service as the API), what a TA sees, bad input answered with a message."""

from __future__ import annotations

from kampus_content.api import learner_state, score_of

from .conftest import COURSE, check, enrolled_learner, publish

PAGE = f"/courses/{COURSE}/instructor/learner_admin"


def test_find_a_learner_and_act_on_a_problem(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Lyon")
    staff = client_as("staff")
    page = staff.get(PAGE, query_string={"learner": learner.user.username}).get_data(as_text=True)
    assert f"Progress of {learner.user.username}" in page
    assert f"/courses/{COURSE}/progress/{learner.user.id}/" in page
    assert "Capital" in page and "Late homework" in page
    unknown = staff.get(PAGE, query_string={"learner": "nobody-here"}).get_data(as_text=True)
    assert "Could not find student matching identifier: nobody-here" in unknown

    def act(**form):
        return staff.post(f"{PAGE}/problem", data={"learner": learner.user.username, "problem": course["capital"],
                                                   **form}, follow_redirects=True).get_data(as_text=True)

    publish(app, answer="Lyon")
    assert "Rescored: 0 → 1 of 1." in act(action="rescore")
    with app.app_context():
        assert score_of(learner.user.id, course["capital"]).earned == 1.0
    assert "Score set to 0 of 1." in act(action="override", score="0")
    assert "score must be between 0 and 1" in act(action="override", score="7")
    assert "score must be a number" in act(action="override", score="abc")
    assert "attempts were reset" in act(action="reset")
    with app.app_context():
        assert learner_state(COURSE, learner.user.id, course["capital"])["attempts"] == 0
    assert "state of the problem was deleted" in act(action="delete")
    with app.app_context():
        assert score_of(learner.user.id, course["capital"]) is None
    assert "not a problem of this course" in act(action="reset", problem="block-v1:X+Y+Z+type@problem+block@no")


def test_due_dates_through_the_page(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    staff = client_as("staff")

    def due(**form):
        return staff.post(f"{PAGE}/due_date", data={"learner": learner.user.username, "url": course["late"], **form},
                          follow_redirects=True).get_data(as_text=True)

    assert "Successfully changed due date" in due(action="change", due_datetime="2098-03-04T05:06", reason="trip")
    assert check(learner, course["late_problem"], "Madrid").get_json()["success"] == "correct"
    page = staff.get(PAGE, query_string={"learner": learner.user.username, "unit": course["late"]})
    text = page.get_data(as_text=True)
    assert text.count("2098-03-04 05:06") == 2  # the learner's extensions and the subsection's list
    assert "Date must be in MM/DD/YYYY HH:MM format" in due(action="change", due_datetime="soon")
    assert "Successfully reset due date" in due(action="reset")
    assert "No due date extension is set" in due(action="reset")


def test_a_ta_sees_but_does_not_act(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    ta = client_as("ta")
    page = ta.get(PAGE, query_string={"learner": learner.user.username})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"Progress of {learner.user.username}" in text and "Reset attempts" not in text
    assert ta.post(f"{PAGE}/problem", data={"learner": learner.user.username, "problem": course["capital"],
                                            "action": "reset"}).status_code == 403
    assert ta.post(f"{PAGE}/due_date",
                   data={"learner": learner.user.username, "url": course["late"]}).status_code == 403
    staff_page = client_as("staff").get(PAGE).get_data(as_text=True)
    assert "Rescore for all learners" not in staff_page  # every learner at once: instructors
    assert "Rescore for all learners" in client_as("instructor").get(PAGE).get_data(as_text=True)
    assert client_as("learner").get(PAGE).status_code == 403


def test_rescore_for_everyone_from_the_page_opens_the_task(app, client_as, course):
    learner = enrolled_learner(app, client_as)
    check(learner, course["capital"], "Lyon")
    publish(app, answer="Lyon")
    instructor = client_as("instructor")
    started = instructor.post(f"{PAGE}/all", data={"problem": course["capital"], "action": "rescore"})
    assert started.status_code == 302 and "/tasks/" in started.headers["Location"]
    task_page = instructor.get(started.headers["Location"])
    assert task_page.status_code == 200
    with app.app_context():
        assert score_of(learner.user.id, course["capital"]).earned == 1.0
    refused = instructor.post(f"{PAGE}/all", data={"problem": "nonsense", "action": "rescore"},
                              follow_redirects=True)
    assert "is not a problem of this course" in refused.get_data(as_text=True)
    assert client_as("staff").post(f"{PAGE}/all", data={"problem": course["capital"]}).status_code == 403
