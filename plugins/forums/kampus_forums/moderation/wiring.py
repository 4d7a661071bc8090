"""What the ``moderation`` area adds to the app; :mod:`kampus_forums.plugin` gathers every area's lists."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting

from kampus_forums.moderation.tasks import TASKS


def blueprints() -> list[Any]:
    return []


def permissions() -> dict[str, list[str]]:
    return {}


def settings() -> list[Setting]:
    return []


def tasks() -> list[Any]:
    return list(TASKS)
