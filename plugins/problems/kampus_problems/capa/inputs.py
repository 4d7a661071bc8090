"""The input tags of capa (upstream's inputtypes registry): each gets an id ``<problem>_<response+1>_<k>``."""

from __future__ import annotations

import re

INPUT_TAGS = (
    "optioninput", "choicegroup", "radiogroup", "checkboxgroup", "javascriptinput", "jsinput", "textline",
    "filesubmission", "textbox", "textarea", "codeinput", "matlabinput", "schematic", "imageinput",
    "crystallography", "vsepr_input", "chemicalequationinput", "formulaequationinput", "drag_and_drop_input",
    "editamolecule", "designprotein2dinput", "editageneinput", "annotationinput", "choicetextgroup",
    "radiotextgroup", "checkboxtextgroup",
)


_QUOTED = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


def parse_options(text: str) -> list[str]:
    """``('a','b')`` -> ['a', 'b'] (Open edX's optioninput ``options`` attribute)."""
    inner = text.strip()
    if inner.startswith("(") and inner.endswith(")"):
        inner = inner[1:-1]
    found = [(a if a else b).replace("\\'", "'").replace('\\"', '"') for a, b in _QUOTED.findall(inner)]
    if not found and inner:
        found = [part.strip() for part in inner.split(",") if part.strip()]
    return found
