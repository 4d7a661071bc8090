"""Kampus instructor dashboard: what a course team uses to run a course.

Areas, one package each, talking to one another only through their ``api.py``
(and to the LMS only through :mod:`kampus_lms.api`, to content only through
:mod:`kampus_content.api`): ``course_info`` (enrollment counts, dates, cutoffs,
links), ``membership`` (course team roles, batch enrollment, cohorts),
``learner_admin`` (a learner's progress, attempts, state, rescoring, score
overrides, due-date extensions), ``gradebook`` (subsection grade overrides with
an audit trail, CSV), ``reports`` (data downloads as background tasks), ``bulk_email``,
``certificates`` (generation, allowlist, invalidation) and ``tasks`` (the
course's background tasks). Each area's ``wiring.py`` lists its blueprints,
permissions, settings, tasks and its section of the dashboard;
:mod:`kampus_instructor.plugin` gathers them.
"""
