"""The order of a course's units, and what of it a viewer may see.

Open edX's courseware walks course > section (chapter) > subsection
(sequential) > unit (the sequential's children, verticals in every course
Studio makes). :class:`CourseNav` holds that walk for one published
structure (kept per app by version id in the content plugin's version cache:
structures never change), with each unit's place, kind and completable leaves,
so that a unit page never walks the tree again.

:class:`ViewerNav` applies one viewer's rule to it: release dates, staff-only
(Open edX's access transformers, from :func:`kampus_content.api.release_info`)
and ``hide_from_toc`` (left out of navigation, still reachable by link, as in
Open edX). Previous/next cross subsection and section boundaries over the
units the viewer may reach. ``hide_after_due`` is part of the same rule
(:class:`LearnerVisibility`): once a subsection's due date has passed, a learner
may still open the subsection (its page says the content is hidden, as Open
edX's ``hidden_content.html`` does) but none of the units under it. A learner's due-date
extension (Open edX's individual due date override) moves that date for them
(:meth:`LearnerVisibility.due`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kampus_content.api import (
    BlockKey,
    ReleaseInfo,
    Structure,
    app_version_cache,
    block_settings,
    completable_leaves,
    course_tree,
    release_info,
)
from opaque_keys.edx.keys import CourseKey

#: Unit kinds, for the unit tabs' icons (Open edX's sequence tab types: problem, video, other).
PROBLEM, VIDEO, OTHER = "problem", "video", "other"
_SCORED_TYPES = {"problem", "openassessment", "drag-and-drop-v2", "lti_consumer", "lti", "staffgradedxblock",
                 "edx_sga", "done"}

Visible = Callable[[BlockKey], bool]


@dataclass(frozen=True)
class UnitRef:
    """One unit of the course, in course order."""

    key: BlockKey
    usage_id: str
    display_name: str
    chapter: BlockKey
    sequential: BlockKey
    kind: str  #: ``problem``, ``video`` or ``other``
    index: int  #: place in the course's list of units (0-based)


@dataclass
class CourseNav:
    """The navigation facts of one published structure (immutable once built)."""

    course_id: str
    version: str
    root: BlockKey
    usage_ids: dict[BlockKey, str]
    names: dict[BlockKey, str]
    parents: dict[BlockKey, BlockKey]
    chapters: list[BlockKey]
    sequentials: dict[BlockKey, list[BlockKey]]  #: chapter -> its subsections in order
    units_of: dict[BlockKey, list[BlockKey]]  #: subsection -> its units in order
    units: list[UnitRef]
    unit_index: dict[BlockKey, int]
    hidden_from_toc: set[BlockKey]  #: blocks hidden from the table of contents (own or an ancestor's flag)
    unit_leaves: dict[BlockKey, list[BlockKey]]  #: unit -> completable leaves under it
    sequence_settings: dict[BlockKey, dict[str, Any]] = field(default_factory=dict)

    def unit_of(self, key: BlockKey) -> BlockKey | None:
        """The unit holding ``key`` (itself for a unit), or ``None`` for a section, subsection, course or
        a block outside the course's units."""
        seen = 0
        while key is not None and seen < 64:
            if key in self.unit_index:
                return key
            key = self.parents.get(key)  # type: ignore[assignment]
            seen += 1
        return None

    def ancestors(self, key: BlockKey) -> list[BlockKey]:
        """The blocks above ``key``, nearest first (the course last)."""
        found: list[BlockKey] = []
        parent = self.parents.get(key)
        while parent is not None and parent not in found:
            found.append(parent)
            parent = self.parents.get(parent)
        return found


def _kind(structure: Structure, key: BlockKey) -> str:
    types = {block.type for block in structure.walk(key)}
    if types & _SCORED_TYPES:
        return PROBLEM
    if "video" in types:
        return VIDEO
    return OTHER


