"""``kampus forums-digest``: send one period's digests by hand (operators, tests of the whole journey)."""

from __future__ import annotations

import contextlib
import json
import sys

import click

from kampus import cli as kampus_cli
from kampus_forums.notifications import digests


@click.command("forums-digest")
@click.option("--cadence", type=click.Choice(digests.DIGEST_CADENCES), default="daily", show_default=True,
              help="Which digests: daily or weekly.")
@click.option("--now", "now", default=None,
              help="Send what is due at this time (ISO 8601, UTC when no offset): the day (or week) that ended "
                   "before it. Default: now.")
def forums_digest_command(cadence: str, now: str | None) -> None:
    """Send the discussion digests due now (or at --now), here and at once; digests already sent for a
    period are not sent again. Prints what was done as JSON (alone on standard output: what else is printed
    meanwhile, e.g. the console mailer's messages, goes to standard error)."""
    app = kampus_cli.load_app()
    with app.app_context(), contextlib.redirect_stdout(sys.stderr):
        try:
            report = digests.plan(cadence, digests.parse_time(now), inline=True)
        except digests.DigestError as exc:
            click.echo(f"kampus: {exc}", err=True)
            sys.exit(2)
    click.echo(json.dumps(report, indent=2))
