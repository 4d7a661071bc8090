"""Helpers for the kernel acceptance tests: run the installed ``kampus`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

KAMPUS = str(Path(sys.executable).with_name("kampus"))


def kampus_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment for a ``kampus`` subprocess on the site ``home``: no stray KAMPUS_* settings."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KAMPUS_")}
    env["KAMPUS_HOME"] = str(home)
    env.update(extra)
    return env


def run_kampus(home: Path, *args: str, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KAMPUS, *args], env=kampus_env(home, **extra_env), capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An empty site folder."""
    home = tmp_path / "site"
    home.mkdir()
    return home


@pytest.fixture
def kampus_cmd():
    """``kampus_cmd(home, *args, timeout=..., **env)``: run the ``kampus`` command on a site."""
    return run_kampus
