"""``POST /event`` is rate-limited per user, or per address for anonymous users."""

from __future__ import annotations

import pytest

from kampus.identity.throttle import RateLimiter
from kampus.testing import client_as

LIMITED = {"event_rate_limit": 3, "event_rate_window": 60}


def send(client, **request):
    return client.post("/event", data={"event_type": "play_video", "event": "{}"}, **request)


def from_address(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_token_bucket_allows_a_burst_then_refills_at_the_rate():
    clock = Clock()
    limiter = RateLimiter(4, 60, clock=clock)
    assert [limiter.hit("a") for _ in range(4)] == [None] * 4
    assert limiter.hit("a") == 15  # one event per 15 s comes back
    assert limiter.hit("b") is None  # keys are counted apart
    clock.now += 15
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 15
    clock.now += 3600  # a long pause refills the burst, no more
    assert [limiter.hit("a") for _ in range(5)] == [None] * 4 + [15]


def test_idle_keys_are_pruned():
    clock = Clock()
    limiter = RateLimiter(2, 10, clock=clock)
    limiter.PRUNE_AT = 3
    for number in range(4):
        limiter.hit(f"k{number}")
    clock.now += 100
    limiter.hit("fresh")
    assert set(limiter._buckets) == {"fresh"}


@pytest.mark.parametrize("limit", [0, 3])
def test_anonymous_callers_are_limited_per_address(make_app, limit):
    app = make_app(settings={**LIMITED, "event_rate_limit": limit})
    client = app.test_client()
    answers = [send(client, **from_address("198.51.100.2")) for _ in range(4)]
    if limit == 0:  # no limit
        assert [response.status_code for response in answers] == [200] * 4
        return
    assert [response.status_code for response in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["Retry-After"] == "20"
    assert refused.get_json()["error"]["status"] == 429
    assert len(app.kampus_events.of_type("play_video")) == 3  # the refused event is not logged
    assert send(client, **from_address("198.51.100.3")).status_code == 200


def test_users_are_limited_each_on_their_own(make_app):
    app = make_app(settings=LIMITED)
    ada, bob = client_as(app, "learner"), client_as(app, "learner")
    assert [send(ada).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert send(bob).status_code == 200  # same address, another user


def test_two_apps_do_not_share_counts(make_app):
    first, second = make_app(settings=LIMITED), make_app(settings=LIMITED)
    for _ in range(3):
        send(first.test_client())
    assert send(first.test_client()).status_code == 429
    assert send(second.test_client()).status_code == 200
