"""The public API of the content plugin: what other plugins (LMS, Studio, problems, drivers) import.

Other plugins import this module only, never the plugin's inner modules. It offers:

* the store: :func:`content_store`, its types and errors, and for store drivers
  the :class:`ContentStore` interface, :class:`VersionCache` and :func:`new_version_id`;
* reading a course: :func:`get_structure`, :func:`course_outline`,
  :func:`block_settings` (inherited settings), :func:`block_release` and
  :func:`release_info` (release and visibility with inheritance),
  :func:`can_view_block` (access checks), :func:`course_tree` and
  :func:`build_blocks` (the course blocks builder), :func:`grading_policy`;
* editing a course, each edit one new draft version that fires
  ``kampus_content_changed`` once: :func:`create_block`, :func:`update_fields`,
  :func:`move_block`, :func:`reorder_children`, :func:`duplicate_block`,
  :func:`delete_block`; :func:`publish` (:func:`publish_block`: one part), :func:`discard_changes`
  (:func:`discard_block`: one part),
  :func:`history`, :func:`revert`;
* assets: :func:`list_assets`, :func:`add_asset`, :func:`add_assets`, :func:`set_asset_locked`,
  :func:`delete_asset`, :func:`find_asset`;
* the XBlock runtime for a user and a block: :class:`KampusRuntime`,
  :func:`load_block_class`; :func:`render_student_view` renders a block into another plugin's page,
  :func:`render_block_views` several blocks of the draft into an authoring page (Studio's unit editor);
* learner progress (scores and completion, :mod:`kampus_content.progress`); course staff's actions on a
  learner's state of a block: :func:`reset_attempts`, :func:`delete_learner_state` (with its score),
  :func:`learner_state`, :func:`learners_with_state`; a learner's own settings values (due-date extensions)
  come from ``kampus_field_overrides`` through the runtime;
* files an OLX import kept (`about/`, `info/`, `tabs/`): :func:`course_file_paths`, :func:`read_course_file`;
* editing the course block's settings and those files as one draft version: :func:`edit_course`; a change
  computed from the draft it read (a list with one entry changed) saved pinned to that draft and computed
  again when another edit landed first (the author sent no version): :func:`on_latest_draft`;
* authors' HTML on other plugins' pages (:mod:`kampus_content.author_html`): :func:`rewrite_course_urls`
  (Open edX's ``/static/``, ``/jump_to_id/`` and ``/course/`` links), :func:`asset_url`, and
  :func:`clean_author_html` (the one sanitiser for author HTML outside blocks, ``strict`` for anonymous pages),
  :func:`plain_text` (the visible text of authors' markup, for search indexes; :data:`ANSWER_ELEMENTS` hides answers);
* video transcripts as plain text (search indexes them): :func:`transcript_texts`, :func:`transcript_text`;
  reading a transcript file (SRT, SJSON, WebVTT) into cues: :func:`parse_transcript` (:class:`TranscriptError`);
  adding one to a video (Studio's upload): :func:`add_video_transcript`;
* OLX import of an archive (Studio's import): :func:`import_archive`, :class:`ImportResult`,
  :class:`UnsafeInput`, :class:`ImportRefused`;
* helpers: :func:`safe_xml_parser`, :func:`parse_date`; :data:`CONTAINERS` (block types that hold blocks).

Errors: every store error is a :class:`ContentStoreError` (:class:`CourseNotFound`,
:class:`VersionNotFound`, :class:`VersionConflict`, :class:`BlockNotFound`,
:class:`InvalidEdit`, :class:`AssetNotFound`, ...).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import url_for
from flask_babel import get_locale
from markupsafe import Markup
from opaque_keys.edx.keys import CourseKey

from kampus import db
from kampus.current import current_kampus
from kampus.identity.permissions import has_permission
from kampus_content.asset_index import (
    Asset,
    AssetNotFound,
    add_asset,
    add_assets,
    add_video_transcript,
    delete_asset,
    find_asset,
    list_assets,
    set_asset_locked,
)
from kampus_content.author_html import ANSWER_ELEMENTS, asset_url, clean_author_html, plain_text, rewrite_course_urls
from kampus_content.block_edits import (
    BlockNotFound,
    InvalidEdit,
    create_block,
    delete_block,
    duplicate_block,
    move_block,
    on_latest_draft,
    reorder_children,
    update_fields,
)
from kampus_content.blocks.transcripts import TranscriptError, parse_transcript
from kampus_content.blocks_api import DEFAULT_DISPLAY_NAMES, CourseTree, build_blocks, course_tree
from kampus_content.course_edits import COURSE_FILE_FOLDERS, edit_course
from kampus_content.olx.reader import CONTAINERS
from kampus_content.olx.safety import UnsafeInput
from kampus_content.olx.safety import xml_parser as safe_xml_parser
from kampus_content.olx.service import ImportRefused, ImportResult
from kampus_content.olx.service import import_path as _import_path
from kampus_content.partial_publish import discard_block, publish_block

# learner progress: scores and completion (kampus_content.progress)
from kampus_content.progress.aggregation import (
    CompletionSummary,
    aggregate_completion,
    completable_leaves,
    course_completion,
    course_completion_summaries,
)
from kampus_content.progress.completion import (
    InvalidCompletion,
    completable_by_viewing,
    completion_mode,
    completion_of,
    completion_value,
    course_completions,
    learner_completions,
    record_completion,
)
from kampus_content.progress.scores import ScoreRecord, course_scores, score_of
from kampus_content.progress.state_admin import (
    NoLearnerState,
    StateChange,
    delete_learner_state,
    learner_state,
    learners_with_state,
    reset_attempts,
)
from kampus_content.progress.state_reads import learner_states
from kampus_content.release import BlockRelease, ReleaseInfo, release_info
from kampus_content.runtime.author_render import RenderedBlocks, render_block_views
from kampus_content.runtime.fragments import allow_third_party_scripts, resource_tags
from kampus_content.runtime.javascript_libraries import PAGE_SCRIPTS
from kampus_content.runtime.runtime import KampusRuntime, load_block_class
from kampus_content.settings_fields import INHERITED, inherited_settings, parse_date
from kampus_content.store import (
    DRAFT,
    PUBLISHED,
    Block,
    BlockKey,
    ContentStore,
    ContentStoreError,
    CourseExists,
    CourseIndex,
    CourseNotFound,
    Structure,
    VersionConflict,
    VersionInfo,
    VersionNotFound,
    content_store,
    new_version_id,
)
from kampus_content.store.cache import VersionCache, app_version_cache
from kampus_content.usage_ids import usage_ids

#: Open edX's grading policy of a course that sets none (``xmodule/course_block.py``).
DEFAULT_GRADING_POLICY: dict[str, Any] = {
    "GRADER": [
        {"type": "Homework", "min_count": 12, "drop_count": 2, "short_label": "HW", "weight": 0.15},
        {"type": "Lab", "min_count": 12, "drop_count": 2, "weight": 0.15},
        {"type": "Midterm Exam", "short_label": "Midterm", "min_count": 1, "drop_count": 0, "weight": 0.3},
        {"type": "Final Exam", "short_label": "Final", "min_count": 1, "drop_count": 0, "weight": 0.4},
    ],
    "GRADE_CUTOFFS": {"Pass": 0.5},
}


# -- reading ------------------------------------------------------------------------------------------------------


def get_structure(course_id: str, branch: str = PUBLISHED) -> Structure:
    """The structure ``branch`` of the course points at.

    Raises :class:`CourseNotFound`, or :class:`VersionNotFound` for a never-published course's published branch.
    """
    structure = content_store().get_branch(course_id, branch)
    if structure is None:
        raise VersionNotFound(f"{course_id} has no {branch} version")
    return structure


def course_file_paths(structure: Structure) -> list[str]:
    """Paths of the files an OLX import kept verbatim (``about/overview.html``, ``info/updates.html``,
    ``tabs/syllabus.html``, ``static/...``, ``policies/...``), sorted."""
    root = structure.get(structure.root)
    return sorted((root.meta.get("files") or {}) if root else {})


def read_course_file(structure: Structure, path: str) -> bytes | None:
    """The bytes of a file the OLX import kept (see :func:`course_file_paths`), or ``None`` when the
    course has no such file."""
    root = structure.get(structure.root)
    key = (root.meta.get("files") or {}).get(path) if root else None
    if key is None:
        return None
    try:
        return current_kampus().blob_store.get(key)
    except KeyError:
        return None


@dataclass
class OutlineNode:
    """One block of a course outline, with its children in order."""

    key: BlockKey
    usage_id: str
    display_name: str
    children: list[OutlineNode] = field(default_factory=list)


def course_outline(structure: Structure, start: BlockKey | None = None) -> OutlineNode:
    """The tree of blocks under ``start`` (the course by default) with usage ids and display names."""
    course_key = CourseKey.from_string(structure.course_key)
    first: BlockKey = tuple(start or structure.root)  # type: ignore[assignment]
    if first not in structure.blocks:
        raise BlockNotFound(f"no block {first[0]}/{first[1]} in {structure.course_key}")
    nodes: dict[BlockKey, OutlineNode] = {}
    for block in structure.walk(first):
        name = block.fields.get("display_name")
        nodes[block.key] = OutlineNode(
            block.key, str(course_key.make_usage_key(block.type, block.id)),
            name if isinstance(name, str) and name else DEFAULT_DISPLAY_NAMES.get(block.type, block.type),
        )
    for block in structure.walk(first):
        nodes[block.key].children = [nodes[c] for c in block.children if c in nodes and c != first]
    return nodes[first]


def block_settings(structure: Structure, key: BlockKey) -> dict[str, Any]:
    """The block's effective inheritable settings (``start``, ``due``, ``graded``, ...), typed, with
    Open edX's inheritance applied (kept per app by structure version)."""
    every = app_version_cache("inherited_settings").get_or_compute(
        structure.version, lambda: inherited_settings(structure, INHERITED))
    block_key: BlockKey = tuple(key)  # type: ignore[assignment]
    if block_key not in every:
        raise BlockNotFound(f"no block {key[0]}/{key[1]} in {structure.course_key}")
    return dict(every[block_key])


