"""A learner's submission checked before it is graded: what is not an answer is refused.

Open edX keeps Submit disabled until an answer is given; a client can still post anything, so the
server checks too. :func:`check_submission` raises

* :class:`~kampus_problems.capa.errors.MalformedSubmission` for a request that is not an answer to this
  problem: an input id the problem does not have, a value that is neither text, a list of texts nor
  (for JSON inputs) an object, a choice name that is not one of the input's choices, a dropdown value
  that is not one of its options;
* :class:`~kampus_problems.capa.errors.EmptySubmission` when no input of the problem is answered
  (a dropdown left on "Select an option" counts as unanswered).

Either way nothing is graded and no attempt is counted. A problem with several inputs of which only
some are answered is graded, as upstream grades it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from lxml import etree

from kampus_problems.capa.errors import EmptySubmission, MalformedSubmission
from kampus_problems.capa.inputs import parse_options

if TYPE_CHECKING:
    from kampus_problems.capa.problem import LoncapaProblem

CHOICE_INPUTS = frozenset({"choicegroup", "radiogroup", "checkboxgroup"})
#: Extra answer keys a client may send beside an input's own (upstream's formula preview).
COMPANION_SUFFIXES = ("_dynamath",)


def input_fields(problem: LoncapaProblem) -> dict[str, etree._Element]:
    """``{input id: input element}`` of every response of the problem, in document order."""
    fields: dict[str, etree._Element] = {}
    for responder in problem.responders.values():
        for field in getattr(responder, "inputfields", None) or []:
            if field.get("id"):
                fields[field.get("id")] = field
    return fields


def unanswered_option(input_id: str) -> str:
    """The value of a dropdown's "Select an option" entry."""
    return f"option_{input_id}_dummy_default"


def is_blank(field: etree._Element, value: Any) -> bool:
    """True when ``value`` gives no answer for ``field``."""
    if value is None:
        return True
    if isinstance(value, str):
        if field.tag == "optioninput" and value == unanswered_option(field.get("id", "")):
            return True
        if field.tag == "annotationinput" and value.strip():
            return _blank_annotation(value)
        return not value.strip()
    if isinstance(value, list):
        return all(is_blank(field, item) for item in value)
    if isinstance(value, dict):
        return not any(item not in (None, "", [], {}) for item in value.values())
    return False


def _blank_annotation(value: str) -> bool:
    try:
        loaded = json.loads(value)
    except ValueError:
        return False
    if not isinstance(loaded, dict):
        return False
    return not loaded.get("options") and not str(loaded.get("comment") or "").strip()


def _well_typed(value: Any) -> bool:
    if isinstance(value, str):
        return True
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return isinstance(value, dict)


def _check_value(field: etree._Element, value: Any) -> None:
    input_id = field.get("id", "")
    if field.tag in CHOICE_INPUTS:
        names = {choice.get("name") for choice in field.iter("choice") if choice.get("name")}
        chosen = value if isinstance(value, list) else [value]
        for name in chosen:
            if not isinstance(name, str) or name not in names:
                raise MalformedSubmission(f"{name!s} is not one of the choices of {input_id}.")
    elif field.tag == "optioninput":
        options = parse_options(field.get("options") or "")
        if not isinstance(value, str) or value not in options:
            raise MalformedSubmission(f"{value!s} is not one of the options of {input_id}.")


def check_submission(problem: LoncapaProblem, answers: dict[str, Any]) -> None:
    """Raise :class:`MalformedSubmission` or :class:`EmptySubmission` unless ``answers`` answers ``problem``."""
    fields = input_fields(problem)
    for key, value in answers.items():
        own = next((key[: -len(suffix)] for suffix in COMPANION_SUFFIXES if key.endswith(suffix)), key)
        if own not in fields:
            raise MalformedSubmission(f"This problem has no input {key}.")
        if not _well_typed(value):
            raise MalformedSubmission(f"The answer to {key} is not text.")
    for input_id, field in fields.items():
        value = answers.get(input_id)
        if not is_blank(field, value):
            _check_value(field, value)
    if all(is_blank(field, answers.get(input_id)) for input_id, field in fields.items()):
        raise EmptySubmission("Please enter an answer before submitting.")
