"""Field data of the Kampus XBlock runtime: each field scope mapped to its storage.

* ``content`` and ``settings``: the block's ``fields`` in a content-store
  structure. Learners only read them; an authoring runtime collects writes and
  saves them as a new draft (:meth:`KampusRuntime.flush`).
* ``children`` and ``parent``: the structure's tree, as usage keys.
* ``user_state``: :class:`~kampus_content.runtime.user_state.StudentModule`, one
  JSON object per (user, block), loaded for a whole unit in one query.
* ``user_state_summary``, ``preferences``, ``user_info``: their own tables,
  loaded lazily, once per scope for every block of the request.

Values travel in JSON form, as XBlock's :class:`~xblock.field_data.FieldData`
expects. Values imported from OLX attributes are strings as written; a field
that is not a string field turns them into its JSON form here (as XBlock's own
``parse_xml`` does with ``from_string``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from xblock.exceptions import InvalidScopeError
from xblock.field_data import FieldData
from xblock.fields import BlockScope, Boolean, Scope, String, UserScope

from kampus_content.runtime.user_state import StudentModule, XBlockPreference, XBlockSummaryField, XBlockUserInfo
from kampus_content.settings_fields import INHERITED

if TYPE_CHECKING:
    from kampus_content.runtime.runtime import KampusRuntime

log = logging.getLogger(__name__)


def json_form(field: Any, raw: Any) -> Any:
    """The JSON form of a stored value ``raw`` of ``field`` (OLX attribute strings converted)."""
    if not isinstance(raw, str) or isinstance(field, String):
        return raw
    text = raw.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    if isinstance(field, Boolean) and text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return field.to_json(field.from_string(text))
    except Exception:
        return raw


def scope_kind(scope: Any) -> str:
    """Where a scope's values live: content, children, parent, state, summary, preferences, info."""
    if scope == Scope.children:
        return "children"
    if scope == Scope.parent:
        return "parent"
    if scope.user == UserScope.NONE:
        return "content"
    if scope.user == UserScope.ONE and scope.block == BlockScope.USAGE:
        return "state"
    if scope.user == UserScope.ALL and scope.block == BlockScope.USAGE:
        return "summary"
    if scope.user == UserScope.ONE and scope.block == BlockScope.TYPE:
        return "preferences"
    if scope.user == UserScope.ONE and scope.block == BlockScope.ALL:
        return "info"
    return "unsupported"


