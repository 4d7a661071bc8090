"""Profile images as Open edX has them: ``POST``/``DELETE /api/user/v1/accounts/<username>/image``
(``ProfileImageView``), the account API's ``profile_image`` object, the files at ``/media/profile-images/``
and the account page's upload."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from kampus.identity import profile_images
from kampus.identity.profiles import UserProfile
from kampus.testing import login, make_user

from .test_user_api_accounts import token_for

IMAGE_URL = re.compile(r"^http://localhost/media/profile-images/([0-9a-f]{32})_(\d+)\.jpg\?v=(\d+)$")
DEFAULTS = {"full": 500, "large": 120, "medium": 50, "small": 30}
TYPES_MESSAGE = "The file must be one of the following types: .jpeg, .jpg, .png, .gif."


def image_bytes(size: tuple[int, int] = (800, 600), fmt: str = "PNG", color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def striped(size: tuple[int, int], stripes: list[tuple[int, tuple[int, int, int]]], fmt: str = "PNG",
            **save) -> bytes:
    """An image of vertical stripes: ``(right edge x, colour)`` from the left."""
    image = Image.new("RGB", size)
    left = 0
    for right, color in stripes:
        image.paste(color, (left, 0, right, size[1]))
        left = right
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def upload(client, username: str, data: bytes, filename: str = "me.png", content_type: str = "image/png",
           headers=None):
    return client.post(f"/api/user/v1/accounts/{username}/image", headers=headers or {},
                       data={"file": (io.BytesIO(data), filename, content_type)}, content_type="multipart/form-data")


def account(client, username: str, headers) -> dict:
    response = client.get(f"/api/user/v1/accounts/{username}", headers=headers)
    assert response.status_code == 200, response.text
    return response.get_json()


def stored_keys(app) -> list[str]:
    return list(app.extensions["kampus"].blob_store.list(profile_images.BLOB_PREFIX + "/"))


def fetch(client, url: str):
    return client.get(url.removeprefix("http://localhost"))


def near(pixel, color, slack: int = 40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, color, strict=True))


def test_without_an_image_the_account_has_open_edx_default_urls(app) -> None:
    user = make_user(app)
    client = app.test_client()
    image = account(client, user.username, token_for(app, user))["profile_image"]
    assert image == {"has_image": False, **{
        f"image_url_{label}": f"http://localhost/static/kampus/images/profiles/default_{size}.png"
        for label, size in DEFAULTS.items()}}
    for label, size in DEFAULTS.items():
        response = fetch(client, image[f"image_url_{label}"])
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert Image.open(io.BytesIO(response.data)).size == (size, size)


def test_upload_crops_scales_and_serves_every_size(app) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    # 800 x 400: Open edX keeps the centred square (x 200..600), here all green.
    data = striped((800, 400), [(200, (255, 0, 0)), (600, (0, 160, 0)), (800, (0, 0, 255))])
    response = upload(client, user.username, data, headers=headers)
    assert response.status_code == 204 and response.data == b""
    image = account(client, user.username, headers)["profile_image"]
    assert set(image) == {"has_image", "image_url_full", "image_url_large", "image_url_medium", "image_url_small"}
    assert image["has_image"] is True
    names, versions = set(), set()
    for label, size in DEFAULTS.items():
        match = IMAGE_URL.match(image[f"image_url_{label}"])
        assert match, image[f"image_url_{label}"]
        assert int(match.group(2)) == size
        names.add(match.group(1))
        versions.add(match.group(3))
        served = fetch(client, image[f"image_url_{label}"])
        assert served.status_code == 200 and served.mimetype == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "public" in served.headers["Cache-Control"] and "max-age=604800" in served.headers["Cache-Control"]
        picture = Image.open(io.BytesIO(served.data))
        assert picture.format == "JPEG" and picture.size == (size, size)
        for point in ((0, 0), (size // 2, size // 2), (size - 1, size - 1)):
            assert near(picture.convert("RGB").getpixel(point), (0, 160, 0)), (size, point)
        again = client.get(image[f"image_url_{label}"].removeprefix("http://localhost"),
                           headers={"If-None-Match": served.headers["ETag"]})
        assert again.status_code == 304
    assert len(names) == 1 and len(versions) == 1  # one name, one version for every size
    with app.extensions["kampus"].db.session_scope() as session:
        profile = session.get(UserProfile, user.id)
        assert versions == {str(int(profile.profile_image_uploaded_at.timestamp()))}
    name = names.pop()
    assert sorted(stored_keys(app)) == sorted(f"profile-images/{name}_{size}.jpg" for size in DEFAULTS.values())
    # profile_image is public: another user, even of a private account, sees it.
    other = account(app.test_client(), user.username, token_for(app, make_user(app)))
    assert set(other) == {"username", "account_privacy", "profile_image"} and other["profile_image"] == image


def test_exif_is_applied_then_dropped(app) -> None:
    """The orientation turns the picture upright; nothing of the EXIF (camera, GPS) is kept."""
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, shown turned 90° clockwise: the left (red) half on top
    exif[0x010F] = "SecretCam"
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPS latitude
    data = striped((400, 200), [(200, (255, 0, 0)), (400, (0, 0, 255))], fmt="JPEG", exif=exif, quality=95)
    assert upload(client, user.username, data, "photo.jpg", "image/jpeg", headers).status_code == 204
    full = account(client, user.username, headers)["profile_image"]["image_url_full"]
    served = fetch(client, full).data
    picture = Image.open(io.BytesIO(served))
    assert "exif" not in picture.info and not picture.getexif() and b"SecretCam" not in served
    rgb = picture.convert("RGB")
    assert near(rgb.getpixel((250, 60)), (255, 0, 0)) and near(rgb.getpixel((250, 440)), (0, 0, 255))


def test_transparent_and_animated_images_are_flattened(app) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    clear = io.BytesIO()
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(clear, format="PNG")
    assert upload(client, user.username, clear.getvalue() + b"\0" * 100, headers=headers).status_code == 204
    picture = Image.open(io.BytesIO(fetch(client, account(client, user.username, headers)["profile_image"][
        "image_url_small"]).data)).convert("RGB")
    assert near(picture.getpixel((15, 15)), (255, 255, 255), 8)  # on white, not black
    frames = [Image.new("P", (200, 200), index) for index in (1, 2)]
    animated = io.BytesIO()
    frames[0].save(animated, format="GIF", save_all=True, append_images=frames[1:])
    assert upload(client, user.username, animated.getvalue() + b"\0" * 200, "anim.gif", "image/gif",
                  headers).status_code == 204


@pytest.mark.parametrize(("data", "filename", "content_type", "message"), [
    (b"\x89PNG" + b"x" * (1024 * 1024), "big.png", "image/png", "The file must be smaller than 1 MB in size."),
    (image_bytes((1, 1), "GIF")[:60], "tiny.gif", "image/gif", "The file must be at least 100 bytes in size."),
    (b"<html><script>alert(1)</script></html>" * 10, "page.png", "image/png", TYPES_MESSAGE),
    (b"just some text, not a picture at all " * 10, "notes.txt", "text/plain", TYPES_MESSAGE),
    (image_bytes((200, 200), fmt="BMP"), "old.bmp", "image/bmp", TYPES_MESSAGE),
    # a real PNG whose part says it is a JPEG (a forged content type)
    (image_bytes(), "me.png", "image/jpeg",
     "The Content-Type header for this file does not match the file data. The file may be corrupted."),
    (image_bytes(), "me.png", "text/html",
     "The Content-Type header for this file does not match the file data. The file may be corrupted."),
    # a real PNG named as a JPEG
    (image_bytes(), "me.jpg", "application/octet-stream",
     "The file name extension for this file does not match the file data. The file may be corrupted."),
    # a PNG cut short: its header reads, its pixels do not
    (image_bytes((600, 600), color=(1, 2, 3), compress_level=0)[:4000], "cut.png", "image/png",
     "The image data cannot be read. The file may be corrupted."),
])
def test_bad_uploads_are_refused_with_open_edx_bodies(app, data, filename, content_type, message) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    response = upload(client, user.username, data, filename, content_type, headers)
    assert response.status_code == 400, response.text
    body = response.get_json()
    assert body["developer_message"] == message and body["user_message"] == message
    assert account(client, user.username, headers)["profile_image"]["has_image"] is False
    assert stored_keys(app) == []


def test_no_file_and_huge_pictures_are_refused(app, monkeypatch) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    path = f"/api/user/v1/accounts/{user.username}/image"
    response = client.post(path, headers=headers, data={"other": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["developer_message"] == "No file provided for profile image"
    empty_field = upload(client, user.username, b"", filename="", content_type="application/octet-stream",
                         headers=headers)
    assert empty_field.get_json()["developer_message"] == "No file provided for profile image"
    # A small file can hold a huge picture: above 16 megapixels it is not decoded.
    huge = io.BytesIO()
    Image.new("L", (4100, 4000)).save(huge, format="PNG")
    assert len(huge.getvalue()) < 100_000
    response = upload(client, user.username, huge.getvalue(), headers=headers)
    assert response.status_code == 400
    assert response.get_json()["developer_message"] == "The image must be at most 16 megapixels."
    assert stored_keys(app) == []
    monkeypatch.setattr(profile_images, "MAX_PIXELS", 100 * 100)
    response = upload(client, user.username, image_bytes((200, 200)), headers=headers)
    assert response.status_code == 400
    assert response.get_json()["user_message"].startswith("The image must be at most")


def test_a_raw_body_upload_as_the_mobile_apps_send_it(app) -> None:
    """Open edX's ``TypedFileUploadParser``: the image as the body, with its type and a file name."""
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    path = f"/api/user/v1/accounts/{user.username}/image"
    data = image_bytes(fmt="JPEG")
    response = client.post(path, data=data, content_type="image/jpeg",
                           headers={**headers, "Content-Disposition": 'attachment; filename="me.jpg"'})
    assert response.status_code == 204, response.text
    assert account(client, user.username, headers)["profile_image"]["has_image"] is True
    response = client.post(path, data=data, content_type="image/jpeg", headers=headers)
    assert response.status_code == 400 and response.get_json()["developer_message"].startswith("Missing filename.")
    response = client.post(path, data=b"x" * 200, content_type="text/plain",
                           headers={**headers, "Content-Disposition": 'attachment; filename="a.txt"'})
    assert response.status_code == 415
    assert response.get_json()["developer_message"] == 'Unsupported media type "text/plain" in request.'


