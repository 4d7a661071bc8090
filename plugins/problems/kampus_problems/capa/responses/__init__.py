"""Response types: one module per family.

:func:`first_party_response_classes` is the ``{tag: class}`` map of the types this plugin ships. The
problems plugin answers ``kampus_response_graders`` with it, so an app's registry (built from every
plugin's answer, :mod:`kampus_problems.response_types`) holds these types plus any a plugin adds; code
that runs without an app (the engine's own tests, benchmarks) uses this map directly.
"""

from __future__ import annotations

from kampus_problems.capa.responses.annotation import AnnotationResponse
from kampus_problems.capa.responses.base import LoncapaResponse
from kampus_problems.capa.responses.choice import ChoiceResponse, MultipleChoiceResponse, TrueFalseResponse
from kampus_problems.capa.responses.choicetext import ChoiceTextResponse
from kampus_problems.capa.responses.code import CodeResponse
from kampus_problems.capa.responses.custom import CustomResponse
from kampus_problems.capa.responses.external import ExternalResponse
from kampus_problems.capa.responses.formula import FormulaResponse
from kampus_problems.capa.responses.image import ImageResponse
from kampus_problems.capa.responses.numerical import NumericalResponse
from kampus_problems.capa.responses.option import OptionResponse
from kampus_problems.capa.responses.schematic import SchematicResponse
from kampus_problems.capa.responses.string import StringResponse
from kampus_problems.capa.responses.symbolic import SymbolicResponse

FIRST_PARTY_CLASSES: tuple[type[LoncapaResponse], ...] = (
    CodeResponse, NumericalResponse, FormulaResponse, CustomResponse, SchematicResponse, ExternalResponse,
    ImageResponse, OptionResponse, SymbolicResponse, StringResponse, ChoiceResponse, MultipleChoiceResponse,
    TrueFalseResponse, AnnotationResponse, ChoiceTextResponse,
)


def first_party_response_classes() -> dict[str, type[LoncapaResponse]]:
    """The response types of upstream capa that Kampus ships, ``{tag: class}`` (a new dict per call)."""
    return {cls.tag: cls for cls in FIRST_PARTY_CLASSES}


__all__ = ["FIRST_PARTY_CLASSES", "LoncapaResponse", "first_party_response_classes"]
