"""problem_xml_errors: what Studio's editors tell an author about a problem's XML before saving it."""

from __future__ import annotations

import pytest
from kampus_problems.api import problem_xml_errors

pytestmark = pytest.mark.kampus_plugins("content", "problems")


def test_well_formed_problem_has_no_errors(app):
    with app.app_context():
        assert problem_xml_errors("<problem><multiplechoiceresponse><choicegroup>"
                                  "<choice correct='true'>a</choice></choicegroup>"
                                  "</multiplechoiceresponse></problem>") == []


def test_syntax_error_has_line_and_column(app):
    with app.app_context():
        errors = problem_xml_errors("<problem>\n<p>open\n</problem>")
    assert len(errors) == 1
    assert (errors[0].line, errors[0].column) == (3, 11)
    assert "not well-formed" in errors[0].message and "line 3" not in errors[0].message


def test_wrong_root_and_engine_refusals(app):
    with app.app_context():
        assert "<problem>" in problem_xml_errors("<div/>")[0].message
        refused = problem_xml_errors(
            "<problem>\n<p>Name it</p>\n<stringresponse><textline/></stringresponse>\n</problem>")
    assert refused[0].message.startswith("The problem cannot be built") and "answer" in refused[0].message
    assert refused[0].line == 3
