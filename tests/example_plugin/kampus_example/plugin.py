"""Hook implementations of the example plugin: wiring only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import NavItem, Setting, hookimpl

HERE = Path(__file__).resolve().parent


@hookimpl
def kampus_settings() -> list[Setting]:
    return [Setting("example_greeting", str, "Hello", "Greeting shown on the /hello page.")]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    from kampus_example.views import bp

    return [bp]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(HERE / "templates")]


@hookimpl
def kampus_migration_locations() -> list[str]:
    return [str(HERE / "migrations")]


@hookimpl
def kampus_nav_items(user: Any) -> list[NavItem]:
    return [NavItem("Hello", "/hello", order=50)]


@hookimpl
def kampus_celery_tasks() -> list[Any]:
    from kampus_example.tasks import word_count

    return [word_count]


@hookimpl
def kampus_event_emitted(event: dict[str, Any]) -> None:
    from kampus_example.models import count_login

    count_login(event)
