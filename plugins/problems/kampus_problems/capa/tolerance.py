"""Comparing numbers with a tolerance, as upstream capa's compare_with_tolerance."""

from __future__ import annotations

from cmath import isinf, isnan
from decimal import Decimal

from calc import UndefinedVariable, UnmatchedParenthesis, evaluator
from pyparsing import ParseException

from kampus_problems.capa.errors import LoncapaProblemError

DEFAULT_TOLERANCE = "0.001%"


def check_tolerance(tolerance: str) -> None:
    """Refuse, when the problem loads, a tolerance that :func:`compare_with_tolerance` cannot evaluate."""
    message = f"Error in problem specification! The tolerance {tolerance!r} is not a number."
    try:
        value = evaluator({}, {}, tolerance[:-1] if tolerance.endswith("%") else tolerance)
    except (ParseException, UndefinedVariable, UnmatchedParenthesis, ArithmeticError, ValueError, TypeError) as err:
        raise LoncapaProblemError(message) from err
    if isnan(value):  # an empty tolerance evaluates to nan, which no comparison can use
        raise LoncapaProblemError(message)


def compare_with_tolerance(student: complex, instructor: complex, tolerance: float | str = DEFAULT_TOLERANCE,
                           relative_tolerance: bool = False) -> bool:
    """True when ``student`` is within ``tolerance`` of ``instructor``.

    A tolerance string ending in '%' is a percentage of the instructor value (or, when relative,
    of the larger magnitude of both); the default tolerance is always relative.
    """
    if isinstance(tolerance, str):
        if tolerance == DEFAULT_TOLERANCE:
            relative_tolerance = True
        if tolerance.endswith("%"):
            tolerance = evaluator({}, {}, tolerance[:-1]) * 0.01
            if not relative_tolerance:
                tolerance = tolerance * abs(instructor)
        else:
            tolerance = evaluator({}, {}, tolerance)
    if relative_tolerance:
        tolerance = tolerance * max(abs(student), abs(instructor))
    if isinf(student) or isinf(instructor):
        return student == instructor
    student = complex(student)
    instructor = complex(instructor)
    if not (instructor.imag or student.imag):
        if isnan(instructor.real) or isnan(student.real):
            return False
        return abs(Decimal(str(student.real)) - Decimal(str(instructor.real))) <= Decimal(str(tolerance))
    return abs(student - instructor) <= tolerance
