"""Background work: one Celery app per Kampus app, task records with progress."""
