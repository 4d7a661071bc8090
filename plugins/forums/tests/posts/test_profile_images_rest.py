"""``requested_fields=profile_image``: Open edX's ``users`` object on each thread and comment (its author's,
and an endorsed comment's endorser's, profile image as the account API gives it), and a comment's
``profile_image`` (the requester's, as Open edX's ``CommentSerializer`` gives it)."""

from __future__ import annotations

import io

from flask import Flask
from PIL import Image

from kampus.testing import recording_statements

from .posts_kit import COMMENTS, COURSE, THREADS, client_of, new_comment, new_thread, patch, publish, user_in

WITH_IMAGES = {"requested_fields": "profile_image"}


def upload_image(client, username: str) -> dict:
    """Give ``username`` a profile image through the account API; their ``profile_image`` object."""
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 120, 200)).save(out, format="PNG")
    answer = client.post(f"/api/user/v1/accounts/{username}/image", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(out.getvalue()), "me.png", "image/png")})
    assert answer.status_code == 204, answer.get_data(as_text=True)
    return image_of(client, username)


def image_of(client, username: str) -> dict:
    return client.get(f"/api/user/v1/accounts/{username}").get_json()["profile_image"]


def entry(image: dict) -> dict:
    return {"profile": {"image": image}}


def test_threads_carry_their_authors_images_on_request(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    alice_image = upload_image(a, alice.username)
    assert alice_image["has_image"] is True
    bob_image = image_of(b, bob.username)
    assert bob_image["has_image"] is False and bob_image["image_url_small"].endswith("/default_30.png")
    mine, theirs = new_thread(a), new_thread(b)
    hidden = new_thread(a, anonymous_to_peers=True)

    listed = {t["id"]: t for t in b.get(THREADS, query_string={"course_id": COURSE, **WITH_IMAGES})
              .get_json()["results"]}
    assert listed[mine["id"]]["users"] == {alice.username: entry(alice_image)}
    assert listed[theirs["id"]]["users"] == {bob.username: entry(bob_image)}
    assert listed[hidden["id"]]["users"] == {}  # the author is hidden from peers, so is their image
    plain = b.get(THREADS, query_string={"course_id": COURSE}).get_json()
    assert "users" not in plain and all("users" not in t for t in plain["results"])

    detail = b.get(f"{THREADS}{mine['id']}/", query_string=WITH_IMAGES).get_json()
    assert detail["users"] == {alice.username: entry(alice_image)}
    assert "users" not in b.get(f"{THREADS}{mine['id']}/").get_json()
    # Open edX's learner endpoint always adds them
    learner = b.get(f"/api/discussion/v1/courses/{COURSE}/learner/", query_string={"username": alice.username})
    assert [t["users"] for t in learner.get_json()["results"]] == [{alice.username: entry(alice_image)}]


def test_comments_carry_author_and_endorser_images_and_the_requesters_own(app: Flask) -> None:
    publish(app)
    alice, bob = user_in(app), user_in(app)
    a, b = client_of(app, alice), client_of(app, bob)
    alice_image = upload_image(a, alice.username)
    bob_image = image_of(b, bob.username)
    question = new_thread(a, type="question", topic_id="qa")
    answer = new_comment(b, question["id"])
    assert answer["profile_image"] == bob_image and "users" not in answer
    assert patch(a, f"{COMMENTS}{answer['id']}/", {"endorsed": True}).status_code == 200
    new_comment(a, question["id"], parent_id=answer["id"])

    query = {"thread_id": question["id"], "endorsed": "true", **WITH_IMAGES}
    [endorsed] = a.get(COMMENTS, query_string=query).get_json()["results"]
    assert endorsed["users"] == {bob.username: entry(bob_image), alice.username: entry(alice_image)}
    assert endorsed["profile_image"] == alice_image  # the requester's, as in Open edX
    assert endorsed["children"][0]["profile_image"] == alice_image and "users" not in endorsed["children"][0]
    [seen_by_bob] = b.get(COMMENTS, query_string=query).get_json()["results"]
    assert seen_by_bob["profile_image"] == bob_image and seen_by_bob["users"] == endorsed["users"]
    # a response's comments, and a user's posts
    [child] = b.get(f"{COMMENTS}{answer['id']}/", query_string=WITH_IMAGES).get_json()["results"]
    assert child["users"] == {alice.username: entry(alice_image)}
    mine = b.get(COMMENTS, query_string={"username": alice.username, "course_id": COURSE, **WITH_IMAGES})
    assert [c["users"] for c in mine.get_json()["results"]] == [{alice.username: entry(alice_image)}]
    assert "users" not in a.get(COMMENTS, query_string={"thread_id": question["id"], "endorsed": "true"}
                                ).get_json()["results"][0]


def test_the_images_of_a_page_cost_one_query_whatever_its_size(app: Flask) -> None:
    publish(app)
    authors = [user_in(app) for _ in range(4)]
    reader = client_of(app, user_in(app))
    new_thread(client_of(app, authors[0]))

    def statements(page_size: int) -> int:
        query = {"course_id": COURSE, "page_size": page_size}
        with recording_statements(app) as plain:
            reader.get(THREADS, query_string=query)
        with recording_statements(app) as with_images:
            reader.get(THREADS, query_string={**query, **WITH_IMAGES})
        return with_images.count - plain.count

    one = statements(1)
    for author in authors[1:]:
        new_thread(client_of(app, author))
    assert one == 1 and statements(10) == 1
