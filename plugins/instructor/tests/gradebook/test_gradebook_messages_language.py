"""The gradebook's error messages are translated, with named placeholders, in the user's language.

Kampus ships no French catalogue of these strings, so the test writes one with Babel into a folder it adds
to the site's translation directories (as ``test_membership_mail_language``)."""

from __future__ import annotations

from kampus.identity.preferences import LANGUAGE, set_preference
from kampus.testing import add_translations

from .conftest import COURSE

PAGE = f"/courses/{COURSE}/instructor/gradebook"
FRENCH = {
    "%(name)s must be a number (a percentage), not '%(value)s'.":
        "%(name)s doit être un nombre (un pourcentage), pas « %(value)s ».",
    "%(subsection)s is not a graded subsection of the course.":
        "%(subsection)s n'est pas une sous-section notée du cours.",
    "Choose a graded subsection of the course.": "Choisissez une sous-section notée du cours.",
    "This learner's grade in this subsection is not overridden.":
        "La note de cet apprenant dans cette sous-section n'est pas remplacée.",
}


def test_gradebook_errors_are_in_the_users_language(app, client_as, course, tmp_path):
    add_translations(app, tmp_path / "translations", "fr", FRENCH)
    staff = client_as("staff")
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        set_preference(staff.user.id, LANGUAGE, "fr", db_session=session)
    bad = staff.get(PAGE, query_string={"course_grade_min": "lots"}).get_data(as_text=True)
    assert "course_grade_min doit être un nombre (un pourcentage), pas « lots »." in bad
    ungraded = staff.get(PAGE, query_string={"assignment": course["practice"], "assignment_grade_min": "1"})
    assert f"{course['practice']} n&#39;est pas une sous-section notée du cours." in ungraded.get_data(as_text=True)

    def removal(usage_id: str) -> str:
        return staff.post(f"{PAGE}/override/remove", data={"override": f"{staff.user.id}:{usage_id}"},
                          follow_redirects=True).get_data(as_text=True)

    assert "La note de cet apprenant dans cette sous-section n&#39;est pas remplacée." in removal(course["late"])
    assert "Choisissez une sous-section notée du cours." in removal(course["practice"])