def build_course_nav(structure: Structure) -> CourseNav:
    """Walk ``structure`` once: its sections, subsections and units in order, with their facts."""
    tree = course_tree(structure)
    course_key = CourseKey.from_string(structure.course_key)
    root = structure.blocks[structure.root]
    parents = structure.parents()
    names: dict[BlockKey, str] = {}
    for key, block in structure.blocks.items():
        name = block.fields.get("display_name")
        names[key] = name if isinstance(name, str) and name.strip() else ""
    chapters: list[BlockKey] = []
    sequentials: dict[BlockKey, list[BlockKey]] = {}
    units_of: dict[BlockKey, list[BlockKey]] = {}
    units: list[UnitRef] = []
    hidden: set[BlockKey] = set()
    settings: dict[BlockKey, dict[str, Any]] = {}
    seen: set[BlockKey] = set()
    for chapter_key in root.children:
        chapter = structure.blocks.get(chapter_key)
        if chapter is None or chapter_key in seen:
            continue
        seen.add(chapter_key)
        chapters.append(chapter_key)
        chapter_hidden = bool(chapter.fields.get("hide_from_toc") in (True, "true", "True"))
        if chapter_hidden:
            hidden.add(chapter_key)
        sequentials[chapter_key] = []
        for seq_key in chapter.children:
            seq = structure.blocks.get(seq_key)
            if seq is None or seq_key in seen:
                continue
            seen.add(seq_key)
            sequentials[chapter_key].append(seq_key)
            seq_hidden = chapter_hidden or bool(seq.fields.get("hide_from_toc") in (True, "true", "True"))
            if seq_hidden:
                hidden.add(seq_key)
            own_format = seq.fields.get("format")
            settings[seq_key] = {**block_settings(structure, seq_key),
                                 "format": own_format if isinstance(own_format, str) else ""}
            units_of[seq_key] = []
            for unit_key in seq.children:
                unit = structure.blocks.get(unit_key)
                if unit is None or unit_key in seen:
                    continue
                seen.add(unit_key)
                units_of[seq_key].append(unit_key)
                if seq_hidden or unit.fields.get("hide_from_toc") in (True, "true", "True"):
                    hidden.add(unit_key)
                units.append(UnitRef(unit_key, tree.usage_ids[unit_key], names[unit_key], chapter_key, seq_key,
                                     _kind(structure, unit_key), len(units)))
    leaves = completable_leaves(structure)
    return CourseNav(
        course_id=str(course_key),
        version=structure.version,
        root=structure.root,
        usage_ids=dict(tree.usage_ids),
        names=names,
        parents=parents,
        chapters=chapters,
        sequentials=sequentials,
        units_of=units_of,
        units=units,
        unit_index={unit.key: unit.index for unit in units},
        hidden_from_toc=hidden,
        unit_leaves={unit.key: leaves.get(unit.key, []) for unit in units},
        sequence_settings=settings,
    )


def course_nav(structure: Structure) -> CourseNav:
    """The :class:`CourseNav` of ``structure``, kept per app by version id."""
    return app_version_cache("lms_course_nav", 32).get_or_compute(structure.version,
                                                                  lambda: build_course_nav(structure))


def build_visibility_times(info: ReleaseInfo) -> list[datetime]:
    """Every instant at which some block's visibility may change, sorted: effective starts (and their
    beta-tester versions) and the due dates (or the self-paced course's end) that ``hide_after_due``
    compares with. Between two neighbouring instants, every viewer's rule gives the same answers."""
    times = set(info.starts.values())
    times.update(info.starts[key] - timedelta(days=days) for key, days in info.beta_days.items() if key in info.starts)
    times.update(info.dues.values())
    if info.course_end is not None:
        times.add(info.course_end)
    return sorted(times)


def visibility_times(structure: Structure) -> list[datetime]:
    """:func:`build_visibility_times` of ``structure``'s release facts, kept per app by version id."""
    return app_version_cache("lms_visibility_times", 32).get_or_compute(
        structure.version, lambda: build_visibility_times(release_info(structure)))


def visibility_epoch(times: Sequence[datetime], now: datetime) -> tuple[int, int]:
    """Where ``now`` falls among ``times`` (:func:`visibility_times`): two instants with the same epoch
    compare alike (``<``, ``<=``) with every one of them, so every visibility rule answers alike."""
    return bisect_left(times, now), bisect_right(times, now)


