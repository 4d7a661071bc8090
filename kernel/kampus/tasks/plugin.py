"""Wiring of background work: settings, pages and API of task records."""

from __future__ import annotations

from kampus_hookspecs import Setting, hookimpl


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
    ]


@hookimpl
def kampus_celery_tasks() -> list[object]:
    from kampus.tasks.demo import count

    return [count]


@hookimpl
def kampus_blueprints(app: object) -> list[object]:
    from kampus.tasks.views import bp

    return [bp]
