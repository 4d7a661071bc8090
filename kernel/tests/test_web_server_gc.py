"""``kampus serve``'s workers: the heap frozen after loading the app and after their first requests, and a
higher young-generation threshold (see :mod:`kampus.web_server`)."""

from __future__ import annotations

import gc
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from kampus.core import kampus_settings
from kampus.settings import validate_settings
from kampus.web_server import GC_FREEZE_AFTER, GC_THRESHOLD, gunicorn_settings, request_served, worker_ready


@pytest.fixture
def restored_gc():
    """Give this test process its collector back as it was (nothing frozen, the same thresholds)."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_gunicorn_runs_the_hooks_in_each_worker(tmp_path):
    settings = validate_settings({"home": str(tmp_path)}, kampus_settings())
    options = gunicorn_settings(settings, "127.0.0.1", 8765, 2)
    config = Config()
    for name, value in options.items():
        config.set(name, value)  # gunicorn checks each hook's number of arguments
    assert config.post_worker_init is worker_ready and config.post_request is request_served


def test_a_worker_freezes_its_heap_when_ready_and_after_its_first_requests(restored_gc):
    gc.unfreeze()
    worker = SimpleNamespace()
    worker_ready(worker)
    assert gc.get_threshold() == GC_THRESHOLD
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the modules and objects this process holds
    made = [[index] for index in range(5000)]  # long-lived objects made after start-up (a cache)
    for served in range(1, GC_FREEZE_AFTER[0]):
        request_served(worker, None, {}, None)
        assert worker.kampus_requests_served == served
    assert gc.get_freeze_count() == frozen  # not again before the 100th request
    request_served(worker, None, {}, None)
    assert gc.get_freeze_count() >= frozen + len(made)
    request_served(worker, None, {}, None)
    assert worker.kampus_requests_served == GC_FREEZE_AFTER[0] + 1
