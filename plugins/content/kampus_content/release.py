"""Which blocks a learner may see: release dates and staff-only flags along the tree.

One rule serves the block pages and the course blocks API, as Open edX's access
transformers do: a block is visible when it and every ancestor are released
(its effective start is the latest start on its path, moved earlier by
``days_early_for_beta`` for beta testers) and no ancestor is
``visible_to_staff_only``. The facts depend only on the immutable structure,
so they are computed once per version and kept in the app's version cache.

Content groups: a block (or an ancestor) with a non-empty ``group_access``
(Open edX's ``{partition_id: [group ids]}``: content groups, enrollment
tracks) is visible only to learners in one of the allowed groups of every
partition it restricts (restrictions along the ancestry are intersected, as
Open edX's ``merged_group_access``). :meth:`ReleaseInfo.visible` takes the
learner's groups (``{partition_id: group_id}``, which the LMS reads from the
learner's cohort); a caller that passes none (search, grading, the content
plugin's own block views) keeps such blocks from learners, so that no learner
sees content meant for one group only. A ``group_access`` that cannot be read
counts as ``visible_to_staff_only``.

``hide_after_due`` (Open edX's ``SequenceBlock._can_user_view_content``) is a
viewing rule, not a release: once the block's due date (in a self-paced
course, the course's end) has passed, learners no longer see the content under
it (:meth:`ReleaseInfo.hidden_after_due`, :meth:`ReleaseInfo.under_hidden_content`)
but the block stays released, so its scores still count.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kampus_content.settings_fields import DEFAULT_START, own_setting
from kampus_content.store.cache import app_version_cache
from kampus_content.store.interface import BlockKey, Structure

#: The calendar's first day: no beta start is earlier (a huge imported value cannot overflow a date).
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)


def _beta_days(value: Any, start: datetime) -> float:
    """An effective ``days_early_for_beta`` for content starting at ``start``: days from 0 to as many as
    the calendar has before ``start`` (unreadable: 0). Open edX's "always early" values (100000) keep
    their meaning."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    days = float(value)
    if not math.isfinite(days) or days <= 0:
        return 0.0
    return min(days, float(max((start - EARLIEST).days, 0)))


class ReleaseInfo:
    """Per block of one structure: merged staff-only and hide-after-due flags, effective start, beta days."""

    def __init__(self, structure: Structure):
        self.merged: dict[BlockKey, tuple[bool, bool]] = {}
        self.starts: dict[BlockKey, datetime] = {}
        self.beta_days: dict[BlockKey, float] = {}
        self.dues: dict[BlockKey, datetime] = {}  #: effective due dates (own, else inherited)
        self.parents: dict[BlockKey, BlockKey] = {}
        #: Merged content-group restrictions of restricted blocks: ``{partition_id: allowed group ids}``.
        self.groups: dict[BlockKey, dict[int, frozenset[int]]] = {}
        root = structure.blocks.get(structure.root)
        self.self_paced = bool(root is not None and own_setting(root, "self_paced"))
        self.course_end: datetime | None = own_setting(root, "end") if root is not None else None
        stack: list[tuple[BlockKey, bool, bool, datetime | None, float | None, datetime | None,
                          dict[int, frozenset[int]]]] = [(structure.root, False, False, None, None, None, {})]
        while stack:
            key, staff_only, hide_after_due, parent_start, parent_days, parent_due, groups = stack.pop()
            block = structure.blocks.get(key)
            if block is None or key in self.merged:
                continue
            # Set on any ancestor, visible_to_staff_only and hide_after_due hold below (Open edX merges them).
            # An unreadable content-group restriction counts as staff-only (see the module's text).
            own_groups = group_restrictions(block.fields.get("group_access"))
            staff_only = staff_only or bool(own_setting(block, "visible_to_staff_only")) or own_groups is None
            groups = merge_groups(groups, own_groups or {})
            hide_after_due = hide_after_due or bool(own_setting(block, "hide_after_due"))
            start = own_setting(block, "start") or parent_start or DEFAULT_START
            if parent_start is not None and parent_start > start:
                start = parent_start
            days = own_setting(block, "days_early_for_beta")
            days = parent_days if days is None else days
            due = own_setting(block, "due") or parent_due
            self.merged[key] = (staff_only, hide_after_due)
            if groups:
                self.groups[key] = groups
            self.starts[key] = start
            if due is not None:
                self.dues[key] = due
            effective = _beta_days(days, start)
            if effective:
                self.beta_days[key] = effective
            for child in block.children:
                self.parents.setdefault(child, key)
            stack.extend((child, staff_only, hide_after_due, start, days, due, groups) for child in block.children)

    @property
    def has_beta_days(self) -> bool:
        """True when some block lets beta testers in early (only then does beta status matter)."""
        return bool(self.beta_days)

    def visible(self, key: BlockKey, now: datetime, beta: bool = False,
                groups: Mapping[int, int] | None = None) -> bool:
        """True when a learner (a beta tester when ``beta``) in ``groups`` (``{partition_id: group_id}``;
        ``None``: groups unknown, no content-group restricted block shown) may see ``key`` at ``now``."""
        if key not in self.merged or self.merged[key][0]:
            return False
        if not self.in_groups(key, groups):
            return False
        start = self.beta_start(key) if beta else self.starts[key]
        return start <= now

    def beta_start(self, key: BlockKey) -> datetime:
        """When beta testers may see ``key``: its start less its ``days_early_for_beta`` (never before the
        calendar's first day)."""
        start = self.starts[key]
        days = self.beta_days.get(key)
        if not days:
            return start
        try:
            return start - timedelta(days=days)
        except OverflowError:
            return datetime.min.replace(tzinfo=UTC)

    def in_groups(self, key: BlockKey, groups: Mapping[int, int] | None) -> bool:
        """Whether a learner in ``groups`` passes the block's content-group restrictions (always when it has
        none; never when ``groups`` is ``None`` and it has some)."""
        restriction = self.groups.get(key)
        if not restriction:
            return True
        if groups is None:
            return False
        return all(groups.get(partition) in allowed for partition, allowed in restriction.items())

    def hidden_after_due(self, key: BlockKey, now: datetime) -> bool:
        """True when learners no longer see ``key``'s content: ``hide_after_due`` is set on it or an
        ancestor and its due date (in a self-paced course, the course's end) has passed. Staff are not
        concerned (callers skip the rule for them)."""
        if key not in self.merged or not self.merged[key][1]:
            return False
        hide_at = self.course_end if self.self_paced else self.dues.get(key)
        return hide_at is not None and hide_at < now

    def under_hidden_content(self, key: BlockKey, now: datetime) -> bool:
        """True when ``key`` lies inside a block whose content is hidden after its due date (the hiding
        block itself is not: a page shows it with Open edX's "due date has passed" message)."""
        parent = self.parents.get(key)
        return parent is not None and self.hidden_after_due(parent, now)

    def block_release(self, key: BlockKey, now: datetime, beta: bool = False) -> BlockRelease:
        """The release facts of one block, with inheritance applied."""
        if key not in self.merged:
            raise KeyError(key)
        staff_only, hide_after_due = self.merged[key]
        return BlockRelease(start=self.starts[key], visible_to_staff_only=staff_only, hide_after_due=hide_after_due,
                            days_early_for_beta=self.beta_days.get(key, 0.0),
                            visible=self.visible(key, now, beta),
                            group_access={partition: sorted(allowed)
                                          for partition, allowed in self.groups.get(key, {}).items()})


