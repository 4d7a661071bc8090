"""``kampus reindex-studio [COURSE_ID]``: build Studio's search index of existing courses (Open edX's
``reindex_studio`` command).

Without a course id it indexes the draft of every course (a site that had courses before Studio's search
was installed, or after switching the ``search`` driver); with one, that course only.
"""

from __future__ import annotations

import click

from kampus.cli import load_app
from kampus_studio.search.api import all_course_ids, reindex_course


@click.command("reindex-studio")
@click.argument("course_id", required=False)
def reindex_studio_command(course_id: str | None) -> None:
    """Rebuild Studio's search index of one course, or of every course."""
    app = load_app()
    with app.app_context():
        existing = set(all_course_ids())
        course_ids = [course_id] if course_id else sorted(existing)
        total = 0
        for course in course_ids:
            count = reindex_course(course, full=True)
            total += count
            click.echo(f"{course}: {count} blocks" if course in existing else f"{course}: no such course, removed")
    click.echo(f"Indexed {len(course_ids)} course(s), {total} blocks")
