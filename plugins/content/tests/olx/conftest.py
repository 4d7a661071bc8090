from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[4].parent / "shared"
CORPUS = SHARED / "corpus" / "olx"


def corpus_courses() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if (p / "course.xml").is_file()) if CORPUS.is_dir() else []


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is absent ({CORPUS}): OLX round-trip tests need ../shared/corpus/olx")
    return CORPUS


@pytest.fixture
def content_app(make_app):
    app = make_app(plugins=["content"])
    with app.app_context():
        yield app
