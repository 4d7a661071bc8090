"""Long-running processes settle their heap (:mod:`kampus.process_heap`): frozen once the app is loaded and
again after their first units of work, with a higher young-generation threshold; ``kampus serve``'s gunicorn
workers do it through their hooks."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from kampus.core import kampus_settings
from kampus.process_heap import REFREEZE_AFTER, THRESHOLD, WorkCounter, settle
from kampus.settings import validate_settings
from kampus.web_server import gunicorn_settings, request_served, worker_ready


@pytest.fixture(autouse=True)
def restored_gc():
    """Give this test process its collector back as it was (nothing frozen, the same thresholds)."""
    threshold = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settling_freezes_the_heap_and_raises_the_threshold():
    settle()
    assert gc.get_threshold() == THRESHOLD
    assert gc.get_freeze_count() > 1000  # the modules and objects this process holds


def test_the_heap_is_frozen_again_after_the_first_units_of_work():
    settle()
    frozen = gc.get_freeze_count()
    counter = WorkCounter()
    made = [[index] for index in range(5000)]  # long-lived objects made after start-up (a cache)
    for _ in range(REFREEZE_AFTER[0] - 1):
        counter.finished_one()
    assert gc.get_freeze_count() == frozen  # not again before the 100th
    counter.finished_one()
    assert counter.done == REFREEZE_AFTER[0] and gc.get_freeze_count() >= frozen + len(made)


def test_gunicorn_workers_settle_through_their_hooks(tmp_path):
    settings = validate_settings({"home": str(tmp_path)}, kampus_settings())
    config = Config()
    for name, value in gunicorn_settings(settings, "127.0.0.1", 8765, 2).items():
        config.set(name, value)  # gunicorn checks each hook's number of arguments
    assert config.post_worker_init is worker_ready and config.post_request is request_served
    worker = SimpleNamespace()
    worker_ready(worker)
    assert gc.get_threshold() == THRESHOLD and gc.get_freeze_count() > 1000
    request_served(worker, None, {}, None)
    assert worker.kampus_requests.done == 1
    request_served(SimpleNamespace(), None, {}, None)  # a worker whose post_worker_init did not run: no error
