"""Installed plugins are found through their entry points, scanned again when an installation changes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kampus.plugins import installed_plugins


def _install(folder: Path, name: str) -> None:
    """A distribution with one ``kampus.plugins`` entry point, as pip leaves it in site-packages."""
    info = folder / f"kampus_{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: kampus-{name}\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[kampus.plugins]\n{name} = kampus_{name}.plugin\n", encoding="utf-8")


def test_a_plugin_installed_while_the_process_runs_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert installed_plugins() == installed_plugins()  # scanned once, a copy each time
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    assert "later_one" not in installed_plugins()
    _install(site, "later_one")  # into a folder already on the path: its time of change moves
    found = installed_plugins()
    assert found["later_one"].distribution == "kampus-later_one" and found["later_one"].version == "0.1"
    monkeypatch.setattr(sys, "path", [entry for entry in sys.path if entry != str(site)])
    assert "later_one" not in installed_plugins()
