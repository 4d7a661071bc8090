"""The Kampus XBlock runtime: the PyPI ``XBlock`` library over a content-store structure, without Django.

One :class:`KampusRuntime` serves one request for one user and one structure
(a branch of a course). Block classes come from the ``xblock.v1`` entry points,
so third-party XBlocks installed with pip work; a block whose class is missing
or fails to import becomes a placeholder (:mod:`kampus_content.blocks.placeholder`)
that keeps its data. The first third-party block class loaded configures a
minimal Django (:mod:`kampus_content.runtime.django_shim`).
"""

from __future__ import annotations

import logging
import threading
import uuid
from typing import Any

from flask import current_app, has_request_context, request
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey
from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.exceptions import NoSuchServiceError, NoSuchUsage, NoSuchViewError
from xblock.fields import ScopeIds
from xblock.plugin import PLUGIN_CACHE, AmbiguousPluginError, PluginMissingError, default_select
from xblock.runtime import IdGenerator, IdReader, Runtime

from kampus import current_kampus, db
from kampus.events import emit
from kampus.identity.anonymous_ids import anonymous_id_for
from kampus.urls import absolute_url
from kampus_content.blocks.placeholder import error_fragment, placeholder_class
from kampus_content.blocks.rendering import render_block_template
from kampus_content.progress.completion import (
    COMPLETABLE,
    InvalidCompletion,
    completes_on_score,
    completion_mode,
    completion_value,
    record_completion,
)
from kampus_content.progress.scores import InvalidScore, ScoreChange, announce_score_changes, record_score, score_points
from kampus_content.runtime.django_shim import activate_language, ensure_django
from kampus_content.runtime.field_data import KampusFieldData, UserStateCache
from kampus_content.runtime.fragments import wrap_block
from kampus_content.runtime.services import (
    I18nService,
    KampusUserService,
    RebindUserService,
    ReplaceURLService,
    SettingsService,
)
from kampus_content.store import content_store
from kampus_content.store.cache import app_version_cache
from kampus_content.store.interface import Block, BlockKey, Structure

log = logging.getLogger(__name__)

OWN_PACKAGE = "kampus_content."

# Block classes by type, including placeholders for types that failed to load (never retried in a process).
# Process-wide on purpose, like the XBlock library's own PLUGIN_CACHE beside it: a class is what the
# process imported from its installed packages, the same for every app in it; nothing of an app's
# settings or data is kept here.
_classes: dict[str, type] = {}
_classes_lock = threading.Lock()


def select_entry_point(identifier: str, entry_points: list[Any]) -> Any:
    """XBlock's selection of an entry point, preferring Kampus's own class on a clash; configures
    Django before any third-party block module is imported."""
    try:
        selected = default_select(identifier, entry_points)
    except AmbiguousPluginError:
        ours = [ep for ep in entry_points if ep.value.startswith(OWN_PACKAGE)]
        if len(ours) != 1:
            raise
        selected = ours[0]
    if not selected.value.startswith(OWN_PACKAGE):
        ensure_django()
    return selected


def load_block_class(block_type: str) -> type:
    """The XBlock class of ``block_type``, or a placeholder class when it is missing or broken."""
    cls = _classes.get(block_type)
    if cls is not None:
        return cls
    try:
        cls = XBlock.load_class(block_type, select=select_entry_point)
    except PluginMissingError:
        cls = placeholder_class(block_type, None)
    except Exception as exc:
        log.warning("XBlock class of %r failed to load: %s", block_type, exc, exc_info=True)
        cls = placeholder_class(block_type, f"{type(exc).__name__}: {exc}")
    with _classes_lock:
        _classes[block_type] = cls
    return cls


def forget_block_class(block_type: str) -> None:
    """Drop the cached class of ``block_type`` (tests; after installing a block)."""
    _classes.pop(block_type, None)
    PLUGIN_CACHE.pop(("xblock.v1", block_type.lower()), None)


