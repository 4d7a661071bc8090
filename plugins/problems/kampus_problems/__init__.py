"""Kampus CAPA problems: the Open edX ``<problem>`` XBlock and its grading engine (``kampus_problems.capa``)."""
