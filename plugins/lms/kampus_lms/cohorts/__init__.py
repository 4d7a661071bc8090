"""Cohorts and content groups (Open edX's ``openedx/core/djangoapps/course_groups``); see :mod:`.api`."""
