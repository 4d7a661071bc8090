"""The ``kampus`` command line: init, serve, worker, migrate, plugins, create-user, and plugins' commands."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from typing import Any

import click
from flask import Flask

from kampus.errors import StartupError
from kampus.settings import SETTINGS_FILE, enabled_plugins, kampus_home, read_raw_settings

#: First-party plugins `kampus init` enables when they are installed, in this order.
FIRST_PARTY_ORDER = (
    "content", "problems", "codejail", "lms", "studio", "forums", "xqueue", "commerce", "analytics", "lti",
)


def load_app() -> Flask:
    """The app of the current site; a start-up error ends the command with one line."""
    from kampus.app import create_app

    try:
        return create_app()
    except StartupError as exc:
        click.echo(f"kampus: {exc}", err=True)
        sys.exit(2)


class KampusGroup(click.Group):
    """The command group, with commands contributed by enabled plugins."""

    def _plugin_commands(self) -> dict[str, click.Command]:
        if not hasattr(self, "_loaded"):
            self._loaded: dict[str, click.Command] = {}
            try:
                from kampus.plugins import flatten, load_plugin_manager

                pm = load_plugin_manager(enabled_plugins(read_raw_settings()))
                for command in flatten(pm.hook.kampus_cli_commands()):
                    self._loaded[command.name] = command
            except StartupError:
                pass  # the command that needs the app reports the error
        return self._loaded

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._plugin_commands().get(cmd_name)


@click.group(cls=KampusGroup)
def main() -> None:
    """Kampus: a learning platform. The site folder is $KAMPUS_HOME (default ./var)."""


@main.command()
@click.option("--admin-username", default="admin", show_default=True)
@click.option("--admin-email", default="admin@example.com", show_default=True)
@click.option("--demo", is_flag=True, help="Also create demo accounts (and demo content where plugins provide it).")
@click.option(
    "--plugins", "plugin_list", default=None,
    help="Comma-separated plugins to enable (default: every installed first-party plugin).",
)
def init(admin_username: str, admin_email: str, demo: bool, plugin_list: str | None) -> None:
    """Create the site folder, its settings, database and an admin account."""
    from kampus.plugins import installed_plugins

    home = kampus_home()
    settings_path = home / SETTINGS_FILE
    if settings_path.exists():
        click.echo(f"Site already initialised in {home} ({settings_path} exists).")
        return
    home.mkdir(parents=True, exist_ok=True)
    if plugin_list is None:
        installed = installed_plugins()
        plugins = [name for name in FIRST_PARTY_ORDER if name in installed]
    else:
        plugins = [name.strip() for name in plugin_list.split(",") if name.strip()]
    lines = [
        "# Kampus site settings. Every setting can also be set as KAMPUS_<NAME> in the environment.",
        "# `kampus plugins` lists what is installed; `kampus settings` shows every setting with its help.",
        f"plugins = {json.dumps(plugins)}",
        f'secret_key = "{secrets.token_urlsafe(48)}"',
        'site_name = "Kampus"',
        *(['sandbox = "bwrap"  # instructor Python runs in the codejail plugin\'s bubblewrap jail']
          if "codejail" in plugins else []),
        "",
    ]
    settings_path.write_text("\n".join(lines), encoding="utf-8")
    settings_path.chmod(0o600)
    try:
        app = load_app()
    except SystemExit:
        settings_path.unlink()  # so that a corrected `kampus init` can run again
        raise
    from kampus.db.migrate import upgrade
    from kampus.identity.accounts import create_user

    kampus = app.extensions["kampus"]
    upgrade(kampus.db, kampus.pm)
    password = secrets.token_urlsafe(12)
    with kampus.db.session_scope() as db_session:
        create_user(db_session, admin_username, admin_email, password, name="Administrator",
                    is_superuser=True, confirmed=True)
    click.echo(f"Created site in {home}")
    click.echo(f"Admin login: {admin_username} / {password}   (shown once: write it down)")
    with app.app_context():
        if demo:
            for line in create_demo(app):
                click.echo(line)
        for plugin_lines in kampus.hook.kampus_init_site(app=app, demo=demo):
            for line in plugin_lines or ():
                click.echo(line)


DEMO_ACCOUNTS = (
    ("learner", "learner@example.com", "Demo Learner", False),
    ("instructor", "instructor@example.com", "Demo Instructor", False),
    ("staff", "staff@example.com", "Demo Staff", True),
)
DEMO_PASSWORD = "kampus-demo"


def create_demo(app: Flask) -> list[str]:
    """Demo accounts with a known password; plugins add demo content through their own commands."""
    from kampus.identity.accounts import create_user

    kampus = app.extensions["kampus"]
    lines = []
    with kampus.db.session_scope() as db_session:
        for username, email, name, staff in DEMO_ACCOUNTS:
            create_user(db_session, username, email, DEMO_PASSWORD, name=name, is_staff=staff, confirmed=True)
            lines.append(f"Demo login: {username} / {DEMO_PASSWORD}")
    return lines


@main.command()
def migrate() -> None:
    """Bring the database schema of the kernel and every enabled plugin up to date."""
    from kampus.db.migrate import upgrade

    kampus = load_app().extensions["kampus"]
    applied = upgrade(kampus.db, kampus.pm)
    click.echo(f"Migrated to {', '.join(applied)}" if applied else "Database is up to date.")


@main.command("plugins")
def plugins_command() -> None:
    """List installed plugins, which are enabled, and the hooks each implements."""
    from kampus.plugins import installed_plugins, load_plugin_manager, plugin_hooks

    raw = read_raw_settings()
    enabled = enabled_plugins(raw)
    installed = installed_plugins()
    pm = None
    try:
        pm = load_plugin_manager([name for name in enabled if name in installed])
    except StartupError as exc:
        click.echo(f"kampus: {exc}", err=True)
    for name in sorted(set(installed) | set(enabled)):
        info = installed.get(name)
        status = "enabled" if name in enabled else "installed"
        if info is None:
            click.echo(f"{name}  MISSING (enabled in settings, not installed)")
            continue
        click.echo(f"{name}  {info.distribution or '?'} {info.version or ''}  [{status}]  ({info.value})")
        plugin = pm.get_plugin(name) if pm is not None and name in enabled else None
        if plugin is None:
            plugin = info.entry_point.load()
            from kampus.plugins import new_plugin_manager

            probe = new_plugin_manager()
            probe.register(plugin, name=name)
            hooks = plugin_hooks(probe, plugin)
        else:
            hooks = plugin_hooks(pm, plugin)
        click.echo(f"    hooks: {', '.join(hooks) or '(none)'}")


@main.command("settings")
def settings_command() -> None:
    """Show every setting of the enabled plugins with its value and help (secrets masked)."""
    kampus = load_app().extensions["kampus"]
    for name, value in kampus.settings.public_items():
        spec = kampus.settings.specs.get(name)
        click.echo(f"{name} = {value!r}")
        if spec is not None:
            click.echo(f"    {spec.help}")


@main.command("create-user")
@click.argument("username")
@click.argument("email")
@click.option("--password", help="Password (asked for when not given).")
@click.option("--staff", is_flag=True, help="Global staff.")
@click.option("--superuser", is_flag=True, help="Superuser (implies staff).")
@click.option("--name", default="", help="Full name.")
def create_user_command(
    username: str, email: str, password: str | None, staff: bool, superuser: bool, name: str
) -> None:
    """Create a confirmed account."""
    from kampus.identity.accounts import AccountError, create_user

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    kampus = load_app().extensions["kampus"]
    try:
        with kampus.db.session_scope() as db_session:
            create_user(db_session, username, email, password, name=name, is_staff=staff,
                        is_superuser=superuser, confirmed=True)
    except AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from None
    click.echo(f"Created user {username}")


@main.command()
@click.option("--concurrency", type=int, default=None, help="Worker processes (default: worker_concurrency).")
@click.option("--pool", default="prefork", show_default=True, type=click.Choice(["prefork", "threads", "solo"]))
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--exit-with-parent", "parent_pid", type=int, default=None, hidden=True,
              help="Stop when the process with this id (the `kampus serve` that started us) is gone.")
def worker(concurrency: int | None, pool: str, loglevel: str, parent_pid: int | None) -> None:
    """Run a background worker for this site's tasks."""
    from kampus.tasks.celery_app import prepare_worker_process

    app = load_app()
    kampus = app.extensions["kampus"]
    concurrency = concurrency or kampus.settings.worker_concurrency
    if concurrency < 1:
        raise click.BadParameter("must be at least 1", param_hint="--concurrency")
    prepare_worker_process(kampus)
    if parent_pid is not None:
        _exit_with_parent(parent_pid)
    kampus.celery.worker_main(
        ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", f"--pool={pool}",
         "-Q", kampus.settings.celery_queue, "--without-mingle", "--without-gossip", "--without-heartbeat",
         "-n", f"kampus-{os.getpid()}@%h"]
    )


