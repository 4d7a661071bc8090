"""Completion of units, subsections, sections and courses, aggregated from their leaves.

An aggregator block (completion mode ``aggregator``: course, chapter,
sequential, vertical) is as complete as the completable leaves under it: it
counts ``possible`` leaves, ``completed`` leaves (completion 1.0) and ``earned``
(the sum of the leaves' completions, so a half-watched video counts 0.5).
Excluded blocks (discussion) and their subtrees, and blocks the learner may not
see (when a visibility rule is given), are not counted. A completable block with
children counts as one leaf, as in Open edX's completion aggregator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from opaque_keys.edx.keys import CourseKey
from sqlalchemy.orm import Session

from kampus_content.progress.completion import (
    AGGREGATOR,
    COMPLETABLE,
    completion_mode,
    course_completions,
    learner_completions,
)
from kampus_content.runtime.runtime import load_block_class
from kampus_content.store.cache import app_version_cache
from kampus_content.store.interface import BlockKey, Structure
from kampus_content.usage_ids import usage_ids

Visible = Callable[[BlockKey], bool]


@dataclass(frozen=True)
class CompletionSummary:
    """The completion of a block for one learner: of ``possible`` completable leaves under it,
    ``completed`` are complete and their completions add up to ``earned``."""

    earned: float
    completed: int
    possible: int

    @property
    def percent(self) -> float:
        """``earned`` over ``possible``, 0.0 to 1.0 (1.0 when there is nothing to complete)."""
        return self.earned / self.possible if self.possible else 1.0

    @property
    def complete(self) -> bool:
        """Whether every completable leaf is complete."""
        return self.completed == self.possible


def block_modes(structure: Structure) -> dict[BlockKey, str]:
    """The completion mode of every block of ``structure``, from its block class."""
    modes: dict[str, str] = {}
    result = {}
    for key, block in structure.blocks.items():
        if block.type not in modes:
            modes[block.type] = completion_mode(load_block_class(block.type))
        result[key] = modes[block.type]
    return result


def completable_leaves(structure: Structure, *, visible: Visible | None = None) -> dict[BlockKey, list[BlockKey]]:
    """For every counted block (aggregators and completable leaves), the completable leaves under it
    (a leaf's list is itself)."""
    modes = block_modes(structure)
    leaves: dict[BlockKey, list[BlockKey]] = {}

    def visit(key: BlockKey, path: frozenset[BlockKey]) -> list[BlockKey]:
        if key in leaves:
            return leaves[key]
        block = structure.blocks.get(key)
        if block is None or key in path or (visible is not None and not visible(key)):
            return []
        mode = modes[key]
        if mode == COMPLETABLE:
            found = [key]
        elif mode == AGGREGATOR:
            found = []
            for child in block.children:
                found.extend(visit(child, path | {key}))
        else:
            return []
        leaves[key] = found
        return found

    visit(structure.root, frozenset())
    return leaves


def aggregate_completion(
    structure: Structure, completions: Mapping[str, float], *, visible: Visible | None = None,
    leaves: Mapping[BlockKey, list[BlockKey]] | None = None,
) -> dict[str, CompletionSummary]:
    """The completion of every counted block of ``structure`` for one learner, by usage key, from
    that learner's ``{usage_key: completion}`` (as :func:`course_completions` returns them).

    ``leaves`` (from :func:`completable_leaves`) saves walking the structure again for each learner.
    """
    if leaves is None:
        leaves = completable_leaves(structure, visible=visible)
    usage = usage_ids(structure)
    # each leaf's value looked up once (a leaf counts in every block above it)
    every_leaf = leaves.get(structure.root)
    if every_leaf is None:
        every_leaf = {leaf for under in leaves.values() for leaf in under}
    done = {leaf: value for leaf in every_leaf if (value := completions.get(usage[leaf], 0.0))}
    result = {}
    for key, under in leaves.items():
        values = [done[leaf] for leaf in under if leaf in done] if done else []
        result[usage[key]] = CompletionSummary(
            earned=sum(values), completed=sum(1 for value in values if value >= 1.0), possible=len(under))
    return result


def course_completion(
    structure: Structure, user_ids: Iterable[int], *, visible: Visible | None = None,
    db_session: Session | None = None,
) -> dict[int, dict[str, CompletionSummary]]:
    """The aggregated completion of every counted block of a course for each learner of ``user_ids``,
    with one query: ``{user_id: {usage_key: CompletionSummary}}``."""
    leaves = completable_leaves(structure, visible=visible)
    stored = course_completions(structure.course_key, user_ids, db_session=db_session)
    return {user_id: aggregate_completion(structure, values, leaves=leaves) for user_id, values in stored.items()}


def course_completion_summaries(
    user_id: int, structures: Iterable[Structure], *, db_session: Session | None = None,
) -> dict[str, CompletionSummary]:
    """One learner's completion of each whole course of ``structures`` (the course block's summary), by
    course key, with one query whatever the number of courses (the learner dashboard's cards)."""
    by_course = {structure.course_key: structure for structure in structures}
    stored = learner_completions(user_id, by_course, db_session=db_session)
    result = {}
    for course_key, structure in by_course.items():
        root = str(CourseKey.from_string(course_key).make_usage_key(*structure.root))
        leaves = app_version_cache("completable_leaves").get_or_compute(
            structure.version, lambda structure=structure: completable_leaves(structure))
        summary = aggregate_completion(structure, stored[course_key], leaves=leaves).get(root)
        if summary is not None:
            result[course_key] = summary
    return result
