"""Who may start a task, and who may see a task record.

A plugin declares that users may start one of its tasks, and with which
permission, with :func:`kampus.tasks.api.startable_with` (the
``kampus_task_permission`` attribute of the task function). The permission is
an ordinary one (declared through ``kampus_permissions``), checked in the
course the request names, or site-wide without one. A task without it can only
be submitted by code (a plugin's own view or command), never through the
kernel's task pages and API.

A record is visible to the user who started it, to global staff, and, for a
course's record of a startable task, to whoever may start that task in that
course (as Open edX's instructor dashboard lists a course's running tasks to
its staff).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kampus.errors import StartupError
from kampus.identity.permissions import has_permission, permission_table
from kampus.tasks.models import TaskRecord
from kampus.tasks.runner import kampus_tasks

if TYPE_CHECKING:
    from kampus.app import Kampus

#: The attribute of a task function naming the permission that lets a user start it.
PERMISSION_ATTRIBUTE = "kampus_task_permission"


def start_permission(func: Callable[..., Any]) -> str | None:
    """The permission that lets a user start ``func``, or ``None`` when users may not start it."""
    return getattr(func, PERMISSION_ATTRIBUTE, None)


def is_global_staff(user: Any) -> bool:
    """True for global staff and superusers (they may start and see every task)."""
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def startable_tasks(kampus: Kampus, user: Any, course_id: str | None = None) -> list[str]:
    """Names of the tasks ``user`` may start (in ``course_id``, or site-wide without one)."""
    return [name for name in sorted(kampus_tasks(kampus)) if may_start(kampus, user, name, course_id)]


def may_start(kampus: Kampus, user: Any, name: str, course_id: str | None = None) -> bool:
    """True when ``user`` may start the task ``name`` (in ``course_id``)."""
    func = kampus_tasks(kampus).get(name)
    permission = start_permission(func) if func is not None else None
    return permission is not None and has_permission(user, permission, course_id or None)


def may_see(kampus: Kampus, user: Any, record: TaskRecord) -> bool:
    """True when ``user`` may see ``record`` (its page and API)."""
    if record.user_id is not None and record.user_id == getattr(user, "id", None):
        return True
    if is_global_staff(user):
        return True
    return bool(record.course_id) and may_start(kampus, user, record.name, record.course_id)


def argument_problem(func: Callable[..., Any], kwargs: dict[str, Any]) -> str | None:
    """Why ``kwargs`` cannot be the arguments of ``func`` (after its task context), or ``None``."""
    try:
        inspect.signature(func).bind(None, **kwargs)
    except TypeError as exc:
        return str(exc)
    return None


def check_start_permissions(kampus: Kampus) -> None:
    """Stop start-up when a startable task names a permission that no plugin declares.

    Call inside an app context of ``kampus``'s app.
    """
    declared = permission_table()
    for name, func in sorted(kampus_tasks(kampus).items()):
        permission = start_permission(func)
        if permission is not None and permission not in declared:
            raise StartupError(
                f"task {name!r} may be started with permission {permission!r}, which no enabled plugin declares "
                "(declare it through kampus_permissions)"
            )
