"""Plugin discovery and the per-app plugin manager.

Entry points of the group ``kampus.plugins`` are read at an app's start-up
(once per process while no installed distribution changes). Each app builds
its own :class:`pluggy.PluginManager`: two apps in one process never share
hooks.

A plugin may declare which hook API it was built for, in its module:
``KAMPUS_HOOKSPECS_REQUIRES = "1.1"`` (that version or a later one of the same
major: ``>=1.1,<2``) or a requirement such as ``">=1.1,<2"`` (comma-separated
clauses with ``>=``, ``>``, ``<=``, ``<``, ``==``, ``!=`` and ``major.minor``
versions). A plugin whose requirement the installed
:data:`kampus_hookspecs.__version__` does not meet stops start-up with one line
naming the plugin, what it needs and what is installed.
"""

from __future__ import annotations

import importlib
import operator
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy
from kampus_hookspecs import ENTRY_POINT_GROUP, PROJECT_NAME, add_hookspecs
from kampus_hookspecs import __version__ as HOOKSPECS_VERSION

from kampus.errors import PluginError

#: The kernel's own parts, registered in every app before any plugin. Each is
#: a module of hook implementations, like any plugin.
CORE_PLUGINS = (
    "kampus.core",
    "kampus.db.plugin",
    "kampus.rendering.plugin",
    "kampus.identity.plugin",
    "kampus.oauth2.plugin",
    "kampus.api_docs.plugin",
    "kampus.tasks.plugin",
    "kampus.events.plugin",
)


@dataclass(frozen=True)
class InstalledPlugin:
    """A plugin found through the ``kampus.plugins`` entry-point group."""

    name: str
    value: str
    distribution: str | None
    version: str | None
    entry_point: EntryPoint


def installed_plugins() -> dict[str, InstalledPlugin]:
    """Every installed plugin, by entry-point name.

    Reading the entry points scans every installed distribution (about 15 ms); the answer is kept while
    no folder of ``sys.path`` changes (installing or removing a distribution changes its folder), so that
    a process that builds many apps (tests, a server's workers) scans once.
    """
    global _installed
    state = _path_state()
    if _installed is None or _installed[0] != state:
        _installed = (state, _scan_installed())
    return dict(_installed[1])


_installed: tuple[tuple[tuple[str, int | None], ...], dict[str, InstalledPlugin]] | None = None


def _path_state() -> tuple[tuple[str, int | None], ...]:
    state = []
    for entry in sys.path:
        try:
            state.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            state.append((entry, None))
    return tuple(state)


def _scan_installed() -> dict[str, InstalledPlugin]:
    found: dict[str, InstalledPlugin] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist
        found[ep.name] = InstalledPlugin(
            name=ep.name,
            value=ep.value,
            distribution=dist.name if dist else None,
            version=dist.version if dist else None,
            entry_point=ep,
        )
    return found


def new_plugin_manager() -> pluggy.PluginManager:
    """A plugin manager with every hookspec and the kernel's core parts."""
    pm = pluggy.PluginManager(PROJECT_NAME)
    add_hookspecs(pm)
    for module_name in CORE_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    return pm


def load_plugin_manager(enabled: list[Any]) -> pluggy.PluginManager:
    """Build a plugin manager with the core and the ``enabled`` plugins, in order.

    ``enabled`` holds entry-point names; tests may also pass plugin objects
    (modules or instances with hook implementations) directly.
    """
    pm = new_plugin_manager()
    installed: dict[str, InstalledPlugin] | None = None
    for item in enabled:
        if not isinstance(item, str):
            name = getattr(item, "__name__", None) or f"{type(item).__name__}-{id(item):x}"
            _register(pm, item, name)
            continue
        if installed is None:
            installed = installed_plugins()
        if item not in installed:
            raise PluginError(
                f"plugin {item!r} is enabled but not installed (pip install kampus-{item}, "
                "or remove it from the 'plugins' setting)"
            )
        try:
            plugin = installed[item].entry_point.load()
        except Exception as exc:  # any import error of a plugin stops start-up
            raise PluginError(f"plugin {item!r} failed to load: {type(exc).__name__}: {exc}") from exc
        _register(pm, plugin, item)
    return pm


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq, "!=": operator.ne,
}
_CLAUSE = re.compile(r"^\s*(>=|<=|==|!=|>|<)?\s*(\d+(?:\.\d+)*)\s*$")


