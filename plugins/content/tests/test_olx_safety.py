"""Malicious course archives and XML are refused with a clear error, and nothing is written."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from kampus_content.olx.safety import UnsafeInput, extract_archive, parse_xml

COURSE_XML = b'<course url_name="2026" org="KampusX" course="C101"/>'


def make_archive(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def file_member(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def assert_refused(archive: Path, tmp_path: Path, message: str) -> None:
    target = tmp_path / "unpacked"
    with pytest.raises(UnsafeInput) as info:
        extract_archive(archive, target)
    assert message in str(info.value)
    assert not target.exists() or not any(target.iterdir())


def test_a_good_archive_unpacks(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "good.tar.gz", [file_member("course/course.xml", COURSE_XML)])
    root = extract_archive(archive, tmp_path / "out")
    assert (root / "course.xml").read_bytes() == COURSE_XML


def test_dot_dot_member(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "a.tar.gz", [
        file_member("course/course.xml", COURSE_XML), file_member("course/../../evil.txt", b"x"),
    ])
    assert_refused(archive, tmp_path, "'..'")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_absolute_member(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "a.tar.gz", [file_member("/tmp/kampus-evil.txt", b"x")])
    assert_refused(archive, tmp_path, "absolute paths")
    assert not Path("/tmp/kampus-evil.txt").exists()


def test_symlink_member(tmp_path: Path) -> None:
    link = tarfile.TarInfo("course/static/passwd")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"
    archive = make_archive(tmp_path / "a.tar.gz", [file_member("course/course.xml", COURSE_XML), (link, None)])
    assert_refused(archive, tmp_path, "links are not allowed")


def test_device_member(tmp_path: Path) -> None:
    device = tarfile.TarInfo("course/dev")
    device.type = tarfile.CHRTYPE
    archive = make_archive(tmp_path / "a.tar.gz", [(device, None)])
    assert_refused(archive, tmp_path, "device files")


def test_member_claiming_two_gigabytes(tmp_path: Path) -> None:
    huge = tarfile.TarInfo("course/static/huge.bin")
    huge.size = 2 * 1024**3
    path = tmp_path / "huge.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        tar.addfile(file_member("course/course.xml", COURSE_XML)[0], io.BytesIO(COURSE_XML))
        tar.fileobj.write(huge.tobuf(tar.format, tar.encoding, tar.errors))  # header only, no data
    assert_refused(path, tmp_path, "claims 2147483648 bytes")


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "junk.tar.gz"
    path.write_bytes(b"this is not gzip")
    assert_refused(path, tmp_path, "not a readable")


def test_xxe_is_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><problem>&x;</problem>'
    with pytest.raises(UnsafeInput) as info:
        parse_xml(xxe, "problem/p1.xml")
    assert "problem/p1.xml" in str(info.value)
    assert "root:" not in str(info.value)


def test_billion_laughs_is_refused() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">' \
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><html>&lol3;</html>'
    with pytest.raises(UnsafeInput):
        parse_xml(bomb, "html/bomb.xml")


def test_external_dtd_is_refused() -> None:
    with pytest.raises(UnsafeInput):
        parse_xml(b'<!DOCTYPE html SYSTEM "http://127.0.0.1:9/x.dtd"><html/>', "html/x.xml")


def test_malformed_xml_names_file_and_line() -> None:
    with pytest.raises(UnsafeInput) as info:
        parse_xml(b"<vertical>\n<html>\n</vertical>", "vertical/v1.xml")
    problem = info.value.problems[0]
    assert problem[0] == "vertical/v1.xml" and problem[1] == 3
