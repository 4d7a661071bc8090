"""Kampus Studio: where course teams author courses.

Areas, one package each, talking to one another only through their ``api.py``
(and to the content plugin only through :mod:`kampus_content.api`):
``courses`` (course creation, rerun, the course list, course team roles),
``outline`` (the outline editor, publish and discard), ``unit`` (the unit
editor and component editors), ``course_settings`` (schedule and details,
grading, advanced settings, pages, updates and handouts, textbooks,
certificates), ``files`` (files and uploads), ``transfer`` (OLX import and
export), ``history`` (published versions, diff and revert) and ``search`` (finding
blocks of the courses one authors). Each area's
``wiring.py`` lists its blueprints, permissions, settings, tasks and the entries
of Studio's course menu; :mod:`kampus_studio.plugin` gathers them. Studio never
imports the LMS: they meet through the content API and hooks.
"""
