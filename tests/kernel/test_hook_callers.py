"""Every hookspec has a caller (or says which issue brings it), and the kernel's own moments call theirs.

The content, OLX, score and response-type hooks have their own tests beside the plugins that call
them (``plugins/content/tests/test_content_hooks.py``, ``olx/test_plugin_files.py``,
``progress/test_scores.py``, ``plugins/problems/tests/test_response_graders_hook.py``).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from flask import render_template_string
from kampus_hookspecs import SPEC_MODULES, hookimpl
from markupsafe import Markup

from kampus import cli
from kampus.testing import client_as, recording_hook_calls

ROOT = Path(__file__).resolve().parents[2]


def product_sources() -> str:
    """The code of the kernel and every plugin, tests left out."""
    folders = [ROOT / "kernel" / "kampus", *sorted((ROOT / "plugins").glob("*/kampus_*"))]
    return "\n".join(path.read_text(encoding="utf-8") for folder in folders for path in folder.rglob("*.py")
                     if "tests" not in path.parts)


def hookspecs() -> list[tuple[str, str]]:
    return [(name, inspect.getdoc(function) or "") for module in SPEC_MODULES
            for name, function in inspect.getmembers(module, inspect.isfunction) if name.startswith("kampus_")]


def test_every_hookspec_is_called_or_says_who_will_call_it() -> None:
    code = product_sources()
    for name, doc in hookspecs():
        # a direct call, or a call by name (pm.hook's getattr, as the content store does)
        called = re.search(rf"\bhook\.{name}\(|\"{name}\"[,)]", code) is not None
        promised = "Not called yet" in doc
        assert called != promised, (
            f"{name}: " + ("called, but its docstring still says 'Not called yet'" if called
                           else "never called: call it where its moment happens, or say in its docstring who will")
        )


def test_every_hookspec_has_a_docstring() -> None:
    for name, doc in hookspecs():
        assert len(doc) > 40, name


class MomentsPlugin:
    """A third-party plugin that answers the kernel's wiring and rendering hooks."""

    def __init__(self) -> None:
        self.ready: list[object] = []

    @hookimpl
    def kampus_app_ready(self, app: object) -> None:
        self.ready.append(app)

    @hookimpl
    def kampus_template_context(self) -> dict[str, object]:
        return {"moments_motto": "Learn by doing"}

    @hookimpl
    def kampus_dashboard_panels(self, user: object) -> list[Markup]:
        return [Markup("<section id='moments-panel'>Panel for {}</section>").format(user.username)]


def test_app_ready_is_called_once_with_the_assembled_app(make_app) -> None:
    plugin = MomentsPlugin()
    app = make_app(plugins=[plugin])
    assert plugin.ready == [app]
    assert "kampus.home" in app.view_functions  # assembled: blueprints were registered before


def test_template_context_and_dashboard_panels_reach_the_home_page(make_app) -> None:
    app = make_app(plugins=[MomentsPlugin()])
    learner = client_as(app, "learner")
    with recording_hook_calls(app) as calls:
        page = learner.get("/").get_data(as_text=True)
    assert "Panel for " + learner.user.username in page
    [panel_call] = calls.of("kampus_dashboard_panels")
    assert "user" in panel_call  # the logged-in user (a proxy, resolved while the page renders)
    assert "kampus_template_context" in calls.names()
    with app.test_request_context("/"):
        assert render_template_string("{{ moments_motto }}") == "Learn by doing"


@click.command("moments-hello")
def moments_hello() -> None:
    """Say hello (a command contributed by a plugin)."""
    click.echo("hello from a plugin")


class CommandPlugin:
    @hookimpl
    def kampus_cli_commands(self) -> list[click.Command]:
        return [moments_hello]


def test_cli_commands_of_enabled_plugins_join_the_kampus_command(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = CommandPlugin()
    real = cli.load_plugin_manager

    def with_plugin(enabled: list[object]) -> object:
        return real([*enabled, plugin])

    monkeypatch.setattr(cli, "load_plugin_manager", with_plugin)
    group = cli.KampusGroup(name="kampus")
    result = CliRunner().invoke(group, ["moments-hello"])
    assert result.exit_code == 0, result.output
    assert result.output == "hello from a plugin\n"
