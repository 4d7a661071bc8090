"""Drivers: one backend per family, chosen by name in the settings, loaded with stevedore.

A family ``<family>`` is the entry-point group ``kampus.<family>``; each has an
abstract interface in ``kampus.drivers.<family>`` (or the module that owns it)
and a contract test suite in ``kampus.testing.contracts``. A driver class is
built with the app's :class:`~kampus.settings.Settings` as its only argument.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stevedore import DriverManager
from stevedore.exception import NoMatches

from kampus.errors import DriverError

if TYPE_CHECKING:
    from kampus.app import Kampus

FAMILIES = ("blob_store", "mailer", "event_sink", "content_store", "search", "sandbox", "payment")


def load_driver(family: str, name: str, kampus: Kampus, **kwargs: Any) -> Any:
    """Load and build the driver ``name`` of ``family`` for ``kampus``."""
    namespace = f"kampus.{family}"
    try:
        manager = DriverManager(
            namespace=namespace,
            name=name,
            invoke_on_load=True,
            invoke_args=(kampus.settings,),
            invoke_kwds=kwargs,
            on_load_failure_callback=_raise_load_failure,
        )
    except NoMatches:
        raise DriverError(
            f"{family} driver {name!r} is not installed (no entry point {name!r} in {namespace})"
        ) from None
    return manager.driver


def _raise_load_failure(_manager: Any, entry_point: Any, exc: BaseException) -> None:
    raise DriverError(f"driver {entry_point.name!r} of {entry_point.group} failed to load: {exc}") from exc
