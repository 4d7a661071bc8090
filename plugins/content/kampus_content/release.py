"""Which blocks a learner may see: release dates and staff-only flags along the tree.

One rule serves the block pages and the course blocks API, as Open edX's access
transformers do: a block is visible when it and every ancestor are released
(its effective start is the latest start on its path, moved earlier by
``days_early_for_beta`` for beta testers) and no ancestor is
``visible_to_staff_only``. The facts depend only on the immutable structure,
so they are computed once per version and kept in the app's version cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kampus_content.settings_fields import DEFAULT_START, own_setting
from kampus_content.store.cache import app_version_cache
from kampus_content.store.interface import BlockKey, Structure


class ReleaseInfo:
    """Per block of one structure: merged staff-only and hide-after-due flags, effective start, beta days."""

    def __init__(self, structure: Structure):
        self.merged: dict[BlockKey, tuple[bool, bool]] = {}
        self.starts: dict[BlockKey, datetime] = {}
        self.beta_days: dict[BlockKey, float] = {}
        stack: list[tuple[BlockKey, bool, bool, datetime | None, float | None]] = [
            (structure.root, False, False, None, None)
        ]
        while stack:
            key, staff_only, hide_after_due, parent_start, parent_days = stack.pop()
            block = structure.blocks.get(key)
            if block is None or key in self.merged:
                continue
            # Set on any ancestor, visible_to_staff_only and hide_after_due hold below (Open edX merges them).
            staff_only = staff_only or bool(own_setting(block, "visible_to_staff_only"))
            hide_after_due = hide_after_due or bool(own_setting(block, "hide_after_due"))
            start = own_setting(block, "start") or parent_start or DEFAULT_START
            if parent_start is not None and parent_start > start:
                start = parent_start
            days = own_setting(block, "days_early_for_beta")
            days = parent_days if days is None else days
            self.merged[key] = (staff_only, hide_after_due)
            self.starts[key] = start
            if days:
                self.beta_days[key] = float(days)
            stack.extend((child, staff_only, hide_after_due, start, days) for child in block.children)

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


    def block_release(self, key: BlockKey, now: datetime, beta: bool = False) -> BlockRelease:
        """The release facts of one block, with inheritance applied."""
        if key not in self.merged:
            raise KeyError(key)
        staff_only, hide_after_due = self.merged[key]
        return BlockRelease(start=self.starts[key], visible_to_staff_only=staff_only, hide_after_due=hide_after_due,
                            days_early_for_beta=self.beta_days.get(key, 0.0),
                            visible=self.visible(key, now, beta))


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
