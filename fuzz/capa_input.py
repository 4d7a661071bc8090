"""A CAPA problem and a learner's answers as one byte string, for the CAPA fuzz target.

``PROBLEM_XML \\0 ANSWERS``: XML cannot hold a NUL byte, so the first NUL ends the problem. When
``ANSWERS`` is a JSON object it is the answers by input id (any JSON values, as a JSON request body
can send); otherwise its text is given as the answer to every input of the problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SEPARATOR = b"\0"
CASE_FILES = ("cases.jsonl", "cases.extra.jsonl", "demo_reference_graded.jsonl", "testcourse_reference_graded.jsonl")


def encode(problem_xml: str, answers: dict[str, Any] | str) -> bytes:
    """The fuzz input for ``problem_xml`` answered with ``answers``."""
    tail = answers if isinstance(answers, str) else json.dumps(answers)
    return problem_xml.encode("utf-8") + SEPARATOR + tail.encode("utf-8")


def decode(data: bytes) -> tuple[str, dict[str, Any] | str]:
    """The problem XML and the answers (a dict by input id, or one text for every input)."""
    xml, _, tail = data.partition(SEPARATOR)
    text = tail.decode("utf-8", errors="replace")
    try:
        answers = json.loads(text)
    except ValueError:
        answers = None
    return xml.decode("utf-8", errors="replace"), answers if isinstance(answers, dict) else text


def corpus_cases(corpus: Path, max_bytes: int = 32 * 1024) -> Iterator[bytes]:
    """Seeds from the recorded grading cases under ``corpus/capa-cases`` (read at run time, never copied)."""
    for name in CASE_FILES:
        path = corpus / "capa-cases" / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            xml = case.get("problem_xml") or case.get("xml")
            if isinstance(xml, str):
                seed = encode(xml, case.get("answers") or {})
                if len(seed) <= max_bytes:
                    yield seed
