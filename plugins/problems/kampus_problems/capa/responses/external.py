"""Legacy synchronous external grading (externalresponse): POST the answer, read an XML verdict."""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
from typing import Any

from lxml import etree

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, ResponseError
from kampus_problems.capa.responses.base import LoncapaResponse

log = logging.getLogger(__name__)

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
        data = urllib.parse.urlencode(payload).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(self.url, data=data), timeout=self.timeout) as reply:
                text = reply.read().decode("utf-8", "replace")
        except OSError as err:
            raise ResponseError(f"Error {err} - cannot connect to external server url={self.url}") from err
        if not text.strip():
            raise ResponseError(f"Error: no response from external server url={self.url}")
        try:
            return etree.fromstring(text.encode())
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
