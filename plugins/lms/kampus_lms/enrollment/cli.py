"""``kampus enroll``: staff enroll a learner by user name, or pre-enroll an e-mail address.

``kampus enroll --course C --username u [--mode audit]`` enrolls the account now;
``kampus enroll --course C --email a@b [--auto-enroll] [--mode audit]`` enrolls the account with that
address, or, when there is none yet, allows the address into the course (an invitation-only course lets
it enroll; with ``--auto-enroll`` registering with it enrolls at once). Staff actions: no enrollment
window, invitation or limit applies.
"""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa

from kampus import db
from kampus.cli import load_app
from kampus.identity.models import User
from kampus_lms.enrollment.api import EnrollmentError, enroll, enroll_by_email


@click.command("enroll")
@click.option("--course", "course_id", required=True, help="Course id, e.g. course-v1:Org+Number+Run.")
@click.option("--username", default=None, help="Enroll this account.")
@click.option("--email", default=None, help="Enroll the account with this e-mail address, or pre-enroll the address.")
@click.option("--auto-enroll", is_flag=True, help="With --email: enroll the account as soon as it registers.")
@click.option("--mode", default=None, help="Enrollment mode (default: the course's default mode, e.g. audit).")
def enroll_command(course_id: str, username: str | None, email: str | None, auto_enroll: bool,
                   mode: str | None) -> None:
    """Enroll a user in a course, or pre-enroll an e-mail address."""
    if (username is None) == (email is None):
        raise click.UsageError("give exactly one of --username and --email")
    if auto_enroll and email is None:
        raise click.UsageError("--auto-enroll goes with --email")
    app = load_app()
    with app.app_context():
        try:
            if username is not None:
                user = db.session().scalar(sa.select(User).where(User.username == username))
                if user is None:
                    click.echo(f"kampus: there is no user {username}", err=True)
                    sys.exit(1)
                enrollment = enroll(user, course_id, mode, check_access=False)
                click.echo(f"Enrolled {username} in {course_id} ({enrollment.mode})")
                return
            assert email is not None
            if "@" not in email or len(email) > 254:
                raise click.BadParameter("not an e-mail address", param_hint="--email")
            enrollment, allowance = enroll_by_email(course_id, email, auto_enroll=auto_enroll, mode=mode)
        except EnrollmentError as exc:
            click.echo(f"kampus: {exc.message}", err=True)
            sys.exit(1)
    if enrollment is not None:
        click.echo(f"Enrolled the account of {email} in {course_id} ({enrollment.mode})")
    elif allowance is not None:
        when = "enrolled when it registers" if allowance.auto_enroll else "allowed to enroll once registered"
        click.echo(f"Pre-enrolled {allowance.email} in {course_id}: {when}")
