"""What grading needs to know of one published course version, computed once per version.

* :class:`GradingStructure`: the sections and their subsections in course order, each subsection's
  format, graded flag, due date and the scorable blocks under it (Open edX's ``possibly_scored``
  post-order walk), plus the grading policy and its hash. Kept per app by version id.
* the *possible points* of every scorable block (Open edX's ``GradesTransformer`` collects
  ``max_score()`` when a course is published): finding them instantiates each block (a CAPA problem
  parses its XML), so they are stored in ``lms_grades_max_scores`` once per version and read back by
  every process; publishing a course computes them in the background (:mod:`kampus_lms.grades.tasks`).
* :class:`Viewer`: which blocks a learner's grade counts (Open edX grades the blocks the learner can
  access: released, not staff-only; course staff see all) and a short key of that visibility, stored
  with the persistent grade so that a release date passing makes the grade stale.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from kampus_content.api import (
    CONTAINERS,
    BlockKey,
    KampusRuntime,
    Structure,
    app_version_cache,
    block_settings,
    grading_policy_of,
    load_block_class,
    release_info,
)
from opaque_keys.edx.keys import CourseKey
from sqlalchemy.exc import IntegrityError

from kampus import current_kampus
from kampus_lms.grades.models import GradingMaxScores

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Scorable:
    """A block that holds a score, under a subsection."""

    key: BlockKey
    usage_id: str
    unit_id: str
    display_name: str
    graded: bool


@dataclass(frozen=True)
class SubsectionInfo:
    """A subsection (sequential) of the course as grading sees it."""

    key: BlockKey
    usage_id: str
    display_name: str
    chapter_id: str
    format: str
    graded: bool
    due: datetime | None
    show_correctness: str
    hide_from_toc: bool
    scorables: tuple[Scorable, ...]


@dataclass(frozen=True)
class ChapterInfo:
    """A section (chapter) and the indexes of its subsections in :attr:`GradingStructure.subsections`."""

    key: BlockKey
    usage_id: str
    display_name: str
    hide_from_toc: bool
    subsections: tuple[int, ...]


def policy_of(structure: Structure) -> dict[str, Any]:
    """The grading policy stored on the course root, Open edX's defaults filling what it leaves out."""
    return grading_policy_of(structure)


def policy_hash(policy: dict[str, Any]) -> str:
    """Open edX's ``grading_policy_hash``: base64 of the SHA-1 of the policy's sorted JSON."""
    digest = hashlib.sha1(json.dumps(policy, sort_keys=True, default=str).encode("utf-8")).digest()
    return base64.b64encode(digest).decode("ascii")


def _name(block: Any, default: str) -> str:
    name = block.fields.get("display_name")
    return name if isinstance(name, str) and name else default


def _is_scorable(block_type: str) -> bool:
    if block_type in CONTAINERS:
        return False
    return bool(getattr(load_block_class(block_type), "has_score", False))


class GradingStructure:
    """The grading facts of one published structure (immutable; kept per app by version)."""

    def __init__(self, structure: Structure):
        self.structure = structure
        self.version = structure.version
        self.course_id = structure.course_key
        self.policy = policy_of(structure)
        self.policy_hash = policy_hash(self.policy)
        locator = CourseKey.from_string(structure.course_key)

        def usage(key: BlockKey) -> str:
            return str(locator.make_usage_key(key[0], key[1]))

        self.root_id = usage(structure.root)
        chapters: list[ChapterInfo] = []
        subsections: list[SubsectionInfo] = []
        root = structure.blocks[structure.root]
        for chapter_key in dict.fromkeys(root.children):
            chapter = structure.blocks.get(chapter_key)
            if chapter is None or chapter.type != "chapter":
                continue
            indexes = []
            for sequential_key in dict.fromkeys(chapter.children):
                sequential = structure.blocks.get(sequential_key)
                if sequential is None:
                    continue
                settings = block_settings(structure, sequential_key)
                indexes.append(len(subsections))
                subsections.append(SubsectionInfo(
                    key=sequential_key, usage_id=usage(sequential_key), display_name=_name(sequential, "Subsection"),
                    chapter_id=usage(chapter_key), format=str(sequential.fields.get("format") or ""),
                    graded=bool(settings.get("graded")), due=settings.get("due"),
                    show_correctness=str(settings.get("show_correctness") or "always"),
                    hide_from_toc=_truthy(sequential.fields.get("hide_from_toc")),
                    scorables=tuple(self._scorables(structure, sequential_key, usage)),
                ))
            chapters.append(ChapterInfo(chapter_key, usage(chapter_key), _name(chapter, "Section"),
                                        _truthy(chapter.fields.get("hide_from_toc")), tuple(indexes)))
        self.chapters = tuple(chapters)
        self.subsections = tuple(subsections)
        self.scorable_ids = tuple(s.usage_id for sub in subsections for s in sub.scorables)
        info = release_info(structure)
        keys = [sub.key for sub in subsections] + [s.key for sub in subsections for s in sub.scorables]
        self._graded_keys = tuple(dict.fromkeys(keys))
        self._visible_sets: dict[str, frozenset[BlockKey]] = {}
        self._starts = sorted({info.starts[k] for k in keys if k in info.starts})
        self._beta_starts = sorted({info.beta_start(k) for k in keys if k in info.starts})
        self.release = info

    @staticmethod
    def _scorables(structure: Structure, start: BlockKey, usage: Any) -> list[Scorable]:
        """Scorable blocks under ``start``, depth first (the order of Open edX's post-order walk over leaves),
        each with its unit (the nearest vertical above it)."""
        found: list[Scorable] = []
        seen: set[BlockKey] = set()

        def visit(key: BlockKey, unit: str) -> None:
            if key in seen:
                return
            seen.add(key)
            block = structure.blocks.get(key)
            if block is None:
                return
            if block.type == "vertical":
                unit = usage(key)
            for child in block.children:
                visit(child, unit)
            if key != start and _is_scorable(block.type):
                settings = block_settings(structure, key)
                found.append(Scorable(key, usage(key), unit, _name(block, block.type), bool(settings.get("graded"))))

        visit(start, "")
        return found

    def visible_keys(self, viewer: Viewer, now: datetime) -> frozenset[BlockKey]:
        """The subsections and scorable blocks ``viewer`` sees now: computed once per visibility key (mode,
        releases passed, content groups), not once per learner and block."""
        key = viewer.visibility_key(self, now)
        found = self._visible_sets.get(key)
        if found is None:
            found = frozenset(k for k in self._graded_keys if viewer.visible(self, k, now))
            if len(self._visible_sets) >= 64:  # releases pass, groups vary: keep the cache small
                self._visible_sets.clear()
            self._visible_sets[key] = found
        return found

    def visibility_key(self, mode: str, now: datetime) -> str:
        """A short key that changes when a block graded for a viewer of ``mode`` is released."""
        if mode == "staff":
            return "staff"
        starts = self._beta_starts if mode == "beta" else self._starts
        return f"{mode}:{bisect.bisect_right(starts, now)}"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def grading_structure(structure: Structure) -> GradingStructure:
    """The :class:`GradingStructure` of a published structure, kept per app by version id."""
    return app_version_cache("lms_grading_structure", 16).get_or_compute(
        structure.version, lambda: GradingStructure(structure))