class UserStateCache:
    """The learner data of one user for the blocks of a request: batch reads, one write at the end.

    :meth:`prefetch` loads the ``user_state`` of many blocks in one query. The
    other user scopes load on first use, once for every prefetched block.
    :meth:`flush` writes what changed.
    """

    def __init__(self, user_id: int | None, course_key: str):
        self.user_id = user_id
        self.course_key = course_key
        self.block_types: dict[str, str] = {}  # usage key -> block type, of every block seen
        self.states: dict[str, dict[str, Any]] = {}
        self.rows: dict[str, StudentModule] = {}
        self.absent: set[str] = set()  # usage keys that :meth:`prefetch` found no row for
        self.dirty_states: set[str] = set()
        self.summaries: dict[tuple[str, str], Any] = {}
        self.summaries_loaded: set[str] = set()
        self.dirty_summaries: set[tuple[str, str]] = set()
        self.preferences: dict[tuple[str, str], Any] = {}
        self.preferences_loaded: set[str] = set()
        self.dirty_preferences: set[tuple[str, str]] = set()
        self.info: dict[str, Any] | None = None
        self.dirty_info: set[str] = set()

    # reading

    def prefetch(self, db_session: Session, blocks: Iterable[tuple[str, str]]) -> None:
        """Load the ``user_state`` of ``(usage key, block type)`` pairs not loaded yet, in one query."""
        wanted = []
        for usage, block_type in blocks:
            self.block_types.setdefault(usage, block_type)
            if usage not in self.states:
                wanted.append(usage)
        if not wanted:
            return
        for usage in wanted:
            self.states[usage] = {}
        if self.user_id is None:
            return
        rows = db_session.scalars(
            sa.select(StudentModule).where(StudentModule.user_id == self.user_id, StudentModule.usage_key.in_(wanted))
        )
        self.absent.update(wanted)
        for row in rows:
            self.absent.discard(row.usage_key)
            self.rows[row.usage_key] = row
            try:
                state = json.loads(row.state or "{}")
            except ValueError:
                log.warning("unreadable state of %s for user %s", row.usage_key, self.user_id)
                state = {}
            self.states[row.usage_key] = state if isinstance(state, dict) else {}

    def state(self, db_session: Session, usage: str, block_type: str) -> dict[str, Any]:
        if usage not in self.states:
            self.prefetch(db_session, [(usage, block_type)])
        return self.states[usage]

    def summary(self, db_session: Session, usage: str) -> dict[tuple[str, str], Any]:
        if usage not in self.summaries_loaded:
            self.block_types.setdefault(usage, "")
            wanted = [key for key in self.block_types if key not in self.summaries_loaded]
            self.summaries_loaded.update(wanted)
            rows = db_session.execute(
                sa.select(XBlockSummaryField.usage_key, XBlockSummaryField.field_name, XBlockSummaryField.value)
                .where(XBlockSummaryField.usage_key.in_(wanted))
            )
            for row_usage, name, value in rows:
                self.summaries[(row_usage, name)] = json.loads(value)
        return self.summaries

    def preference_values(self, db_session: Session, block_type: str) -> dict[tuple[str, str], Any]:
        if block_type not in self.preferences_loaded:
            wanted = {block_type, *(t for t in self.block_types.values() if t)} - self.preferences_loaded
            self.preferences_loaded.update(wanted)
            if self.user_id is not None:
                rows = db_session.execute(
                    sa.select(XBlockPreference.block_type, XBlockPreference.field_name, XBlockPreference.value)
                    .where(XBlockPreference.user_id == self.user_id, XBlockPreference.block_type.in_(sorted(wanted)))
                )
                for row_type, name, value in rows:
                    self.preferences[(row_type, name)] = json.loads(value)
        return self.preferences

    def info_values(self, db_session: Session) -> dict[str, Any]:
        if self.info is None:
            self.info = {}
            if self.user_id is not None:
                rows = db_session.execute(
                    sa.select(XBlockUserInfo.field_name, XBlockUserInfo.value)
                    .where(XBlockUserInfo.user_id == self.user_id)
                )
                self.info = {name: json.loads(value) for name, value in rows}
        return self.info

    # writing

    @property
    def dirty(self) -> bool:
        return bool(self.dirty_states or self.dirty_summaries or self.dirty_preferences or self.dirty_info)

    def flush(self, db_session: Session) -> None:
        """Write the changed learner data into ``db_session`` (the caller commits)."""
        if self.user_id is None:
            self._clear_dirty()
            return
        for usage in sorted(self.dirty_states):
            text = json.dumps(self.states[usage], sort_keys=True)
            row = self.rows.get(usage)
            if row is None and usage not in self.absent:  # prefetched as absent: no second read, the
                # insert below finds a row a concurrent request created since (IntegrityError)
                row = db_session.scalar(
                    sa.select(StudentModule).where(
                        StudentModule.user_id == self.user_id, StudentModule.usage_key == usage
                    )
                )
            if row is None:
                row = StudentModule(
                    user_id=self.user_id, course_key=self.course_key, usage_key=usage,
                    block_type=self.block_types.get(usage, ""), state=text,
                )
                try:
                    with db_session.begin_nested():
                        db_session.add(row)
                except IntegrityError:  # a concurrent request created it: update that one (a locking read:
                    # MariaDB's repeatable-read snapshot, taken before that row was committed, would not show it)
                    row = db_session.scalars(
                        sa.select(StudentModule).where(
                            StudentModule.user_id == self.user_id, StudentModule.usage_key == usage
                        ).with_for_update()
                    ).one()
                    row.state = text
            else:
                row.state = text
            self.rows[usage] = row
            self.absent.discard(usage)
        for usage, name in sorted(self.dirty_summaries):
            self._upsert(
                db_session, XBlockSummaryField,
                {"usage_key": usage, "field_name": name}, self.summaries.get((usage, name), _DELETED),
            )
        for block_type, name in sorted(self.dirty_preferences):
            self._upsert(
                db_session, XBlockPreference,
                {"user_id": self.user_id, "block_type": block_type, "field_name": name},
                self.preferences.get((block_type, name), _DELETED),
            )
        for name in sorted(self.dirty_info):
            self._upsert(
                db_session, XBlockUserInfo, {"user_id": self.user_id, "field_name": name},
                (self.info or {}).get(name, _DELETED),
            )
        db_session.flush()
        self._clear_dirty()

    def _clear_dirty(self) -> None:
        self.dirty_states.clear()
        self.dirty_summaries.clear()
        self.dirty_preferences.clear()
        self.dirty_info.clear()

    @staticmethod
    def _upsert(db_session: Session, model: Any, keys: dict[str, Any], value: Any) -> None:
        where = [getattr(model, name) == key for name, key in keys.items()]
        if value is _DELETED:
            db_session.execute(sa.delete(model).where(*where))
            return
        text = json.dumps(value, sort_keys=True)
        row = db_session.scalar(sa.select(model).where(*where))
        if row is not None:
            row.value = text
            return
        try:
            with db_session.begin_nested():
                db_session.add(model(**keys, value=text))
        except IntegrityError:
            db_session.execute(sa.update(model).where(*where).values(value=text))


