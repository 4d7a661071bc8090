"""Behaviour of recorded tasks: eagerly everywhere, on a real worker over RabbitMQ when configured."""

from __future__ import annotations

import uuid

import pytest

from kampus.tasks import runner
from kampus.tasks.api import AlreadyRunningError, UnknownTaskError, get_record, submit, task_name, task_names
from kampus.tasks.models import FAILURE, PENDING, STARTED, SUCCESS, TaskRecord
from kampus.testing import make_user

from .conftest import GATES, RUNS, SEEN, OtherPlugin, SamplePlugin, add, finished_record


def test_success_records_result(task_app):
    user = make_user(task_app)
    with task_app.app_context():
        record = submit("sample.add", 2, 3, user_id=user.id, course_id="course-v1:A+B+C")
    assert record.user_id == user.id and record.course_id == "course-v1:A+B+C"
    record = finished_record(task_app, record.id)
    assert record.state == SUCCESS
    assert record.result == 5
    assert record.error == ""
    assert record.attempts == 1
    assert record.started_at and record.finished_at and record.finished_at >= record.started_at
    assert record.arguments == {"args": [2, 3], "kwargs": {}}


def test_submit_by_function(task_app):
    with task_app.app_context():
        record = submit(add, a=1, b=1)
    assert record.name == "sample.add"
    assert finished_record(task_app, record.id).result == 2


def test_progress_is_committed_while_running(task_app, celery_mode):
    token = uuid.uuid4().hex
    with task_app.app_context():
        record = submit("sample.observe", token, user_id=None, course_id="c1")
    record = finished_record(task_app, record.id)
    seen = SEEN.pop(token)
    assert seen["state"] == "PROGRESS"
    assert seen["via_api"] == "PROGRESS"
    assert seen["progress"] == {"current": 2, "total": 5, "percent": 40.0, "message": "two of five"}
    assert record.state == SUCCESS
    assert record.result == {"user_id": None, "course_id": "c1", "attempt": 1}
    # a finished task's progress shows complete
    assert record.progress_current == record.progress_total == 5 and record.percent == 100.0


def test_failure_keeps_one_line_error_and_logs_traceback(task_app, caplog):
    with task_app.app_context():
        record = submit("sample.boom")
    record = finished_record(task_app, record.id)
    assert record.state == FAILURE
    assert record.error == "ValueError: boom went the task"  # no traceback is stored
    logged = [r for r in caplog.records if r.name == "kampus.tasks.runner" and r.exc_info]
    assert logged and "boom went the task" in str(logged[-1].exc_info[1])  # the traceback is in the server log
    assert record.progress_message == "about to fail"
    assert record.finished_at is not None


def test_result_not_json_is_a_failure(task_app):
    with task_app.app_context():
        record = submit("sample.not_json")
    record = finished_record(task_app, record.id)
    assert record.state == FAILURE
    assert "not JSON-serialisable" in record.error
    assert record.result is None


def test_arguments_must_be_json(task_app):
    with task_app.app_context(), pytest.raises(TypeError, match="JSON-serialisable"):
        submit("sample.add", object(), 1)
    with task_app.extensions["kampus"].db.session_scope() as db_session:
        assert db_session.query(TaskRecord).count() == 0


def test_unknown_task(task_app):
    with task_app.app_context():
        with pytest.raises(UnknownTaskError):
            submit("sample.nope")
        with pytest.raises(UnknownTaskError):
            submit("celery.backend_cleanup")  # Celery's own tasks are not Kampus tasks
        assert "sample.add" in task_names() and "kampus.tasks.demo.count" in task_names()


def test_dedupe_by_key(task_app, celery_mode):
    kampus = task_app.extensions["kampus"]
    if celery_mode == "eager":
        # eager tasks finish inside submit: make one look pending, as a busy broker would leave it
        with kampus.db.session_scope() as db_session:
            db_session.add(TaskRecord(id="held", name="sample.add", task_key="course-1", state=PENDING))
        held = "held"
    else:
        token = uuid.uuid4().hex
        with task_app.app_context():
            held = submit("sample.stepper", token, key="course-1").id
    name = "sample.add" if celery_mode == "eager" else "sample.stepper"
    args = (1, 2) if celery_mode == "eager" else (uuid.uuid4().hex,)
    with task_app.app_context():
        with pytest.raises(AlreadyRunningError) as info:
            submit(name, *args, key="course-1")
        assert info.value.record_id == held
        other = submit(name, *args, key="course-2")  # another key is fine
        no_key = submit(name, *args)  # no key: no dedupe
    if celery_mode == "eager":
        with kampus.db.session_scope() as db_session:
            db_session.get(TaskRecord, held).state = SUCCESS
    else:
        GATES[token].set()
        GATES[args[0]].set()
        finished_record(task_app, held)
    for record_id in (other.id, no_key.id):
        assert finished_record(task_app, record_id).state == SUCCESS
    with task_app.app_context():
        again = submit(name, *args, key="course-1")  # the first one finished
    assert finished_record(task_app, again.id).state == SUCCESS


