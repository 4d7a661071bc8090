"""Fixtures of the course home tests: ``olx_course``, which writes a small Open edX course folder
(sections x subsections x units, a policy, ``info/`` and ``tabs/`` files) and imports it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from kampus_content.api import content_store
from kampus_content.olx.service import import_folder

COURSE = "course-v1:HomeX+H101+2026"
PAST = "2020-01-01T00:00:00Z"


def write_course(folder: Path, *, sections: int = 2, subsections: int = 2, units: int = 2,
                 course_attrs: dict[str, str] | None = None, chapter_attrs: dict[int, dict[str, str]] | None = None,
                 sequential_attrs: dict[tuple[int, int], dict[str, str]] | None = None,
                 policy: dict[str, Any] | None = None, files: dict[str, str] | None = None) -> Path:
    """An OLX folder of course HomeX/H101/2026: section ``i`` (1-based) holds subsections ``i.j``,
    each with units ``i.j.k`` of one html block and one problem."""
    attrs = {"display_name": "Home Course", "start": PAST, **(course_attrs or {})}

    def attr_text(values: dict[str, str]) -> str:
        return " ".join(f'{name}="{value}"' for name, value in values.items())

    parts = [f'<course url_name="2026" org="HomeX" course="H101" {attr_text(attrs)}>']
    for i in range(1, sections + 1):
        own = attr_text((chapter_attrs or {}).get(i, {}))
        parts.append(f'<chapter url_name="ch{i}" display_name="Section {i}" {own}>')
        for j in range(1, subsections + 1):
            extra = (sequential_attrs or {}).get((i, j), {})
            parts.append(f'<sequential url_name="s{i}_{j}" display_name="Subsection {i}.{j}" {attr_text(extra)}>')
            for k in range(1, units + 1):
                parts.append(f'<vertical url_name="u{i}_{j}_{k}" display_name="Unit {i}.{j}.{k}">'
                             f'<html url_name="h{i}_{j}_{k}" display_name="Text">'
                             f'<![CDATA[<p>Text {i}.{j}.{k}</p>]]></html>'
                             f'<problem url_name="p{i}_{j}_{k}" display_name="Question">'
                             '<multiplechoiceresponse><choicegroup type="MultipleChoice">'
                             '<choice correct="true">Yes</choice><choice correct="false">No</choice>'
                             '</choicegroup></multiplechoiceresponse></problem>'
                             '</vertical>')
            parts.append("</sequential>")
        parts.append("</chapter>")
    parts.append("</course>")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.xml").write_text("".join(parts), encoding="utf-8")
    if policy is not None:
        (folder / "policies" / "2026").mkdir(parents=True, exist_ok=True)
        (folder / "policies" / "2026" / "policy.json").write_text(json.dumps({"course/2026": policy}),
                                                                   encoding="utf-8")
    for path, text in (files or {}).items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    return folder


def import_olx(app: Flask, folder: Path, course_key: str | None = COURSE) -> str:
    """Import (and publish) the OLX course in ``folder`` into ``app``; returns its id."""
    with app.app_context():
        return import_folder(folder, content_store(), user_id=None, course_key=course_key).course_key


@pytest.fixture
def olx_course(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[..., str]:
    """``olx_course(app=None, **write_course_options)``: write the course and import it into ``app``
    (the ``app`` fixture by default); returns its id."""
    count = [0]

    def make(app: Flask | None = None, **options: Any) -> str:
        count[0] += 1
        target = app if app is not None else request.getfixturevalue("app")
        return import_olx(target, write_course(tmp_path / f"olx{count[0]}", **options))

    return make


@pytest.fixture
def olx_folder() -> Callable[[Flask, Path], str]:
    """``olx_folder(app, folder)``: import an OLX folder as it is (its own course key)."""
    return lambda app, folder: import_olx(app, folder, None)
