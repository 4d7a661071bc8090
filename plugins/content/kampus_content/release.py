"""Which blocks a learner may see: release dates and staff-only flags along the tree.

One rule serves the block pages and the course blocks API, as Open edX's access
transformers do: a block is visible when it and every ancestor are released
(its effective start is the latest start on its path, moved earlier by
``days_early_for_beta`` for beta testers) and no ancestor is
``visible_to_staff_only``. The facts depend only on the immutable structure,
so they are computed once per version and kept in the app's version cache.

Content groups are not supported yet: such blocks are shown to staff only. A
block (or an ancestor) with a non-empty ``group_access`` (Open edX's
``{partition_id: [group ids]}``: content groups, enrollment tracks) counts as
``visible_to_staff_only`` until Kampus has user partitions, so that no learner
sees content meant for one group only; courseware, outline, search and
grading all follow :meth:`ReleaseInfo.visible`.

``hide_after_due`` (Open edX's ``SequenceBlock._can_user_view_content``) is a
viewing rule, not a release: once the block's due date (in a self-paced
course, the course's end) has passed, learners no longer see the content under
it (:meth:`ReleaseInfo.hidden_after_due`, :meth:`ReleaseInfo.under_hidden_content`)
but the block stays released, so its scores still count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kampus_content.settings_fields import DEFAULT_START, own_setting
from kampus_content.store.cache import app_version_cache
from kampus_content.store.interface import BlockKey, Structure


class ReleaseInfo:
    """Per block of one structure: merged staff-only and hide-after-due flags, effective start, beta days."""

    def __init__(self, structure: Structure):
        self.merged: dict[BlockKey, tuple[bool, bool]] = {}
        self.starts: dict[BlockKey, datetime] = {}
        self.beta_days: dict[BlockKey, float] = {}
        self.dues: dict[BlockKey, datetime] = {}  #: effective due dates (own, else inherited)
        self.parents: dict[BlockKey, BlockKey] = {}
        root = structure.blocks.get(structure.root)
        self.self_paced = bool(root is not None and own_setting(root, "self_paced"))
        self.course_end: datetime | None = own_setting(root, "end") if root is not None else None
        stack: list[tuple[BlockKey, bool, bool, datetime | None, float | None, datetime | None]] = [
            (structure.root, False, False, None, None, None)
        ]
        while stack:
            key, staff_only, hide_after_due, parent_start, parent_days, parent_due = stack.pop()
            block = structure.blocks.get(key)
            if block is None or key in self.merged:
                continue
            # Set on any ancestor, visible_to_staff_only and hide_after_due hold below (Open edX merges them).
            # A content-group restriction counts as staff-only until partitions exist (see the module's text).
            staff_only = (staff_only or bool(own_setting(block, "visible_to_staff_only"))
                          or restricts_groups(block.fields.get("group_access")))
            hide_after_due = hide_after_due or bool(own_setting(block, "hide_after_due"))
            start = own_setting(block, "start") or parent_start or DEFAULT_START
            if parent_start is not None and parent_start > start:
                start = parent_start
            days = own_setting(block, "days_early_for_beta")
            days = parent_days if days is None else days
            due = own_setting(block, "due") or parent_due
            self.merged[key] = (staff_only, hide_after_due)
            self.starts[key] = start
            if due is not None:
                self.dues[key] = due
            if days:
                self.beta_days[key] = float(days)
            for child in block.children:
                self.parents.setdefault(child, key)
            stack.extend((child, staff_only, hide_after_due, start, days, due) for child in block.children)

    @property
    def has_beta_days(self) -> bool:
        """True when some block lets beta testers in early (only then does beta status matter)."""
        return bool(self.beta_days)

    def visible(self, key: BlockKey, now: datetime, beta: bool = False) -> bool:
        """True when a learner (a beta tester when ``beta``) may see ``key`` at ``now``."""
        if key not in self.merged or self.merged[key][0]:
            return False
        start = self.starts[key]
        if beta and key in self.beta_days:
            start = start - timedelta(days=self.beta_days[key])
        return start <= now

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
                            visible=self.visible(key, now, beta))


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


@dataclass(frozen=True)
class BlockRelease:
    """When and to whom one block is released (its ancestors' settings applied)."""

    start: datetime  #: the effective start (the latest on the block's path)
    visible_to_staff_only: bool  #: set on the block or an ancestor
    hide_after_due: bool  #: set on the block or an ancestor
    days_early_for_beta: float  #: how early beta testers get it (0: not early)
    visible: bool  #: whether the learner asked about may see it now


def release_info(structure: Structure) -> ReleaseInfo:
    """The release facts of ``structure``, kept per app by version id (structures never change)."""
    return app_version_cache("release_info").get_or_compute(structure.version, lambda: ReleaseInfo(structure))
