"""Fixtures of the cohorts tests: ``groups_course``, a published course with a content-group partition
(groups 1 "Group A" and 2 "Group B") whose three units are for everyone, group A and group B."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from kampus_content.store.interface import Block

COURSE = "course-v1:KampusX+Cohorts101+2026"
PARTITIONS = [{"id": 50, "name": "Content Groups", "scheme": "cohort", "description": "", "version": 3,
               "parameters": {}, "active": True,
               "groups": [{"id": 1, "name": "Group A", "version": 1}, {"id": 2, "name": "Group B", "version": 1}]}]


def course_blocks() -> list[Block]:
    """A course: one section, one subsection, units ``all``, ``ga`` (group A) and ``gb`` (group B)."""
    units = {"all": ("For everyone", {}), "ga": ("For group A", {"group_access": {"50": [1]}}),
             "gb": ("For group B", {"group_access": {"50": [2]}})}
    blocks = [Block("course", "course", {"display_name": "Cohorts course", "start": "2020-01-01T00:00:00Z",
                                         "user_partitions": PARTITIONS}, [("chapter", "ch")]),
              Block("chapter", "ch", {"display_name": "Week 1"}, [("sequential", "seq")]),
              Block("sequential", "seq", {"display_name": "Lesson 1"}, [("vertical", name) for name in units])]
    for name, (title, fields) in units.items():
        blocks.append(Block("vertical", name, {"display_name": title, **fields}, [("html", f"{name}h")]))
        blocks.append(Block("html", f"{name}h", {"display_name": title, "data": f"<p>Body of {title}</p>"}))
    return blocks


@pytest.fixture
def kampus_plugins() -> list[Any]:
    return ["content", "problems", "lms"]


@pytest.fixture
def groups_course(app: Flask) -> str:
    with app.app_context():
        store = app.extensions["kampus"].driver("content_store")
        store.create_course(COURSE, course_blocks(), ("course", "course"), user_id=None)
        store.publish(COURSE, user_id=None)
    return COURSE