class StructureIds(IdReader, IdGenerator):
    """Usage ids are opaque-keys usage keys of the course; a block's definition id is its usage id."""

    def __init__(self, course_key: CourseKey):
        self.course_key = course_key

    def get_definition_id(self, usage_id: Any) -> Any:
        return usage_id

    def get_block_type(self, def_id: Any) -> str:
        return def_id.block_type

    def create_usage(self, def_id: Any) -> Any:
        return def_id

    def create_definition(self, block_type: str, slug: str | None = None) -> Any:
        return self.course_key.make_usage_key(block_type, slug or uuid.uuid4().hex)

    def get_usage_id_from_aside(self, aside_id: Any) -> Any:
        raise NotImplementedError("asides are not supported yet")

    def get_definition_id_from_aside(self, aside_id: Any) -> Any:
        raise NotImplementedError("asides are not supported yet")

    def get_aside_type_from_usage(self, aside_id: Any) -> Any:
        raise NotImplementedError("asides are not supported yet")

    def get_aside_type_from_definition(self, aside_id: Any) -> Any:
        raise NotImplementedError("asides are not supported yet")

    def create_aside(self, definition_id: Any, usage_id: Any, aside_type: str) -> Any:
        raise NotImplementedError("asides are not supported yet")


class KampusRuntime(Runtime):
    """The runtime of one request: one user, one structure (published for learners, draft for authors)."""

    def __init__(
        self,
        structure: Structure,
        *,
        user: Any,
        user_is_staff: bool = False,
        authoring: bool = False,
        visible: Any = None,
        locale: str = "en",
        db_session: Any = None,
        xblock_settings: dict[str, Any] | None = None,
    ):
        self.structure = structure
        self.course_key = structure.course_key
        self.course_locator = CourseKey.from_string(structure.course_key)
        self.user = user
        self.user_is_staff = user_is_staff
        self.authoring = authoring
        self.locale = locale
        self._visible = visible
        self._db_session = db_session
        user_id = getattr(user, "id", None)
        self.user_state = UserStateCache(user_id, self.course_key)
        self.field_data_service = KampusFieldData(self)
        ids = StructureIds(self.course_locator)
        services: dict[str, Any] = {
            "field-data": self.field_data_service,
            "user": KampusUserService(self),
            "settings": SettingsService(xblock_settings),
            "rebind_user": RebindUserService(self),
            "replace_urls": ReplaceURLService(self.course_key),
        }
        super().__init__(ids, ids, services=services, select=select_entry_point)
        self._deprecated_per_instance_user_id = user_id
        self._i18n: dict[str, I18nService] = {}
        self._blocks: dict[Any, XBlock] = {}
        self._usage_keys: dict[BlockKey, UsageKey] = {}
        self._anonymous_ids: dict[int, str] = {}
        self._parents: dict[BlockKey, BlockKey] | None = None
        self._field_overrides: dict[BlockKey, dict[str, Any]] | None = None
        self.edits: dict[BlockKey, Block] | None = None
        self.published_events: list[tuple[str, str, Any]] = []
        # Scores and completions published, written by flush() with the learner state (in one
        # transaction, and late: no write lock held while handlers run); changes announced after commit.
        self.progress_writes: list[tuple[str, dict[str, Any]]] = []
        self.score_changes: list[ScoreChange] = []
        self.third_party_loaded = False
        activate_language(locale)

    # identity --------------------------------------------------------------

    @property
    def anonymous_student_id(self) -> str | None:
        """The user's stored pseudonym in this course (the kernel's table: stable across key rotations)."""
        user_id = getattr(self.user, "id", None)
        if user_id is None:
            return None
        if user_id not in self._anonymous_ids:
            self._anonymous_ids[user_id] = anonymous_id_for(user_id, str(self.course_key),
                                                            db_session=self.db_session())
        return self._anonymous_ids[user_id]

    def rebind_user(self, user: Any) -> None:
        """Act for ``user`` from now on (its own learner state)."""
        self.user = user
        user_id = getattr(user, "id", None)
        self._deprecated_per_instance_user_id = user_id
        self.user_state = UserStateCache(user_id, self.course_key)
        self._field_overrides = None
        self._blocks.clear()

    def db_session(self) -> Any:
        if self._db_session is None:
            self._db_session = db.session()
        return self._db_session

    # the structure ---------------------------------------------------------

    def usage_key(self, key: BlockKey) -> UsageKey:
        """The usage key of a block of the structure (made once per runtime: rendering a unit asks for each
        block's key dozens of times, and making one validates every part)."""
        found = self._usage_keys.get(key)
        if found is None:
            found = self._usage_keys[key] = self.course_locator.make_usage_key(key[0], key[1])
        return found

    @staticmethod
    def block_key(usage_key: Any) -> BlockKey:
        return (usage_key.block_type, usage_key.block_id)

    def structure_block(self, usage_key: Any) -> Block | None:
        key = self.block_key(usage_key)
        if self.edits is not None:
            return self.edits.get(key)
        return self.structure.blocks.get(key)

    def block_fields(self, usage_key: Any) -> dict[str, Any]:
        block = self.structure_block(usage_key)
        return block.fields if block is not None else {}

    def children_of(self, usage_key: Any) -> list[UsageKey]:
        block = self.structure_block(usage_key)
        return [self.usage_key(child) for child in block.children] if block is not None else []

    def parents(self) -> dict[BlockKey, BlockKey]:
        if self._parents is None:  # the same for every request on this version: kept per app
            structure = self.structure
            self._parents = (app_version_cache("parents").get_or_compute(structure.version, structure.parents)
                             if structure.version else structure.parents())
        return self._parents

    def parent_of(self, usage_key: Any) -> UsageKey | None:
        parent = self.parents().get(self.block_key(usage_key))
        return self.usage_key(parent) if parent is not None else None

    def inherited_value(self, usage_key: Any, name: str) -> tuple[bool, Any]:
        """The nearest ancestor's own value of ``name``: ``(found, value)``."""
        parents = self.parents()
        key = parents.get(self.block_key(usage_key))
        seen: set[BlockKey] = set()
        while key is not None and key not in seen:
            seen.add(key)
            block = self.structure_block(self.usage_key(key))
            if block is not None and name in block.fields:
                return True, block.fields[name]
            key = parents.get(key)
        return False, None

    def field_overrides(self) -> dict[BlockKey, dict[str, Any]]:
        """The user's per-block field values from ``kampus_field_overrides`` (read once per runtime;
        none for anonymous users and authors)."""
        if self._field_overrides is None:
            self._field_overrides = {}
            user_id = getattr(self.user, "id", None)
            if user_id is not None and not self.authoring:
                answers = current_kampus().hook.kampus_field_overrides(course_id=str(self.course_key),
                                                                       user_id=int(user_id))
                for answer in answers:
                    for usage, values in (answer or {}).items():
                        try:
                            key = self.block_key(UsageKey.from_string(str(usage)))
                        except InvalidKeyError:
                            log.warning("kampus_field_overrides answered %r, not a usage id", usage)
                            continue
                        self._field_overrides.setdefault(key, {}).update(values)
        return self._field_overrides

    def field_override(self, usage_key: Any, name: str) -> tuple[bool, Any]:
        """``(found, value)``: the user's override of field ``name`` on the block or its nearest
        overridden ancestor (Open edX's individual student overrides). The walk up stops at the first
        block that sets the field itself: an ancestor's override changes only what is inherited, so a
        child's own value wins over its subsection's extension."""
        overrides = self.field_overrides()
        if not overrides:
            return False, None
        parents = self.parents()
        key: BlockKey | None = self.block_key(usage_key)
        seen: set[BlockKey] = set()
        while key is not None and key not in seen:
            seen.add(key)
            values = overrides.get(key)
            if values and name in values:
                return True, values[name]
            block = self.structure_block(self.usage_key(key))
            if block is not None and name in block.fields:
                return False, None
            key = parents.get(key)
        return False, None

    def read_course_file(self, name: str) -> bytes | None:
        """A file of the course's ``static/`` folder as imported (``None`` when there is none)."""
        root = self.structure.blocks.get(self.structure.root)
        files = (root.meta.get("files") or {}) if root is not None else {}
        name = name.lstrip("/").removeprefix("static/")
        key = files.get(f"static/{name}")
        if not key:
            return None
        try:
            return current_kampus().blob_store.get(key)
        except (KeyError, ValueError, OSError):
            return None

    def is_visible(self, usage_key: Any) -> bool:
        """Whether the current user may see the block (release dates, staff-only), by the view's rule."""
        return True if self._visible is None else bool(self._visible(self.block_key(usage_key)))

    def visible_children(self, block: XBlock) -> list[UsageKey]:
        return [child for child in block.children if self.is_visible(child)]

    def prefetch_subtree(self, usage_key: Any) -> None:
        """Load the learner state of every block under ``usage_key`` in one query."""
        pairs = [
            (str(self.usage_key(block.key)), block.type)
            for block in self.structure.walk(self.block_key(usage_key))
        ]
        self.user_state.prefetch(self.db_session(), pairs)

    # authoring edits -------------------------------------------------------

    def _editable(self, usage_key: Any) -> Block:
        if self.edits is None:
            self.edits = self.structure.edit()
        key = self.block_key(usage_key)
        block = self.edits.get(key)
        if block is None:
            raise NoSuchUsage(repr(usage_key))
        return block

    def edit_field(self, usage_key: Any, name: str, value: Any, delete: bool = False) -> None:
        block = self._editable(usage_key)
        if delete:
            block.fields.pop(name, None)
        else:
            block.fields[name] = value

    def edit_children(self, usage_key: Any, children: list[Any]) -> None:
        self._editable(usage_key).children = [self.block_key(child) for child in children]

    def flush(self, *, message: str = "") -> None:
        """Write changed learner state into the request's session and save authors' edits as a new draft.

        The caller commits the session, then calls :meth:`after_commit`.
        """
        self._write_progress()
        if self.user_state.dirty:
            self.user_state.flush(self.db_session())
        if self.edits is not None:
            structure = content_store().save_draft(
                self.course_key, self.edits.values(), self.structure.root,
                expected_version=self.structure.version, user_id=getattr(self.user, "id", None),
                message=message or "edited in the XBlock runtime",
            )
            self.structure = structure
            self.edits = None
            self._parents = None

    def _write_progress(self) -> None:
        """Write the scores and completions published so far, in order, into the request's session."""
        writes, self.progress_writes = self.progress_writes, []
        for kind, values in writes:
            if kind == "score":
                change = record_score(self.db_session(), **values)
                if change is not None:
                    self.score_changes.append(change)
            else:
                record_completion(self.db_session(), **values)

    # blocks ----------------------------------------------------------------

    def load_block_type(self, block_type: str) -> type:
        cls = load_block_class(block_type)
        if not cls.__module__.startswith(OWN_PACKAGE):
            self.third_party_loaded = True
        return cls

    def get_block(self, usage_id: Any, for_parent: Any = None) -> XBlock:
        if isinstance(usage_id, str):
            usage_id = UsageKey.from_string(usage_id)
        cached = self._blocks.get(usage_id)
        if cached is not None:
            return cached
        if self.structure_block(usage_id) is None:
            raise NoSuchUsage(repr(usage_id))
        block_type = usage_id.block_type
        keys = ScopeIds(getattr(self.user, "id", None), block_type, usage_id, usage_id)
        try:
            block = self.construct_xblock(block_type, keys, for_parent=for_parent)
        except Exception as exc:
            log.warning("XBlock %s failed to construct: %s", usage_id, exc, exc_info=True)
            cls = placeholder_class(block_type, f"{type(exc).__name__}: {exc}")
            block = self.construct_xblock_from_class(cls, keys, for_parent=for_parent)
        self._blocks[usage_id] = block
        return block

    def applicable_aside_types(self, block: Any) -> list[str]:
        return []

    # services --------------------------------------------------------------

    def service(self, block: Any, service_name: str) -> Any:
        if service_name == "i18n":
            declaration = block.service_declaration(service_name)
            if declaration is None:
                raise NoSuchServiceError(f"Service {service_name!r} was not requested.")
            module = getattr(type(block), "unmixed_class", type(block)).__module__
            service = self._i18n.get(module)
            if service is None:
                service = self._i18n[module] = I18nService(self.locale, module)
            return service
        return super().service(block, service_name)

    # URLs ------------------------------------------------------------------

    def handler_url(self, block: Any, handler_name: str, suffix: str = "", query: str = "",
                    thirdparty: bool = False) -> str:
        url = f"/xblock/{block.scope_ids.usage_id}/handler/{handler_name}"
        if suffix:
            url += "/" + suffix.lstrip("/")
        params = [query.lstrip("?")] if query else []
        if self.authoring:
            params.append("branch=draft")
        if params:
            url += "?" + "&".join(params)
        if thirdparty:
            url = absolute_url(url)
        return url

    def resource_url(self, resource: str) -> str:
        return f"/static/content/{resource.lstrip('/')}"

    def local_resource_url(self, block: Any, uri: str) -> str:
        return f"/xblock/resource/{block.scope_ids.block_type}/{uri.lstrip('/')}"

    # rendering -------------------------------------------------------------

    def render(self, block: Any, view_name: str, context: dict[str, Any] | None = None) -> Fragment:
        if view_name == "author_view" and getattr(block, "author_view", None) is None:
            view_name = "student_view"
        try:
            return super().render(block, view_name, context)
        except NoSuchViewError:
            frag = Fragment(render_block_template(
                "view_unavailable.html", block_type=block.scope_ids.block_type, view=view_name))
            return self.wrap_xblock(block, view_name, frag, context)
        except Exception as exc:
            log.exception("XBlock %s failed to render %s", block.scope_ids.usage_id, view_name)
            return self.wrap_xblock(block, view_name, error_fragment(self, block, exc), context)

    def wrap_xblock(self, block: Any, view: str, frag: Fragment, context: Any) -> Fragment:
        usage_id = str(block.scope_ids.usage_id)
        wrapped = wrap_block(block, view, frag, handler_prefix=f"/xblock/{usage_id}/handler", usage_id=usage_id)
        kampus = current_app.extensions["kampus"]
        for result in kampus.hook.kampus_wrap_fragment(block=block, view=view, fragment=wrapped,
                                                       context=context or {}):
            if result is not None:
                return result
        return wrapped

    # events ----------------------------------------------------------------

    def publish(self, block: Any, event_type: str, event_data: Any) -> None:
        """Record what a block publishes, and emit it as a tracking event.

        * ``grade``: the learner's score is written by :meth:`flush`, with the
          block's state, in the request's transaction
          (:mod:`kampus_content.progress.scores`); a block completed by its
          score is marked complete; ``kampus_score_changed`` is called by
          :meth:`after_commit`;
        * ``completion`` (0.0 to 1.0) and the deprecated ``progress``: the
          block's completion (:mod:`kampus_content.progress.completion`).

        A malformed grade or completion is logged and not recorded.
        """
        usage = str(block.scope_ids.usage_id)
        block_type = block.scope_ids.block_type
        user_id = getattr(self.user, "id", None)
        username = getattr(self.user, "username", None)
        data = dict(event_data) if isinstance(event_data, dict) else {"data": event_data}
        self.published_events.append((usage, event_type, data))
        context = {"module": {"usage_key": usage, "display_name": getattr(block, "display_name", "") or ""}}
        common = {"course_id": self.course_key, "user_id": user_id, "username": username, "context": context}
        where = {"user_id": user_id, "course_key": self.course_key, "usage_key": usage, "block_type": block_type}
        if event_type == "grade":
            try:
                earned, possible = score_points(data.get("value"), data.get("max_value"))
            except InvalidScore as exc:
                log.warning("%s published a grade that is not recorded: %s", usage, exc)
                return
            if user_id is not None and not self.authoring:  # an author's preview records nothing
                self.progress_writes.append(("score", {
                    **where, "earned": earned, "possible": possible,
                    "only_if_higher": bool(data.get("only_if_higher", False))}))
                if completes_on_score(block) and not data.get("grader_response"):
                    self.progress_writes.append(("completion", {**where, "completion": 1.0}))
            emit("edx.grades.problem.submitted", {
                "problem_id": usage, "weighted_earned": earned, "weighted_possible": possible,
                "event_transaction_type": "edx.grades.problem.submitted",
            }, **common)
        elif event_type in ("completion", "progress"):
            if event_type == "progress" and getattr(block, "has_custom_completion", False):
                return  # Open edX ignores the deprecated event of blocks that report their own completion
            try:
                completion = completion_value(data.get("completion")) if event_type == "completion" else 1.0
            except InvalidCompletion as exc:
                log.warning("%s published a completion that is not recorded: %s", usage, exc)
                return
            if completion_mode(block) != COMPLETABLE:
                log.warning("%s published a completion but is not completable: not recorded", usage)
                return
            if user_id is not None and not self.authoring:
                self.progress_writes.append(("completion", {**where, "completion": completion}))
            emit("completion", {"usage_key": usage, "block_type": block_type, "completion": completion}, **common)
        else:
            page = request.url if has_request_context() else None
            emit(event_type, data, page=page, **common)

    def after_commit(self) -> None:
        """Announce what this runtime wrote, once its caller has committed the session:
        ``kampus_score_changed`` for every changed score, in order, each once."""
        changes, self.score_changes = self.score_changes, []
        announce_score_changes(changes)