def _exit_with_parent(parent_pid: int, interval: float = 1.0) -> None:
    """Send ourselves SIGTERM (a warm shutdown) once ``parent_pid`` is no longer our parent."""
    import signal
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="kampus-parent-watch", daemon=True).start()


def start_worker_process(
    kampus: Any, loglevel: str = "WARNING", concurrency: int | None = None
) -> subprocess.Popen[bytes]:
    """Start `kampus worker` for ``kampus``'s site as a child process that stops when we do.

    It stays in our process group, so Ctrl+C in a terminal reaches it too.
    """
    command = [sys.executable, "-m", "kampus.cli", "worker", f"--loglevel={loglevel}",
               f"--exit-with-parent={os.getpid()}"]
    if concurrency:
        command.append(f"--concurrency={concurrency}")
    env = {**os.environ, "KAMPUS_HOME": str(kampus.settings.home)}
    return subprocess.Popen(command, env=env, start_new_session=False)


def stop_worker_process(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """Stop a worker started by :func:`start_worker_process`: warm shutdown, then kill."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="Web worker processes.")
@click.option("--no-worker", is_flag=True, help="Do not start the embedded background worker.")
@click.option("--concurrency", type=int, default=None, help="Background worker processes (default: setting).")
def serve(host: str, port: int, workers: int, no_worker: bool, concurrency: int | None) -> None:
    """Serve the web app (gunicorn) with an embedded background worker."""
    app = load_app()  # fail fast, with one line, before anything starts
    kampus = app.extensions["kampus"]
    from kampus.db.migrate import pending

    if pending(kampus.db, kampus.pm):
        click.echo("kampus: the database needs migrating: run `kampus migrate`", err=True)
        sys.exit(2)
    worker_process = None
    if kampus.settings.serve_embedded_worker and not no_worker:
        worker_process = start_worker_process(kampus, concurrency=concurrency)
        click.echo(f"Background worker started (pid {worker_process.pid}).")
    click.echo(f"Kampus is serving {kampus.settings.site_name} at http://{host}:{port}/  (Ctrl+C stops it)")
    try:
        run_gunicorn(host, port, workers)
    finally:
        if worker_process is not None:
            stop_worker_process(worker_process)


def run_gunicorn(host: str, port: int, workers: int, **options: Any) -> None:
    """Run gunicorn in this process with the site's app."""
    from gunicorn.app.base import BaseApplication

    class KampusServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", options.get("accesslog"))
            self.cfg.set("errorlog", "-")
            self.cfg.set("loglevel", options.get("loglevel", "warning"))
            self.cfg.set("timeout", 120)

        def load(self) -> Flask:
            return load_app()

    KampusServer().run()


def _module_main() -> None:
    main(prog_name="kampus")


if __name__ == "__main__":
    _module_main()

