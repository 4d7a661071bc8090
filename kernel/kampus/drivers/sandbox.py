"""The sandbox driver family (``kampus.sandbox``): running untrusted instructor Python.

The contract follows Open edX CodeJail's ``safe_exec``: code and globals cross
the boundary as JSON; the code runs in a fresh process for every call; the
globals that are JSON-serialisable after the run come back and replace the
caller's. Nothing ever runs unsandboxed: with no driver configured,
:func:`get_sandbox` raises :class:`SandboxUnavailable` with a message for the
site operator.

Drivers come from plugins (entry points ``kampus.sandbox``; Kampus's own
codejail plugin provides one). A driver is built with the app's settings and
passes :mod:`kampus.testing.contracts.sandbox`.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from kampus.current import current_kampus

#: The driver family (entry points ``kampus.sandbox``, and the setting that names the driver).
FAMILY = "sandbox"


class SandboxError(Exception):
    """The sandboxed code failed or was stopped.

    ``learner_message`` is safe to show anyone; ``detail`` (the traceback, the
    limit that stopped it) is for course staff and logs.
    """

    def __init__(self, learner_message: str, detail: str = ""):
        super().__init__(learner_message)
        self.learner_message = learner_message
        self.detail = detail


class SandboxUnavailable(SandboxError):
    """No sandbox driver is configured, so instructor Python cannot run."""


@dataclass(frozen=True)
class SandboxLimits:
    """Limits of one run. ``None`` fields take the driver's configured defaults."""

    cpu_seconds: float | None = None
    wall_seconds: float | None = None
    memory_bytes: int | None = None
    processes: int | None = None
    file_bytes: int | None = None
    output_bytes: int | None = None


class Sandbox(abc.ABC):
    """Runs instructor Python in isolation. Built with the app's settings."""

    def __init__(self, settings: Any):
        self.settings = settings

    @abc.abstractmethod
    def safe_exec(
        self,
        code: str,
        globals_dict: dict[str, Any],
        *,
        random_seed: int | None = None,
        extra_files: dict[str, bytes] | None = None,
        limits: SandboxLimits | None = None,
        slug: str = "",
    ) -> None:
        """Run ``code`` with ``globals_dict`` as its globals, like CodeJail's ``safe_exec``.

        ``globals_dict`` must be JSON-serialisable; after the run it is updated
        with the JSON-serialisable globals the code left. ``random_seed`` seeds
        ``random`` (and numpy's generator) inside the sandbox before the code
        runs. ``extra_files`` are written into the sandbox's working folder.
        ``slug`` names the run in logs. Raises :class:`SandboxError` when the
        code raises or a limit stops it.
        """


class NoSandbox(Sandbox):
    """The driver in force when none is configured: refuses to run anything."""

    def safe_exec(self, code: str, globals_dict: dict[str, Any], **kwargs: Any) -> None:
        raise SandboxUnavailable(
            "This problem cannot be graded right now: it needs instructor Python, and no sandbox is set up.",
            f"No sandbox driver is configured: {installed_drivers_hint()} "
            "Kampus never runs instructor Python unsandboxed.",
        )


def installed_drivers_hint() -> str:
    """What the operator can do: the installed sandbox drivers (from the ``kampus.sandbox``
    entry points, so the kernel names no plugin), or that one must be installed."""
    drivers = [
        f"'{ep.name}'" + (f" (from {ep.dist.name})" if ep.dist else "")
        for ep in sorted(entry_points(group=f"kampus.{FAMILY}"), key=lambda ep: ep.name)
    ]
    if not drivers:
        return (f"install a plugin that provides a kampus.{FAMILY} driver, then set the '{FAMILY}' setting "
                "to its name.")
    return f"set the '{FAMILY}' setting to an installed driver: {', '.join(drivers)}."


def get_sandbox() -> Sandbox:
    """The sandbox of the current app (the driver named by the ``sandbox`` setting)."""
    kampus = current_kampus()
    name = kampus.settings.sandbox
    if not name or name == "none":
        return NoSandbox(kampus.settings)
    return kampus.driver("sandbox", name)
