"""Kampus LMS: what learners use, from the catalog to the certificate.

Areas, one package each: ``catalog`` (course overviews, front page, catalog,
about pages), ``search`` (course discovery and courseware search through the
``kampus.search`` drivers), ``enrollment`` (enrollments, modes, pre-enrollment),
``dashboard`` (the learner's courses), ``courseware`` (units, sequence
navigation, jump_to, bookmarks, masquerade), ``course_home`` (outline, course
tabs, updates and handouts, custom pages, dates), ``grades`` (graders,
persistent grades, progress page) and ``certificates``. Other plugins import
:mod:`kampus_lms.api` only.
"""