_DELETED = object()


class KampusFieldData(FieldData):
    """Field data of one runtime (one user, one structure)."""

    def __init__(self, runtime: KampusRuntime):
        self.runtime = runtime

    # helpers

    def _where(self, block: Any, name: str) -> tuple[str, Any]:
        field = block.fields.get(name)
        if field is None:
            raise KeyError(name)
        return scope_kind(field.scope), field

    @property
    def _cache(self) -> UserStateCache:
        return self.runtime.user_state

    @property
    def _db(self) -> Session:
        return self.runtime.db_session()

    def _usage(self, block: Any) -> str:
        return str(block.scope_ids.usage_id)

    # FieldData

    def get(self, block: Any, name: str) -> Any:
        kind, field = self._where(block, name)
        usage_key = block.scope_ids.usage_id
        if kind == "content":
            if name in INHERITED:  # the settings a learner may be given their own value of (``due``)
                overridden, value = self.runtime.field_override(usage_key, name)
                if overridden:
                    return json_form(field, value)
            values = self.runtime.block_fields(usage_key)
            if name not in values:
                raise KeyError(name)
            return json_form(field, values[name])
        if kind == "children":
            return self.runtime.children_of(usage_key)
        if kind == "parent":
            parent = self.runtime.parent_of(usage_key)
            if parent is None:
                raise KeyError(name)
            return parent
        if kind == "state":
            return self._cache.state(self._db, str(usage_key), block.scope_ids.block_type)[name]
        if kind == "summary":
            return self._cache.summary(self._db, str(usage_key))[(str(usage_key), name)]
        if kind == "preferences":
            block_type = block.scope_ids.block_type
            return self._cache.preference_values(self._db, block_type)[(block_type, name)]
        if kind == "info":
            return self._cache.info_values(self._db)[name]
        raise InvalidScopeError(field.scope)

    def set(self, block: Any, name: str, value: Any) -> None:
        self.set_many(block, {name: value})

    def set_many(self, block: Any, update_dict: dict[str, Any]) -> None:
        for name, value in update_dict.items():
            self._write(block, name, value)

    def delete(self, block: Any, name: str) -> None:
        self._write(block, name, _DELETED)

    def _write(self, block: Any, name: str, value: Any) -> None:
        kind, field = self._where(block, name)
        usage_key = block.scope_ids.usage_id
        usage = str(usage_key)
        if kind == "content":
            if not self.runtime.authoring:
                raise InvalidScopeError(f"{field.scope} fields cannot be changed here: {name}", field.scope)
            self.runtime.edit_field(usage_key, name, None if value is _DELETED else value, value is _DELETED)
        elif kind == "children":
            if not self.runtime.authoring:
                raise InvalidScopeError(field.scope)
            self.runtime.edit_children(usage_key, [] if value is _DELETED else list(value))
        elif kind == "state":
            state = self._cache.state(self._db, usage, block.scope_ids.block_type)
            if value is _DELETED:
                state.pop(name, None)
            else:
                state[name] = value
            self._cache.dirty_states.add(usage)
        elif kind == "summary":
            summaries = self._cache.summary(self._db, usage)
            if value is _DELETED:
                summaries.pop((usage, name), None)
            else:
                summaries[(usage, name)] = value
            self._cache.dirty_summaries.add((usage, name))
        elif kind == "preferences":
            block_type = block.scope_ids.block_type
            preferences = self._cache.preference_values(self._db, block_type)
            if value is _DELETED:
                preferences.pop((block_type, name), None)
            else:
                preferences[(block_type, name)] = value
            self._cache.dirty_preferences.add((block_type, name))
        elif kind == "info":
            info = self._cache.info_values(self._db)
            if value is _DELETED:
                info.pop(name, None)
            else:
                info[name] = value
            self._cache.dirty_info.add(name)
        else:
            raise InvalidScopeError(field.scope)

    def has(self, block: Any, name: str) -> bool:
        try:
            self.get(block, name)
        except KeyError:
            return False
        return True

    def default(self, block: Any, name: str) -> Any:
        """Inherited settings (``start``, ``due``, ...) default to the nearest ancestor's value."""
        kind, field = self._where(block, name)
        if kind == "content" and name in INHERITED:
            found, value = self.runtime.inherited_value(block.scope_ids.usage_id, name)
            if found:
                return json_form(field, value)
        raise KeyError(name)
