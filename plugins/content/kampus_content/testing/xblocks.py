"""Helpers for tests of XBlocks in Kampus: publish a small course made of given blocks."""

from __future__ import annotations

from typing import Any

from flask import Flask
from opaque_keys.edx.keys import CourseKey

from kampus_content.store.interface import Block

COURSE_START = "2020-01-01T00:00:00Z"


def publish_course(
    app: Flask,
    course_key: str,
    units: dict[str, list[Block]],
    *,
    course_fields: dict[str, Any] | None = None,
    unit_fields: dict[str, dict[str, Any]] | None = None,
    extra_blocks: list[Block] = (),  # type: ignore[assignment]
    root_meta: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Create and publish ``course_key``: one chapter, one sequential, a vertical per entry of
    ``units`` holding its blocks. Returns the usage id of every block by block id."""
    fields = {"display_name": "Test course", "start": COURSE_START, **(course_fields or {})}
    blocks = [
        Block("course", "course", fields, [("chapter", "week1")], dict(root_meta or {})),
        Block("chapter", "week1", {"display_name": "Week 1"}, [("sequential", "lesson1")]),
        Block("sequential", "lesson1", {"display_name": "Lesson 1"}, [("vertical", name) for name in units]),
    ]
    for name, children in units.items():
        blocks.append(Block("vertical", name, {"display_name": name.title(), **(unit_fields or {}).get(name, {})},
                            [child.key for child in children]))
        blocks.extend(children)
    blocks.extend(extra_blocks)
    locator = CourseKey.from_string(course_key)
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(course_key, blocks, ("course", "course"), user_id=None)
        store.publish(course_key, user_id=None)
    return {block.id: str(locator.make_usage_key(block.type, block.id)) for block in blocks}
