"""Response types: one module per family; ``RESPONSE_CLASSES`` maps each tag to its class."""

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

RESPONSE_CLASSES: dict[str, type[LoncapaResponse]] = {
    cls.tag: cls
    for cls in (
        CodeResponse, NumericalResponse, FormulaResponse, CustomResponse, SchematicResponse, ExternalResponse,
        ImageResponse, OptionResponse, SymbolicResponse, StringResponse, ChoiceResponse, MultipleChoiceResponse,
        TrueFalseResponse, AnnotationResponse, ChoiceTextResponse,
    )
}

__all__ = ["RESPONSE_CLASSES", "LoncapaResponse"]
