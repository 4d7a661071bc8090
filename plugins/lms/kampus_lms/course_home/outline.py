"""The course outline a user sees: sections, subsections and units, with completion and due dates.

Built on the courseware area's navigation (:func:`kampus_lms.courseware.api.viewer_nav`: one walk
of the structure per published version, one viewer's visibility rule), so the outline, the unit
tabs and previous/next agree on what a viewer may reach:

* learners (and staff viewing as a learner) see released blocks that are not staff-only, and
  not what ``hide_from_toc`` hides; beta testers early;
* staff see everything, labelled: staff only, not yet released (with the release date),
  hidden from the table of contents.

Completion comes from the content plugin's stored completions, read in one query for the
learner whose data the page shows (masquerade applied): a unit is complete when every
completable leaf under it (that the viewer may see) is, a subsection or section when its
units are; "in progress" when some leaf has a completion. The page costs a constant number
of queries whatever the size of the course.

What depends only on the published version and the viewer's class (the blocks shown, names, unit
URLs, visible leaves, staff labels: :attr:`ViewerNav.cache_key`) is planned once per app and kept in
the content plugin's version cache; a request adds only the learner's completions, due-date
extensions and resume point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from kampus_content.api import (
    BlockKey,
    CourseNotFound,
    Structure,
    VersionNotFound,
    app_version_cache,
    course_completions,
    get_structure,
    release_info,
)

from kampus.db import utcnow
from kampus_lms.courseware.api import (
    ViewerNav,
    courseware_url,
    jump_to_url,
    resume_block,
    unit_url,
    viewed_as,
    viewer_nav,
)


@dataclass(frozen=True)
class Progress:
    """Completion of a block for one learner: ``completed`` of ``possible`` leaves, ``earned`` summed."""

    earned: float = 0.0
    completed: int = 0
    possible: int = 0

    @property
    def complete(self) -> bool:
        """Every completable leaf is complete (and there is at least one)."""
        return self.possible > 0 and self.completed == self.possible

    @property
    def started(self) -> bool:
        """Some leaf has a completion, but not every one is complete."""
        return self.earned > 0 and not self.complete

    @property
    def percent(self) -> int:
        """Whole percent of the leaves' completion (0 when there is nothing to complete)."""
        return round(100 * self.earned / self.possible) if self.possible else 0

    def __add__(self, other: Progress) -> Progress:
        return Progress(self.earned + other.earned, self.completed + other.completed, self.possible + other.possible)


@dataclass(frozen=True)
class StaffLabels:
    """What only staff are told about a block (all false for learners)."""

    staff_only: bool = False
    not_released: bool = False
    start: datetime | None = None  #: the effective release date (shown to staff when not released)
    hidden_from_toc: bool = False


@dataclass(frozen=True)
class OutlineUnit:
    """A unit of the outline."""

    usage_id: str
    display_name: str
    url: str
    progress: Progress
    labels: StaffLabels = field(default_factory=StaffLabels)


@dataclass(frozen=True)
class OutlineSubsection:
    """A subsection of the outline: its due date, assignment type and graded flag."""

    usage_id: str
    display_name: str
    url: str  #: its first unit the viewer may reach (the ``jump_to`` path when it has none)
    due: datetime | None
    format: str  #: the assignment type ("Homework"), "" when none
    graded: bool
    progress: Progress
    units: list[OutlineUnit]
    past_due: bool = False
    content_hidden: bool = False  #: ``hide_after_due`` and past due: learners no longer see its units
    labels: StaffLabels = field(default_factory=StaffLabels)


@dataclass(frozen=True)
class OutlineSection:
    """A section of the outline."""

    usage_id: str
    display_name: str
    subsections: list[OutlineSubsection]
    progress: Progress
    labels: StaffLabels = field(default_factory=StaffLabels)


@dataclass(frozen=True)
class CourseOutline:
    """What :func:`outline_for` returns: the outline, the resume target and whose view it is."""

    course_id: str
    sections: list[OutlineSection]
    progress: Progress
    resume_url: str | None  #: the unit to open with "Resume course" / "Start course" (``None``: nothing to open)
    has_visited: bool  #: the learner has visited a unit ("Resume" rather than "Start")
    staff_view: bool  #: staff rules apply (labels shown, everything listed)
    user_id: int | None  #: whose completion the outline shows (masquerade applied)


