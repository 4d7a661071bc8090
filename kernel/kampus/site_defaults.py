"""What ``kampus init`` writes into a new site: plugins and settings that installed plugins ask for.

The kernel names no plugin. Each installed plugin may answer
``kampus_site_defaults`` with a :class:`~kampus_hookspecs.SiteDefaults`: whether
a new site enables it, where in the plugin order, and the settings it needs
(codejail asks for ``sandbox = "bwrap"``). Each plugin is asked alone, through
a plugin manager of its own, so that an answer is known to be that plugin's.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from kampus_hookspecs import SiteDefaults

from kampus.errors import PluginError
from kampus.plugins import InstalledPlugin, new_plugin_manager

#: A setting name as a bare TOML key (settings are lower-case identifiers).
_SETTING_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class NewSite:
    """The plugins and settings of a new site, and plugins that could not be asked."""

    plugins: list[str] = field(default_factory=list)
    settings: list[tuple[str, Any, str]] = field(default_factory=list)  # (name, value, comment)
    skipped: list[str] = field(default_factory=list)  # one line each: a plugin that failed to load


def defaults_of(info: InstalledPlugin) -> SiteDefaults | None:
    """The answer of one installed plugin to ``kampus_site_defaults`` (``None``: no answer).

    Raises :class:`~kampus.errors.PluginError` when the plugin does not load or answers nonsense.
    """
    try:
        plugin = info.entry_point.load()
    except Exception as exc:  # any import error of a plugin is reported, not raised as a traceback
        raise PluginError(f"plugin {info.name!r} failed to load: {type(exc).__name__}: {exc}") from exc
    probe = new_plugin_manager()
    probe.register(plugin, name=info.name)
    answer = probe.hook.kampus_site_defaults()
    if answer is not None and not isinstance(answer, SiteDefaults):
        raise PluginError(f"plugin {info.name!r} answered kampus_site_defaults with {type(answer).__name__}, "
                          "not SiteDefaults")
    return answer


def new_site(installed: dict[str, InstalledPlugin], plugins: list[str] | None = None) -> NewSite:
    """The plugins a new site enables (``plugins`` when the operator named them, else those
    that ask for it, in their order) and the settings the enabled ones ask for."""
    site = NewSite()
    answers: dict[str, SiteDefaults] = {}
    for name, info in sorted(installed.items()):
        if plugins is not None and name not in plugins:
            continue
        try:
            answer = defaults_of(info)
        except PluginError as exc:
            site.skipped.append(str(exc))
            continue
        if answer is not None:
            answers[name] = answer
    if plugins is None:
        wanted = [name for name, answer in answers.items() if answer.enable_on_init]
        site.plugins = sorted(wanted, key=lambda name: (answers[name].order, name))
    else:
        site.plugins = list(plugins)
    owners: dict[str, str] = {}
    for name in site.plugins:
        answer = answers.get(name)
        for key, value in (answer.settings if answer else {}).items():
            if not _SETTING_NAME.match(key):
                raise PluginError(f"plugin {name!r} asks for a setting named {key!r}, which is not a setting name")
            if key in owners:
                raise PluginError(f"plugins {owners[key]!r} and {name!r} both ask for the setting {key!r}")
            owners[key] = name
            site.settings.append((key, value, answer.comment if answer else ""))
    return site


def toml_value(value: Any) -> str:
    """``value`` written as a TOML value (a string, number, boolean or list of strings)."""
    if isinstance(value, (bool, int, str)) or (isinstance(value, float) and math.isfinite(value)):
        return json.dumps(value)  # JSON's forms of these are TOML's
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return json.dumps(list(value))
    raise PluginError(f"a site default must be a string, number, boolean or list of strings, not {value!r}")


def one_line(text: str) -> str:
    """``text`` on one line (a TOML comment ends at the line's end)."""
    return " ".join(text.split())


def settings_file_text(site: NewSite, site_name: str = "Kampus") -> str:
    """The ``kampus.toml`` of a new site: its plugins, a fresh secret key, and plugins' settings."""
    lines = [
        "# Kampus site settings. Every setting can also be set as KAMPUS_<NAME> in the environment.",
        "# `kampus plugins` lists what is installed; `kampus settings` shows every setting with its help.",
        f"plugins = {json.dumps(site.plugins)}",
        f'secret_key = "{secrets.token_urlsafe(48)}"',
        f"site_name = {json.dumps(site_name)}",
    ]
    for key, value, comment in site.settings:
        lines.append(f"{key} = {toml_value(value)}" + (f"  # {comment}" if comment else ""))
    lines.append("")
    return "\n".join(lines)
