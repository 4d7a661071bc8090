"""Fuzz target: the OLX reader (``kampus_content.olx.reader``) and the archive checks (``olx.safety``).

Each input becomes a course on disk, the way an import receives one:

* an input that starts like a tar or tar.gz archive is written as an archive and goes through
  ``extract_archive`` and then ``read_course``, as an uploaded Studio export does;
* any other input is a bundle (see ``olx_bundle``): ``course.xml`` plus further files, written to a
  fresh folder that ``read_course`` reads, as ``kampus import-course FOLDER`` does.

The documented rejection is ``UnsafeInput`` (each problem with file and line); anything else that
escapes is a crash. Two contracts are checked besides: a refused archive leaves nothing unpacked,
and a course that reads has its root and every child it names.

Run through ``fuzz/run.py`` (``make fuzz``); by hand:
``.venv/bin/python fuzz/olx_reader.py CORPUS_DIR fuzz/seeds/olx_reader -max_total_time=60``.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import atheris
import olx_bundle

with atheris.instrument_imports(include=["kampus_content.olx"]):
    from kampus_content.olx.reader import read_course
    from kampus_content.olx.safety import UnsafeInput, extract_archive

GZIP_MAGIC = b"\x1f\x8b"
TAR_MAGIC_OFFSET = 257
#: /dev/shm keeps the many small writes of a fuzz run off the disk.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


def is_archive(data: bytes) -> bool:
    """Whether ``data`` starts like a tar.gz or a plain tar archive."""
    return data.startswith(GZIP_MAGIC) or data[TAR_MAGIC_OFFSET:TAR_MAGIC_OFFSET + 5] == b"ustar"


def write_bundle(data: bytes, folder: Path) -> None:
    """Write the bundle's files under ``folder``; a path that clashes with an earlier one is skipped."""
    folder.mkdir()
    for relative, content in olx_bundle.decode(data):
        target = folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        except OSError:  # a file where a folder should be, or the reverse: not the reader's input
            continue


def check_course(folder: Path) -> None:
    """Read the course in ``folder``; a course that reads must be whole."""
    try:
        course = read_course(folder)
    except UnsafeInput as err:
        assert err.problems, "UnsafeInput without a problem"
        return
    assert course.root in course.blocks, "the course root is missing from the blocks"
    for block in course.blocks.values():
        for child in block.children:
            assert child in course.blocks, f"child {child} of {block} was not read"


def test_one_input(data: bytes) -> None:
    """One fuzz input: an archive through the import checks, or a bundle, read as a course."""
    scratch = Path(tempfile.mkdtemp(prefix="kampus-fuzz-olx-", dir=SCRATCH))
    try:
        if is_archive(data):
            archive = scratch / "course.tar.gz"
            archive.write_bytes(data)
            unpacked = scratch / "unpacked"
            try:
                root = extract_archive(archive, unpacked)
            except UnsafeInput:
                assert not unpacked.exists(), "a refused archive left files behind"
                return
            check_course(root)
        else:
            folder = scratch / "course"
            write_bundle(data, folder)
            check_course(folder)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    """Run libFuzzer over ``test_one_input`` with the command line's corpus folders and options."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
