"""Studio's Files & uploads page: list, search, filter, sort, pages; upload (limits and type checks),
lock, delete, conflicts, permissions."""

from __future__ import annotations

import io
import re

import pytest
from kampus_content.testing.xblocks import publish_course

from kampus.testing import client_as

from .conftest import COURSE, PAGE, draft_files, draft_version


def upload(client, *files, locked=False, expect=303):
    data = {"file": [(io.BytesIO(body), name) for name, body in files]}
    if locked:
        data["locked"] = "1"
    response = client.post(PAGE + "upload", data=data, content_type="multipart/form-data")
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response


def test_menu_entry_and_empty_page(author):
    page = author.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Files &amp; uploads" in html
    assert f'href="/studio/course/{COURSE}/files/"' in html
    assert "This course has no files yet." in html


def test_upload_one_and_many_then_list_them(app, author):
    response = upload(author, ("handout.pdf", b"%PDF-1.4 handout"))
    assert response.headers["Location"].endswith(PAGE)
    upload(author, ("photo one.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2000), ("notes.txt", b"some notes"))
    assert draft_files(app) == {"handout.pdf": False, "photo one.png": False, "notes.txt": False}
    html = author.get(PAGE).get_data(as_text=True)
    assert "Uploaded: photo one.png, notes.txt." in html
    # the /static/ URL authors paste, Open edX's Studio URL, type, size
    assert 'value="/static/photo_one.png"' in html
    assert f'value="/asset-v1:{COURSE.split(":", 1)[1]}+type@asset+block@photo_one.png"' in html
    assert "application/pdf" in html
    assert "2.0 KB" in html
    # the author's link serves the draft's file
    link = re.search(r'href="(/assets/[^"]+notes.txt\?branch=draft)"', html).group(1)
    assert author.get(link).data == b"some notes"


def test_search_filter_sort_and_pages(app, author, make_app):
    upload(author, ("b-image.png", b"\x89PNG" + b"1" * 5000), ("a-doc.pdf", b"%PDF a"), ("c-doc.pdf", b"%PDF cc"),
           ("styles.css", b"body{}"))
    def names(query):
        html = author.get(PAGE, query_string=query).get_data(as_text=True)
        return re.findall(r'data-file-name="([^"]+)"', html)
    assert sorted(names({"q": "DOC"})) == ["a-doc.pdf", "c-doc.pdf"]
    assert names({"type": "Images"}) == ["b-image.png"]
    assert names({"type": "Code"}) == ["styles.css"]
    assert names({"sort": "display_name", "direction": "asc"}) == ["a-doc.pdf", "b-image.png", "c-doc.pdf",
                                                                   "styles.css"]
    assert names({"sort": "size", "direction": "desc"})[0] == "b-image.png"
    assert "No files match." in author.get(PAGE, query_string={"q": "zzz"}).get_data(as_text=True)


def test_pages_of_files(app, client_as, course):
    app.extensions["kampus"].settings.studio_files_page_size = 2
    author = client_as("staff", course_id=COURSE)
    upload(author, *[(f"f{index}.txt", str(index).encode()) for index in range(5)])
    first = author.get(PAGE, query_string={"sort": "display_name", "direction": "asc"}).get_data(as_text=True)
    assert re.findall(r'data-file-name="([^"]+)"', first) == ["f0.txt", "f1.txt"]
    assert 'aria-label="Pages of files"' in first
    third = author.get(PAGE, query_string={"sort": "display_name", "direction": "asc", "page": 3})
    assert re.findall(r'data-file-name="([^"]+)"', third.get_data(as_text=True)) == ["f4.txt"]


def test_upload_over_the_size_limit_stores_nothing(app, author):
    version = draft_version(app)
    response = upload(author, ("small.txt", b"fine"), ("big.mp4", b"0" * (1024 * 1024 + 1)), expect=413)
    assert "File big.mp4 exceeds maximum size of 1 MB." in response.get_data(as_text=True)
    assert draft_files(app) == {}
    assert draft_version(app) == version


def test_request_over_the_request_limit_is_413_with_a_message(make_app):
    app = make_app(plugins=["content", "problems", "studio"],
                   settings={"studio_max_upload_mb": 1, "studio_upload_max_request_bytes": 10_000})
    publish_course(app, COURSE, {"unit1": []})
    author = client_as(app, "staff", course_id=COURSE)
    response = upload(author, ("big.bin.txt", b"0" * 20_000), expect=413)
    assert "The upload is too large: each file may be at most 1 MB." in response.get_data(as_text=True)
    assert draft_files(app) == {}


@pytest.mark.parametrize(("name", "body", "message"), [
    ("setup.exe", b"MZ\x90\x00", "files of type .exe"),
    ("install.sh", b"echo hi", "files of type .sh"),
    ("holiday.png", b"MZ\x90\x00\x03 a Windows program in disguise", "it is a program"),
    ("tool.pdf", b"\x7fELF\x02\x01", "it is a program"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG images"),
    ("logo2.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "SVG images"),
])
def test_dangerous_types_are_refused_and_nothing_is_stored(app, author, name, body, message):
    version = draft_version(app)
    response = upload(author, ("ok.txt", b"fine"), (name, body), expect=400)
    assert message in response.get_data(as_text=True)
    assert draft_files(app) == {}
    assert draft_version(app) == version


def test_safe_svg_and_html_are_accepted_and_served_safely(app, author):
    upload(author, ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'),
           ("page.html", b"<p>JS Input page</p><script>parent.postMessage('x', '*')</script>"))
    served = author.get(f"/assets/{COURSE}/page.html?branch=draft")
    assert served.status_code == 200
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Disposition"].startswith("attachment")  # opened directly: not run as a page
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert author.get(f"/assets/{COURSE}/logo.svg?branch=draft").mimetype == "image/svg+xml"


def test_lock_unlock_and_delete(app, author):
    upload(author, ("answers.pdf", b"%PDF answers"))
    page = author.get(PAGE).get_data(as_text=True)
    version = re.search(r'name="expected_version" value="([^"]+)"', page).group(1)
    locked = author.post(PAGE + "answers.pdf/lock", data={"locked": "1", "expected_version": version})
    assert locked.status_code == 303
    assert draft_files(app) == {"answers.pdf": True}
    page = author.get(PAGE).get_data(as_text=True)
    assert "only learners enrolled in the course and its staff" in page
    assert ">Locked<" in page
    version = re.search(r'name="expected_version" value="([^"]+)"', page).group(1)
    assert author.post(PAGE + "answers.pdf/lock", data={"locked": "0", "expected_version": version}).status_code == 303
    assert draft_files(app) == {"answers.pdf": False}
    # deleting asks first
    confirm = author.get(PAGE + "answers.pdf/delete")
    assert confirm.status_code == 200
    assert "Delete answers.pdf from this course?" in confirm.get_data(as_text=True)
    assert draft_files(app) == {"answers.pdf": False}
    assert author.post(PAGE + "answers.pdf/delete", data={}).status_code == 303
    assert draft_files(app) == {}
    assert "answers.pdf was deleted." in author.get(PAGE).get_data(as_text=True)


def test_missing_files_are_404(author):
    assert author.post(PAGE + "nope.pdf/lock", data={"locked": "1"}).status_code == 404
    assert author.get(PAGE + "nope.pdf/delete").status_code == 404
    assert author.post(PAGE + "nope.pdf/delete", data={}).status_code == 404
    assert author.get("/studio/course/course-v1:No+Such+Course/files/").status_code in (403, 404)
    assert author.get("/studio/course/not-a-course/files/").status_code == 404


def test_stale_page_gets_a_conflict_and_changes_nothing(app, author, client_as):
    upload(author, ("a.pdf", b"%PDF a"))
    page = author.get(PAGE).get_data(as_text=True)
    stale = re.search(r'name="expected_version" value="([^"]+)"', page).group(1)
    upload(client_as("instructor", course_id=COURSE), ("b.pdf", b"%PDF b"))  # another author, meanwhile
    response = author.post(PAGE + "a.pdf/lock", data={"locked": "1", "expected_version": stale})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "This course changed since you loaded this page" in text
    assert "Reload the page" in text
    assert draft_files(app) == {"a.pdf": False, "b.pdf": False}
    assert author.post(PAGE + "a.pdf/delete", data={"expected_version": stale}).status_code == 409
    assert "a.pdf" in draft_files(app)


def test_only_course_authors(client_as, client, course):
    assert client_as("learner", course_id=COURSE).get(PAGE).status_code == 403
    assert client_as("ta", course_id=COURSE).get(PAGE).status_code == 403
    learner = client_as("learner", course_id=COURSE)
    assert learner.post(PAGE + "upload", data={"file": (io.BytesIO(b"x"), "x.txt")},
                        content_type="multipart/form-data").status_code == 403
    assert client.get(PAGE).status_code in (302, 401)
    assert client_as("instructor", course_id=COURSE).get(PAGE).status_code == 200
    assert client_as("global_staff").get(PAGE).status_code == 200
