"""A course e-mail's wrapper (the footer and its unsubscribe line) is written in the course's language, as Open
edX's course e-mail is, whatever the language of the staff member who sends it; a course whose language the
site has no catalogue of gets the site's default language.

Kampus ships no French catalogue of these strings, so the test gives the site one
(``kampus.testing.add_translations``)."""

from __future__ import annotations

import pytest
from kampus_content.testing.xblocks import publish_course

from kampus.drivers.mailer import message_html, message_text
from kampus.rendering.dates import locale_for_language
from kampus.testing import add_translations

from .conftest import enroll_many

FRENCH = {
    "You received this e-mail because you take part in %(course)s on %(site)s.":
        "Vous recevez ce message parce que vous suivez %(course)s sur %(site)s.",
    "Unsubscribe from this course's e-mail": "Ne plus recevoir les messages de ce cours",
    "Unsubscribe from this course's e-mail:": "Ne plus recevoir les messages de ce cours :",
}
FRENCH_COURSE = "course-v1:KampusX+Courriel+2026"


@pytest.mark.parametrize(("language", "french"), [("fr", True), ("fr-ca", True), ("de", False)])
def test_the_wrapper_is_in_the_course_language_not_the_senders(app, client_as, mailbox, tmp_path, language, french):
    add_translations(app, tmp_path / "translations", "fr", FRENCH)
    publish_course(app, FRENCH_COURSE, {"unit1": []},
                   course_fields={"display_name": "Cours de courriel", "language": language})
    staff = client_as("staff", FRENCH_COURSE)
    enroll_many(app, 1, course_id=FRENCH_COURSE)
    response = staff.post(f"/courses/{FRENCH_COURSE}/instructor/api/send_email", headers={"Accept-Language": "en"},
                          json={"send_to": ["learners"], "subject": "Semaine 2", "message": "<p>Bonjour</p>"})
    assert response.status_code == 200, response.get_data(as_text=True)
    (sent,) = mailbox
    html, text = message_html(sent), message_text(sent)
    if french:
        assert "Vous recevez ce message parce que vous suivez Cours de courriel" in text
        assert "Ne plus recevoir les messages de ce cours" in html and '<html lang="fr">' in html
        assert "You received this e-mail" not in text
    else:  # no German catalogue: the site's default language
        assert "You received this e-mail because you take part in Cours de courriel" in text
        assert '<html lang="en">' in html


def test_a_course_language_maps_to_a_locale_the_site_has(app, tmp_path):
    add_translations(app, tmp_path / "translations", "fr", FRENCH)
    add_translations(app, tmp_path / "translations", "pt_BR", {})
    add_translations(app, tmp_path / "translations", "zh_Hans", {})
    with app.app_context():
        codes = ("fr", "FR", "fr-ca", "pt-br", "pt_BR", "pt", "zh-hans", "zh-Hans-CN", "zh", "de", "", None)
        assert [locale_for_language(code) for code in codes] == [
            "fr", "fr", "fr", "pt_BR", "pt_BR", "en", "zh_Hans", "zh_Hans", "en", "en", "en", "en"]
