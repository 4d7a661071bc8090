"""Kampus: the kernel of a plugin-based learning platform.

Public API for plugins: :func:`create_app`, :func:`current_kampus`,
:class:`Kampus`, :mod:`kampus.db` (``Base``, ``session``), :mod:`kampus.events`
(``emit``), :mod:`kampus.identity.permissions`, :mod:`kampus.tasks.api`.
"""

# current_kampus first: modules imported by kampus.app may then use ``from kampus import current_kampus``.
from kampus.current import current_kampus  # noqa: I001
from kampus.app import Kampus, create_app

__all__ = ["Kampus", "create_app", "current_kampus"]
__version__ = "0.1.0"
