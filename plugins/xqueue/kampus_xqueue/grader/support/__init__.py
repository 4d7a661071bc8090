"""Files copied into the sandbox for course Python graders (never imported by Kampus itself):
``gradelib`` and ``graderutil`` (xqueue-watcher's grader API) and ``jail_program`` (the run's code)."""
