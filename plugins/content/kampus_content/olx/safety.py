"""Reading untrusted course files safely: XML without entities or network, archives within limits.

Every OLX file Kampus reads goes through :func:`parse_xml`, and every uploaded
archive through :func:`extract_archive`. Both raise :class:`UnsafeInput` with
the file (and line, where known) and a message meant for the course author.
"""

from __future__ import annotations

import gzip
import lzma
import os
import shutil
import stat
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree


class UnsafeInput(ValueError):
    """Input refused as unsafe or malformed; ``problems`` lists ``(file, line, message)``."""

    def __init__(self, problems: list[tuple[str, int | None, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f}{f':{line}' if line else ''}: {message}" for f, line, message in problems))


@dataclass(frozen=True)
class Limits:
    """Caps on what an import may unpack and parse."""

    max_members: int = 20_000
    max_total_bytes: int = 1024 * 1024 * 1024
    max_member_bytes: int = 256 * 1024 * 1024
    max_ratio: float = 200.0  # unpacked bytes per compressed byte
    max_xml_bytes: int = 16 * 1024 * 1024
    max_depth: int = 40  # folders inside the archive


DEFAULT_LIMITS = Limits()
#: What a damaged archive raises while it is read: the compressors' own errors are not OSErrors.
ARCHIVE_DATA_ERRORS = (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": False,
    "remove_pis": False,
    "strip_cdata": False,
}


def xml_parser(*, remove_comments: bool = False, remove_pis: bool = False) -> etree.XMLParser:
    """An lxml parser that resolves no entity, loads no DTD and touches no network.

    ``remove_comments`` and ``remove_pis`` drop comments and processing instructions (CAPA problems);
    the safety options cannot be changed.
    """
    return etree.XMLParser(**{**_PARSER_OPTIONS, "remove_comments": remove_comments, "remove_pis": remove_pis})


def parse_xml(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """Parse one OLX file. Documents with a DOCTYPE declaring entities or an
    internal subset are refused outright (XXE, billion laughs)."""
    if len(data) > limits.max_xml_bytes:
        raise UnsafeInput([(filename, None, f"file is larger than {limits.max_xml_bytes} bytes")])
    try:
        tree = etree.fromstring(data, parser=xml_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise UnsafeInput([(filename, line, f"not well-formed XML: {exc.msg}")]) from None
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None or (docinfo.doctype and "[" in docinfo.doctype) or docinfo.system_url:
        raise UnsafeInput([(filename, 1, "DOCTYPE declarations with entities or external DTDs are not allowed")])
    root = tree.getroot()
    for element in root.iter():
        if isinstance(element, etree._Entity):
            raise UnsafeInput([(filename, element.sourceline, "XML entities are not allowed")])
    return root


def _member_problem(member: tarfile.TarInfo, limits: Limits) -> str | None:
    name = member.name
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute paths are not allowed"
    if ".." in path.parts:
        return "paths leading out of the archive ('..') are not allowed"
    if "\\" in name or "\x00" in name:
        return "backslashes and NUL characters are not allowed in names"
    if member.issym() or member.islnk():
        return "links are not allowed"
    if member.ischr() or member.isblk() or member.isfifo() or member.isdev():
        return "device files and pipes are not allowed"
    if not (member.isfile() or member.isdir()):
        return "only regular files and folders are allowed"
    if len(path.parts) > limits.max_depth:
        return f"nested deeper than {limits.max_depth} folders"
    if member.size > limits.max_member_bytes:
        return f"file claims {member.size} bytes, more than the limit of {limits.max_member_bytes}"
    return None


def check_archive(archive: Path, limits: Limits = DEFAULT_LIMITS) -> list[tarfile.TarInfo]:
    """Every member of ``archive``, once all are checked; raises :class:`UnsafeInput` listing each problem."""
    problems: list[tuple[str, int | None, str]] = []
    total = 0
    compressed = max(archive.stat().st_size, 1)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members: list[tarfile.TarInfo] = []
            for member in tar:
                members.append(member)
                if len(members) > limits.max_members:
                    problems.append((archive.name, None, f"more than {limits.max_members} files"))
                    break
                problem = _member_problem(member, limits)
                if problem:
                    problems.append((member.name, None, problem))
                total += max(member.size, 0)
    except (*ARCHIVE_DATA_ERRORS, OSError) as exc:
        problems.append((archive.name, None, f"not a readable .tar.gz archive: {exc}"))
        raise UnsafeInput(problems) from None
    if total > limits.max_total_bytes:
        problems.append((archive.name, None, f"unpacks to {total} bytes, more than {limits.max_total_bytes}"))
    if total / compressed > limits.max_ratio and total > 10 * 1024 * 1024:
        problems.append((archive.name, None, f"compression ratio {total / compressed:.0f} is suspicious"))
    if problems:
        raise UnsafeInput(problems)
    return members


def extract_archive(archive: Path, target: Path, limits: Limits = DEFAULT_LIMITS) -> Path:
    """Unpack a checked archive into the empty folder ``target``; return the course folder
    (the folder holding ``course.xml``). Nothing is left in ``target`` on failure."""
    members = check_archive(archive, limits)
    target.mkdir(parents=True, exist_ok=True)
    try:
        try:
            with tarfile.open(archive, "r:*") as tar:
                # "data" refuses links out, absolute paths, devices and setuid bits a second time.
                tar.extractall(target, members=members, filter="data")
        except ARCHIVE_DATA_ERRORS as exc:
            raise UnsafeInput([(archive.name, None, f"not a readable .tar.gz archive: {exc}")]) from None
        for path in target.rglob("*"):
            mode = path.lstat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise UnsafeInput([(str(path.relative_to(target)), None, "only regular files are allowed")])
        return find_course_root(target)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def find_course_root(folder: Path) -> Path:
    """The folder holding ``course.xml``: ``folder`` itself or its one top-level folder."""
    if (folder / "course.xml").is_file():
        return folder
    entries = [entry for entry in folder.iterdir() if not entry.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / "course.xml").is_file():
        return entries[0]
    raise UnsafeInput([(folder.name, None, "no course.xml at the top of the course folder")])


def safe_relative(path: str) -> str:
    """``path`` as a relative POSIX path inside the course, or :class:`UnsafeInput`."""
    parts = path.split("/")
    if not path or path.startswith("/") or ".." in parts or "\\" in path or "\x00" in path:
        raise UnsafeInput([(path, None, "file reference leads outside the course folder")])
    return os.path.normpath(path)