def block_release(structure: Structure, key: BlockKey, *, now: datetime | None = None,
                  beta: bool = False) -> BlockRelease:
    """When and to whom the block is released, its ancestors' settings applied (:mod:`kampus_content.release`)."""
    try:
        return release_info(structure).block_release(tuple(key), now or datetime.now(UTC), beta)  # type: ignore[arg-type]
    except KeyError:
        raise BlockNotFound(f"no block {key[0]}/{key[1]} reachable in {structure.course_key}") from None


def can_view_block(user: Any, course_id: str, key: BlockKey, *, branch: str = PUBLISHED,
                   now: datetime | None = None) -> bool:
    """May ``user`` see the block ``key`` of the course's ``branch``?

    The draft: course authors (``course.edit_content``) only. Published: course
    staff see every block; enrolled users (``course.view``) see released blocks
    that are not staff-only (beta testers early by ``days_early_for_beta``).
    """
    block_key: BlockKey = tuple(key)  # type: ignore[assignment]
    needed = "course.edit_content" if branch == DRAFT else "course.view"
    if not has_permission(user, needed, course_id):
        return False
    try:
        structure = get_structure(course_id, branch)
    except (CourseNotFound, VersionNotFound):
        return False
    if block_key not in structure.blocks:
        return False
    if branch == DRAFT or has_permission(user, "course.view_staff", course_id):
        return True
    info = release_info(structure)
    beta = info.has_beta_days and has_permission(user, "course.view_beta", course_id)
    return info.visible(block_key, now or datetime.now(UTC), beta)


