"""The Kampus object of the current app, reachable from any kernel or plugin module.

This module imports nothing of the kernel at run time, so every module may
import :func:`current_kampus` at its top without an import cycle (the app
factory imports the kernel's parts, which import this).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from kampus.app import Kampus


def current_kampus() -> Kampus:
    """The :class:`~kampus.app.Kampus` object of the current app (inside a request, task or app context)."""
    return current_app.extensions["kampus"]  # type: ignore[no-any-return]