class LearnerVisibility:
    """A learner's rule on block keys: called, whether the block is released and not staff-only along
    the whole ancestry (beta testers early; what grading and progress count); :meth:`content_hidden`
    and :meth:`under_hidden_content` add ``hide_after_due`` for what the learner may open, at the
    learner's own due dates (:meth:`due`: their extensions applied)."""

    def __init__(self, info: ReleaseInfo, now: datetime, early: bool, groups: Mapping[int, int] | None = None,
                 epoch: tuple[int, int] | None = None, extended: Mapping[BlockKey, datetime] | None = None):
        self.info = info
        self.now = now
        self.early = early
        self.groups = groups  #: the learner's content groups (``{partition_id: group_id}``)
        #: where ``now`` falls among the structure's visibility times (``None``: unknown, nothing cached)
        self.epoch = epoch
        #: the learner's due-date extensions (``{subsection key: due}``)
        self.extended: Mapping[BlockKey, datetime] = extended or {}

    @property
    def signature(self) -> tuple[Any, ...] | None:
        """What the rule's answers depend on besides the structure (``None`` when unknown): two rules of
        one structure with the same signature answer alike for every block (an extension counts by
        whether its date has passed, the only thing the rule asks of it)."""
        if self.epoch is None:
            return None
        groups = None if self.groups is None else tuple(sorted(self.groups.items()))
        extended = tuple(sorted((key, due < self.now) for key, due in self.extended.items()))
        return (self.early, groups, self.epoch, extended) if extended else (self.early, groups, self.epoch)

    def __call__(self, key: BlockKey) -> bool:
        return self.info.visible(key, self.now, self.early, self.groups)

    def due(self, key: BlockKey) -> datetime | None:
        """The block's due date for this learner: the extension of the block or of the nearest block above
        it that it inherits its due date from, else the course's."""
        due = self.info.dues.get(key)
        node: BlockKey | None = key
        while self.extended and node is not None:
            if node in self.extended:
                return self.extended[node]
            parent = self.info.parents.get(node)
            if parent is None or self.info.dues.get(parent) != self.info.dues.get(node):
                break  # the block sets its own due date: an extension above it does not move it
            node = parent
        return due

    def content_hidden(self, key: BlockKey) -> bool:
        """Whether the block's content is hidden after its due date (the block shows the message)."""
        if not self.extended or self.info.self_paced:
            return self.info.hidden_after_due(key, self.now)
        if key not in self.info.merged or not self.info.merged[key][1]:
            return False
        due = self.due(key)
        return due is not None and due < self.now

    def under_hidden_content(self, key: BlockKey) -> bool:
        """Whether the block lies inside a block whose content is hidden after its due date."""
        parent = self.info.parents.get(key)
        return parent is not None and self.content_hidden(parent)


def viewer_cache_key(structure: Structure, visible: Visible | None, now: datetime) -> str | None:
    """The ``cache_key`` of a :class:`ViewerNav` of ``structure`` with the rule ``visible`` at ``now``
    (``None`` for a rule whose answers cannot be told apart by a signature)."""
    epoch = visibility_epoch(visibility_times(structure), now)
    if visible is None:
        return f"{structure.version}|staff|{epoch!r}"
    signature = getattr(visible, "signature", None)
    return None if signature is None else f"{structure.version}|{signature!r}"


def visibility_rule(structure: Structure, *, staff_view: bool, beta: bool, now: datetime,
                    groups: Mapping[int, int] | None = None,
                    extended: Mapping[BlockKey, datetime] | None = None) -> LearnerVisibility | None:
    """A predicate on block keys for a viewer: ``None`` for staff (everything), else a
    :class:`LearnerVisibility`: released and not staff-only along the whole ancestry (beta testers
    early, content-group restricted blocks when ``groups`` holds an allowed group), with the
    ``hide_after_due`` rule that :class:`ViewerNav` applies to what may be opened, at the learner's
    due dates (``extended``: their due-date extensions by subsection key)."""
    if staff_view:
        return None
    info = release_info(structure)
    epoch = visibility_epoch(visibility_times(structure), now)
    return LearnerVisibility(info, now, beta and info.has_beta_days, groups, epoch, extended)


