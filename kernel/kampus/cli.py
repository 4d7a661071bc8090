"""The ``kampus`` command line: init, serve, worker, migrate, plugins, create-user, and plugins' commands."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from kampus.app import create_app
from kampus.db.migrate import pending, upgrade
from kampus.errors import PluginError, StartupError
from kampus.identity.accounts import AccountError, announce_account, create_user
from kampus.oauth2.commands import create_oauth_client_command, create_token_command, rotate_jwt_key_command
from kampus.oauth2.signing_keys import ensure_keys, key_file, uses_key_file
from kampus.plugins import flatten, installed_plugins, load_plugin_manager, new_plugin_manager, plugin_hooks
from kampus.settings import SETTINGS_FILE, Settings, enabled_plugins, kampus_home, read_raw_settings
from kampus.site_defaults import new_site, settings_file_text
from kampus.tasks.celery_app import prepare_worker_process
from kampus.tasks.periodic_command import periodic_tasks_command
from kampus.web_server import gunicorn_settings


def load_app() -> Flask:
    """The app of the current site; a start-up error ends the command with one line."""
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

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        # A command of an installed plugin that this site does not enable (or with no site at
        # all) gets a message saying why, instead of click's "No such command".
        if args and not ctx.resilient_parsing and self.get_command(ctx, args[0]) is None:
            message = unavailable_command_message(args[0])
            if message:
                click.echo(f"kampus: {message}", err=True)
                ctx.exit(2)
        return super().resolve_command(ctx, args)


def unavailable_command_message(cmd_name: str) -> str | None:
    """Why ``cmd_name``, a command of an installed plugin, is not available here; ``None``
    when no installed plugin provides it."""
    home = kampus_home()
    settings_path = home / SETTINGS_FILE
    for name, info in sorted(installed_plugins().items()):
        try:
            probe = new_plugin_manager()
            probe.register(info.entry_point.load(), name=name)
            commands = flatten(probe.hook.kampus_cli_commands())
        except Exception:  # a plugin that does not load provides no command; others may
            continue
        if not any(getattr(command, "name", None) == cmd_name for command in commands):
            continue
        if not settings_path.exists():
            return (f"`{cmd_name}` comes from the plugin {name!r}, and no site was found in {home} "
                    f"(no {SETTINGS_FILE}). Make one there with `kampus init`, or set KAMPUS_HOME "
                    "to the folder of an existing site.")
        return (f"`{cmd_name}` comes from the plugin {name!r}, which the site in {home} does not enable: "
                f"add {name!r} to 'plugins' in {settings_path} (or set KAMPUS_PLUGINS), then run `kampus migrate`.")
    return None


@click.group(cls=KampusGroup)
def main() -> None:
    """Kampus: a learning platform. The site folder is $KAMPUS_HOME (default ./var)."""


@main.command()
@click.option("--admin-username", default="admin", show_default=True)
@click.option("--admin-email", default="admin@example.com", show_default=True)
@click.option("--demo", is_flag=True, help="Also create demo accounts (and demo content where plugins provide it).")
@click.option(
    "--plugins", "plugin_list", default=None,
    help="Comma-separated plugins to enable (default: every installed plugin that asks a new site for it).",
)
def init(admin_username: str, admin_email: str, demo: bool, plugin_list: str | None) -> None:
    """Create the site folder, its settings, database and an admin account."""
    home = kampus_home()
    settings_path = home / SETTINGS_FILE
    if settings_path.exists():
        click.echo(f"Site already initialised in {home} ({settings_path} exists).")
        return
    chosen = None if plugin_list is None else [name.strip() for name in plugin_list.split(",") if name.strip()]
    try:
        # Installed plugins say whether a new site enables them, in which order, with which settings.
        site = new_site(installed_plugins(), chosen)
        text = settings_file_text(site)
    except PluginError as exc:
        click.echo(f"kampus: {exc}", err=True)
        sys.exit(2)
    for problem in site.skipped:
        click.echo(f"kampus: {problem} (not enabled)", err=True)
    home.mkdir(parents=True, exist_ok=True)
    settings_path.write_text(text, encoding="utf-8")
    settings_path.chmod(0o600)
    try:
        app = load_app()
    except SystemExit:
        settings_path.unlink()  # so that a corrected `kampus init` can run again
        raise
    kampus = app.extensions["kampus"]
    upgrade(kampus.db, kampus.pm)
    if uses_key_file(kampus):
        ensure_keys(key_file(kampus), kampus.settings.jwt_signing_algorithm)
    password = secrets.token_urlsafe(12)
    with kampus.db.session_scope() as db_session:
        admin = create_user(db_session, admin_username, admin_email, password, name="Administrator",
                            is_superuser=True, confirmed=True)
    click.echo(f"Created site in {home}")
    click.echo(f"Admin login: {admin_username} / {password}   (shown once: write it down)")
    with app.app_context():
        announce_account(admin)
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
    kampus = app.extensions["kampus"]
    lines = []
    with kampus.db.session_scope() as db_session:
        users = [create_user(db_session, username, email, DEMO_PASSWORD, name=name, is_staff=staff, confirmed=True)
                 for username, email, name, staff in DEMO_ACCOUNTS]
    for user in users:
        announce_account(user)
        lines.append(f"Demo login: {user.username} / {DEMO_PASSWORD}")
    return lines


@main.command()
def migrate() -> None:
    """Bring the database schema of the kernel and every enabled plugin up to date."""
    kampus = load_app().extensions["kampus"]
    applied = upgrade(kampus.db, kampus.pm)
    click.echo(f"Migrated to {', '.join(applied)}" if applied else "Database is up to date.")


@main.command("plugins")
def plugins_command() -> None:
    """List installed plugins, which are enabled, and the hooks each implements."""
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
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = load_app()
    kampus = app.extensions["kampus"]
    try:
        with kampus.db.session_scope() as db_session:
            user = create_user(db_session, username, email, password, name=name, is_staff=staff,
                               is_superuser=superuser, confirmed=True)
    except AccountError as exc:
        raise click.ClickException(f"{exc.field}: {exc.message}") from None
    with app.app_context():
        announce_account(user)
    click.echo(f"Created user {username}")


main.add_command(create_oauth_client_command)
main.add_command(create_token_command)
main.add_command(rotate_jwt_key_command)
main.add_command(periodic_tasks_command)


@main.command()
@click.option("--concurrency", type=int, default=None, help="Worker processes (default: worker_concurrency).")
@click.option("--pool", default="prefork", show_default=True, type=click.Choice(["prefork", "threads", "solo"]))
@click.option("--loglevel", default="INFO", show_default=True)
@click.option("--exit-with-parent", "parent_pid", type=int, default=None, hidden=True,
              help="Stop when the process with this id (the `kampus serve` that started us) is gone.")
def worker(concurrency: int | None, pool: str, loglevel: str, parent_pid: int | None) -> None:
    """Run a background worker for this site's tasks."""
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
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="kampus-parent-watch", daemon=True).start()


