"""Inputs the OLX fuzz target (``fuzz/olx_reader.py``) found crashing, each refused with a clear error now."""

from __future__ import annotations

import io
import tarfile
import zlib
from pathlib import Path

import pytest
from kampus_content.olx.safety import UnsafeInput, check_archive, extract_archive

#: A deflate "stored" block whose length and its complement disagree: zlib stops with an error.
BROKEN_DEFLATE_BLOCK = b"\x01\x05\x00\x00\x00"


def gzip_broken_after(payload: bytes, good_bytes: int) -> bytes:
    """``payload`` gzipped, with the stream broken after its first ``good_bytes`` bytes."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip header and trailer
    return compressor.compress(payload[:good_bytes]) + compressor.flush(zlib.Z_FULL_FLUSH) + BROKEN_DEFLATE_BLOCK


def tar_with_one_file(name: str, size: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, io.BytesIO(b"k" * size))
    return buffer.getvalue()


def test_archive_whose_compressed_data_breaks_midway_is_refused(tmp_path: Path) -> None:
    # Found by fuzzing: the first header reads fine; skipping over the file's data then meets
    # broken deflate data, and zlib.error (not an OSError) escaped the archive check.
    archive = tmp_path / "course.tar.gz"
    archive.write_bytes(gzip_broken_after(tar_with_one_file("course/static/big.txt", 40_000), 20_480))
    with pytest.raises(UnsafeInput) as refused:
        check_archive(archive)
    assert refused.value.problems == [
        ("course.tar.gz", None, "not a readable .tar.gz archive: Error -3 while decompressing data: "
                                "invalid stored block lengths")]
    target = tmp_path / "unpacked"
    with pytest.raises(UnsafeInput, match="not a readable .tar.gz archive"):
        extract_archive(archive, target)
    assert not target.exists()
