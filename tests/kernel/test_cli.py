"""The ``kampus`` command: missing plugins, ``plugins``, ``init`` and ``migrate``."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def run_kampus(kampus_cmd):
    return kampus_cmd


def write_settings(home, body: str) -> None:
    (home / "kampus.toml").write_text('secret_key = "test-secret-key-0123456789"\n' + body, encoding="utf-8")


def test_serve_with_a_missing_plugin_fails_with_one_line(site, run_kampus):
    write_settings(site, 'plugins = ["nonexistent"]\n')
    result = run_kampus(site, "serve", "--port", "0", "--no-worker", timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "nonexistent" in lines[0]
    assert "Traceback" not in result.stderr


def test_plugins_lists_the_example_plugin_and_its_hooks(site, run_kampus):
    write_settings(site, 'plugins = ["example"]\n')
    result = run_kampus(site, "plugins")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    line = next(line for line in out.splitlines() if line.startswith("example"))
    assert "kampus-example" in line and "enabled" in line
    hooks = out.split(line, 1)[1].splitlines()[1]
    for hook in ("kampus_blueprints", "kampus_nav_items", "kampus_settings", "kampus_event_emitted",
                 "kampus_celery_tasks", "kampus_migration_locations", "kampus_template_folders"):
        assert hook in hooks


def test_plugins_marks_a_missing_plugin(site, run_kampus):
    write_settings(site, 'plugins = ["nonexistent"]\n')
    result = run_kampus(site, "plugins")
    assert re.search(r"^nonexistent\b.*MISSING", result.stdout, re.M), result.stdout


def test_init_then_migrate_twice(site, run_kampus):
    result = run_kampus(site, "init", "--demo", "--plugins", "example")
    assert result.returncode == 0, result.stderr
    assert re.search(r"Admin login: admin / \S{8,}", result.stdout)
    assert "Demo login: learner / kampus-demo" in result.stdout
    settings = (site / "kampus.toml").read_text()
    assert 'plugins = ["example"]' in settings and "secret_key" in settings

    first = run_kampus(site, "migrate")
    assert first.returncode == 0, first.stderr
    second = run_kampus(site, "migrate")
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout

    again = run_kampus(site, "init")
    assert again.returncode == 0
    assert "already" in again.stdout


def test_migrate_applies_a_newly_enabled_plugin(site, run_kampus):
    assert run_kampus(site, "init", "--plugins", "").returncode == 0
    assert "up to date" in run_kampus(site, "migrate").stdout
    result = run_kampus(site, "migrate", KAMPUS_PLUGINS="example")
    assert result.returncode == 0, result.stderr
    assert "e0001_login_count" in result.stdout
    assert "up to date" in run_kampus(site, "migrate", KAMPUS_PLUGINS="example").stdout


def test_serve_refuses_an_unmigrated_database(site, run_kampus):
    assert run_kampus(site, "init", "--plugins", "").returncode == 0
    result = run_kampus(site, "serve", "--port", "0", "--no-worker", KAMPUS_PLUGINS="example", timeout=60)
    assert result.returncode != 0
    assert "migrat" in result.stderr


def test_create_user(site, run_kampus):
    assert run_kampus(site, "init", "--plugins", "").returncode == 0
    result = run_kampus(site, "create-user", "alice", "alice@example.com", "--password", "a long password 123")
    assert result.returncode == 0, result.stderr
    duplicate = run_kampus(site, "create-user", "alice", "alice2@example.com", "--password", "a long password 123")
    assert duplicate.returncode != 0
