"""Fuzz target: the simple editor's Markdown converter (``kampus_problems.markdown``).

Studio converts whatever an author types; the documented rejection is ``MarkdownError`` (an answer
option left blank). Anything else is a crash, as is output that is not a ``<problem>``. When the
converted text is well-formed XML, the CAPA engine must take it with at most its own documented
errors, since Studio saves that XML as the problem.

Run through ``fuzz/run.py`` (``make fuzz``); by hand:
``.venv/bin/python fuzz/capa_markdown.py CORPUS_DIR fuzz/seeds/capa_markdown -max_total_time=60``.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["kampus_problems.markdown"]):
    from kampus_problems.markdown import MarkdownError, markdown_to_xml

from kampus_problems.capa import LoncapaProblem, LoncapaProblemError, ResponseError, StudentInputError
from problem_app import problem_app

from kampus.drivers.sandbox import NoSandbox, SandboxError

EXPECTED_BY_ENGINE = (LoncapaProblemError, StudentInputError, ResponseError, SandboxError)
SANDBOX = NoSandbox(None)


def test_one_input(data: bytes) -> None:
    """One fuzz input: Markdown text converted, and its XML parsed as a problem."""
    text = data.decode("utf-8", errors="replace")
    try:
        xml = markdown_to_xml(text)
    except MarkdownError:
        return
    assert xml.startswith("<problem>") and xml.endswith("</problem>"), "the output is not a <problem>"
    try:
        LoncapaProblem(xml, seed=1, sandbox=SANDBOX).get_html()
    except EXPECTED_BY_ENGINE:
        pass


def main() -> None:
    """Run libFuzzer over ``test_one_input`` with the command line's corpus folders and options."""
    atheris.Setup(sys.argv, test_one_input)
    with problem_app().test_request_context():
        atheris.Fuzz()


if __name__ == "__main__":
    main()
