"""Wiring of the problems plugin."""

from __future__ import annotations

from pathlib import Path

from kampus_hookspecs import hookimpl


@hookimpl
def kampus_cli_commands() -> list[object]:
    from kampus_problems.capa.cli import check_problem

    return [check_problem]


@hookimpl
def kampus_blueprints(app: object) -> list[object]:
    from kampus_problems.views import bp

    return [bp]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(Path(__file__).parent / "templates")]
