"""``kampus periodic-tasks``: the periodic tasks that enabled plugins declare, and their next run."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask

from kampus.app import create_app
from kampus.db.migrate import pending
from kampus.errors import StartupError
from kampus.tasks.periodic import describe


def load_app() -> Flask:
    """The app of the current site; a start-up error ends the command with one line."""
    try:
        return create_app()
    except StartupError as exc:
        click.echo(f"kampus: {exc}", err=True)
        sys.exit(2)


@click.command("periodic-tasks")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def periodic_tasks_command(as_json: bool) -> None:
    """List the periodic tasks that enabled plugins declare, with their next run (UTC)."""
    app = load_app()
    kampus = app.extensions["kampus"]
    if pending(kampus.db, kampus.pm):
        click.echo("kampus: the database needs migrating: run `kampus migrate`", err=True)
        sys.exit(2)
    with app.app_context():
        described = describe(kampus)
    if as_json:
        click.echo(json.dumps(described, indent=2))
        return
    if not described:
        click.echo("No periodic tasks: no enabled plugin declares any.")
        return
    if not kampus.settings.worker_beat:
        click.echo("Note: worker_beat is false here, so workers with this configuration schedule nothing.")
    for item in described:
        next_run_at = item["next_run_at"] or "disabled (periodic_tasks_disabled)"
        click.echo(f"{item['name']}\n  task: {item['task']}\n  schedule: {item['schedule']} (UTC)\n"
                   f"  next run: {next_run_at}\n  last run: {item['last_run_at'] or 'never'}"
                   + (f" ({item['last_outcome']})" if item["last_outcome"] else ""))
