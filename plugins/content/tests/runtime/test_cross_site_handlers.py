"""XBlock handlers reached by GET from another site's page are refused; the site's own GETs and POSTs work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kampus_content.runtime.cross_site import comes_from_another_site, origin_of
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import installed_block, publish_course
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Integer, Scope

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

SITE = "http://localhost"  # the Flask test client's host
OWN = (SITE + "/", "https://courses.example.org")


class VoteBlock(XBlock):
    """A block whose handler changes learner state on any method, as many real XBlocks' handlers do."""

    votes = Integer(scope=Scope.user_state, default=0)

    def student_view(self, context: Any = None) -> Fragment:
        return Fragment(f"<p>votes={self.votes}</p>")

    @XBlock.handler
    def vote(self, request: Any, suffix: str = "") -> Response:
        self.votes += 1
        return Response(json.dumps({"votes": self.votes}), content_type="application/json", charset="utf-8")


@pytest.fixture(autouse=True)
def vote_block():
    with installed_block("vote", VoteBlock):
        yield


@pytest.fixture
def course(app):
    return publish_course(app, DEFAULT_COURSE, {"unit1": [Block("vote", "v1", {})]})


def votes_shown(client, course) -> str:
    return client.get(f"/xblock/{course['v1']}").get_data(as_text=True)


@pytest.mark.parametrize(("headers", "foreign"), [
    ({"Sec-Fetch-Site": "same-origin"}, False),
    ({"Sec-Fetch-Site": "none"}, False),
    ({"Sec-Fetch-Site": "cross-site"}, True),
    ({"Sec-Fetch-Site": "same-site"}, True),
    ({"Sec-Fetch-Site": "Cross-Site", "Origin": SITE}, True),  # the browser's word wins over Origin
    ({"Origin": SITE}, False),
    ({"Origin": "https://courses.example.org:443"}, False),
    ({"Origin": "https://evil.example"}, True),
    ({"Origin": "http://localhost:8000"}, True),  # another port is another origin
    ({"Origin": "null"}, True),
    ({"Referer": SITE + "/xblock/x?unit=2"}, False),
    ({"Referer": "https://evil.example/page"}, True),
    ({"Referer": "not a url"}, True),
    ({}, False),  # no browser said anything: a command-line client or a test
])
def test_which_requests_come_from_another_site(headers, foreign):
    assert comes_from_another_site(headers, OWN) is foreign


def test_origin_of():
    assert origin_of("HTTPS://Example.ORG:443/a?b") == "https://example.org"
    assert origin_of("http://[::1]:8000/x") == "http://[::1]:8000"
    assert origin_of("/relative") == "" and origin_of("http://host:99999") == ""


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"},
    {"Sec-Fetch-Site": "same-site"},
    {"Origin": "https://evil.example"},
    {"Referer": "https://evil.example/trap.html"},
])
def test_cross_site_get_is_refused_and_changes_nothing(client_as, course, headers):
    learner = client_as("learner")
    response = learner.get(f"/xblock/{course['v1']}/handler/vote", headers=headers)
    assert response.status_code == 403
    assert "another site" in response.get_data(as_text=True)
    assert learner.head(f"/xblock/{course['v1']}/handler/vote", headers=headers).status_code == 403
    assert "votes=0" in votes_shown(learner, course)


def test_cross_site_refusal_answers_json_to_api_clients(client_as, course):
    response = client_as("learner").get(f"/xblock/{course['v1']}/handler/vote",
                                        headers={"Sec-Fetch-Site": "cross-site", "Accept": "application/json"})
    assert response.status_code == 403
    assert "another site" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"},
    {"Sec-Fetch-Site": "none"},
    {"Referer": SITE + f"/xblock/{DEFAULT_COURSE}"},
    {},
])
def test_same_site_get_works(client_as, course, headers):
    learner = client_as("learner")
    response = learner.get(f"/xblock/{course['v1']}/handler/vote", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"votes": 1}
    assert "votes=1" in votes_shown(learner, course)


def test_post_keeps_its_csrf_check(client_as, course):
    learner = client_as("learner")
    url = f"/xblock/{course['v1']}/handler/vote"
    assert learner.post(url, csrf=False).status_code == 400  # no token: refused, as before
    assert "votes=0" in votes_shown(learner, course)
    # with its token a POST works; the GET rule does not apply to it (a cross-origin fetch with the token is
    # the site's own script, e.g. an LTI or iframe embedding that the CSRF check already vouches for)
    response = learner.post(url, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200 and response.get_json() == {"votes": 1}
