"""What a problem's inputs mean, read from its capa XML: each input's question (its label) and, for choice
inputs, the text of each choice, so that the answer distribution shows "Jupiter" beside ``choice_1``
(Open edX's ``answer_value`` and ``question_text``).

Capa numbers inputs ``<block id>_<response number + 1>_<input number>``: the problem's responses (the
elements whose tag ends in ``response``) from 2 in document order, and each response's inputs from 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kampus_content.api import BlockNotFound, block_settings, get_structure, safe_xml_parser
from kampus_problems.api import is_randomized
from lxml import etree

#: Capa's input types (the elements of a response that a learner answers).
INPUT_TAGS = {
    "textline", "formulaequationinput", "choicegroup", "checkboxgroup", "radiogroup", "optioninput", "textbox",
    "schematic", "imageinput", "crystallography", "vsepr_input", "chemicalequationinput", "drag_and_drop_input",
    "editamoleculeinput", "designprotein2dinput", "editageneinput", "annotationinput", "choicetextgroup",
    "jsinput", "matlabinput", "codeinput", "filesubmission", "javascriptinput",
}
CHOICE_GROUPS = {"choicegroup", "checkboxgroup", "radiogroup"}


@dataclass
class InputText:
    """One input: its question and its choices' texts by choice name."""

    question: str = ""
    choices: dict[str, str] = field(default_factory=dict)


def _text(element: Any) -> str:
    """An element's text without its hints, whitespace collapsed."""
    parts = [element.text or ""]
    for child in element:
        if not str(child.tag).endswith("hint"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def input_texts(block_id: str, xml: str) -> dict[str, InputText]:
    """The problem's inputs by answer id (``<block id>_2_1``); ``{}`` for XML that does not parse."""
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser=safe_xml_parser())
    except (etree.XMLSyntaxError, ValueError):
        return {}
    found: dict[str, InputText] = {}
    responses = [el for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("response")]
    for r_index, response in enumerate(responses):
        label = response.find(".//label")
        question = _text(label) if label is not None else ""
        inputs = [el for el in response.iter() if isinstance(el.tag, str) and el.tag in INPUT_TAGS]
        for i_index, element in enumerate(inputs):
            text = InputText(question=element.get("label") or question)
            if element.tag in CHOICE_GROUPS:
                for c_index, choice in enumerate(element.findall("choice")):
                    text.choices[choice.get("name") or f"choice_{c_index}"] = _text(choice)
            elif element.tag == "optioninput":
                for option in element.findall("option"):
                    value = _text(option)
                    text.choices[value] = value
            found[f"{block_id}_{r_index + 2}_{i_index + 1}"] = text
    return found


def course_input_texts(course_id: str, usage_ids: dict[str, tuple[str, str]]) -> dict[str, dict[str, InputText]]:
    """The inputs of the published problems ``usage_ids`` (``{usage id: (block type, block id)}``)."""
    structure = get_structure(course_id)
    texts: dict[str, dict[str, InputText]] = {}
    for usage_id, key in usage_ids.items():
        block = structure.blocks.get(key)
        data = block.fields.get("data") if block is not None else None
        texts[usage_id] = input_texts(key[1], data) if isinstance(data, str) else {}
    return texts


def randomized_problems(course_id: str, usage_ids: dict[str, tuple[str, str]]) -> set[str]:
    """Those of the published problems ``usage_ids`` (``{usage id: (block type, block id)}``) that have
    variants: their ``rerandomize`` setting, inherited as Open edX's, is not ``never``."""
    structure = get_structure(course_id)
    found = set()
    for usage_id, key in usage_ids.items():
        try:
            setting = block_settings(structure, key).get("rerandomize")
        except BlockNotFound:
            continue
        if is_randomized(setting):
            found.add(usage_id)
    return found


def answer_text(texts: dict[str, InputText], part_id: str, value_id: str) -> tuple[str, str]:
    """(answer value, question) of an answer: the choices' texts for choice inputs, else the value itself."""
    entry = texts.get(part_id)
    if entry is None:
        return value_id, ""
    if value_id.startswith("[") and value_id.endswith("]"):
        names = value_id[1:-1].split("|") if value_id != "[]" else []
        return "[" + "|".join(entry.choices.get(name, name) for name in names) + "]", entry.question
    return entry.choices.get(value_id, value_id), entry.question
