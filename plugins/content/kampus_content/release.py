"""Which blocks a learner may see: release dates and staff-only flags along the tree.

One rule serves the block pages and the course blocks API, as Open edX's access
transformers do: a block is visible when it and every ancestor are released
(its effective start is the latest start on its path, moved earlier by
``days_early_for_beta`` for beta testers) and no ancestor is
``visible_to_staff_only``. The facts depend only on the immutable structure,
so they are computed once per version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from kampus_content.settings_fields import DEFAULT_START, own_setting
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


_INFOS: OrderedDict[str, ReleaseInfo] = OrderedDict()
_LOCK = threading.Lock()


def release_info(structure: Structure) -> ReleaseInfo:
    """The release facts of ``structure``, cached by version id (structures never change)."""
    with _LOCK:
        info = _INFOS.get(structure.version)
        if info is not None:
            _INFOS.move_to_end(structure.version)
            return info
    info = ReleaseInfo(structure)
    with _LOCK:
        _INFOS[structure.version] = info
        while len(_INFOS) > 64:
            _INFOS.popitem(last=False)
    return info
