"""Checking a problem's XML before an author saves it (Studio's editors).

:func:`problem_xml_errors` answers what is wrong with a CAPA ``<problem>`` text: the XML
parser's message with its line and column, a root that is not ``<problem>``, or what the
grading engine refuses when it builds the problem (an unknown response type, a response
without inputs...). Problems with Python scripts are checked for their XML only: their scripts
run in the sandbox when learners see them, not when authors save them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kampus_content.api import safe_xml_parser
from lxml import etree

from kampus import current_kampus
from kampus_problems import response_types
from kampus_problems.capa.problem import LoncapaProblem

_LOCATION = re.compile(r",\s*line \d+, column \d+\s*$")
_SOURCE_LINE = re.compile(r"\s*See XML source line (\d+)")


@dataclass(frozen=True)
class ProblemXmlError:
    """One thing wrong with a problem's XML; ``line`` and ``column`` count from 1 (``None`` when unknown)."""

    message: str
    line: int | None = None
    column: int | None = None

    def as_dict(self) -> dict[str, object]:
        """The error as JSON: ``{"message", "line", "column"}``."""
        return {"message": self.message, "line": self.line, "column": self.column}


def problem_xml_errors(text: str) -> list[ProblemXmlError]:
    """What is wrong with the problem XML ``text`` (an empty list when it can be saved)."""
    try:
        root = etree.fromstring(text.encode("utf-8"), safe_xml_parser(remove_comments=True, remove_pis=True))
    except etree.XMLSyntaxError as err:
        line, column = (err.position if getattr(err, "position", None) else (err.lineno, None))
        message = _LOCATION.sub("", getattr(err, "msg", None) or str(err))  # the line is told apart
        return [ProblemXmlError(f"The problem XML is not well-formed: {message}", line or None, column or None)]
    if not isinstance(root.tag, str) or root.tag != "problem":
        return [ProblemXmlError(f"The problem's root element must be <problem>, not <{root.tag}>.",
                                root.sourceline)]
    if root.find(".//script") is not None:
        return []
    try:
        LoncapaProblem(text, problem_id="studio_check", seed=1,
                       response_classes=response_types.response_classes(current_kampus()))
    except Exception as exc:  # the engine's refusal, whatever its kind, is the author's error to fix
        text = str(exc)
        source_line = _SOURCE_LINE.search(text)
        message = " ".join(_SOURCE_LINE.sub("", text).split())
        return [ProblemXmlError(f"The problem cannot be built: {message}",
                                int(source_line.group(1)) if source_line else None)]
    return []


__all__ = ["ProblemXmlError", "problem_xml_errors"]
