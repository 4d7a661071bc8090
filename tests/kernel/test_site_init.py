"""The kernel names no plugin: a new site's plugins and settings come from the plugins' own hooks,
and a plugin's command outside a site says how to make one."""

from __future__ import annotations

import ast
import re
import subprocess
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
from kampus_hookspecs import SiteDefaults, hookimpl

import kampus
from kampus.errors import PluginError
from kampus.plugins import InstalledPlugin, installed_plugins
from kampus.site_defaults import new_site, settings_file_text

from .conftest import KAMPUS, kampus_env

KERNEL = Path(kampus.__file__).resolve().parent
#: Kampus's own plugins (DESIGN.md) and the driver names they provide. ("instructor" is also a course
#: role, which the kernel names: the instructor plugin is left out.)
FIRST_PARTY = ("content", "problems", "codejail", "lms", "studio", "forums", "xqueue", "commerce", "analytics",
               "lti", "mongo", "elasticsearch", "s3", "bwrap")
NAMED = re.compile(rf"\bkampus[-_]({'|'.join(FIRST_PARTY)})\b|\bbwrap\b")


def test_a_fresh_init_enables_the_plugins_that_ask_in_their_order(site, kampus_cmd):
    installed = installed_plugins()
    if not {"content", "problems", "codejail", "lms", "instructor", "xqueue", "forums", "studio"} <= set(installed):
        pytest.skip("the first-party plugins are not installed")
    result = kampus_cmd(site, "init", timeout=240)
    assert result.returncode == 0, result.stderr
    settings = tomllib.loads((site / "kampus.toml").read_text(encoding="utf-8"))
    # content, problems, codejail, lms, instructor, xqueue, forums, studio ask (orders 10 to 60); example, mongo
    # and the drivers that need a server (s3, ses, elasticsearch) do not.
    assert settings["plugins"] == ["content", "problems", "codejail", "lms", "instructor", "xqueue", "forums",
                                   "studio"]
    assert settings["sandbox"] == "bwrap"  # codejail's own answer, not the kernel's
    assert 'sandbox = "bwrap"  # instructor Python runs' in (site / "kampus.toml").read_text(encoding="utf-8")
    assert len(settings["secret_key"]) > 40


def test_naming_the_plugins_writes_only_their_defaults(site, kampus_cmd):
    result = kampus_cmd(site, "init", "--plugins", "example", timeout=120)
    assert result.returncode == 0, result.stderr
    settings = tomllib.loads((site / "kampus.toml").read_text(encoding="utf-8"))
    assert settings["plugins"] == ["example"] and "sandbox" not in settings


class Asks:
    def __init__(self, defaults: SiteDefaults | None):
        self.defaults = defaults

    @hookimpl
    def kampus_site_defaults(self) -> SiteDefaults | None:
        return self.defaults


def fake_installed(**plugins: object) -> dict[str, InstalledPlugin]:
    def entry_point(plugin: object) -> SimpleNamespace:
        def load() -> object:
            if isinstance(plugin, Exception):
                raise plugin
            return plugin

        return SimpleNamespace(load=load)

    return {name: InstalledPlugin(name, f"{name}.plugin", None, None, entry_point(plugin))  # type: ignore[arg-type]
            for name, plugin in plugins.items()}


def test_new_site_orders_by_the_plugins_answers_and_skips_what_does_not_load():
    installed = fake_installed(
        zeta=Asks(SiteDefaults(order=5, settings={"zeta_colour": "blue", "zeta_sizes": ["s", "m"]}, comment="z")),
        alpha=Asks(SiteDefaults(order=50)),
        beta=Asks(SiteDefaults(order=50, settings={"beta_on": True, "beta_limit": 3})),
        shy=Asks(SiteDefaults(enable_on_init=False, order=1, settings={"shy_value": 1})),
        silent=Asks(None),
        broken=ImportError("no module named nowhere"),
    )
    site = new_site(installed)
    assert site.plugins == ["zeta", "alpha", "beta"]  # by order, then name
    assert [name for name, _, _ in site.settings] == ["zeta_colour", "zeta_sizes", "beta_on", "beta_limit"]
    assert len(site.skipped) == 1 and "'broken' failed to load" in site.skipped[0]
    text = settings_file_text(site)
    written = tomllib.loads(text)
    assert written["zeta_colour"] == "blue" and written["zeta_sizes"] == ["s", "m"]
    assert written["beta_on"] is True and written["beta_limit"] == 3 and "shy_value" not in written
    assert 'zeta_colour = "blue"  # z' in text
    # Named plugins are enabled as named, with their settings even when they would not ask.
    assert new_site(installed, ["shy"]).plugins == ["shy"]
    assert [name for name, _, _ in new_site(installed, ["shy"]).settings] == ["shy_value"]