def grading_policy(course_id: str, branch: str = PUBLISHED) -> dict[str, Any]:
    """The course's grading policy (``GRADER``, ``GRADE_CUTOFFS``), Open edX's defaults filling what it leaves out."""
    return grading_policy_of(get_structure(course_id, branch))


def grading_policy_of(structure: Structure) -> dict[str, Any]:
    """:func:`grading_policy` read from a structure already loaded."""
    stored = structure.blocks[structure.root].fields.get("grading_policy")
    policy = copy.deepcopy(DEFAULT_GRADING_POLICY)
    if isinstance(stored, dict):
        policy.update(copy.deepcopy(stored))
    return policy


# -- video transcripts as text ---------------------------------------------------------------------------------------


def transcript_texts(structure: Structure, key: BlockKey) -> dict[str, str]:
    """The plain text of each transcript of the video block ``key`` of ``structure``, by language code (its
    cues joined by spaces). Files the course does not hold or that cannot be read are left out; a block that
    is not a video (or a video block class without ``transcript_files``) gives ``{}``."""
    block_key: BlockKey = tuple(key)  # type: ignore[assignment]
    block = structure.blocks.get(block_key)
    if block is None or block.type != "video":
        return {}
    runtime = KampusRuntime(structure, user=None)
    video = runtime.get_block(runtime.usage_key(block_key))
    files_of = getattr(video, "transcript_files", None)
    texts: dict[str, str] = {}
    for lang, name in sorted((files_of() if callable(files_of) else {}).items()):
        raw = runtime.read_course_file(name)
        if raw is None:
            continue
        try:
            cues = parse_transcript(name, raw.decode("utf-8-sig", errors="replace"))
        except TranscriptError:
            continue
        text = " ".join(" ".join(cue.text.split()) for cue in cues).strip()
        if text:
            texts[str(lang)] = text
    return texts


