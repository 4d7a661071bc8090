"""Errors of the grading engine, named as upstream capa names them."""

from __future__ import annotations


class LoncapaProblemError(Exception):
    """The problem XML is malformed (a message for course staff)."""


class ResponseError(Exception):
    """A response could not be graded, e.g. the instructor's check code failed."""


class StudentInputError(Exception):
    """A malformed learner answer; the message is for the learner."""


class SubmissionRefused(ValueError):
    """A submission that is not an answer: refused before grading, so no attempt is counted and the
    stored state stays as it was. The message is for the learner."""


class EmptySubmission(SubmissionRefused):
    """No input of the problem was answered."""


class MalformedSubmission(SubmissionRefused):
    """The request is not an answer to this problem: an unknown input, a value of the wrong type, a
    choice or dropdown option the problem does not offer."""
