"""The public certificate page, its PDF and signature images, and the course staff's settings page."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from kampus_content.api import content_store, get_structure, update_fields
from kampus_lms.api import certificate_config, certificate_status, invalidate_certificate, update_certificate
from PIL import Image
from pypdf import PdfReader

from kampus.testing import client_as

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")

NAME = "Zoë Ångström-Łukasiewicz"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), (20, 40, 120)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def course(app, certs) -> str:
    """A course with a signature image among its files."""
    with app.app_context():
        key = "tests/signature.png"
        app.extensions["kampus"].blob_store.put(key, png_bytes(), content_type="image/png")
    return certs.publish(root_meta={"files": {"static/signature.png": key}})


@pytest.fixture
def issued(app, certs, course):
    learner = certs.enrolled("honor", name=NAME)
    with app.app_context():
        info = update_certificate(learner.id, course, certs.PASS)
    assert info.status == "downloadable"
    return info


def test_the_certificate_page_is_public_and_says_everything(client, issued) -> None:
    response = client.get(f"/certificates/{issued.verify_uuid}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in (NAME, "Certified Course", "KampusX Academy", "Cert101", "Ada Lovelace", "Course lead",
                 "Certificate of Achievement", f"http://localhost/certificates/{issued.verify_uuid}",
                 f'href="/certificates/{issued.verify_uuid}.pdf?download=1"', "Download PDF", "Share on LinkedIn",
                 f"/certificates/{issued.verify_uuid}/signatures/1", "<main", 'lang="en"'):
        assert text in page, text
    assert f'datetime="{issued.issued_at.isoformat()}' in page or "<time" in page


def test_the_linkedin_link_has_open_edx_parameters(client, issued) -> None:
    page = client.get(f"/certificates/{issued.verify_uuid}").get_data(as_text=True)
    start = page.index("https://www.linkedin.com/profile/add?")
    url = page[start:page.index('"', start)].replace("&amp;", "&")
    params = parse_qs(urlsplit(url).query)
    assert params["startTask"] == ["CERTIFICATION_NAME"]
    assert params["name"] == ["Certified Course"]
    assert params["organizationName"] == ["KampusX Academy"]
    assert params["certId"] == [issued.verify_uuid]
    assert params["certUrl"] == [f"http://localhost/certificates/{issued.verify_uuid}"]
    assert params["issueYear"] == [str(issued.issued_at.year)]
    assert params["issueMonth"] == [str(issued.issued_at.month)]


def test_the_stylesheet_prints_landscape(client) -> None:
    css = client.get("/static/lms/certificates/certificate.css").get_data(as_text=True)
    assert "@media print" in css and "A4 landscape" in css


def test_no_page_for_unknown_failing_invalidated_or_deconfigured_certificates(app, certs, client, course,
                                                                              issued) -> None:
    assert client.get("/certificates/0123456789abcdef0123456789abcdef").status_code == 404
    assert client.get("/certificates/x" * 3).status_code == 404
    failing = certs.enrolled("honor")
    with app.app_context():
        info = update_certificate(failing.id, course, certs.FAIL)
    assert client.get(f"/certificates/{info.verify_uuid}").status_code == 404
    assert client.get(f"/certificates/{info.verify_uuid}.pdf").status_code == 404
    with app.app_context():
        invalidate_certificate(issued.user_id, course, invalidated_by=None, notes="test")
    assert client.get(f"/certificates/{issued.verify_uuid}").status_code == 404
    assert client.get(f"/certificates/{issued.verify_uuid}.pdf").status_code == 404


def test_deactivating_the_configuration_hides_certificates(app, certs, client, course, issued) -> None:
    entry = {**certs.CERTIFICATES["certificates"][0], "is_active": False}
    with app.app_context():
        root = get_structure(course, "draft").root
        update_fields(course, root, {"certificates": {"certificates": [entry]}}, user_id=None)
        content_store().publish(course, user_id=None)
    assert client.get(f"/certificates/{issued.verify_uuid}").status_code == 404


def test_the_pdf_holds_the_certificate_in_a4_landscape(app, client, issued) -> None:
    response = client.get(f"/certificates/{issued.verify_uuid}.pdf?download=1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="certificate-Cert101-Zoe-Angstrom-ukasiewicz.pdf"')
    reader = PdfReader(io.BytesIO(response.data))
    [page] = reader.pages
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = page.extract_text()
    for expected in (NAME, "Certified Course", "Certificate of Achievement", "Ada Lovelace", "KampusX Academy",
                     issued.verify_uuid):
        assert expected in text, expected
    assert page.images, "the signature image is drawn"
    inline = client.get(f"/certificates/{issued.verify_uuid}.pdf")
    assert inline.headers["Content-Disposition"].startswith("inline;")


def test_the_pdf_is_made_once_per_version_of_the_certificate(app, certs, client, course, issued) -> None:
    blobs = app.extensions["kampus"].blob_store
    first = client.get(f"/certificates/{issued.verify_uuid}.pdf").data
    second = client.get(f"/certificates/{issued.verify_uuid}.pdf").data
    assert first == second
    assert len(list(blobs.list(f"lms-certificates/{issued.verify_uuid}/"))) == 1
    with app.app_context():
        update_certificate(issued.user_id, course, certs.Grade(0.95, True, "Pass"))  # modified: a new PDF
    client.get(f"/certificates/{issued.verify_uuid}.pdf")
    assert len(list(blobs.list(f"lms-certificates/{issued.verify_uuid}/"))) == 2


def test_signature_images(client, issued) -> None:
    response = client.get(f"/certificates/{issued.verify_uuid}/signatures/1")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert client.get(f"/certificates/{issued.verify_uuid}/signatures/2").status_code == 404
    assert client.get(f"/certificates/{issued.verify_uuid}/signatures/0").status_code == 404


def test_the_settings_page_is_for_course_staff(app, course) -> None:
    url = f"/courses/{course}/certificates/settings"
    assert app.test_client().get(url).status_code in (302, 401)
    assert client_as(app, "learner", course_id=course).get(url).status_code == 403
    staff = client_as(app, "staff", course_id=course)
    page = staff.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Ada Lovelace"' in html and 'name="signatory-3-name"' in html
    assert client_as(app, "global_staff").get("/courses/course-v1:No+Such+Course/certificates/settings"
                                              ).status_code == 404


def test_staff_save_the_configuration_into_the_course(app, course) -> None:
    staff = client_as(app, "instructor", course_id=course)
    url = f"/courses/{course}/certificates/settings"
    form = {"name": "Verified certificate", "course_title": "Certified Course, Revised", "description": "",
            "is_active": "on", "signatory-0-name": "Grace Hopper", "signatory-0-title": "Rear Admiral",
            "signatory-0-organization": "US Navy", "signatory-1-name": "  ", "signatory-1-title": ""}
    response = staff.post(url, data=form)
    assert response.status_code == 302
    with app.app_context():
        config = certificate_config(course)
        assert config.title == "Certified Course, Revised" and config.name == "Verified certificate"
        assert [(s.name, s.title, s.organization) for s in config.signatories] == [
            ("Grace Hopper", "Rear Admiral", "US Navy")]
        stored = get_structure(course).blocks[get_structure(course).root].fields["certificates"]
        assert stored["certificates"][0]["signatories"][0]["id"] == 1
    assert "saved and published" in staff.get(url).get_data(as_text=True)


def test_bad_settings_are_refused_with_a_message(app, course) -> None:
    staff = client_as(app, "staff", course_id=course)
    url = f"/courses/{course}/certificates/settings"
    response = staff.post(url, data={"name": "x", "is_active": "on", "signatory-0-title": "No name"})
    assert response.status_code == 400
    assert "needs a name" in response.get_data(as_text=True)
    response = staff.post(url, data={"name": "x", "is_active": "on"})
    assert response.status_code == 400 and "at least one signatory" in response.get_data(as_text=True)
    response = staff.post(url, data={"name": "x" * 300, "signatory-0-name": "A"})
    assert response.status_code == 400
    with app.app_context():
        assert certificate_config(course).name == "Honor certificate"  # nothing written


def test_settings_wait_in_the_draft_when_it_has_other_changes(app, course) -> None:
    with app.app_context():
        root = get_structure(course, "draft").root
        update_fields(course, root, {"display_name": "Renamed in Studio"}, user_id=None)
    staff = client_as(app, "staff", course_id=course)
    url = f"/courses/{course}/certificates/settings"
    staff.post(url, data={"name": "Later", "is_active": "on", "signatory-0-name": "B"})
    with app.app_context():
        assert certificate_config(course).name == "Honor certificate"  # the published course is unchanged
        draft = get_structure(course, "draft")
        assert draft.blocks[draft.root].fields["certificates"]["certificates"][0]["name"] == "Later"
    assert "once the course is" in staff.get(url).get_data(as_text=True)


def test_the_status_links_to_the_pages(app, client, issued) -> None:
    with app.app_context():
        info = certificate_status(issued.user_id, issued.course_id)
    assert client.get(info.download_url).status_code == 200
    assert client.get(info.pdf_url).status_code == 200
