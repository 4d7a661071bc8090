"""Errors the kernel raises. Start-up errors carry one line for the operator."""

from __future__ import annotations


class KampusError(Exception):
    """Base class of Kampus errors."""


class StartupError(KampusError):
    """The app cannot start: a plugin is missing or failing, a setting is wrong.

    ``str(error)`` is one line that names what to fix.
    """


class SettingsError(StartupError):
    """A setting is unknown, ill-typed or missing."""


class PluginError(StartupError):
    """An enabled plugin is not installed or fails to load."""


class DriverError(StartupError):
    """A configured driver is not installed or fails to load."""