def _version_tuple(text: str) -> tuple[int, int]:
    parts = [int(part) for part in text.split(".")]
    return (parts[0], parts[1] if len(parts) > 1 else 0)


def hookspecs_requirement_met(requirement: str, installed: str = HOOKSPECS_VERSION) -> bool:
    """Whether the hook API version ``installed`` meets a plugin's ``KAMPUS_HOOKSPECS_REQUIRES``.

    A bare version ``"X.Y"`` means ``>=X.Y,<X+1``. Raises ``ValueError`` for a requirement that cannot be read.
    """
    have = _version_tuple(installed)
    clauses = [clause for clause in requirement.split(",") if clause.strip()]
    if not clauses:
        raise ValueError("empty requirement")
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            raise ValueError(f"cannot read {clause.strip()!r}")
        op, version = match.group(1), _version_tuple(match.group(2))
        if op is None:
            if not (have >= version and have[0] == version[0]):
                return False
        elif not _COMPARISONS[op](have, version):
            return False
    return True


def _check_hookspecs_version(plugin: Any, name: str) -> None:
    requirement = getattr(plugin, "KAMPUS_HOOKSPECS_REQUIRES", None)
    if requirement is None and not isinstance(plugin, ModuleType):
        # An instance: its class's module may declare it (looked up, never imported here).
        requirement = getattr(sys.modules.get(type(plugin).__module__), "KAMPUS_HOOKSPECS_REQUIRES", None)
    if requirement is None:
        return
    try:
        met = hookspecs_requirement_met(str(requirement))
    except ValueError as exc:
        raise PluginError(
            f"plugin {name!r} declares KAMPUS_HOOKSPECS_REQUIRES = {requirement!r}, which is not a version "
            f"requirement ({exc}); write e.g. \"1.2\" or \">=1.1,<2\""
        ) from None
    if not met:
        raise PluginError(
            f"plugin {name!r} needs the Kampus hook API {requirement} but {HOOKSPECS_VERSION} is installed "
            "(install a version of the plugin built for it, or remove it from the 'plugins' setting)"
        )


def _register(pm: pluggy.PluginManager, plugin: Any, name: str) -> None:
    _check_hookspecs_version(plugin, name)
    if pm.is_registered(plugin) or pm.has_plugin(name):
        raise PluginError(f"plugin {name!r} is enabled twice")
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginError(f"plugin {name!r} is invalid: {exc}") from exc


def plugin_hooks(pm: pluggy.PluginManager, plugin: Any) -> list[str]:
    """Names of the hooks that ``plugin`` implements."""
    return sorted(caller.name for caller in (pm.get_hookcallers(plugin) or []))


def enabled_names(pm: pluggy.PluginManager) -> list[str]:
    """Names of the registered plugins that are not part of the kernel."""
    return [name for name, _ in pm.list_name_plugin() if name not in CORE_PLUGINS]


def flatten(results: list[Any]) -> list[Any]:
    """Join the list answers of a hook call into one list (``None`` skipped)."""
    out: list[Any] = []
    for result in results:
        if result is None:
            continue
        if isinstance(result, (list, tuple)):
            out.extend(result)
        else:
            out.append(result)
    return out


def module_of(plugin: Any) -> ModuleType | None:
    """The module a plugin object was defined in."""
    if isinstance(plugin, ModuleType):
        return plugin
    return importlib.import_module(type(plugin).__module__)
