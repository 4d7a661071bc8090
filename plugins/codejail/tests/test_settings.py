"""Without a sandbox driver nothing runs: the operator is told what to install and set."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from flask import Flask
from kampus_codejail.bwrap import BwrapSandbox

from kampus.drivers.sandbox import NoSandbox, SandboxUnavailable, get_sandbox
from kampus.testing.contracts import driver_settings


def test_no_sandbox_refuses_and_says_why(make_app: Callable[..., Flask]) -> None:
    app = make_app(plugins=["codejail"])  # the codejail plugin enabled, but `sandbox` left at "none"
    with app.app_context():
        sandbox = get_sandbox()
        assert isinstance(sandbox, NoSandbox)
        with pytest.raises(SandboxUnavailable) as caught:
            sandbox.safe_exec("x = 1", {})
    assert "bwrap" in caught.value.detail and "kampus-codejail" in caught.value.detail
    assert "sandbox" in caught.value.learner_message
    assert "bwrap" not in caught.value.learner_message


def test_bwrap_setting_loads_the_driver(make_app: Callable[..., Flask]) -> None:
    app = make_app(plugins=["codejail"], settings={"sandbox": "bwrap"})
    with app.app_context():
        assert isinstance(get_sandbox(), BwrapSandbox)


def test_missing_bwrap_tells_the_operator(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    sandbox = BwrapSandbox(driver_settings(tmp_path, plugins=["codejail"]))
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "bwrap" else real_which(name, *a, **k))
    with pytest.raises(SandboxUnavailable) as caught:
        sandbox.safe_exec("x = 1", {})
    assert "apt-get install bubblewrap" in caught.value.detail


def test_defaults() -> None:
    settings = driver_settings("/nonexistent", plugins=["codejail"])
    assert settings["sandbox"] == "none"
    assert settings["codejail_cpu_seconds"] == 5
    assert settings["codejail_wall_seconds"] == 10
    assert settings["codejail_memory_bytes"] == 512 * 1024 * 1024
    assert settings["codejail_file_bytes"] == settings["codejail_output_bytes"] == 1024 * 1024


def test_command_follows_the_recipe(tmp_path) -> None:
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed")
    sandbox = BwrapSandbox(driver_settings(tmp_path, plugins=["codejail"]))
    args = sandbox.command(sandbox.limits())
    joined = " ".join(args)
    for flag in ("--unshare-all", "--disable-userns", "--die-with-parent", "--new-session", "--clearenv",
                 "--tmpfs /tmp", "--chdir /tmp", "--remount-ro /", "-I -S"):
        assert flag in joined
    for never in (str(tmp_path), "/etc", "/home", "/work/main/kernel"):
        assert f"--ro-bind {never} " not in joined and f"--bind {never} " not in joined
    import os

    if os.geteuid() == 0:
        assert args[0].endswith("setpriv") and "--no-new-privs" in args


def test_init_turns_the_sandbox_on(tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    kampus = Path(sys.executable).parent / "kampus"
    env = {"PATH": "/usr/bin:/bin", "KAMPUS_HOME": str(tmp_path / "site")}
    result = subprocess.run([str(kampus), "init", "--plugins", "codejail"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    settings = (tmp_path / "site" / "kampus.toml").read_text()
    assert 'sandbox = "bwrap"' in settings
    result = subprocess.run([str(kampus), "init", "--plugins", ""], env={**env, "KAMPUS_HOME": str(tmp_path / "b")},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "sandbox" not in (tmp_path / "b" / "kampus.toml").read_text()
