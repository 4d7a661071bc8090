"""Settings: unknown and ill-typed values stop start-up; the environment overrides the file."""

from __future__ import annotations

import pytest

from kampus.app import create_app
from kampus.errors import SettingsError, StartupError


@pytest.fixture
def site_env(tmp_path, monkeypatch):
    """A site folder as $KAMPUS_HOME, with no KAMPUS_* settings inherited from the environment."""
    import os

    for key in list(os.environ):
        if key.startswith("KAMPUS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("KAMPUS_HOME", str(tmp_path))

    def write(body: str = "") -> None:
        (tmp_path / "kampus.toml").write_text('secret_key = "s3cret-for-tests-0123456789"\n' + body)

    return write


def test_valid_settings_start(site_env):
    site_env('site_name = "Test Site"\n')
    app = create_app()
    assert app.extensions["kampus"].settings.site_name == "Test Site"


def test_unknown_setting_in_toml_is_an_error_naming_it(site_env):
    site_env('colour_of_the_sky = "blue"\n')
    with pytest.raises(SettingsError, match="colour_of_the_sky"):
        create_app()


def test_unknown_setting_in_the_environment(site_env, monkeypatch):
    site_env()
    monkeypatch.setenv("KAMPUS_NO_SUCH_THING", "1")
    with pytest.raises(SettingsError, match="no_such_thing"):
        create_app()


def test_plugin_setting_is_unknown_until_the_plugin_is_enabled(site_env, monkeypatch):
    site_env('example_greeting = "Hi"\n')
    with pytest.raises(SettingsError, match="example_greeting"):
        create_app()
    monkeypatch.setenv("KAMPUS_PLUGINS", "example")
    assert create_app().extensions["kampus"].settings.example_greeting == "Hi"


def test_kampus_plugins_env_overrides_the_list(site_env, monkeypatch):
    site_env('plugins = ["nonexistent"]\n')
    with pytest.raises(StartupError, match="nonexistent"):
        create_app()
    monkeypatch.setenv("KAMPUS_PLUGINS", "example")
    app = create_app()
    assert app.extensions["kampus"].pm.get_plugin("example") is not None
    assert app.extensions["kampus"].settings.plugins == ["example"]
    monkeypatch.setenv("KAMPUS_PLUGINS", "")
    assert create_app().extensions["kampus"].pm.get_plugin("example") is None


def test_ill_typed_int_is_an_error(site_env, monkeypatch):
    site_env()
    monkeypatch.setenv("KAMPUS_SESSION_LIFETIME_HOURS", "forever")
    with pytest.raises(SettingsError, match="session_lifetime_hours"):
        create_app()


def test_ill_typed_int_in_toml(site_env):
    site_env('smtp_port = "twenty-five"\n')
    with pytest.raises(SettingsError, match="smtp_port"):
        create_app()


def test_env_wins_over_toml_and_converts_types(site_env, monkeypatch):
    site_env("session_lifetime_hours = 5\n")
    monkeypatch.setenv("KAMPUS_SESSION_LIFETIME_HOURS", "7")
    monkeypatch.setenv("KAMPUS_DEBUG", "false")
    settings = create_app().extensions["kampus"].settings
    assert settings.session_lifetime_hours == 7
    assert settings.debug is False


def test_invalid_toml_is_a_startup_error(site_env, tmp_path):
    (tmp_path / "kampus.toml").write_text("this is = = not toml")
    with pytest.raises(SettingsError, match="TOML"):
        create_app()


def test_errors_are_one_line(site_env):
    site_env('colour_of_the_sky = "blue"\n')
    with pytest.raises(StartupError) as info:
        create_app()
    assert "\n" not in str(info.value)
