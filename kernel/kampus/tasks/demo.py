"""A demo task, so operators can watch the background machinery work."""

from __future__ import annotations

import time
from typing import Any

from kampus.tasks.api import startable_with, task_name
from kampus.tasks.runner import TaskContext

#: Bounds of the demo task's arguments (it is started from a web page).
MAX_STEPS = 1000
MAX_DELAY = 2.0
#: Who may start the demo task: nobody but global staff (no course role holds it).
RUN_DEMO_PERMISSION = "tasks.run_demo"


@task_name("kampus.tasks.demo.count")
@startable_with(RUN_DEMO_PERMISSION)
def count(task: TaskContext, n: int = 20, delay: float = 0.25) -> dict[str, Any]:
    """Count to ``n``, reporting progress, with ``delay`` seconds per step."""
    n = max(0, min(int(n), MAX_STEPS))
    delay = max(0.0, min(float(delay), MAX_DELAY))
    for i in range(n):
        task.progress(i, n, f"Counting: {i} of {n}")
        time.sleep(delay)
    task.progress(n, n, f"Counted to {n}")
    return {"counted": n, "attempt": task.attempt}