def transcript_text(structure: Structure, key: BlockKey, lang: str = "en") -> str:
    """The plain text of the video block's transcript in ``lang`` ("" when it has none)."""
    return transcript_texts(structure, key).get(lang, "")


# -- rendering a block into a page (learner pages of other plugins) ------------------------------------------------


@dataclass(frozen=True)
class RenderedView:
    """A block's ``student_view`` rendered for a page of another plugin (the LMS's unit page)."""

    html: Markup  #: the block's wrapped HTML
    head: Markup  #: tags of its resources for the page's ``<head>``
    foot: Markup  #: tags of its resources for the end of the page
    page_scripts: tuple[str, ...]  #: URLs of the scripts to load first (jQuery, the XBlock runtime)


def render_student_view(structure: Structure, key: BlockKey, *, user: Any, user_is_staff: bool,
                        visible: Any = None, context: dict[str, Any] | None = None,
                        save: bool = True) -> RenderedView:
    """Render ``key``'s ``student_view`` (a unit, with its children) of a published ``structure`` for
    ``user``, as ``/xblock/<usage_id>`` does: learner state read in one query, ``visible`` (a predicate
    on block keys, ``None`` for staff) leaving out what the user may not see.

    With ``save``, what rendering wrote (learner state, scores) is flushed and the request's session
    committed (with whatever the caller staged), then ``kampus_score_changed`` announced; without it
    nothing is flushed (the caller rolls back: a staff member looking at a learner's state).
    Third-party blocks widen the response's script policy as on ``/xblock/<usage_id>``.
    """
    kampus = current_kampus()
    runtime = KampusRuntime(structure, user=user, user_is_staff=user_is_staff, visible=visible,
                            locale=str(get_locale() or kampus.settings.default_locale), db_session=db.session())
    block = runtime.get_block(runtime.usage_key(key))
    runtime.prefetch_subtree(block.scope_ids.usage_id)
    frag = runtime.render(block, "student_view", dict(context or {}))
    if save:
        runtime.flush()
        db.session().commit()
        runtime.after_commit()
    head, foot = resource_tags(frag)
    scripts = tuple(url_for("xblock.vendor_static", library=library, filename=filename)
                    for library, filename in PAGE_SCRIPTS) + (url_for("xblock.content_static",
                                                                      filename="xblock-runtime.js"),)
    if runtime.third_party_loaded:
        allow_third_party_scripts(frag.body_html())
    return RenderedView(Markup(frag.body_html()), head, foot, scripts)


# -- OLX import (Studio's import page) ----------------------------------------------------------------------------


