"""kampus-example: what a third-party Kampus plugin looks like.

``plugin.py`` holds the hook implementations (wiring only); the page lives in
``views.py``, the table in ``models.py`` with its Alembic revision in
``migrations/``, the background task in ``tasks.py``.
"""