@dataclass(frozen=True)
class _UnitPlan:
    usage_id: str
    name: str  #: "" when the unit has none (the page says "Unit" in the user's language)
    url: str
    leaves: tuple[str, ...]  #: usage ids of the completable leaves the viewer may see
    labels: StaffLabels


@dataclass(frozen=True)
class _SubsectionPlan:
    key: BlockKey
    usage_id: str
    name: str
    jump_url: str  #: where the subsection leads when it shows no unit (its due date: ``ViewerNav.due``)
    format: str
    graded: bool
    units: tuple[_UnitPlan, ...]
    leaves: tuple[str, ...]  #: the visible leaves of all its units (counted when its content is hidden)
    labels: StaffLabels


@dataclass(frozen=True)
class _SectionPlan:
    usage_id: str
    name: str
    subsections: tuple[_SubsectionPlan, ...]
    labels: StaffLabels


def _labels(structure: Structure, nav: ViewerNav, key: BlockKey, now: datetime, staff_view: bool) -> StaffLabels:
    if not staff_view:
        return StaffLabels()
    info = release_info(structure)
    staff_only, _hide_after_due = info.merged.get(key, (False, False))
    start = info.starts.get(key)
    return StaffLabels(staff_only=staff_only, not_released=bool(start and start > now), start=start,
                       hidden_from_toc=key in nav.nav.hidden_from_toc)


def _visible_leaves(leaves: list[BlockKey], nav: ViewerNav) -> tuple[str, ...]:
    return tuple(nav.nav.usage_ids[leaf] for leaf in leaves if nav.visible is None or nav.visible(leaf))


def _plan(course_id: str, structure: Structure, nav: ViewerNav, now: datetime,
          staff_view: bool) -> tuple[_SectionPlan, ...]:
    """What of the outline depends only on the structure and the viewer's class (``nav.cache_key``):
    the blocks shown, their names, URLs, visible leaves and staff labels."""
    def shown(key: BlockKey) -> bool:
        if staff_view:
            return True
        return key not in nav.nav.hidden_from_toc and nav.can_see(key)

    sections: list[_SectionPlan] = []
    for chapter in nav.nav.chapters:
        if not shown(chapter):
            continue
        subsections: list[_SubsectionPlan] = []
        for sequential in nav.nav.sequentials.get(chapter, []):
            if not shown(sequential):
                continue
            settings = nav.nav.sequence_settings.get(sequential, {})
            # a unit's page is its position among the units of the subsection the viewer sees (unit_url's rule)
            positions = {unit.key: index for index, unit in enumerate(nav.units_in(sequential), 1)}
            units: list[_UnitPlan] = []
            for unit_key in nav.nav.units_of.get(sequential, []):
                if not shown(unit_key):
                    continue
                usage_id = nav.nav.usage_ids[unit_key]
                position = positions.get(unit_key)
                url = (courseware_url(course_id, chapter[1], sequential[1], position) if position
                       else jump_to_url(course_id, usage_id))
                units.append(_UnitPlan(usage_id, nav.nav.names.get(unit_key) or "", url,
                                       _visible_leaves(nav.nav.unit_leaves.get(unit_key, []), nav),
                                       _labels(structure, nav, unit_key, now, staff_view)))
            fmt = structure.blocks[sequential].fields.get("format")
            leaves = [leaf for key in nav.nav.units_of.get(sequential, []) for leaf in nav.nav.unit_leaves[key]]
            subsections.append(_SubsectionPlan(
                sequential, nav.nav.usage_ids[sequential], nav.nav.names.get(sequential) or "",
                jump_to_url(course_id, nav.nav.usage_ids[sequential]),
                fmt if isinstance(fmt, str) else "", bool(settings.get("graded")),
                tuple(units), _visible_leaves(leaves, nav),
                _labels(structure, nav, sequential, now, staff_view)))
        sections.append(_SectionPlan(nav.nav.usage_ids[chapter], nav.nav.names.get(chapter) or "",
                                     tuple(subsections), _labels(structure, nav, chapter, now, staff_view)))
    return tuple(sections)


