"""The Celery app of a Kampus app, and registration of plugins' tasks.

Each Kampus app owns one Celery app (never the global default). The broker
comes from the settings: the embedded default is kombu's SQLAlchemy transport
on a SQLite file under the site folder, so that ``kampus serve`` runs a real
worker process without any server; RabbitMQ (``amqp://``) in production.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from celery import Celery
from celery.app.trace import trace_task_ret
from celery.concurrency.thread import TaskPool as ThreadTaskPool
from celery.signals import task_postrun, worker_init, worker_process_init, worker_ready
from kombu.asynchronous import set_event_loop

from kampus import process_heap
from kampus.plugins import flatten
from kampus.tasks.broker import celery_broker_conf
from kampus.tasks.periodic import start_beat
from kampus.tasks.runner import register_task, start_recovery_thread

if TYPE_CHECKING:
    from kampus.app import Kampus


def init_celery(kampus: Kampus) -> Celery:
    """Create the app's Celery app and register every plugin's tasks on it."""
    settings = kampus.settings
    celery = Celery(f"kampus-{id(kampus):x}", set_as_current=False)
    celery.conf.update(
        **celery_broker_conf(settings.celery_broker_url, polling_interval=0.2),
        broker_connection_retry_on_startup=True,
        task_always_eager=settings.celery_always_eager,
        task_eager_propagates=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        task_default_queue=settings.celery_queue,
    )
    celery.kampus_tasks = {}  # name -> task function, filled by register_task
    # ids of the records this app runs in this process now, and their lock (see runner.run_recorded)
    celery.kampus_running = (threading.Lock(), set())
    kampus.celery = celery
    for func in flatten(kampus.hook.kampus_celery_tasks()):
        register_task(kampus, func)
    return celery


def prepare_worker_process(kampus: Kampus) -> None:
    """Wire the signals of a worker process that serves only ``kampus`` (``kampus worker``)."""

    tasks_done = process_heap.WorkCounter()

    @worker_process_init.connect(weak=False)
    def fresh_connections_after_fork(**_kwargs: Any) -> None:
        # A forked pool process must not reuse the parent's database connections.
        kampus.db.engine.dispose(close=False)
        process_heap.settle()  # cheap after the parent's: what it froze is not walked again

    @task_postrun.connect(weak=False)
    def count_task(**_kwargs: Any) -> None:
        tasks_done.finished_one()  # the heap is frozen again after the first tasks filled the caches

    @worker_init.connect(weak=False)
    def settle_before_the_pool(**_kwargs: Any) -> None:
        # before a prefork pool forks (its children share the frozen pages), or in the one process of a solo
        # or threads pool
        process_heap.settle()

    @worker_ready.connect(weak=False)
    def recover_orphans(**_kwargs: Any) -> None:
        # Tasks that a dead worker was running are sent again now, then periodically.
        start_recovery_thread(kampus)
        # and the periodic tasks that plugins declare are submitted when due (unless worker_beat is false)
        start_beat(kampus)


class AppBoundThreadPool(ThreadTaskPool):
    """Celery's thread pool, running each task with the worker's own Celery app.

    Without fast tracing, Celery's worker looks tasks up through the process's
    *default* app (the last worker started), so two apps' workers in one
    process (tests with ``celery="real"``) would run each other's messages.
    Pass ``pool=AppBoundThreadPool`` to such workers.
    """

    def on_apply(self, target: Any, args: Any = None, kwargs: Any = None, *rest: Any, **options: Any) -> Any:
        if target is trace_task_ret and self.app is not None:
            kwargs = {**(kwargs or {}), "app": self.app}
        return super().on_apply(target, args, kwargs, *rest, **options)


def _tick() -> None:
    pass


def stop_promptly(worker: Any) -> None:
    """Make an in-process worker notice a stop request within 0.2 s.

    Its event loop checks for stopping once per turn, and sleeps until its next
    timer (up to 10 s) when idle; a short repeating timer bounds that wait.
    """
    hub = getattr(worker, "hub", None)
    if hub is not None:
        hub.call_soon(hub.call_repeatedly, 0.2, _tick)  # thread-safe: runs in the worker's loop


def own_event_loop_for_next_worker() -> None:
    """Let the next in-process worker create its own event loop.

    Celery's worker reuses kombu's process-wide event loop when one is set, so
    a second worker thread in one process (tests) would poll the first one's
    sockets from two threads and corrupt both connections.
    """
    set_event_loop(None)
