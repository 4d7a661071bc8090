"""``kampus xqueue-grader``: the first-party grader daemon.

It is a pure HTTP client of an XQueue (this site's, by default, or any other
Open edX-compatible one), so it can run on another host than the web
processes. It still builds the site's app once at start (``create_app()``
from ``KAMPUS_HOME``'s settings): not to touch the database, but to get the
sandbox driver the site configures (``sandbox = "bwrap"`` and its
``codejail_*`` limits), so that learner code is jailed exactly as the site's
own instructor Python is, with one place to configure it. A site with no
sandbox refuses to start the daemon: learner code never runs unjailed.

The credentials may come from ``XQUEUE_GRADER_USERNAME`` / ``XQUEUE_GRADER_PASSWORD`` (not ``KAMPUS_*``:
those names are the site's settings, and an unknown one stops the app).
"""

from __future__ import annotations

import gettext
import logging
import sys
from pathlib import Path

import click
from flask import Flask, current_app, has_app_context

from kampus.app import create_app
from kampus.drivers.sandbox import NoSandbox, SandboxLimits, get_sandbox
from kampus.errors import StartupError
from kampus.urls import site_base_url
from kampus_xqueue.grader.client import XQueueClient, XQueueError
from kampus_xqueue.grader.python_grader import PythonGrader
from kampus_xqueue.grader.runner import GraderDaemon

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def site_app() -> Flask:
    """The app whose settings the daemon uses: the current one (when called inside an app context, as in
    tests), else the site of ``KAMPUS_HOME``."""
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]
    try:
        return create_app()
    except StartupError as exc:
        raise click.ClickException(str(exc)) from exc


def parse_basic_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` as a pair for HTTP Basic auth in front of the XQueue (None when not given)."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep:
        raise click.BadParameter("use the form user:password", param_hint="--basic-auth")
    return user, password


@click.command("xqueue-grader")
@click.option("--url", default=None,
              help="Base URL of the XQueue (its endpoints are under /xqueue/). Default: this site's base_url.")
@click.option("--queue", "queues", multiple=True, required=True,
              help="Queue to pull from (repeat for several).")
@click.option("--username", envvar="XQUEUE_GRADER_USERNAME", required=True,
              help="Grader account (env XQUEUE_GRADER_USERNAME).")
@click.option("--password", envvar="XQUEUE_GRADER_PASSWORD", required=True,
              help="Its password (env XQUEUE_GRADER_PASSWORD; prefer the variable to the option).")
@click.option("--basic-auth", envvar="XQUEUE_BASIC_AUTH", default=None,
              help="user:password for HTTP Basic auth in front of the XQueue, if any.")
@click.option("--grader-root", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of the course graders; a problem's grader_payload {\"grader\": \"x/grader.py\"} is "
                   "relative to it, with answer.py beside each grader.")
@click.option("--poll-interval", default=1.0, show_default=True, type=click.FloatRange(0.05, 3600),
              help="Seconds to wait when every queue is empty.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Submissions graded at once (each worker grades one at a time).")
@click.option("--cpu-seconds", default=None, type=click.FloatRange(0.1, 600),
              help="CPU seconds of one sandbox run (default: the site's codejail_cpu_seconds).")
@click.option("--wall-seconds", default=None, type=click.FloatRange(0.5, 3600),
              help="Wall-clock seconds of one sandbox run (default: the site's codejail_wall_seconds).")
@click.option("--once", is_flag=True, help="Grade what is queued now, then exit (tests, cron).")
def xqueue_grader_command(url: str | None, queues: tuple[str, ...], username: str, password: str,
                          basic_auth: str | None, grader_root: Path, poll_interval: float, workers: int,
                          cpu_seconds: float | None, wall_seconds: float | None, once: bool) -> None:
    """Pull submissions from XQueue queues and grade them with Python graders in the site's sandbox."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    app = site_app()
    with app.app_context():
        sandbox = get_sandbox()
        base_url = url or site_base_url()
        locale = str(app.extensions["kampus"].settings.get("default_locale") or "en")
    if isinstance(sandbox, NoSandbox):
        raise click.ClickException(
            "the site has no sandbox, and learner code never runs unjailed: enable the codejail plugin and set "
            "sandbox = \"bwrap\" in the site's settings.")
    translations = gettext.translation("messages", localedir=str(TRANSLATIONS), languages=[locale], fallback=True)
    limits = SandboxLimits(cpu_seconds=cpu_seconds, wall_seconds=wall_seconds)
    grader = PythonGrader(grader_root, sandbox, limits=limits, translations=translations)
    auth = parse_basic_auth(basic_auth)

    def make_client() -> XQueueClient:
        return XQueueClient(base_url, username, password, basic_auth=auth)

    daemon = GraderDaemon(make_client, queues, grader.grade_submission, poll_interval=poll_interval,
                          workers=workers, once=once, error_reply=grader.error_reply)
    daemon.install_signal_handlers()
    click.echo(f"xqueue-grader: pulling {', '.join(queues)} from {base_url} as {username} "
               f"({workers} worker{'s' if workers > 1 else ''}; graders in {grader_root})", err=True)
    try:
        stats = daemon.run()
    except XQueueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"xqueue-grader: graded {stats.graded} submission{'s' if stats.graded != 1 else ''} "
               f"({stats.correct} correct)", err=True)