def test_who_may_upload_and_remove(app) -> None:
    owner, other, staff = make_user(app), make_user(app), make_user(app, "global_staff")
    client = app.test_client()
    owner_headers, other_headers, staff_headers = (token_for(app, u) for u in (owner, other, staff))
    path = f"/api/user/v1/accounts/{owner.username}/image"
    assert upload(client, owner.username, image_bytes()).status_code == 401
    assert client.delete(path).status_code == 401
    # Another user's account: 404 (its existence stays hidden); staff: 403 for an upload (Open edX's IsUserInUrl).
    assert upload(client, owner.username, image_bytes(), headers=other_headers).status_code == 404
    assert upload(client, owner.username, image_bytes(), headers=staff_headers).status_code == 403
    assert upload(client, owner.username, image_bytes(), headers=owner_headers).status_code == 204
    assert client.delete(path, headers=other_headers).status_code == 404
    assert client.delete("/api/user/v1/accounts/nobody-here/image", headers=staff_headers).status_code == 404
    assert account(client, owner.username, owner_headers)["profile_image"]["has_image"] is True
    # Staff remove anyone's image (Open edX's ProfileImageView documents it): the files go too.
    full = account(client, owner.username, owner_headers)["profile_image"]["image_url_full"]
    assert client.delete(path, headers=staff_headers).status_code == 204
    assert account(client, owner.username, owner_headers)["profile_image"]["has_image"] is False
    assert stored_keys(app) == [] and fetch(client, full).status_code == 404
    # Removing when there is none is fine; the owner removes their own.
    assert client.delete(path, headers=owner_headers).status_code == 204
    assert upload(client, owner.username, image_bytes(), headers=owner_headers).status_code == 204
    assert client.delete(path, headers=owner_headers).status_code == 204
    assert stored_keys(app) == []


