"""The input tags of capa (upstream's inputtypes registry): each gets an id ``<problem>_<response+1>_<k>``."""

from __future__ import annotations

INPUT_TAGS = (
    "optioninput", "choicegroup", "radiogroup", "checkboxgroup", "javascriptinput", "jsinput", "textline",
    "filesubmission", "textbox", "textarea", "codeinput", "matlabinput", "schematic", "imageinput",
    "crystallography", "vsepr_input", "chemicalequationinput", "formulaequationinput", "drag_and_drop_input",
    "editamolecule", "designprotein2dinput", "editageneinput", "annotationinput", "choicetextgroup",
    "radiotextgroup", "checkboxtextgroup",
)
