"""Settings: a TOML file plus ``KAMPUS_*`` environment variables, declared by plugins.

Reading and validating are separate steps:

* :func:`read_raw_settings` gathers raw values from ``$KAMPUS_HOME/kampus.toml``
  and the environment (the environment wins; ``KAMPUS_PLUGINS`` overrides the
  enabled plugin list);
* :func:`validate_settings` checks the raw values against the declarations
  (``kampus_settings`` hook) once the enabled plugins are known, converts
  types and fills defaults. Unknown or ill-typed values are start-up errors.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting

from kampus.errors import SettingsError

SETTINGS_FILE = "kampus.toml"
ENV_PREFIX = "KAMPUS_"
#: Environment variables with this prefix that are not settings.
RESERVED_ENV = ("KAMPUS_HOME", "KAMPUS_TEST_", "KAMPUS_BENCH_")


def kampus_home(environ: Mapping[str, str] | None = None) -> Path:
    """The site folder: ``$KAMPUS_HOME``, default ``./var``."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("KAMPUS_HOME") or "var").resolve()


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def read_raw_settings(home: Path | None = None, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Raw settings from ``home/kampus.toml`` (if any) and ``KAMPUS_*`` variables.

    TOML tables are flattened: ``[forums] max_posts = 3`` is ``forums_max_posts``.
    """
    environ = os.environ if environ is None else environ
    home = kampus_home(environ) if home is None else Path(home)
    raw: dict[str, Any] = {}
    path = home / SETTINGS_FILE
    if path.exists():
        try:
            raw.update(_flatten(tomllib.loads(path.read_text(encoding="utf-8"))))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX) and not key.startswith(RESERVED_ENV):
            raw[key[len(ENV_PREFIX) :].lower()] = value
    raw["home"] = str(home)
    return raw


def enabled_plugins(raw: Mapping[str, Any]) -> list[str]:
    """The ordered list of enabled plugin names in raw settings."""
    value = raw.get("plugins", [])
    try:
        return _to_list(value)
    except ValueError:
        raise SettingsError("setting 'plugins': expected a list of plugin names") from None


def _to_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return list(value)
    raise ValueError(value)


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(spec: Setting, value: Any, home: str) -> Any:
    kind = spec.type
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise ValueError(value)
    if kind is int:
        if isinstance(value, bool):
            raise ValueError(value)
        return int(value)
    if kind is float:
        if isinstance(value, bool):
            raise ValueError(value)
        return float(value)
    if kind is list:
        return _to_list(value)
    if kind is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValueError(value)
        return str(value).replace("{home}", home)
    raise SettingsError(f"setting {spec.name!r}: unsupported type {kind!r}")


class Settings(Mapping[str, Any]):
    """Validated settings: a read-only mapping, also readable as attributes."""

    def __init__(self, values: Mapping[str, Any], specs: Mapping[str, Setting]):
        self._values = dict(values)
        self.specs = dict(specs)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def home(self) -> Path:
        return Path(self._values["home"])

    def public_items(self) -> list[tuple[str, Any]]:
        """(name, value) pairs with secret values masked, for display."""
        return [
            (name, "********" if self.specs.get(name) and self.specs[name].secret else value)
            for name, value in sorted(self._values.items())
        ]


def validate_settings(raw: Mapping[str, Any], declared: Iterable[Setting]) -> Settings:
    """Check ``raw`` against the declared settings; raise :class:`SettingsError`.

    Every declared setting gets a value (its default when not given);
    a given value that nobody declares is an error.
    """
    specs: dict[str, Setting] = {}
    for spec in declared:
        if spec.name in specs and specs[spec.name] != spec:
            raise SettingsError(f"setting {spec.name!r} is declared twice with different definitions")
        specs[spec.name] = spec
    home = str(raw.get("home") or kampus_home())
    values: dict[str, Any] = {"home": home}
    unknown = sorted(set(raw) - set(specs) - {"home"})
    if unknown:
        raise SettingsError(
            f"unknown setting {unknown[0]!r} (set in kampus.toml or as KAMPUS_{unknown[0].upper()}); "
            "no enabled plugin declares it"
        )
    for name, spec in specs.items():
        value = raw.get(name, spec.default)
        if value is None:
            values[name] = None
            continue
        try:
            value = _convert(spec, value, home)
        except (TypeError, ValueError):
            raise SettingsError(
                f"setting {name!r}: expected {spec.type.__name__}, got {raw.get(name)!r}"
            ) from None
        if spec.choices is not None and value not in spec.choices:
            raise SettingsError(f"setting {name!r}: {value!r} is not one of {', '.join(map(str, spec.choices))}")
        values[name] = value
    return Settings(values, specs)
