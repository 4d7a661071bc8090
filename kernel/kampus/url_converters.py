"""URL converters of the kernel's Flask app.

``<int:...>`` in every route (kernel and plugins) matches only what a database
id column can hold: 0 to 2**31-1 (a signed 32-bit ``INTEGER`` on SQLite,
PostgreSQL and MariaDB alike). A larger number in a URL is answered 404 by the
router, so it never reaches SQL, where it would overflow a bound parameter
(SQLite's 64-bit limit) or a column type and end as a 500. A route may still
name its own bounds: ``<int(min=1, max=10):number>``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

#: The largest value of a signed 32-bit integer column: the highest id a URL may name.
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """Werkzeug's ``int`` converter with ``max`` defaulting to :data:`MAX_ID`."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # werkzeug names them so
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max,
                         signed=signed)


def init_url_converters(app: Flask) -> None:
    """Make ``<int:...>`` a :class:`BoundedIntegerConverter` (before any route is added)."""
    app.url_map.converters["int"] = BoundedIntegerConverter
