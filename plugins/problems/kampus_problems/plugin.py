"""Wiring of the problems plugin."""

from __future__ import annotations

from pathlib import Path

from kampus_hookspecs import Setting, hookimpl


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("problems_external_graders", list, [],
                "Hosts (host or host:port) that externalresponse problems may post learners' answers to. "
                "Empty: none, so a problem cannot make the server call an address of its choosing."),
    ]


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
