"""The response types of one app: every plugin's answer to ``kampus_response_graders``, merged.

The CAPA engine knows no response type by itself: :class:`~kampus_problems.capa.LoncapaProblem`
takes a ``{tag: class}`` registry. An app's registry is built once, at start-up, from the hook
(the problems plugin answers it with the first-party types, other plugins add theirs) and kept on
the app's :class:`~kampus.app.Kampus` object, so two apps in one process never share one. A tag given
twice, a tag that is not an XML name ending in ``response``, or a class without the methods the
engine calls stops start-up with one line naming the class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kampus.errors import StartupError

if TYPE_CHECKING:
    from kampus.app import Kampus

CACHE_KEY = "problems.response_classes"

#: What the engine calls on a response class (see the hook's documentation).
REQUIRED_METHODS = ("evaluate_answers", "get_answers", "max_points", "get_initial_display")

_TAG = re.compile(r"^[a-z_][a-z0-9_]*response$")


def _describe(cls: Any) -> str:
    return f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', repr(cls))}"


def check_response_class(tag: Any, cls: Any) -> None:
    """Raise :class:`StartupError` unless ``cls`` can grade ``<tag>`` elements."""
    if not isinstance(tag, str) or not _TAG.match(tag):
        raise StartupError(f"kampus_response_graders: {tag!r} of {_describe(cls)} is not a response tag "
                           "(lower-case letters, digits and _, ending in 'response')")
    if not isinstance(cls, type):
        raise StartupError(f"kampus_response_graders: <{tag}> must map to a class, not {cls!r}")
    missing = [name for name in REQUIRED_METHODS if not callable(getattr(cls, name, None))]
    if missing:
        raise StartupError(f"kampus_response_graders: {_describe(cls)} for <{tag}> lacks {', '.join(missing)} "
                           "(subclass kampus_problems.capa.LoncapaResponse)")


def merge_response_classes(answers: list[Mapping[str, Any] | None]) -> dict[str, type]:
    """One registry from the plugins' answers; a tag claimed by two classes is a start-up error."""
    merged: dict[str, type] = {}
    for answer in answers:
        for tag, cls in (answer or {}).items():
            check_response_class(tag, cls)
            if tag in merged and merged[tag] is not cls:
                raise StartupError(f"kampus_response_graders: <{tag}> is given by both {_describe(merged[tag])} "
                                   f"and {_describe(cls)}; disable one of the plugins")
            merged[tag] = cls
    return merged


def response_classes(kampus: Kampus) -> Mapping[str, type]:
    """The app's read-only registry ``{tag: response class}``, built from the hook on first use."""
    return kampus.kept(CACHE_KEY, lambda: MappingProxyType(merge_response_classes(
        kampus.hook.kampus_response_graders())))
