"""Plain data types that hooks return. No dependencies beyond the standard library."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Setting:
    """A setting that a plugin declares through ``kampus_settings``.

    ``name`` is a lower-case identifier, by convention prefixed with the plugin
    name (``forums_max_post_size``). It is read from ``kampus.toml`` (a flat key,
    or ``[forums] max_post_size``) and from the environment variable
    ``KAMPUS_<NAME>`` (upper case). ``type`` is one of ``str``, ``int``,
    ``float``, ``bool``, ``list`` (of strings; comma-separated in the
    environment). A string default may contain ``{home}``, replaced by the site
    folder. ``secret`` settings are never printed.
    """

    name: str
    type: type
    default: Any
    help: str
    secret: bool = False
    choices: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class NavItem:
    """An entry of the site's main navigation, contributed by ``kampus_nav_items``.

    ``url`` is an absolute path on the site. Items are shown by ascending
    ``order``, then label.
    """

    label: str
    url: str
    order: int = 100
    active_prefix: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SiteDefaults:
    """What an installed plugin asks of a new site, answered through ``kampus_site_defaults``.

    ``kampus init`` (without ``--plugins``) enables every installed plugin whose
    answer has ``enable_on_init`` true, by ascending ``order`` (then name), and
    writes its ``settings`` into the new site's ``kampus.toml`` (values of TOML
    types: strings, numbers, booleans, lists of strings), with ``comment`` on
    each line it writes. First-party plugins use orders 10, 20, 30, …; a plugin
    that others build on takes a lower order than they do.
    """

    enable_on_init: bool = True
    order: int = 100
    settings: dict[str, Any] = field(default_factory=dict)
    comment: str = ""


@dataclass(frozen=True)
class PeriodicTask:
    """A background task that the workers start on a schedule, declared through ``kampus_periodic_tasks``
    (since hook API 1.6; Open edX's Celery beat schedule).

    ``name`` names the schedule entry (unique on the site; by convention prefixed with the plugin name,
    ``forums.daily_digest``). ``task`` is the name of a task the plugin registers through
    ``kampus_celery_tasks``; each run is an ordinary recorded task (a task record, progress, retries of a
    lost worker), started with ``args`` and ``kwargs`` (JSON-serialisable) and no user.

    The schedule is exactly one of ``every_seconds`` (a fixed interval, the first run one interval after
    the schedule is first seen) or ``crontab``, five fields ``"minute hour day-of-month month
    day-of-week"`` in UTC (``"0 6 * * *"``: every day at 06:00; ``"30 7 * * mon"``: Mondays at 07:30;
    ranges, lists, ``*/n`` steps and day names allowed; day of week 0 is Sunday).

    Runs are at least once and may be late (a worker that was down runs a missed time once, not every
    missed time), so the task must be idempotent; a run is skipped while the previous run of the same
    entry is still pending or running.
    """

    name: str
    task: str
    every_seconds: float | None = None
    crontab: str | None = None
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or not self.task:
            raise ValueError("a periodic task needs a name and a task")
        if (self.every_seconds is None) == (self.crontab is None):
            raise ValueError(f"periodic task {self.name!r}: give exactly one of every_seconds and crontab")
        if self.every_seconds is not None and not self.every_seconds > 0:
            raise ValueError(f"periodic task {self.name!r}: every_seconds must be positive")
        if self.crontab is not None and len(self.crontab.split()) != 5:
            raise ValueError(f"periodic task {self.name!r}: crontab must have five fields "
                             f"(minute hour day-of-month month day-of-week), not {self.crontab!r}")