def test_every_upload_gets_new_files_and_the_old_ones_go(app) -> None:
    """Two uploads in the same second: the second has new URLs (the media route is cached for a week), its
    own picture, and the first one's files are deleted."""
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    assert upload(client, user.username, image_bytes(color=(255, 0, 0)), headers=headers).status_code == 204
    first_url = account(client, user.username, headers)["profile_image"]["image_url_full"]
    first = IMAGE_URL.match(first_url)
    assert upload(client, user.username, image_bytes(color=(0, 0, 255)), headers=headers).status_code == 204
    url = account(client, user.username, headers)["profile_image"]["image_url_full"]
    second = IMAGE_URL.match(url)
    assert url != first_url and second.group(1) != first.group(1)
    assert near(Image.open(io.BytesIO(fetch(client, url).data)).convert("RGB").getpixel((250, 250)), (0, 0, 255))
    assert fetch(client, first_url).status_code == 404
    assert sorted(stored_keys(app)) == sorted(f"profile-images/{second.group(1)}_{size}.jpg"
                                              for size in DEFAULTS.values())
    client.delete(f"/api/user/v1/accounts/{user.username}/image", headers=headers)
    assert upload(client, user.username, image_bytes(), headers=headers).status_code == 204
    third = IMAGE_URL.match(account(client, user.username, headers)["profile_image"]["image_url_full"])
    assert third.group(1) not in (first.group(1), second.group(1))


