"""KAMPUS_HOOKSPECS_REQUIRES: a plugin built for another hook API stops start-up with one line naming it."""

from __future__ import annotations

from types import ModuleType

import pytest
from kampus_hookspecs import __version__ as HOOKSPECS_VERSION
from kampus_hookspecs import hookimpl

from kampus.errors import PluginError
from kampus.plugins import hookspecs_requirement_met, load_plugin_manager


def plugin_requiring(requirement: object | None, name: str = "kampus_notes.plugin") -> ModuleType:
    module = ModuleType(name)

    @hookimpl
    def kampus_settings() -> list:
        return []

    module.kampus_settings = kampus_settings  # type: ignore[attr-defined]
    if requirement is not None:
        module.KAMPUS_HOOKSPECS_REQUIRES = requirement  # type: ignore[attr-defined]
    return module


def test_the_hook_api_is_version_1_7() -> None:
    assert HOOKSPECS_VERSION == "1.7"


@pytest.mark.parametrize(("requirement", "met"), [
    ("1.2", True), ("1.0", True), ("1", True), ("1.3", False), ("2.0", False), ("0.9", False),
    (">=1.1,<2", True), (">=1.3,<2", False), ("<1.2", False), ("==1.2", True), ("!=1.2", False),
    (">1.1, <=1.2", True),
])
def test_requirements(requirement: str, met: bool) -> None:
    assert hookspecs_requirement_met(requirement, "1.2") is met


def test_a_plugin_for_the_installed_api_registers() -> None:
    pm = load_plugin_manager([plugin_requiring(">=1.1,<2"), plugin_requiring(None, "kampus_other.plugin")])
    assert pm.has_plugin("kampus_notes.plugin")


def test_a_plugin_for_another_major_stops_start_up(make_app) -> None:
    with pytest.raises(PluginError) as refused:
        make_app(plugins=[plugin_requiring("2.0")])
    message = str(refused.value)
    assert "\n" not in message
    assert "'kampus_notes.plugin'" in message
    assert "needs the Kampus hook API 2.0" in message
    assert f"{HOOKSPECS_VERSION} is installed" in message


def test_an_unreadable_requirement_is_named() -> None:
    with pytest.raises(PluginError, match="not a version requirement"):
        load_plugin_manager([plugin_requiring("latest")])
