"""Legacy synchronous external grading (externalresponse): POST the answer, read an XML verdict.

The grader's URL comes from the problem's XML, that is from a course author: the site only posts to
hosts its operator allowed (setting ``problems_external_graders``), follows no redirects, reads a
bounded reply and parses it without entities (security.md: server-side request forgery).
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from typing import Any

from flask import has_app_context
from kampus_content.api import safe_xml_parser
from lxml import etree

from kampus import current_kampus
from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, ResponseError
from kampus_problems.capa.responses.base import LoncapaResponse

log = logging.getLogger(__name__)

#: Largest reply read from an external grader.
MAX_REPLY_BYTES = 1024 * 1024


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        raise ResponseError("The external grader answered with a redirect, which is not followed.")


def allowed_grader_hosts() -> list[str]:
    """Hosts (``host`` or ``host:port``) the operator allows external graders on."""
    if not has_app_context():
        return []
    return list(current_kampus().settings.get("problems_external_graders") or [])


def check_grader_url(url: str) -> None:
    """Raise :class:`ResponseError` unless ``url`` is http(s) on an allowed host."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ResponseError(f"The external grader URL {url!r} is not an http(s) URL.")
    host = parts.hostname.lower()
    allowed = {entry.lower() for entry in allowed_grader_hosts()}
    if host not in allowed and f"{host}:{parts.port}" not in allowed:
        raise ResponseError(
            f"The external grader {host} is not allowed on this site: the operator must add it to the "
            "problems_external_graders setting."
        )

AWARD_MAP = {"EXACT_ANS": "correct", "WRONG_FORMAT": "incorrect"}


class ExternalResponse(LoncapaResponse):
    """Posts ``xml``, ``edX_cmd``, ``edX_tests``, ``processor`` and the answers to ``url``.

    The server replies ``<...><awarddetail>EXACT_ANS</awarddetail><message>...</message></...>``.
    """

    tag = "externalresponse"
    human_name = "External Grader"
    allowed_inputfields = ("textline", "textbox")
    timeout = 10

    def setup_response(self) -> None:
        self.url = self.xml.get("url") or ""
        answer = self.xml.find("answer")
        if answer is not None:
            self.code = answer.text or ""
        else:
            self.code = self.context.get("script_code", "")
            if not self.code:
                raise LoncapaProblemError(f"{self}: Missing answer script code for externalresponse")
        self.tests = self.xml.get("tests")

    def do_external_request(self, cmd: str, extra_payload: dict[str, str]) -> etree._Element:
        if not self.url:
            raise ResponseError("This problem's external grader has no url.")
        payload = {
            "xml": etree.tostring(self.xml, pretty_print=True).decode(), "edX_cmd": cmd,
            "edX_tests": self.tests or "", "processor": self.code, **extra_payload,
        }
        check_grader_url(self.url)
        data = urllib.parse.urlencode(payload).encode()
        opener = urllib.request.build_opener(_NoRedirects())
        try:
            with opener.open(urllib.request.Request(self.url, data=data), timeout=self.timeout) as reply:
                body = reply.read(MAX_REPLY_BYTES + 1)
        except OSError as err:
            raise ResponseError(f"Error {err} - cannot connect to external server url={self.url}") from err
        if len(body) > MAX_REPLY_BYTES:
            raise ResponseError(f"The external grader's reply is larger than {MAX_REPLY_BYTES} bytes.")
        if not body.strip():
            raise ResponseError(f"Error: no response from external server url={self.url}")
        try:
            return etree.fromstring(body, parser=safe_xml_parser())
        except etree.XMLSyntaxError as err:
            raise ResponseError(f"Error {err} - cannot parse response from external server") from err

    def get_score(self, student_answers: dict[str, Any]) -> CorrectMap:
        ids = sorted(self.answer_ids)
        try:
            submission = [student_answers[k] for k in ids]
        except KeyError as err:
            raise ResponseError(f"cannot get student answer for {self.answer_ids}") from err
        reply = self.do_external_request("get_score", {"edX_student_response": json.dumps(submission)})
        award = reply.findtext("awarddetail")
        correctness = AWARD_MAP.get(award, "correct")
        message = (reply.findtext("message") or "").replace("&nbsp;", "&#160;")
        cmap = CorrectMap()
        for index, key in enumerate(ids):
            cmap.set(key, correctness if index == 0 else "correct", msg=message if index == 0 else None)
        return cmap

    def get_answers(self) -> dict[str, Any]:
        try:
            reply = self.do_external_request("get_answers", {})
            expected = json.loads(reply.findtext("expected") or "[]")
        except (ResponseError, ValueError) as err:
            log.info("externalresponse %s: no answers: %s", self.id, err)
            return {}
        if len(expected) != len(self.answer_ids):
            return {}
        return dict(zip(self.answer_ids, expected, strict=False))
