"""``kampus forums-reindex [COURSE_ID]``: rebuild the forums' search index.

Without a course id it rebuilds every course that has threads or documents in the index (a site
that had posts before search was installed, after switching the ``search`` driver, or to repair a
write that failed); with one, that course only (a course without live posts is emptied).
"""

from __future__ import annotations

import click

from kampus.cli import load_app
from kampus_forums.search.service import indexed_course_ids, reindex_course


@click.command("forums-reindex")
@click.argument("course_id", required=False)
def forums_reindex_command(course_id: str | None) -> None:
    """Rebuild the forums' search documents of one course, or of every course with posts."""
    app = load_app()
    with app.app_context():
        course_ids = [course_id] if course_id else indexed_course_ids()
        total = 0
        for course in course_ids:
            count = reindex_course(course)
            total += count
            click.echo(f"{course}: {count} documents")
    click.echo(f"Indexed {len(course_ids)} course(s), {total} documents")
