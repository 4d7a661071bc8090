"""``kampus import-course`` and ``kampus export-course``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kampus.cli import load_app
from kampus_content.olx.safety import UnsafeInput
from kampus_content.olx.service import export_path, import_path
from kampus_content.store import ContentStoreError, content_store


@click.command("import-course")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--course-key", default=None, help="Import under this course key instead of the one in course.xml.")
def import_course(path: Path, course_key: str | None) -> None:
    """Import an OLX course folder or .tar.gz archive; the last line printed is the course key."""
    app = load_app()
    with app.app_context():
        try:
            result = import_path(path, content_store(), user_id=None, course_key=course_key)
        except UnsafeInput as exc:
            for file, line, message in exc.problems:
                click.echo(f"{file}{f':{line}' if line else ''}: {message}", err=True)
            click.echo("kampus: import refused; nothing was written", err=True)
            sys.exit(1)
        except (ContentStoreError, ValueError) as exc:
            click.echo(f"kampus: import failed: {exc}", err=True)
            sys.exit(1)
    click.echo(f"Imported {result.blocks} blocks and {result.files} files as version {result.version}")
    click.echo(result.course_key)


@click.command("export-course")
@click.argument("course_key")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--branch", type=click.Choice(["draft", "published"]), default="draft", show_default=True)
def export_course(course_key: str, path: Path, branch: str) -> None:
    """Export a course as an OLX folder, or a .tar.gz archive when PATH ends in .tar.gz."""
    app = load_app()
    with app.app_context():
        try:
            target = export_path(course_key, path, content_store(), branch)
        except (ContentStoreError, FileExistsError, ValueError) as exc:
            click.echo(f"kampus: export failed: {exc}", err=True)
            sys.exit(1)
    click.echo(f"Exported {course_key} to {target}")
