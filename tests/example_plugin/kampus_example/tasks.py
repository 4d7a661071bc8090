"""The plugin's background task."""

from __future__ import annotations

from typing import Any


def word_count(task: Any, text: str, chunk_lines: int = 100) -> dict[str, int]:
    """Count the words of ``text``, reporting progress every ``chunk_lines`` lines."""
    lines = text.splitlines() or [""]
    total = len(lines)
    words = 0
    for number, line in enumerate(lines, start=1):
        words += len(line.split())
        if number % chunk_lines == 0 or number == total:
            task.progress(number, total, f"{number} of {total} lines")
    return {"words": words, "lines": len(text.splitlines())}


word_count.kampus_task_name = "example.word_count"  # type: ignore[attr-defined]
