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
