"""Kampus XQueue: Open edX's XQueue (external graders) inside Kampus.

Areas: :mod:`.models` (queues, grader accounts and sessions, submissions), :mod:`.service` (submit, pull,
put result, timeouts, delivery to the problem), :mod:`.wire` (the ``/xqueue/*`` REST API of Open edX),
:mod:`.files` (signed URLs of submitted files), :mod:`.push` (push-mode consumer), :mod:`.admin` (the staff
page), :mod:`.cli` (``kampus xqueue ...``). Other plugins import :mod:`kampus_xqueue.api` only.
"""