class ViewerNav:
    """One viewer's navigation: the units they may reach, previous and next.

    ``cache_key`` (set by :func:`viewer_nav`) names the viewer's class in the app's version caches:
    the structure's version, staff or the learner rule's signature, and the visibility epoch of
    ``now``; two viewers with the same key see the same blocks, labels and URLs. ``None``: not cacheable.
    """

    def __init__(self, nav: CourseNav, visible: Visible | None, *, cache_key: str | None = None):
        self.nav = nav
        self.visible = visible
        self.cache_key = cache_key
        if cache_key is None:
            self.reachable, self._order = self._reachable()
        else:  # the list and its index planned once per viewer class (a course has hundreds of units)
            self.reachable, self._order = app_version_cache("lms_viewer_reachable", 256).get_or_compute(
                cache_key, self._reachable)

    def _reachable(self) -> tuple[list[UnitRef], dict[BlockKey, int]]:
        """The units the viewer may reach in order, and each one's place in that list."""
        reachable = [unit for unit in self.nav.units
                     if unit.key not in self.nav.hidden_from_toc and self._opens(unit.key)]
        return reachable, {unit.key: position for position, unit in enumerate(reachable)}

    def _opens(self, key: BlockKey) -> bool:
        if self.visible is None:
            return True
        if isinstance(self.visible, LearnerVisibility) and self.visible.under_hidden_content(key):
            return False
        return self.visible(key)

    def can_see(self, key: BlockKey) -> bool:
        """Whether the viewer may open ``key`` (released, not staff-only, not inside content hidden after
        its due date; hidden-from-TOC blocks may be opened)."""
        return key in self.nav.parents or key == self.nav.root if self.visible is None else self._opens(key)

    def content_hidden(self, key: BlockKey) -> bool:
        """Whether the viewer sees Open edX's "the due date has passed" message instead of the content of
        ``key`` (a subsection with ``hide_after_due`` past its due date; never for staff)."""
        return isinstance(self.visible, LearnerVisibility) and self.visible.content_hidden(key)

    def due(self, key: BlockKey) -> datetime | None:
        """The due date of the subsection ``key`` for the viewer: a learner's extension applied (staff: the
        course's)."""
        if isinstance(self.visible, LearnerVisibility):
            return self.visible.due(key)
        due = self.nav.sequence_settings.get(key, {}).get("due")
        return due if isinstance(due, datetime) else None

    def units_in(self, sequential: BlockKey) -> list[UnitRef]:
        """The units of a subsection the viewer may see, in order (its unit tabs)."""
        return [self.nav.units[self.nav.unit_index[key]] for key in self.nav.units_of.get(sequential, [])
                if self._opens(key)]

    def first_unit(self, key: BlockKey) -> UnitRef | None:
        """The first unit the viewer may reach under ``key`` (a section, subsection or the course)."""
        if key == self.nav.root:
            return self.reachable[0] if self.reachable else None
        if key in self.nav.unit_index:
            unit = self.nav.units[self.nav.unit_index[key]]
            return unit if self.can_see(key) else None
        if not self.can_see(key):
            return None
        for unit in self.reachable:
            if unit.sequential == key or unit.chapter == key:
                return unit
        if key in self.nav.units_of:  # a subsection hidden from the table of contents: its own first unit
            units = self.units_in(key)
            return units[0] if units else None
        return None

    def neighbours(self, unit: UnitRef) -> tuple[UnitRef | None, UnitRef | None]:
        """(previous, next) of ``unit`` across subsection and section boundaries; within its own
        subsection only when the unit is hidden from the table of contents."""
        position = self._order.get(unit.key)
        if position is None:
            siblings = self.units_in(unit.sequential)
            keys = [sibling.key for sibling in siblings]
            if unit.key not in keys:
                return None, None
            index = keys.index(unit.key)
            return (siblings[index - 1] if index > 0 else None,
                    siblings[index + 1] if index + 1 < len(siblings) else None)
        previous = self.reachable[position - 1] if position > 0 else None
        following = self.reachable[position + 1] if position + 1 < len(self.reachable) else None
        return previous, following
