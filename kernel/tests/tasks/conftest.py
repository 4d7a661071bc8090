"""Fixtures of the background-work tests: sample task plugins and Celery modes."""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from kampus_hookspecs import hookimpl

from kampus.tasks.api import TaskContext, get_record, task_name
from kampus.tasks.models import TaskRecord

#: Gates that ``sample.stepper`` waits on, by token.
GATES: dict[str, threading.Event] = defaultdict(threading.Event)
#: How many times ``sample.counted`` ran, by token.
RUNS: dict[str, int] = defaultdict(int)
#: What ``sample.observe`` saw of its own record while running, by token.
SEEN: dict[str, dict[str, Any]] = {}


@task_name("sample.add")
def add(task: TaskContext, a: int, b: int) -> int:
    return a + b


@task_name("sample.stepper")
def stepper(task: TaskContext, token: str) -> str:
    task.progress(1, 4, "step one")
    if not GATES[token].wait(20):
        raise TimeoutError("the test never opened the gate")
    task.progress(3, 4, "step three")
    return "done"


@task_name("sample.observe")
def observe(task: TaskContext, token: str) -> dict[str, Any]:
    task.progress(2, 5, "two of five")
    with task.kampus.db.session_scope() as db_session:  # another session: is it committed?
        SEEN[token] = db_session.get(TaskRecord, task.record_id).to_json()
    SEEN[token]["via_api"] = get_record(task.record_id).state  # the public API works inside a task
    return {"user_id": task.user_id, "course_id": task.course_id, "attempt": task.attempt}


@task_name("sample.boom")
def boom(task: TaskContext) -> None:
    task.progress(1, 2, "about to fail")
    raise ValueError("boom went the task")


@task_name("sample.not_json")
def not_json(task: TaskContext) -> object:
    return object()


@task_name("sample.counted")
def counted(task: TaskContext, token: str) -> int:
    RUNS[token] += 1
    return RUNS[token]


class SamplePlugin:
    @hookimpl
    def kampus_celery_tasks(self) -> list[Callable[..., Any]]:
        return [add, stepper, observe, boom, not_json, counted]


@task_name("other.only")
def only(task: TaskContext) -> str:
    return "other"


class OtherPlugin:
    @hookimpl
    def kampus_celery_tasks(self) -> list[Callable[..., Any]]:
        return [only]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rabbitmq: needs KAMPUS_TEST_BROKER_URL (a RabbitMQ broker)")


def rabbitmq_url() -> str:
    url = os.environ.get("KAMPUS_TEST_BROKER_URL", "")
    if not url.startswith(("amqp://", "amqps://", "pyamqp://")):
        pytest.skip("KAMPUS_TEST_BROKER_URL is not set to a RabbitMQ URL (e.g. amqp://guest:guest@127.0.0.1:5672//)")
    return url


@pytest.fixture(params=["eager", pytest.param("rabbitmq", marks=pytest.mark.rabbitmq)])
def celery_mode(request: pytest.FixtureRequest) -> str:
    """Each behaviour test runs eagerly everywhere, and on a real worker over RabbitMQ when one is given."""
    if request.param == "rabbitmq":
        rabbitmq_url()
    return request.param


@pytest.fixture
def task_app(make_app: Callable[..., Any], celery_mode: str) -> Any:
    if celery_mode == "eager":
        return make_app(plugins=[SamplePlugin()])
    return make_app(plugins=[SamplePlugin()], celery="real", settings={"celery_broker_url": rabbitmq_url()})


def wait_for(predicate: Callable[[], Any], timeout: float = 20, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


def finished_record(app: Any, record_id: str, timeout: float = 20) -> TaskRecord:
    """The record once it is SUCCESS or FAILURE."""
    kampus = app.extensions["kampus"]

    def finished() -> TaskRecord | None:
        with kampus.db.session_scope() as db_session:
            record = db_session.get(TaskRecord, record_id)
            return record if record is not None and record.finished else None

    return wait_for(finished, timeout)
