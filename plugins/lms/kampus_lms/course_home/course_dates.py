"""The Dates tab (Open edX's ``course_home_api`` dates and ``get_course_date_blocks``).

One timeline, oldest first: enrollment end, course start, each graded subsection with a due date
the viewer may see (its assignment type and a link), the certificate available date, course end,
and a "Today" marker. Badges as Open edX gives them: "Completed" (the subsection is complete),
"Past due" (due and not complete), "Due next" (the soonest upcoming assignments not complete, all
of that day), "Today" (dated today in the user's time zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from kampus_content.api import Structure, parse_date

from kampus.rendering.dates import user_timezone
from kampus_lms.catalog.api import CourseOverview
from kampus_lms.course_home.outline import CourseOutline

#: Kinds of dates (CSS classes and test hooks): Open edX's date block types.
COURSE_START, COURSE_END, ASSIGNMENT, CERTIFICATE, ENROLLMENT_END, TODAY = (
    "course-start-date", "course-end-date", "assignment-due-date", "certificate-available-date",
    "enrollment-end-date", "todays-date")
#: Badges.
COMPLETED, PAST_DUE, DUE_NEXT, TODAY_BADGE = "completed", "past-due", "due-next", "today"


@dataclass
class DateItem:
    """One dated item of the timeline."""

    date: datetime
    kind: str
    title: str
    description: str = ""
    link: str | None = None
    assignment_type: str = ""
    badges: list[str] = field(default_factory=list)


def course_dates(overview: CourseOverview, outline: CourseOutline, structure: Structure,
                 now: datetime) -> list[DateItem]:
    """The Dates tab's timeline (see the module's documentation)."""
    items: list[DateItem] = []
    if overview.enrollment_end is not None:
        items.append(DateItem(overview.enrollment_end, ENROLLMENT_END, _("Enrollment ends"),
                              _("After this date, you can no longer enroll in this course.")))
    if overview.start is not None:
        items.append(DateItem(overview.start, COURSE_START, _("Course starts")))
    assignments: list[tuple[DateItem, bool]] = []
    for section in outline.sections:
        for sub in section.subsections:
            if sub.due is None or not sub.graded:
                continue
            item = DateItem(sub.due, ASSIGNMENT, sub.display_name, section.display_name,
                            None if sub.content_hidden else sub.url, sub.format)
            complete = sub.progress.complete
            if complete:
                item.badges.append(COMPLETED)
            elif sub.due < now:
                item.badges.append(PAST_DUE)
            assignments.append((item, complete))
            items.append(item)
    upcoming = [item.date for item, complete in assignments if not complete and item.date >= now]
    if upcoming:
        zone = user_timezone()
        next_day = min(upcoming).astimezone(zone).date()
        for item, complete in assignments:
            if not complete and item.date >= now and item.date.astimezone(zone).date() == next_day:
                item.badges.append(DUE_NEXT)
    certificate = parse_date(structure.blocks[structure.root].fields.get("certificate_available_date"))
    if certificate is not None:
        items.append(DateItem(certificate, CERTIFICATE, _("Certificate available"),
                              _("Certificates are available to those who passed from this date.")))
    if overview.end is not None:
        items.append(DateItem(overview.end, COURSE_END, _("Course ends"),
                              _("After the course ends, its content is archived and no longer active.")))
    zone = user_timezone()
    today = now.astimezone(zone).date()
    for item in items:
        if item.date.astimezone(zone).date() == today:
            item.badges.insert(0, TODAY_BADGE)
    items.append(DateItem(now, TODAY, _("Today"), badges=[TODAY_BADGE]))
    items.sort(key=lambda item: (item.date, item.kind == TODAY))
    return items
