"""Open edX's asset names: a course's ``Brain green.png`` is found as ``Brain_green.png``, as on Open edX."""

from __future__ import annotations

from pathlib import Path

import pytest
from kampus_content.api import content_store, find_asset, get_structure
from kampus_content.asset_index import asset_name
from kampus_content.olx.service import export_files, import_folder
from opaque_keys.edx.keys import CourseKey

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.mark.parametrize(("path", "name"), [
    ("Brain green.png", "Brain_green.png"),
    ("images/Brain green.png", "images_Brain_green.png"),
    ("a+b (1).pdf", "a_b__1_.pdf"),
    ("plain-name_1.2.txt", "plain-name_1.2.txt"),
])
def test_asset_name_is_open_edx_s(path: str, name: str) -> None:
    assert asset_name(path) == name
    # The name makes a valid asset key, as Open edX's StaticContent.compute_location does.
    assert CourseKey.from_string("course-v1:K+C+R").make_asset_key("asset", name).block_id == name


def test_an_imported_image_with_a_space_loads_under_its_asset_name(make_app, tmp_path: Path) -> None:
    app = make_app(plugins=["content"])
    course = tmp_path / "course"
    files = {
        "course.xml": '<course url_name="r" org="K" course="Brains"/>',
        "course/r.xml": '<course display_name="Brains" start="2020-01-01T00:00:00Z"><chapter url_name="c"/></course>',
        "chapter/c.xml": '<chapter display_name="C"><html url_name="h"/></chapter>',
        "html/h.xml": '<html filename="h"/>',
        "html/h.html": '<p><img src="/static/Brain_green.png"/><img src="/static/images/Brain_blue.png"/></p>',
    }
    for relative, text in files.items():
        (course / relative).parent.mkdir(parents=True, exist_ok=True)
        (course / relative).write_text(text)
    (course / "static" / "images").mkdir(parents=True)
    (course / "static" / "Brain green.png").write_bytes(PNG)
    (course / "static" / "images" / "Brain blue.png").write_bytes(PNG + b"blue")
    with app.app_context():
        key = import_folder(course, content_store(), user_id=None).course_key
        asset = find_asset(get_structure(key), "Brain_green.png")
        assert asset is not None and asset.path == "Brain green.png"
    client = app.test_client()
    for url, data in ((f"/assets/{key}/Brain_green.png", PNG), (f"/assets/{key}/images/Brain_blue.png", PNG + b"blue"),
                      (f"/assets/{key}/images_Brain_blue.png", PNG + b"blue"), (f"/assets/{key}/Brain green.png", PNG)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.data == data and response.mimetype == "image/png"
    assert client.get(f"/assets/{key}/Brain_red.png").status_code == 404


def test_the_export_keeps_the_file_name_as_imported(make_app, tmp_path: Path) -> None:
    app = make_app(plugins=["content"])
    course = tmp_path / "course"
    (course / "course").mkdir(parents=True)
    (course / "static").mkdir()
    (course / "course.xml").write_text('<course url_name="r" org="K" course="Keep"/>')
    (course / "course" / "r.xml").write_text('<course display_name="Keep"/>')
    (course / "static" / "Brain green.png").write_bytes(PNG)
    with app.app_context():
        key = import_folder(course, content_store(), user_id=None).course_key
        _run, exported = export_files(key, content_store())
    assert exported["static/Brain green.png"] == PNG