@pytest.mark.parametrize("answer, message", [
    (SiteDefaults(settings={"Bad Name": 1}), "not a setting name"),
    (SiteDefaults(settings={"nested": {"a": 1}}), "string, number, boolean or list of strings"),
    (SiteDefaults(settings={"sandbox": "other"}), "both ask for the setting 'sandbox'"),
])
def test_new_site_refuses_bad_answers_with_one_line(answer, message):
    installed = fake_installed(first=Asks(SiteDefaults(order=1, settings={"sandbox": "bwrap"})), second=Asks(answer))
    with pytest.raises(PluginError, match=message):
        settings_file_text(new_site(installed))


def _named_plugins(path: Path) -> list[str]:
    """First-party plugin names in the code of one kernel module (ignored and comments aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    ignored = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body \
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            ignored.add(id(body[0].value))
        # edx-search's document field ``content`` (kampus.drivers.search) is a wire name, not the plugin's
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["TEXT_FIELD"]:
            ignored.add(id(node.value))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in ignored:
            if node.value in FIRST_PARTY or NAMED.search(node.value):
                found.append(f"{path.relative_to(KERNEL)}:{node.lineno}: {node.value[:60]!r}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names]
            if isinstance(node, ast.ImportFrom) and node.module:
                modules.append(node.module)
            found.extend(f"{path.relative_to(KERNEL)}:{node.lineno}: import {module}"
                         for module in modules if NAMED.search(module))
    return found


def test_no_kernel_module_names_a_first_party_plugin():
    found = [hit for path in sorted(KERNEL.rglob("*.py")) for hit in _named_plugins(path)]
    assert found == []
    templates = [path for path in (KERNEL / "templates").rglob("*.html") if NAMED.search(path.read_text("utf-8"))]
    assert templates == []


def test_the_scan_sees_a_named_plugin(tmp_path, monkeypatch):
    module = tmp_path / "module.py"
    module.write_text('"""Docs may say kampus-codejail."""\nimport kampus_content\nORDER = ("problems",)\n')
    monkeypatch.setattr(f"{__name__}.KERNEL", tmp_path)
    assert [hit.split(": ", 1)[1] for hit in _named_plugins(module)] == ["import kampus_content", "'problems'"]


def run_in(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = kampus_env(folder, **env)
    if "KAMPUS_HOME" not in env:
        environment.pop("KAMPUS_HOME")  # the default site folder: ./var
    return subprocess.run([KAMPUS, *args], cwd=folder, env=environment, capture_output=True, text=True,
                          timeout=120)


def test_a_plugin_command_outside_a_site_says_how_to_make_one(tmp_path):
    if "problems" not in installed_plugins():
        pytest.skip("kampus-problems is not installed")
    result = run_in(tmp_path, "check-problem", "problem.xml")
    assert result.returncode == 2
    assert "No such command" not in result.stderr and "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"no site was found in {tmp_path / 'var'}" in message
    assert "kampus init" in message and "KAMPUS_HOME" in message and "'problems'" in message
    assert not (tmp_path / "var").exists()  # nothing was created


def test_a_plugin_command_of_a_site_that_does_not_enable_it(tmp_path):
    if "problems" not in installed_plugins():
        pytest.skip("kampus-problems is not installed")
    home = tmp_path / "site"
    home.mkdir()
    (home / "kampus.toml").write_text('secret_key = "k" \nplugins = []\n', encoding="utf-8")
    result = run_in(tmp_path, "check-problem", "problem.xml", KAMPUS_HOME=str(home))
    assert result.returncode == 2
    assert "does not enable" in result.stderr and "'problems'" in result.stderr and str(home) in result.stderr


def test_an_unknown_command_is_still_unknown(tmp_path):
    result = run_in(tmp_path, "no-such-thing")
    assert result.returncode == 2 and "No such command 'no-such-thing'" in result.stderr
