"""``kampus certificates``: staff commands to generate, invalidate and allowlist certificates.

``kampus certificates generate --course C [--username u]`` grades the course's enrolled learners (or one)
and creates or refreshes their certificates; ``invalidate`` and ``allowlist`` manage the course's
invalidation list and allowlist (``--remove`` undoes them). The instructor dashboard will offer the same.
"""

from __future__ import annotations

import sys

import click
from kampus_content.api import ContentStoreError, content_store

from kampus.cli import load_app
from kampus_lms.certificates.generation import (
    CertificateError,
    certificate_status,
    find_user,
    invalidate_certificate,
    reinstate_certificate,
    set_allowlisted,
    update_certificate,
)
from kampus_lms.enrollment.api import enrolled_user_ids
from kampus_lms.grades.api import NoGrades, course_grade


def _check_course(course_id: str) -> None:
    try:
        index = content_store().get_course_index(course_id)
    except ContentStoreError:
        index = None
    if index is None or index.published_version is None:
        click.echo(f"kampus: no published course {course_id}", err=True)
        sys.exit(1)


def _refresh(user_id: int, course_id: str) -> str:
    """Grade the learner and update their certificate; returns its status ("none" without one)."""
    try:
        grade = course_grade(user_id, course_id)
    except NoGrades:
        return "none"
    info = update_certificate(user_id, course_id, grade, generation_mode="batch")
    return info.status if info else "none"


def _user_id(username: str) -> int:
    try:
        return find_user(username).id
    except CertificateError as exc:
        click.echo(f"kampus: {exc}", err=True)
        sys.exit(1)


@click.group("certificates")
def certificates_command() -> None:
    """Generate, invalidate and allowlist course certificates."""


@certificates_command.command("generate")
@click.option("--course", "course_id", required=True, help="Course id, e.g. course-v1:Org+Number+Run.")
@click.option("--username", default=None, help="Only this learner (default: every enrolled learner).")
def generate(course_id: str, username: str | None) -> None:
    """Grade learners and create or refresh their certificates; prints one line per learner."""
    app = load_app()
    with app.app_context():
        _check_course(course_id)
        user_ids = [_user_id(username)] if username else enrolled_user_ids(course_id)
        counts: dict[str, int] = {}
        for user_id in user_ids:
            status = _refresh(user_id, course_id)
            counts[status] = counts.get(status, 0) + 1
            if username:
                click.echo(f"{username}: {status}")
        summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items())) or "no learner"
        click.echo(f"{course_id}: {summary}")


@certificates_command.command("invalidate")
@click.option("--course", "course_id", required=True, help="Course id.")
@click.option("--username", required=True, help="The learner whose certificate is invalidated.")
@click.option("--notes", default="", help="Why (kept with the invalidation).")
@click.option("--remove", is_flag=True, help="Lift the invalidation instead (the certificate is graded again).")
def invalidate(course_id: str, username: str, notes: str, remove: bool) -> None:
    """Invalidate a learner's certificate, or lift the invalidation."""
    app = load_app()
    with app.app_context():
        _check_course(course_id)
        user_id = _user_id(username)
        if remove:
            if not reinstate_certificate(user_id, course_id):
                click.echo(f"kampus: {username}'s certificate is not invalidated", err=True)
                sys.exit(1)
            click.echo(f"{username}: {_refresh(user_id, course_id)}")
            return
        try:
            invalidate_certificate(user_id, course_id, invalidated_by=None, notes=notes)
        except CertificateError as exc:
            click.echo(f"kampus: {exc}", err=True)
            sys.exit(1)
        info = certificate_status(user_id, course_id)
        click.echo(f"{username}: {info.status if info else 'none'}")


@certificates_command.command("allowlist")
@click.option("--course", "course_id", required=True, help="Course id.")
@click.option("--username", required=True, help="The learner to allowlist.")
@click.option("--notes", default="", help="Why (kept with the allowlist entry).")
@click.option("--remove", is_flag=True, help="Take the learner off the allowlist.")
def allowlist(course_id: str, username: str, notes: str, remove: bool) -> None:
    """Give a learner a certificate whatever their grade (or take them off the allowlist)."""
    app = load_app()
    with app.app_context():
        _check_course(course_id)
        user_id = _user_id(username)
        set_allowlisted(user_id, course_id, not remove, notes)
        click.echo(f"{username}: {'removed from' if remove else 'on'} the allowlist; "
                   f"certificate {_refresh(user_id, course_id)}")
