"""The Celery app of a Kampus app, and registration of plugins' tasks.

Each Kampus app owns one Celery app (never the global default). The broker
comes from the settings: the embedded default is kombu's SQLAlchemy transport
on a SQLite file under the site folder, so that ``kampus serve`` runs a real
worker process without any server; RabbitMQ (``amqp://``) in production.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from celery import Celery

from kampus.plugins import flatten

if TYPE_CHECKING:
    from kampus.app import Kampus


def task_name(func: Any) -> str:
    """The registered name of a task function."""
    return getattr(func, "kampus_task_name", None) or f"{func.__module__}.{func.__name__}"


def init_celery(kampus: Kampus) -> Celery:
    """Create the app's Celery app and register every plugin's tasks on it."""
    settings = kampus.settings
    celery = Celery(f"kampus-{id(kampus):x}", set_as_current=False)
    celery.conf.update(
        broker_url=settings.celery_broker_url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"polling_interval": 0.25},
        task_always_eager=settings.celery_always_eager,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        task_default_queue=settings.celery_queue,
    )
    kampus.celery = celery
    from kampus.tasks.runner import register_task

    for func in flatten(kampus.hook.kampus_celery_tasks()):
        register_task(kampus, func)
    return celery