def _progress(leaves: tuple[str, ...], completions: dict[str, float]) -> Progress:
    if not completions:
        return Progress(0.0, 0, len(leaves))
    earned, completed = 0.0, 0
    for leaf in leaves:
        value = completions.get(leaf, 0.0)
        earned += value
        completed += value >= 1.0
    return Progress(earned, completed, len(leaves))


def _total(items: list[Any]) -> Progress:
    earned, completed, possible = 0.0, 0, 0
    for item in items:
        earned += item.progress.earned
        completed += item.progress.completed
        possible += item.progress.possible
    return Progress(earned, completed, possible)


def build_outline(user: Any, course_id: str, structure: Structure, *, now: datetime | None = None) -> CourseOutline:
    """The outline of the published ``structure`` for ``user`` (see the module's documentation).

    What depends only on the structure and the viewer's class (staff or learner rule, content groups,
    beta access, and where ``now`` falls among the course's release and due dates) is planned once
    and kept in the app's version cache; each request adds the learner's completions, due-date
    extensions and resume point."""
    now = now or utcnow()
    data_user, staff_view = viewed_as(user, course_id)
    nav = viewer_nav(user, course_id, structure=structure, now=now)
    if nav is None:  # only for an unpublished course, which the caller already ruled out
        raise VersionNotFound(f"{course_id} is not published")
    data_user_id = getattr(data_user, "id", None) if getattr(data_user, "is_authenticated", False) else None
    completions = course_completions(course_id, [data_user_id])[data_user_id] if data_user_id else {}

    def compute() -> tuple[_SectionPlan, ...]:
        return _plan(course_id, structure, nav, now, staff_view)

    cache_key = f"{course_id}|{staff_view}|{nav.cache_key}" if nav.cache_key else None
    plan = app_version_cache("lms_outline_plan", 64).get_or_compute(cache_key, compute) if cache_key else compute()

    unit_name, subsection_name, section_name = _("Unit"), _("Subsection"), _("Section")
    sections: list[OutlineSection] = []
    first_unit_url: str | None = None
    for section in plan:
        subsections: list[OutlineSubsection] = []
        for sub in section.subsections:
            due = nav.due(sub.key)  # the learner's extension applied
            past_due = bool(due and due < now)
            content_hidden = nav.content_hidden(sub.key)  # the same rule as the unit page's (never for staff)
            if content_hidden:
                units: list[OutlineUnit] = []
                progress = _progress(sub.leaves, completions)
            else:
                units = [OutlineUnit(unit.usage_id, unit.name or unit_name, unit.url,
                                     _progress(unit.leaves, completions), unit.labels) for unit in sub.units]
                progress = _total(units)
            url = units[0].url if units else sub.jump_url
            if units and first_unit_url is None and not units[0].labels.staff_only:
                first_unit_url = units[0].url
            subsections.append(OutlineSubsection(
                sub.usage_id, sub.name or subsection_name, url, due, sub.format, sub.graded, progress, units,
                past_due, content_hidden, sub.labels))
        sections.append(OutlineSection(section.usage_id, section.name or section_name, subsections,
                                       _total(subsections), section.labels))

    resume = resume_block(data_user_id, course_id) if data_user_id else None
    resume_url = unit_url(course_id, resume, nav=nav) if resume else None
    if first_unit_url is None and nav.reachable:
        first_unit_url = unit_url(course_id, nav.reachable[0].usage_id, nav=nav)
    return CourseOutline(
        course_id=course_id, sections=sections, progress=_total(sections),
        resume_url=resume_url or first_unit_url, has_visited=resume_url is not None, staff_view=staff_view,
        user_id=data_user_id,
    )


def outline_for(user: Any, course_id: str, *, now: datetime | None = None) -> CourseOutline | None:
    """The outline of the published course ``course_id`` as ``user`` sees it (masquerade applied), or
    ``None`` when the course is not published. Access is the caller's check
    (:func:`kampus_lms.courseware.api.course_access`)."""
    try:
        structure = get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        return None
    return build_outline(user, course_id, structure, now=now)