def restricts_groups(value: Any) -> bool:
    """Whether a ``group_access`` value restricts the block to some groups: a mapping (or its JSON text,
    as OLX writes it) with a non-empty list of group ids for some partition. Unreadable text counts as
    a restriction (the block is kept from learners rather than shown to every group)."""
    if value is None or value == "":
        return False
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return True
    if isinstance(value, dict):
        return any(bool(groups) for groups in value.values())
    return bool(value)


def group_restrictions(value: Any) -> dict[int, frozenset[int]] | None:
    """A ``group_access`` value as ``{partition_id: allowed group ids}`` (partitions with an empty list
    restrict nothing and are left out); ``None`` when it cannot be read (callers keep the block from
    learners)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, dict):
        return None if value else {}
    found: dict[int, frozenset[int]] = {}
    try:
        for partition, allowed in value.items():
            if allowed:
                found[int(partition)] = frozenset(int(group) for group in allowed)
    except (TypeError, ValueError):
        return None
    return found


def merge_groups(inherited: dict[int, frozenset[int]], own: dict[int, frozenset[int]]) -> dict[int, frozenset[int]]:
    """A block's restrictions under its parent's: per partition, the groups both allow."""
    if not own:
        return inherited
    merged = dict(inherited)
    for partition, allowed in own.items():
        merged[partition] = merged[partition] & allowed if partition in merged else allowed
    return merged


@dataclass(frozen=True)
class BlockRelease:
    """When and to whom one block is released (its ancestors' settings applied)."""

    start: datetime  #: the effective start (the latest on the block's path)
    visible_to_staff_only: bool  #: set on the block or an ancestor
    hide_after_due: bool  #: set on the block or an ancestor
    days_early_for_beta: float  #: how early beta testers get it (0: not early)
    visible: bool  #: whether the learner asked about may see it now
    #: content-group restrictions (merged along the ancestry): ``{partition_id: [group ids]}``
    group_access: dict[int, list[int]] = field(default_factory=dict)


def release_info(structure: Structure) -> ReleaseInfo:
    """The release facts of ``structure``, kept per app by version id (structures never change)."""
    return app_version_cache("release_info").get_or_compute(structure.version, lambda: ReleaseInfo(structure))
