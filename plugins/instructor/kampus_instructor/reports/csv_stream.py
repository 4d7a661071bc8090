"""Writing a CSV report as a stream: rows go to a temporary file on disk, which is then streamed into the
blob store (its ``put`` copies a file in chunks), so memory holds one batch of rows at a time however
large the report grows."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable
from typing import Any

from kampus.drivers.blob_store import BlobInfo

CONTENT_TYPE = "text/csv"

#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell that no spreadsheet runs: a text starting like a formula gets a leading
    ``'`` (numbers, and texts that are plain numbers such as ``-1``, are left as they are)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """Undo :func:`safe_cell` on a cell read back from a CSV file this site wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class CsvBlobWriter:
    """``writerow`` / ``writerows`` into a spooled temporary file; :meth:`save` puts it in the blob store."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - closed by save()/close()
        self._text = io.TextIOWrapper(self._file, encoding="utf-8", newline="", write_through=False)
        self._csv = csv.writer(self._text)
        self.rows = 0

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row (counted in :attr:`rows`)."""
        self._csv.writerow(["" if value is None else safe_cell(value) for value in row])
        self.rows += 1

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write several rows."""
        for row in rows:
            self.writerow(row)

    def save(self, blob_store: Any, key: str) -> BlobInfo:
        """Stream the file into ``blob_store`` under ``key`` (written atomically), then close it."""
        try:
            self._text.flush()
            self._file.seek(0)
            return blob_store.put(key, self._file, content_type=CONTENT_TYPE)  # type: ignore[no-any-return]
        finally:
            self.close()

    def close(self) -> None:
        """Drop the temporary file."""
        try:
            self._text.detach()
        except ValueError:
            pass
        self._file.close()
