"""The account page's profile picture in Chromium: upload one, see it, remove it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from kampus.testing import make_user
from kampus.testing.browser import chromium_browser, log_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def kampus_settings() -> dict[str, str]:
    """Links to the served site itself (the harness's base_url names a host the browser cannot reach)."""
    return {"base_url": ""}


def test_upload_and_remove_a_picture_on_the_account_page(app, served, tmp_path: Path) -> None:
    user = make_user(app)
    picture = tmp_path / "portrait.png"
    image = Image.new("RGB", (640, 480), (240, 240, 240))
    image.paste((30, 110, 200), (80, 0, 560, 480))  # the centred square is blue, the sides grey
    image.save(picture)
    errors: list[str] = []
    with chromium_browser() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        log_in(page, served, user.username)
        page.goto(served + "/account")
        shown = page.locator("#profile-image")
        assert "/static/kampus/images/profiles/default_120.png" in shown.get_attribute("src")
        assert page.locator("#remove-profile-image").count() == 0
        page.set_input_files("#profile-image-file", str(picture))
        with page.expect_navigation():
            page.get_by_role("button", name="Upload the picture").click()
        page.wait_for_load_state()
        assert "Your profile picture is changed." in page.locator(".alert").inner_text()
        assert "/media/profile-images/" in shown.get_attribute("src")
        page.wait_for_function("document.getElementById('profile-image').naturalWidth === 120")
        page.locator("#picture-heading").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "account-picture.png"), full_page=False)
        # the picture shown is the blue square the upload was cropped to, edge to edge
        png = Image.open(io.BytesIO(page.locator("#profile-image").screenshot())).convert("RGB")
        for point in ((60, 60), (12, 60), (108, 60)):
            red, _green, blue = png.getpixel(point)
            assert abs(red - 30) < 40 and abs(blue - 200) < 40, (point, red, blue)
        # a file that is not an image: the page says why
        bad = tmp_path / "notes.png"
        bad.write_bytes(b"not a picture " * 20)
        page.set_input_files("#profile-image-file", str(bad))
        with page.expect_navigation():
            page.get_by_role("button", name="Upload the picture").click()
        assert "The file must be one of the following types" in page.locator(".invalid-feedback").inner_text()
        with page.expect_navigation():
            page.locator("#remove-profile-image").click()
        assert "/static/kampus/images/profiles/default_120.png" in shown.get_attribute("src")
    # the refused upload's page answers 400, as it should; nothing else fails
    assert [error for error in errors if "status of 400" not in error] == []