def test_old_files_are_deleted_only_after_the_commit_and_a_failed_delete_is_logged(app, monkeypatch,
                                                                                     caplog) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    kampus = app.extensions["kampus"]
    store = kampus.blob_store
    assert upload(client, user.username, image_bytes(color=(255, 0, 0)), headers=headers).status_code == 204
    old_name = IMAGE_URL.match(account(client, user.username, headers)["profile_image"]["image_url_full"]).group(1)
    deleted_while: list[str] = []
    real_delete = store.delete

    def failing_delete(key: str) -> None:
        # What the database holds when the old files are deleted: the new name, committed.
        with kampus.db.session_scope() as session:
            deleted_while.append(session.get(UserProfile, user.id).profile_image_name)
        if key.endswith("_30.jpg"):
            raise OSError("the store is down")
        real_delete(key)

    monkeypatch.setattr(store, "delete", failing_delete)
    assert upload(client, user.username, image_bytes(color=(0, 0, 255)), headers=headers).status_code == 204
    url = account(client, user.username, headers)["profile_image"]["image_url_full"]
    new_name = IMAGE_URL.match(url).group(1)
    assert new_name != old_name and deleted_while == [new_name] * len(DEFAULTS)
    assert "could not be deleted" in caplog.text
    assert near(Image.open(io.BytesIO(fetch(client, url).data)).convert("RGB").getpixel((250, 250)), (0, 0, 255))
    # Only the file that could not be deleted is left of the old image.
    assert [key for key in stored_keys(app) if old_name in key] == [f"profile-images/{old_name}_30.jpg"]


def test_a_failed_write_keeps_the_previous_image(app, monkeypatch) -> None:
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    store = app.extensions["kampus"].blob_store
    assert upload(client, user.username, image_bytes(color=(255, 0, 0)), headers=headers).status_code == 204
    before = account(client, user.username, headers)["profile_image"]
    keys = sorted(stored_keys(app))
    real_put = store.put

    def failing_put(key, data, content_type):
        if key.endswith("_50.jpg"):
            raise OSError("the store is full")
        real_put(key, data, content_type)

    monkeypatch.setattr(store, "put", failing_put)
    assert upload(client, user.username, image_bytes(color=(0, 0, 255)), headers=headers).status_code == 500
    monkeypatch.setattr(store, "put", real_put)
    assert account(client, user.username, headers)["profile_image"] == before
    assert sorted(stored_keys(app)) == keys and fetch(client, before["image_url_full"]).status_code == 200


def test_a_blob_store_with_its_own_urls_is_linked_directly(app, monkeypatch) -> None:
    """S3 signs its URLs: Open edX appends ``&v=`` to the query they already have."""
    user = make_user(app)
    headers = token_for(app, user)
    client = app.test_client()
    store = app.extensions["kampus"].blob_store
    monkeypatch.setattr(store, "url", lambda key: f"https://bucket.example/{key}?X-Amz-Signature=abc")
    assert upload(client, user.username, image_bytes(), headers=headers).status_code == 204
    url = account(client, user.username, headers)["profile_image"]["image_url_small"]
    assert re.match(r"^https://bucket\.example/profile-images/[0-9a-f]{32}_30\.jpg\?X-Amz-Signature=abc&v=\d+$", url)


def test_media_paths_serve_only_profile_image_files(app) -> None:
    client = app.test_client()
    for name in ("../secret", "0" * 32 + "_31.jpg", "0" * 32 + "_500.jpg", "x" * 32 + "_500.jpg", "a.png"):
        assert client.get(profile_images.MEDIA_PATH + name).status_code == 404


def test_the_account_page_uploads_and_removes_the_picture(app) -> None:
    user = make_user(app)
    client = login(app.test_client(), user)
    page = client.get("/account").get_data(as_text=True)
    assert "/static/kampus/images/profiles/default_120.png" in page and "remove-profile-image" not in page
    response = client.post("/account/profile-image", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(image_bytes(fmt="GIF")), "me.gif", "image/gif")})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert re.search(r'src="http://localhost/media/profile-images/[0-9a-f]{32}_120\.jpg\?v=\d+"', page)
    assert "remove-profile-image" in page
    response = client.post("/account/profile-image", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"not an image" * 20), "me.png", "image/png")})
    assert response.status_code == 400 and TYPES_MESSAGE in response.get_data(as_text=True)
    assert client.post("/account/profile-image", data={}).status_code == 400
    assert client.post("/account/profile-image/remove").status_code == 302
    assert "default_120.png" in client.get("/account").get_data(as_text=True) and stored_keys(app) == []


def test_the_endpoint_is_in_the_openapi_document(app) -> None:
    paths = app.test_client().get("/api/openapi.json").get_json()["paths"]
    assert {"post", "delete"} <= set(paths["/api/user/v1/accounts/{username}/image"])
