"""``kampus reindex-courses [COURSE_ID]``: build the search index of existing courses.

Without a course id it re-indexes every published course (a site that had courses before search
was installed, or after switching the ``search`` driver); with one, that course only (removed from
the index when it is not published).
"""

from __future__ import annotations

import click

from kampus.cli import load_app
from kampus_lms.search.api import indexed_course_ids, reindex_course


@click.command("reindex-courses")
@click.argument("course_id", required=False)
def reindex_courses_command(course_id: str | None) -> None:
    """Rebuild the search index of one course, or of every published course."""
    app = load_app()
    with app.app_context():
        course_ids = [course_id] if course_id else indexed_course_ids()
        total = 0
        for course in course_ids:
            count = reindex_course(course)
            total += count
            click.echo(f"{course}: {count} documents" if count else f"{course}: not published, removed")
    click.echo(f"Indexed {len(course_ids)} course(s), {total} documents")
