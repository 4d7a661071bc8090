"""Helpers for tests of XBlocks in Kampus: publish a small course made of given blocks, and install
an XBlock class defined in a test under a block type."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from opaque_keys.edx.keys import CourseKey
from xblock.core import XBlock

from kampus_content.runtime.runtime import forget_block_class
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


class BlockClassEntryPoint:
    """An ``xblock.v1`` entry point of a class defined in a test."""

    group = "xblock.v1"

    def __init__(self, name: str, cls: type):
        self.name = name
        self.value = f"tests:{cls.__name__}"
        self.cls = cls

    def load(self) -> type:
        return self.cls


@contextmanager
def installed_block(block_type: str, cls: type) -> Iterator[None]:
    """Inside the block, ``block_type`` loads ``cls`` as if a package had installed it (XBlock's
    ``extra_entry_points``); the type's cached class is forgotten on the way in and out."""
    had_own = "extra_entry_points" in XBlock.__dict__
    saved = XBlock.extra_entry_points
    XBlock.extra_entry_points = [(block_type, BlockClassEntryPoint(block_type, cls))]
    forget_block_class(block_type)
    try:
        yield
    finally:
        if had_own:
            XBlock.extra_entry_points = saved
        else:
            del XBlock.extra_entry_points
        forget_block_class(block_type)