def start_worker_process(
    kampus: Any, loglevel: str = "WARNING", concurrency: int | None = None, base_url: str | None = None
) -> subprocess.Popen[bytes]:
    """Start `kampus worker` for ``kampus``'s site as a child process that stops when we do.

    It stays in our process group, so Ctrl+C in a terminal reaches it too. ``base_url``, when the
    site sets none, is where the web server answers: links the worker's tasks e-mail point there.
    """
    command = [sys.executable, "-m", "kampus.cli", "worker", f"--loglevel={loglevel}",
               f"--exit-with-parent={os.getpid()}"]
    if concurrency:
        command.append(f"--concurrency={concurrency}")
    env = {**os.environ, "KAMPUS_HOME": str(kampus.settings.home)}
    if base_url and not kampus.settings.base_url:
        env["KAMPUS_BASE_URL"] = base_url
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
    if pending(kampus.db, kampus.pm):
        click.echo("kampus: the database needs migrating: run `kampus migrate`", err=True)
        sys.exit(2)
    worker_process = None
    if kampus.settings.serve_embedded_worker and not no_worker:
        worker_process = start_worker_process(kampus, concurrency=concurrency, base_url=served_base_url(host, port))
        click.echo(f"Background worker started (pid {worker_process.pid}).")
    if kampus.settings.access_log:
        click.echo(f"Access log: {kampus.settings.access_log}")
    try:
        run_gunicorn(host, port, workers, settings=kampus.settings)
    finally:
        if worker_process is not None:
            stop_worker_process(worker_process)


def served_base_url(host: str, port: int) -> str | None:
    """The address `kampus serve` will answer on, for links made outside a request (a background
    task's e-mail), when it is known in advance (not port 0, not every interface)."""
    if port == 0 or host in ("0.0.0.0", "::", ""):
        return None
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run_gunicorn(host: str, port: int, workers: int, *, settings: Settings, loglevel: str = "warning") -> None:
    """Run gunicorn in this process with the site's app; print the address it listens on once bound."""
    site_name = settings.site_name

    def announce(server: Any) -> None:
        for listener in server.LISTENERS:
            address = str(listener)  # "http://127.0.0.1:8765" or "unix:/path"
            url = address + "/" if "://" in address else address
            click.echo(f"Kampus is serving {site_name} at {url}  (Ctrl+C stops it)")

    class KampusServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name, value in gunicorn_settings(settings, host, port, workers, loglevel).items():
                self.cfg.set(name, value)
            self.cfg.set("when_ready", announce)

        def load(self) -> Flask:
            return load_app()

    KampusServer().run()


def _module_main() -> None:
    main(prog_name="kampus")


if __name__ == "__main__":
    _module_main()

