"""externalresponse posts only to hosts the operator allowed, follows no redirects, parses safely."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from kampus_problems.capa.problem import LoncapaProblem

REPLIES: dict[str, tuple[int, dict[str, str], bytes]] = {}


class Grader(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        form = parse_qs(self.rfile.read(length).decode())
        status, headers, body = REPLIES[self.path]
        if self.path == "/grade":
            answer = form["edX_student_response"][0]
            verdict = "EXACT_ANS" if '"42"' in answer else "WRONG_FORMAT"
            body = f"<edxgrade><awarddetail>{verdict}</awarddetail><message>checked</message></edxgrade>".encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def grader():
    server = HTTPServer(("127.0.0.1", 0), Grader)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_port}"
    server.shutdown()


def problem_xml(url: str) -> str:
    return (f'<problem><externalresponse url="{url}"><textline/>'
            "<answer type=\"loncapa/python\">pass</answer></externalresponse></problem>")


def grade(app, url: str, answer: str) -> dict:
    with app.app_context():
        problem = LoncapaProblem(problem_xml(url), seed=1)
        try:
            return problem.grade_answers({"1_2_1": answer}).get_dict()["1_2_1"]
        except Exception as exc:
            return {"error": str(exc)}


def test_allowed_grader_grades(make_app, grader) -> None:
    REPLIES["/grade"] = (200, {}, b"")
    app = make_app(plugins=["problems"], settings={"problems_external_graders": [grader]})
    assert grade(app, f"http://{grader}/grade", "42")["correctness"] == "correct"
    assert grade(app, f"http://{grader}/grade", "41")["correctness"] == "incorrect"


def test_hosts_not_allowed_are_never_called(make_app, grader) -> None:
    app = make_app(plugins=["problems"])
    result = grade(app, f"http://{grader}/grade", "42")
    assert "not allowed" in result.get("error", "") or "not allowed" in result.get("msg", "")
    for url in ("file:///etc/passwd", "gopher://127.0.0.1/x", "http://169.254.169.254/latest/meta-data"):
        result = grade(app, url, "42")
        assert "not" in (result.get("error", "") + result.get("msg", "")), url


def test_redirects_and_entities_are_refused(make_app, grader) -> None:
    app = make_app(plugins=["problems"], settings={"problems_external_graders": [grader]})
    REPLIES["/redirect"] = (302, {"Location": "http://127.0.0.1:5432/"}, b"")
    result = grade(app, f"http://{grader}/redirect", "42")
    assert "redirect" in (result.get("error", "") + result.get("msg", ""))
    REPLIES["/xxe"] = (200, {}, b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                b"<r><awarddetail>EXACT_ANS</awarddetail><message>&x;</message></r>")
    result = grade(app, f"http://{grader}/xxe", "42")
    assert "root:" not in str(result)
