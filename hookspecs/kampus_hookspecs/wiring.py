"""Wiring hooks: what a plugin contributes to the assembled application.

Each hook returns data that the kernel assembles once, at start-up (settings,
blueprints, template folders, CLI commands, tasks, permissions, migrations), or
per request where the answer depends on the user (navigation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kampus_hookspecs._marker import hookspec

if TYPE_CHECKING:
    from collections.abc import Callable

    from kampus_hookspecs.types import PeriodicTask, Setting, SiteDefaults


@hookspec
def kampus_settings() -> list[Setting]:
    """Declare the settings this plugin reads.

    Called once at start-up, before the settings are validated. Return a list
    of :class:`~kampus_hookspecs.types.Setting`. A value in ``kampus.toml`` or
    the environment that no enabled plugin declares stops start-up.
    """


@hookspec
def kampus_blueprints(app: Any) -> list[Any]:
    """Return the Flask blueprints this plugin serves.

    Called once while the app is assembled, after settings and database are
    ready; ``app`` is the Flask app (``app.extensions["kampus"]`` is the
    :class:`kampus.Kampus` object).
    """


@hookspec
def kampus_template_folders() -> list[str]:
    """Return folders of Jinja templates, searched after the site's overrides
    and before the kernel's own templates.

    By convention a plugin keeps its templates under ``templates/<plugin>/`` so
    that names do not clash.
    """


@hookspec
def kampus_cli_commands() -> list[Any]:
    """Return ``click`` commands to add to the ``kampus`` command line."""


@hookspec
def kampus_celery_tasks() -> list[Callable[..., Any]]:
    """Return the functions this plugin runs as background tasks.

    Each function takes a task context as its first argument (progress
    reporting, the app, the requesting user) and JSON-serialisable arguments
    after it. Its task name is its ``kampus_task_name`` attribute when set,
    else ``<module>.<function name>``. The kernel registers every task with
    late acknowledgement and a task record.

    A function marked ``kampus.tasks.api.startable_with(permission)`` can also
    be started by users holding that permission through the kernel's task API;
    others are started by the plugin's own code only.
    """


@hookspec
def kampus_periodic_tasks() -> list[PeriodicTask]:
    """Return the :class:`~kampus_hookspecs.types.PeriodicTask` entries this plugin's tasks run on
    (since hook API 1.6): a fixed interval or a crontab in UTC, like Open edX's Celery beat schedule.

    Called once per app at start-up, in its app context, after the tasks are registered; answer
    from constants and the app's settings (``kampus.current.current_kampus().settings``). Each
    entry's ``task`` must be a task of ``kampus_celery_tasks``; an unknown task, two entries of one
    name or a crontab that does not parse stops start-up. Every worker of the site runs the
    scheduler unless its setting ``worker_beat`` is false; each due time is claimed in the database
    by one worker only, which submits the task as a recorded task with no user (task key
    ``periodic:<name>``). ``kampus periodic-tasks`` lists the entries and their next run.
    """


@hookspec
def kampus_nav_items(user: Any) -> list[Any]:
    """Return :class:`~kampus_hookspecs.types.NavItem` entries of the main
    navigation for ``user`` (an anonymous user object when nobody is logged in).

    Called when a page is rendered; keep it cheap.
    """


@hookspec
def kampus_permissions() -> dict[str, list[str]]:
    """Declare permissions: a mapping of permission name to the course roles
    that hold it (the course roles of ``kampus.identity.roles``: ``instructor``,
    ``staff``, ``ta``, ``beta_tester``, ``learner``; ``"*"`` for any logged-in user).

    Global staff hold every permission. Declarations of the same permission by
    several plugins are merged.
    """


@hookspec
def kampus_user_course_roles(user_id: int, course_id: str) -> list[str]:
    """Return course roles that ``user_id`` holds in ``course_id`` through
    this plugin (for example ``learner`` for an active enrollment), beyond
    those granted in the role table."""


@hookspec
def kampus_users_course_roles(user_ids: list[int], course_id: str) -> dict[int, list[str]]:
    """Return, for several users at once, the course roles each holds in ``course_id`` through this
    plugin (since hook API 1.7): ``{user_id: [role, ...]}``, users with none may be left out.

    The batch form of :func:`kampus_user_course_roles`, asked when many users are checked together
    (a background regrade's batch of learners; ``kampus.identity.permissions.course_roles_of``) so
    that a plugin answers with one query instead of one per user. A plugin that implements
    :func:`kampus_user_course_roles` should implement this one too, with the same answers; for a
    plugin that does not, the kernel asks :func:`kampus_user_course_roles` once per user.
    """


@hookspec
def kampus_user_partition_groups(user_id: int, course_id: str) -> dict[int, int] | None:
    """Return the content groups ``user_id`` is in, in ``course_id``, through this plugin (since hook
    API 1.5): ``{partition_id: group_id}`` of the course's ``user_partitions`` (Open edX's user
    partitions; e.g. the LMS answers the group linked to the learner's cohort).

    A block whose ``group_access`` names groups is shown to learners in one of them; the content
    runtime asks (once per request, and only for a course that restricts some block to groups) before it
    serves such a block's views and handlers. Answers of several plugins are merged; ``None`` abstains.
    """


@hookspec
def kampus_account_created(user_id: int, username: str, email: str) -> None:
    """Called after a new account is committed, whichever way it was made (the
    registration page, the registration API, ``kampus create-user``, ``kampus init``).

    For example the LMS enrolls the new learner in the courses that pre-enrolled
    this e-mail address. Runs in the app context of the request or command.
    """


@hookspec
def kampus_account_confirmed(user_id: int, username: str, email: str) -> None:
    """Called after a user's e-mail address is confirmed and the confirmation is
    committed: the confirmation link, or a password reset link (which proves the
    address too). Called once per confirmation, never for an address already
    confirmed; an account made already confirmed (``kampus create-user``,
    ``kampus init``) is announced by ``kampus_account_created`` only.

    For example the LMS acts on the address's pre-enrollments only once the
    address is proven. Runs in the app context of the request.
    """


@hookspec
def kampus_init_site(app: Any, demo: bool) -> list[str] | None:
    """Called once by ``kampus init``, inside an app context, after the
    database is migrated and the admin and demo accounts exist.

    Set up what a new site needs from this plugin; with ``demo`` true, also
    demo content (a demo course, roles for the demo accounts ``learner``,
    ``instructor`` and ``staff``). Return lines to print to the operator.
    """


@hookspec(firstresult=True)
def kampus_site_defaults() -> SiteDefaults | None:
    """Say whether ``kampus init`` enables this plugin in a new site, where in the
    plugin order, and which settings it writes into the new ``kampus.toml``.

    Called by ``kampus init`` for every installed plugin, one plugin at a time,
    before any site exists (no app, no settings): answer from constants only.
    Return a :class:`~kampus_hookspecs.types.SiteDefaults`, or ``None`` (or do
    not implement the hook) to be enabled only when the operator lists the plugin.
    """


@hookspec
def kampus_app_ready(app: Any) -> None:
    """Called once when the app is fully assembled, before it serves."""
