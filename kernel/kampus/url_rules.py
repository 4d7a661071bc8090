"""The URL rule class of the kernel's Flask app: werkzeug's, with URL builders compiled once per process.

Werkzeug compiles, for every route of every app, two small Python functions that build the route's URLs
(``url_for``): it writes their syntax tree, walks it and compiles it. With the four hundred routes of a site
with every first-party plugin, that was nine tenths of building an app (about 200 ms: each test builds one,
each ``kampus`` command and each server worker too). A builder is a pure function of the rule's parsed
shape (its static and variable parts, and the defaults written into it); it reaches the rule's converters
through the rule it is bound to. So two rules of the same shape, in one app or in two, share one compiled
function, each bound to its own rule: nothing of one app's state is shared with another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

from werkzeug.routing import Rule

#: Compiled builders by rule shape. Bounded: routes come from code, not from requests, but a process that
#: builds apps with generated rules must not grow without end.
_BUILDERS: dict[Hashable, Callable[..., tuple[str, str]]] = {}
_MAX_BUILDERS = 8192
_lock = threading.Lock()


class SharedBuilderRule(Rule):
    """A werkzeug :class:`~werkzeug.routing.Rule` whose builder functions are compiled once per shape."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        defaults = self.defaults or {}
        key = (
            append_unknown,
            self.rule,
            tuple(self._trace),
            tuple((str(name), self._converters[name].to_url(value) if name in self._converters else None)
                  for name, value in defaults.items()),
        )
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = super()._compile_builder(append_unknown)
            with _lock:
                if len(_BUILDERS) < _MAX_BUILDERS:
                    _BUILDERS[key] = builder
        return builder


def builders_compiled() -> int:
    """How many builder functions this process holds (for tests)."""
    return len(_BUILDERS)


__all__ = ["SharedBuilderRule", "builders_compiled"]