# -- possible points ----------------------------------------------------------------------------------------------


def compute_max_scores(grading: GradingStructure) -> dict[str, float]:
    """Every scorable block's weighted possible points, from the block itself (``max_score()``).

    A block that cannot say (no ``max_score``, or it fails) counts 0 until a learner's score row says
    otherwise, as Open edX's transformer does for a block without a maximum.
    """
    runtime = KampusRuntime(grading.structure, user=None)
    result: dict[str, float] = {}
    for subsection in grading.subsections:
        for scorable in subsection.scorables:
            possible = 0.0
            try:
                block = runtime.get_block(scorable.usage_id)
                method = getattr(block, "max_score", None)
                value = method() if callable(method) else None
                possible = float(value) if value is not None else 0.0
            except Exception:  # a broken block grades as nothing possible, never breaks the grade
                log.warning("max_score of %s failed", scorable.usage_id, exc_info=True)
            result[scorable.usage_id] = possible if possible >= 0 else 0.0
    return result


def grading_signature(grading: GradingStructure, possible: dict[str, float]) -> str:
    """A hash of everything of a version that changes grades for the same scores: the policy, each
    subsection's graded flag and format, and its scorable blocks with their graded flag and points."""
    parts = [grading.policy_hash]
    for sub in grading.subsections:
        parts.append(f"{sub.usage_id}|{int(sub.graded)}|{sub.format}")
        parts.extend(f"  {s.usage_id}|{int(s.graded)}|{possible.get(s.usage_id, 0.0)!r}" for s in sub.scorables)
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()


def max_scores(grading: GradingStructure) -> dict[str, float]:
    """The possible points of each scorable block of the version: the app's cache, else the stored row,
    else computed and stored (an insert that loses a race keeps the winner's equal values)."""
    cache = app_version_cache("lms_grading_max_scores", 16)
    cached = cache.get(grading.version)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    db = current_kampus().db
    with db.session_scope() as db_session:
        stored = db_session.scalar(sa.select(GradingMaxScores.max_scores).where(
            GradingMaxScores.course_id == grading.course_id, GradingMaxScores.version == grading.version))
    if stored is None:
        computed = compute_max_scores(grading)
        try:
            with db.session_scope() as db_session:
                db_session.add(GradingMaxScores(course_id=grading.course_id, version=grading.version,
                                                max_scores=json.dumps(computed, sort_keys=True),
                                                signature=grading_signature(grading, computed)))
        except IntegrityError:
            pass  # another process stored the same version's points first
        values = computed
    else:
        values = {key: float(value) for key, value in json.loads(stored).items()}
    return cache.put(grading.version, values)  # type: ignore[no-any-return]


def stored_signatures(course_id: str, versions: list[str]) -> dict[str, str]:
    """The grading signatures stored for ``versions`` of the course (versions never graded are absent)."""
    if not versions:
        return {}
    with current_kampus().db.session_scope() as db_session:
        rows = db_session.execute(sa.select(GradingMaxScores.version, GradingMaxScores.signature).where(
            GradingMaxScores.course_id == course_id, GradingMaxScores.version.in_(sorted(set(versions)))))
        return {str(row[0]): str(row[1]) for row in rows}


# -- who sees what ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """Whose grade: the user's id and how much of the course their grade counts."""

    user_id: int
    mode: str  #: ``staff`` (everything), ``beta`` (released early by ``days_early_for_beta``) or ``learner``
    #: The learner's content groups, ``((partition_id, group_id), ...)``: blocks restricted to them count.
    groups: tuple[tuple[int, int], ...] = ()

    def visible(self, grading: GradingStructure, key: BlockKey, now: datetime) -> bool:
        if self.mode == "staff":
            return True
        return grading.release.visible(key, now, self.mode == "beta", dict(self.groups))

    def visibility_key(self, grading: GradingStructure, now: datetime) -> str:
        """A short key that changes when the set of blocks this viewer's grade counts changes."""
        key = grading.visibility_key(self.mode, now)
        if self.mode != "staff" and self.groups and grading.release.groups:
            key += ":g" + ",".join(f"{partition}.{group}" for partition, group in self.groups)
        return key
