"""``kampus xqueue-grader``: a first-party XQueue grader daemon, so a course needs no other service.

* :mod:`.client`: the grader side of the XQueue wire protocol (login, ``get_queuelen``,
  ``get_submission``, ``put_result``, re-login on ``login_required``, timeouts), like xqueue-watcher's client;
* :mod:`.runner`: the pull loop (poll interval, N workers, one submission at a time per worker, graceful stop
  on SIGTERM, ``--once``);
* :mod:`.python_grader`: course Python graders in the codejail sandbox, compatible with xqueue-watcher's
  ``JailedGrader`` (payload ``{"grader": "path/grader.py"}``, ``gradelib`` graders, reply
  ``{"correct", "score", "msg"}`` with its HTML);
* :mod:`.cli`: the click command.
"""
