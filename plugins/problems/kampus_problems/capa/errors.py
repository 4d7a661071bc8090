"""Errors of the grading engine, named as upstream capa names them."""

from __future__ import annotations


class LoncapaProblemError(Exception):
    """The problem XML is malformed (a message for course staff)."""


class ResponseError(Exception):
    """A response could not be graded, e.g. the instructor's check code failed."""


class StudentInputError(Exception):
    """A malformed learner answer; the message is for the learner."""