def test_failed_send_does_not_block_key(make_app):
    """A message that never reached the broker leaves a FAILURE record, not a PENDING one holding its key."""
    app = make_app(plugins=[SamplePlugin()],
                   settings={"celery_always_eager": False, "celery_broker_url": "amqp://guest:guest@127.0.0.1:1//"})
    with app.app_context(), pytest.raises(Exception):  # noqa: B017 - kombu's OperationalError
        submit("sample.add", 1, 2, key="k")
    with app.extensions["kampus"].db.session_scope() as db_session:
        record = db_session.query(TaskRecord).one()
        assert record.state == FAILURE and "could not be sent" in record.error


def test_late_ack_options(task_app):
    celery = task_app.extensions["kampus"].celery
    for name in ("sample.add", "kampus.tasks.demo.count"):
        task = celery.tasks[name]
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
    assert celery.conf.worker_prefetch_multiplier == 1


def test_finished_record_is_not_run_again(task_app):
    token = uuid.uuid4().hex
    kampus = task_app.extensions["kampus"]
    with task_app.app_context():
        record = submit("sample.counted", token)
    assert finished_record(task_app, record.id).result == 1
    # a redelivered message (same record) does nothing
    kampus.celery.tasks["sample.counted"].apply_async(args=(record.id, [token], {}))
    direct = runner.run_recorded(kampus, runner.kampus_tasks(kampus)["sample.counted"], record.id, [token], {})
    assert direct is None
    # the redelivered message was consumed (a later message is handled after it, prefetch 1)
    with task_app.app_context():
        after = submit("sample.add", 1, 1)
    finished_record(task_app, after.id)
    assert RUNS[token] == 1
    final = finished_record(task_app, record.id)
    assert final.result == 1 and final.attempts == 1


def test_failed_record_is_not_run_again(task_app):
    kampus = task_app.extensions["kampus"]
    with task_app.app_context():
        record = submit("sample.boom")
    first = finished_record(task_app, record.id)
    assert runner.run_recorded(kampus, runner.kampus_tasks(kampus)["sample.boom"], record.id, [], {}) is None
    assert finished_record(task_app, record.id).finished_at == first.finished_at


def test_started_record_runs_again(task_app):
    """A worker that died mid-task left the record STARTED: the redelivered message runs it again."""
    token = uuid.uuid4().hex
    kampus = task_app.extensions["kampus"]
    with kampus.db.session_scope() as db_session:
        db_session.add(TaskRecord(id="crashed", name="sample.counted", state=STARTED, attempts=1,
                                  arguments={"args": [token], "kwargs": {}}))
    kampus.celery.tasks["sample.counted"].apply_async(args=("crashed", [token], {}), task_id="crashed")
    record = finished_record(task_app, "crashed")
    assert record.state == SUCCESS and record.result == 1 and record.attempts == 2


def test_missing_record_is_dropped(task_app):
    token = uuid.uuid4().hex
    kampus = task_app.extensions["kampus"]
    assert runner.run_recorded(kampus, runner.kampus_tasks(kampus)["sample.counted"], "missing", [token], {}) is None
    kampus.celery.tasks["sample.counted"].apply_async(args=("missing", [token], {}))
    with task_app.app_context():
        after = submit("sample.add", 1, 1)
    finished_record(task_app, after.id)
    assert RUNS[token] == 0


def test_two_apps_do_not_share_tasks(make_app, celery_mode):
    extra = {} if celery_mode == "eager" else {"celery": "real", "settings": {"celery_broker_url": _url()}}
    first = make_app(plugins=[SamplePlugin()], **extra)
    second = make_app(plugins=[OtherPlugin()], **extra)
    first_tasks, second_tasks = (app.extensions["kampus"].celery.tasks for app in (first, second))
    assert "sample.add" in first_tasks and "sample.add" not in second_tasks
    assert "other.only" in second_tasks and "other.only" not in first_tasks
    # a Celery app created later does not pick the tasks up either (they are not "shared" tasks)
    third = make_app(plugins=[])
    assert not {"sample.add", "other.only"} & set(third.extensions["kampus"].celery.tasks)
    with first.app_context(), pytest.raises(UnknownTaskError):
        submit("other.only")
    with first.app_context():
        a = submit("sample.add", 20, 22)
    with second.app_context():
        b = submit("other.only")
    assert finished_record(first, a.id).result == 42
    assert finished_record(second, b.id).result == "other"
    with second.app_context():
        assert get_record(a.id) is None  # each app has its own records too


def _url():
    from .conftest import rabbitmq_url

    return rabbitmq_url()


def test_task_name_helper():
    @task_name("x.y")
    def named(task):
        return None

    def plain(task):
        return None

    assert task_name(named) == "x.y"
    assert task_name(plain) == f"{__name__}.plain"


def test_duplicate_task_names_stop_startup(make_app):
    from kampus.errors import StartupError

    def clash(task):
        return None

    clash.kampus_task_name = "sample.add"

    class ClashPlugin:
        from kampus_hookspecs import hookimpl

        @hookimpl
        def kampus_celery_tasks(self):
            return [clash]

    with pytest.raises(StartupError, match="sample.add"):
        make_app(plugins=[SamplePlugin(), ClashPlugin()])
