"""Wiring of background work: settings, the demo task, pages and API of task records."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting, hookimpl

from kampus.tasks.access import check_start_permissions
from kampus.tasks.demo import RUN_DEMO_PERMISSION, count
from kampus.tasks.periodic import check_periodic_tasks
from kampus.tasks.views import bp


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting(
            "celery_broker_url",
            str,
            "sqla+sqlite:///{home}/broker.sqlite",
            "Celery broker: the embedded SQLite transport by default, amqp://user:pass@host// for RabbitMQ.",
            secret=True,
        ),
        Setting("celery_always_eager", bool, False, "Run tasks in the submitting process (tests only)."),
        Setting("celery_queue", str, "kampus", "Name of the Celery queue."),
        Setting("worker_concurrency", int, 2, "Worker processes started by `kampus worker` and `kampus serve`."),
        Setting("serve_embedded_worker", bool, True, "Start a background worker beside the web app in `kampus serve`."),
        Setting("task_heartbeat_seconds", float, 10.0,
                "How often a running task's worker writes its heartbeat on the task record (0: never)."),
        Setting("task_stale_after_seconds", float, 60.0,
                "A task whose worker (on another host) gave no heartbeat for this long is sent again."),
        Setting("task_recovery_interval_seconds", float, 30.0,
                "How often a worker looks for tasks left running by a worker that is gone (0: only at start)."),
        Setting("worker_beat", bool, True,
                "Run the periodic-task scheduler in `kampus worker` (and `kampus serve`'s worker); each due "
                "run is claimed by one worker only, so several workers may all keep it on."),
        Setting("periodic_tasks_disabled", list, [],
                "Names of periodic tasks (see `kampus periodic-tasks`) that the workers do not run."),
        Setting("periodic_task_records_kept", int, 100,
                "Task records kept of each periodic task's finished runs, newest first (0: all)."),
    ]


@hookimpl
def kampus_celery_tasks() -> list[object]:
    return [count]


@hookimpl
def kampus_permissions() -> dict[str, list[str]]:
    """The demo task is for global staff only (who hold every permission)."""
    return {RUN_DEMO_PERMISSION: []}


@hookimpl
def kampus_blueprints(app: Any) -> list[object]:
    return [bp]


@hookimpl
def kampus_app_ready(app: Any) -> None:
    """A task startable with a permission that nobody declares, or a wrong periodic task, stops start-up."""
    with app.app_context():
        check_start_permissions(app.extensions["kampus"])
        check_periodic_tasks(app.extensions["kampus"])
