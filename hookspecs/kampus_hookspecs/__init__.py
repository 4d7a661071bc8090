"""The Kampus hook specifications.

This package is the whole contract between the Kampus kernel and its plugins.
It depends on pluggy alone, so that third-party plugin authors can depend on
it without pulling in the kernel.

A plugin is a module (or any object) with functions marked ``@hookimpl``,
published under the entry-point group :data:`ENTRY_POINT_GROUP`::

    [project.entry-points."kampus.plugins"]
    myplugin = "kampus_myplugin.plugin"

The specifications are grouped by concern, one module each: :mod:`.wiring`
(settings, routes, templates, CLI commands, tasks, navigation, permissions),
:mod:`.storage`, :mod:`.rendering`, :mod:`.grading`, :mod:`.search` and
:mod:`.events`.
"""

from __future__ import annotations

import pluggy

from kampus_hookspecs import events, grading, rendering, search, storage, wiring
from kampus_hookspecs._marker import PROJECT_NAME, hookspec
from kampus_hookspecs.types import NavItem, PeriodicTask, Setting, SiteDefaults

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "NavItem",
    "PeriodicTask",
    "Setting",
    "SiteDefaults",
    "__version__",
    "add_hookspecs",
    "hookimpl",
    "hookspec",
]

#: Version of the hook API (``major.minor``; a new minor only adds hooks). A
#: plugin module may declare ``KAMPUS_HOOKSPECS_REQUIRES = "1.4"`` (that version
#: or a later minor of the same major) or a requirement like ``">=1.1,<2"``: the
#: kernel refuses, at start-up, a plugin whose requirement this version does not
#: meet (so a plugin built for another major stops start-up with one line naming it).
#: 1.5 added ``kampus_user_partition_groups``; 1.6 added ``kampus_periodic_tasks`` and
#: :class:`~kampus_hookspecs.types.PeriodicTask`; 1.7 added ``kampus_users_course_roles``.
__version__ = "1.7"

ENTRY_POINT_GROUP = "kampus.plugins"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

SPEC_MODULES = (wiring, storage, rendering, grading, search, events)


def add_hookspecs(pm: pluggy.PluginManager) -> None:
    """Add every Kampus hook specification to a plugin manager."""
    for module in SPEC_MODULES:
        pm.add_hookspecs(module)
