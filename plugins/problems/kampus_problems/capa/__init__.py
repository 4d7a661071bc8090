"""The CAPA grading engine: Open edX ``<problem>`` XML graded like upstream capa.

``LoncapaProblem`` parses a problem, runs its instructor Python through the
sandbox, and grades answers with one response object per ``*response`` element.
"""

from kampus_problems.capa.correctmap import CorrectMap
from kampus_problems.capa.errors import LoncapaProblemError, ResponseError, StudentInputError
from kampus_problems.capa.problem import LoncapaProblem
from kampus_problems.capa.responses.base import LoncapaResponse

__all__ = [
    "CorrectMap", "LoncapaProblem", "LoncapaProblemError", "LoncapaResponse", "ResponseError", "StudentInputError",
]
