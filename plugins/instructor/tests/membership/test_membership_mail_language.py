"""Enrollment and beta-test messages are written in the recipient's language (their ``pref-lang``), as Open
edX's ``send_mail_to_student`` does, not in the language of the instructor whose request sent them.

Kampus ships no French catalogue of these strings, so the test gives the site one (two strings of the
"enrolled" message, ``kampus.testing.add_translations``)."""

from __future__ import annotations

from kampus.identity.preferences import LANGUAGE, set_preference
from kampus.testing import add_translations, make_user

from .test_membership_api import api

FRENCH = {
    "You have been enrolled in %(course)s": "Vous êtes inscrit à %(course)s",
    "Dear %(name)s,": "Bonjour %(name)s,",
}


def test_an_enrollment_mail_takes_the_learners_language_not_the_instructors(app, course, client_as, mailbox,
                                                                             tmp_path):
    add_translations(app, tmp_path / "translations", "fr", FRENCH)
    instructor = client_as("instructor", course)
    french = make_user(app, "user", username="amelie")
    make_user(app, "user", username="plain_learner")
    with app.app_context(), app.extensions["kampus"].db.session_scope() as session:
        set_preference(french.id, LANGUAGE, "fr", db_session=session)
    response = instructor.post(api(course, "students_update_enrollment"), headers={"Accept-Language": "en"}, data={
        "action": "enroll", "identifiers": "amelie,plain_learner", "email_students": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)
    by_recipient = {message["To"]: message for message in mailbox}
    french_mail, plain_mail = by_recipient["amelie@example.com"], by_recipient["plain_learner@example.com"]
    assert french_mail["Subject"] == "Vous êtes inscrit à Team course"
    assert french_mail.get_content().startswith(f"Bonjour {french.display_name},")
    assert plain_mail["Subject"] == "You have been enrolled in Team course"  # no preference: the site's
    assert plain_mail.get_content().startswith("Dear ")