def import_archive(path: Any, *, course_key: str, user_id: int | None,
                   progress: Any = None) -> ImportResult:
    """Import the OLX course folder or ``.tar.gz`` archive at ``path`` into ``course_key`` (replacing its
    draft, then publishing; the archive's ``drafts/`` stays draft) with ``progress(current, total, message)``.

    Raises :class:`UnsafeInput` (its ``problems`` list ``(file, line, message)``) or
    :class:`ImportRefused`; nothing is written then.
    """
    kwargs: dict[str, Any] = {"user_id": user_id, "course_key": course_key}
    if progress is not None:
        kwargs["progress"] = progress
    return _import_path(path, content_store(), **kwargs)


# -- publishing and history -----------------------------------------------------------------------------------------


def publish(course_id: str, *, user_id: int | None, expected_version: str | None = None) -> str:
    """Publish the draft (``kampus_content_published`` fires once); returns the published version."""
    return content_store().publish(course_id, user_id=user_id, expected_version=expected_version)


def discard_changes(course_id: str, *, user_id: int | None, expected_version: str | None = None) -> Structure:
    """Make the draft equal to the published version again (one new draft version)."""
    return content_store().discard_draft(course_id, user_id=user_id, expected_version=expected_version)


def history(course_id: str, limit: int = 100) -> list[VersionInfo]:
    """The draft's versions, newest first, marking those that were published."""
    return content_store().history(course_id, limit)


def revert(course_id: str, version: str, *, user_id: int | None, expected_version: str | None = None) -> Structure:
    """Make a new draft equal to the old ``version`` (history keeps both)."""
    return content_store().revert(course_id, version, user_id=user_id, expected_version=expected_version)


__all__ = [
    "CONTAINERS",
    "DEFAULT_GRADING_POLICY",
    "DEFAULT_DISPLAY_NAMES",
    "DRAFT",
    "PUBLISHED",
    "Asset",
    "AssetNotFound",
    "ImportRefused",
    "ImportResult",
    "UnsafeInput",
    "import_archive",
    "Block",
    "BlockKey",
    "BlockNotFound",
    "BlockRelease",
    "ContentStore",
    "ContentStoreError",
    "CourseExists",
    "CourseIndex",
    "CourseNotFound",
    "CourseTree",
    "InvalidEdit",
    "KampusRuntime",
    "OutlineNode",
    "ReleaseInfo",
    "RenderedBlocks",
    "RenderedView",
    "Structure",
    "VersionCache",
    "app_version_cache",
    "VersionConflict",
    "VersionInfo",
    "VersionNotFound",
    "COURSE_FILE_FOLDERS",
    "add_asset",
    "add_assets",
    "add_video_transcript",
    "parse_transcript",
    "TranscriptError",
    "asset_url",
    "edit_course",
    "on_latest_draft",
    "block_release",
    "clean_author_html",
    "plain_text",
    "ANSWER_ELEMENTS",
    "block_settings",
    "build_blocks",
    "can_view_block",
    "content_store",
    "course_outline",
    "course_tree",
    "create_block",
    "delete_asset",
    "delete_block",
    "discard_block",
    "discard_changes",
    "duplicate_block",
    "find_asset",
    "get_structure",
    "grading_policy",
    "grading_policy_of",
    "app_version_cache",
    "history",
    "list_assets",
    "load_block_class",
    "move_block",
    "new_version_id",
    "parse_date",
    "publish",
    "publish_block",
    "release_info",
    "render_block_views",
    "render_student_view",
    "reorder_children",
    "revert",
    "rewrite_course_urls",
    "safe_xml_parser",
    "set_asset_locked",
    "transcript_text",
    "transcript_texts",
    "update_fields",
    "usage_ids",
]

# learner progress: scores and completion (kampus_content.progress)
__all__ += [
    "NoLearnerState",
    "StateChange",
    "delete_learner_state",
    "learner_state",
    "learner_states",
    "learners_with_state",
    "reset_attempts",
    "CompletionSummary",
    "InvalidCompletion",
    "ScoreRecord",
    "aggregate_completion",
    "completable_by_viewing",
    "completable_leaves",
    "completion_mode",
    "completion_of",
    "completion_value",
    "course_completion",
    "course_completion_summaries",
    "course_completions",
    "learner_completions",
    "record_completion",
    "course_scores",
    "score_of",
]
