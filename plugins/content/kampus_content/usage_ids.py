"""The usage id (``block-v1:...``) of every block of a structure, computed once per version."""

from __future__ import annotations

from flask import has_app_context
from opaque_keys.edx.keys import CourseKey

from kampus_content.store.cache import app_version_cache
from kampus_content.store.interface import BlockKey, Structure


def usage_ids(structure: Structure) -> dict[BlockKey, str]:
    """``{(type, id): usage id}`` for every block of ``structure``, kept per app by version id
    (building opaque keys costs microseconds each: pages ask for hundreds); outside an app, computed."""
    if not has_app_context():
        return _build(structure)
    return app_version_cache("usage_ids", 32).get_or_compute(structure.version, lambda: _build(structure))


def _build(structure: Structure) -> dict[BlockKey, str]:
    course_key = CourseKey.from_string(structure.course_key)
    return {key: str(course_key.make_usage_key(key[0], key[1])) for key in structure.blocks}
