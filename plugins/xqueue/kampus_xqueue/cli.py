"""``kampus xqueue ...``: queues and grader credentials for operators, and the sweep."""

from __future__ import annotations

import json

import click

from kampus.cli import load_app
from kampus_xqueue import service
from kampus_xqueue.models import DEFAULT_MAX_FAILURES, DEFAULT_TIMEOUT, PULL, PUSH


@click.group("xqueue")
def xqueue_command() -> None:
    """External grading queues (Open edX's XQueue)."""


@xqueue_command.command("create-queue")
@click.argument("name")
@click.option("--push-url", default="", help="Push mode: the grader's URL (its host must be in xqueue_push_hosts).")
@click.option("--timeout", type=int, default=DEFAULT_TIMEOUT, show_default=True,
              help="Seconds a grader has to answer before the submission is handed out again.")
@click.option("--max-failures", type=int, default=DEFAULT_MAX_FAILURES, show_default=True,
              help="Timeouts a submission survives before it is retired as 'could not be graded'.")
def create_queue(name: str, push_url: str, timeout: int, max_failures: int) -> None:
    """Create the queue NAME (pull mode unless --push-url is given)."""
    app = load_app()
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        try:
            service.save_queue(db_session, name, mode=PUSH if push_url else PULL, url=push_url, timeout=timeout,
                               max_failures=max_failures)
        except service.QueueError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"Queue '{name}' created.")


@xqueue_command.command("add-grader")
@click.argument("queue")
@click.argument("username")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The grader's password (asked for when not given).")
def add_grader(queue: str, username: str, password: str) -> None:
    """Let the grader USERNAME (created, or its password replaced) pull from QUEUE."""
    app = load_app()
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        try:
            service.add_grader(db_session, queue, username, password)
        except service.QueueError as err:
            raise click.ClickException(str(err)) from None
    click.echo(f"Grader '{username}' may use queue '{queue}'.")


@xqueue_command.command("sweep")
def sweep() -> None:
    """Requeue or retire submissions past their timeout and deliver replies left undelivered."""
    app = load_app()
    with app.app_context(), app.extensions["kampus"].db.session_scope() as db_session:
        counts = service.sweep(db_session)
    click.echo(json.dumps(counts))
