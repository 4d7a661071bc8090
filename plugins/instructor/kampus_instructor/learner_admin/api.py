"""The learner admin area's API, for the other areas of the dashboard (the gradebook): its permissions, the
API answer of its service's errors, the learner lookup."""

from __future__ import annotations

from kampus_instructor.http import ApiError
from kampus_instructor.learner_admin.service import ActionError, find_learner

#: Act on a learner's problems, scores and due dates (Open edX: course staff).
ACT = "instructor.learner_admin.act"
#: Reset or rescore a problem for every learner at once (Open edX: the course's instructors).
ACT_ALL = "instructor.learner_admin.all_learners"


def from_action_error(err: ActionError) -> ApiError:
    """The API answer of a service's :class:`ActionError`."""
    return ApiError(err.status, err.message, err.field)


__all__ = ["ACT", "ACT_ALL", "ActionError", "find_learner", "from_action_error"]
