"""Read an OLX course folder into blocks, losing nothing.

The rules follow Open edX's XML import:

* ``course.xml`` holds the course element, or points (``url_name``, ``org``,
  ``course``) to ``course/<run>.xml``;
* an element whose only attribute is ``url_name`` and which has no content
  points to ``<tag>/<url_name>.xml``; ``html`` and ``problem`` elements may
  name their content file with ``filename``;
* children of container blocks are blocks, other blocks keep their inner XML
  as the ``data`` field; ``html`` keeps its HTML text;
* ``policies/<run>/policy.json`` entries ``"<tag>/<url_name>"`` are merged
  into the blocks they name, ``grading_policy.json`` into the course.

Every file the course tree does not consume (``static/``, ``about/``,
``info/``, ``tabs/``, ``drafts/``, ``policies/assets.json``, orphans) is kept
verbatim, so that export gives the folder back. Problems are collected with
file and line, and reported together.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from kampus_content.olx.safety import DEFAULT_LIMITS, Limits, UnsafeInput, parse_xml, safe_relative
from kampus_content.store.interface import Block, BlockKey

#: Block types whose child elements are blocks (Open edX's ``has_children``).
CONTAINERS = {
    "course", "chapter", "sequential", "vertical", "videosequence", "problemset", "split_test",
    "library_content", "conditional", "wrapper", "unit", "randomize", "itembank", "library",
    "library_sourced", "item_bank",
}
#: Child elements of a container that are settings, not blocks.
NON_BLOCK_CHILDREN = {"wiki", "textbook", "show"}
#: Leaf types whose ``filename`` attribute names their content file.
FILENAME_TYPES = {"html": ".html", "problem": ".xml"}
COURSE_ROOT: BlockKey = ("course", "course")


@dataclass
class ReadCourse:
    """A course read from OLX: its key parts, blocks and the files kept verbatim."""

    org: str
    number: str
    run: str
    root: BlockKey
    blocks: dict[BlockKey, Block]
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def course_key(self) -> str:
        return f"course-v1:{self.org}+{self.number}+{self.run}"


def _attrs(element: etree._Element) -> dict[str, str]:
    return {str(name): str(value) for name, value in element.attrib.items()}


def _is_pointer(element: etree._Element) -> bool:
    """Open edX's ``is_pointer_tag``: only ``url_name`` (and ``org``/``course`` for a course), no content."""
    names = set(element.attrib.keys())
    expected = {"url_name", "org", "course"} if element.tag == "course" else {"url_name"}
    has_content = len(element) > 0 or (element.text or "").strip()
    return names == expected and not has_content


def _inner_xml(element: etree._Element) -> str:
    """An element's content (text and children) as written, without the element's own tag."""
    parts = [element.text or ""]
    for child in element:
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    return "".join(parts)


def _bare_xml(element: etree._Element) -> str:
    """The element with its content but without attributes: ``<problem>...</problem>``."""
    bare = copy.copy(element)
    for name in list(bare.attrib.keys()):
        del bare.attrib[name]
    bare.tail = None
    return etree.tostring(bare, encoding="unicode")


class OlxReader:
    """Reads one course folder. Use :func:`read_course`."""

    def __init__(self, folder: Path, limits: Limits = DEFAULT_LIMITS):
        self.folder = folder
        self._root = str(folder)
        self.limits = limits
        self.blocks: dict[BlockKey, Block] = {}
        self.consumed: set[str] = set()
        self.problems: list[tuple[str, int | None, str]] = []

    # -- files ------------------------------------------------------------------------

    def _read_bytes(self, relative: str) -> bytes | None:
        path = os.path.join(self._root, safe_relative(relative))
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):  # folders, links and devices are not content files
            return None
        self.consumed.add(relative)
        with open(path, "rb") as file:
            return file.read()

    def _read_xml(self, relative: str) -> etree._Element | None:
        """The file's root element; ``None`` when missing or broken (broken files are reported)."""
        data = self._read_bytes(relative)
        if data is None:
            return None
        try:
            return parse_xml(data, relative, self.limits)
        except UnsafeInput as exc:
            self.problems.extend(exc.problems)
            return None

    # -- the tree ---------------------------------------------------------------------

    def read(self) -> ReadCourse:
        course_xml = self._read_xml("course.xml")
        if course_xml is None:
            missing_course = ("course.xml", None, "missing: an OLX course folder starts with course.xml")
            raise UnsafeInput(self.problems or [missing_course])
        if course_xml.tag != "course":
            message = f"root element is <{course_xml.tag}>, not <course>"
            raise UnsafeInput([("course.xml", course_xml.sourceline, message)])
        pointer = _attrs(course_xml)
        org, number, run = pointer.get("org"), pointer.get("course"), pointer.get("url_name")
        missing = [name for name, value in (("org", org), ("course", number), ("url_name", run)) if not value]
        if missing:
            message = f"the <course> element needs {', '.join(missing)}"
            raise UnsafeInput([("course.xml", course_xml.sourceline, message)])
        if _is_pointer(course_xml):
            element = self._read_xml(f"course/{run}.xml")
            if element is None:
                raise UnsafeInput(self.problems or [("course.xml", course_xml.sourceline,
                                                     f"points to course/{run}.xml, which is missing")])
            source = f"course/{run}.xml"
            pointer_form = True
        else:
            element, source, pointer_form = course_xml, "course.xml", False
        course_meta = {"course_xml_attrs": list(pointer.keys()), "pointer": pointer_form, "url_name": run}
        self._read_block(element, source, COURSE_ROOT, course_meta, exclude_attrs={"url_name", "org", "course"}
                         if not pointer_form else {"url_name"})
        self._merge_policies(run)
        self._keep_other_files()
        if self.problems:
            raise UnsafeInput(self.problems)
        return ReadCourse(org=org, number=number, run=run, root=COURSE_ROOT, blocks=self.blocks,
                          files=self._kept_files)

    def _block_id(self, element: etree._Element, parent: BlockKey, index: int) -> tuple[str, bool]:
        url_name = element.get("url_name")
        if url_name:
            return url_name.replace(":", "_"), False
        digest = hashlib.sha1(f"{parent[0]}/{parent[1]}/{index}/{element.tag}".encode()).hexdigest()[:20]
        return digest, True

    def _read_block(
        self,
        element: etree._Element,
        source: str,
        key: BlockKey,
        meta: dict[str, Any],
        exclude_attrs: set[str] | None = None,
    ) -> Block:
        exclude = exclude_attrs if exclude_attrs is not None else {"url_name"}
        tag = key[0]
        attrs = _attrs(element)
        meta.setdefault("file", source)
        # html and problem may name their content file.
        filename = attrs.get("filename")
        content_element = element
        if tag in FILENAME_TYPES and filename and not len(element) and not (element.text or "").strip():
            relative = f"{tag}/{filename}{FILENAME_TYPES[tag]}" if not filename.endswith(FILENAME_TYPES[tag]) \
                else f"{tag}/{filename}"
            if tag == "html":
                data = self._read_bytes(relative)
                if data is not None:
                    meta["filename"] = filename
                    attrs.pop("filename")
                    meta["data_file"] = relative
                    meta["html_text"] = data.decode("utf-8", errors="replace")
            else:
                file_element = self._read_xml(relative)
                if file_element is not None:
                    meta["filename"] = filename
                    attrs.pop("filename")
                    for name, value in _attrs(file_element).items():
                        attrs.setdefault(name, value)
                    meta["file_attrs"] = list(_attrs(file_element).keys())
                    content_element = file_element
        fields: dict[str, Any] = {name: value for name, value in attrs.items() if name not in exclude}
        meta["attrs"] = list(fields.keys())
        block = Block(tag, key[1], fields, [], meta)
        if key in self.blocks:
            self.problems.append((source, element.sourceline, f"two blocks are named {tag}/{key[1]}"))
            return block
        self.blocks[key] = block
        if tag in CONTAINERS:
            extra: list[list[Any]] = []
            for index, child in enumerate(c for c in element if isinstance(c.tag, str)):
                if child.tag in NON_BLOCK_CHILDREN:
                    extra.append([index, etree.tostring(child, encoding="unicode", with_tail=False)])
                    continue
                child_key = self._read_child(child, source, key, index)
                if child_key is not None:
                    block.children.append(child_key)
            if extra:
                meta["extra_children"] = extra
        elif tag == "html":
            if "html_text" in meta:
                fields["data"] = meta.pop("html_text")
            else:
                fields["data"] = _inner_xml(content_element)
                meta["inline_html"] = True
        elif "data" not in fields or len(content_element) or (content_element.text or "").strip():
            if "data" in fields:
                self.problems.append((source, element.sourceline, f"<{tag}> has both a data attribute and content"))
            fields["data"] = _bare_xml(content_element)
            meta["data_is_xml"] = True
        return block

    def _read_child(self, child: etree._Element, source: str, parent: BlockKey, index: int) -> BlockKey | None:
        block_id, generated = self._block_id(child, parent, index)
        key: BlockKey = (str(child.tag), block_id)
        if _is_pointer(child):
            relative = f"{child.tag}/{child.get('url_name')}.xml"
            if key in self.blocks:  # the same block referenced again
                return key
            target = self._read_xml(relative)
            if target is None and relative in self.consumed:
                return None  # broken, already reported
            if target is None:
                self.problems.append((source, child.sourceline, f"<{child.tag} url_name=\"{child.get('url_name')}\"/> "
                                      f"points to {relative}, which is missing"))
                return None
            # Like Open edX, the pointer's tag names the block type, whatever the file's root says.
            target.tag = child.tag
            self._read_block(target, relative, key, {"pointer": True})
            return key
        meta: dict[str, Any] = {"inline": True}
        if generated:
            meta["generated_id"] = True
        self._read_block(child, source, key, meta)
        return key

    # -- policies and other files -------------------------------------------------------

    def _read_json(self, relative: str) -> Any:
        data = self._read_bytes(relative)
        if data is None:
            return None
        try:
            return json.loads(data)
        except ValueError as exc:
            self.problems.append((relative, None, f"not valid JSON: {exc}"))
            return None

    def _merge_policies(self, run: str) -> None:
        course = self.blocks[COURSE_ROOT]
        policy = self._read_json(f"policies/{run}/policy.json")
        if isinstance(policy, dict):
            unused: dict[str, Any] = {}
            for entry, values in policy.items():
                category, _, url_name = entry.partition("/")
                key: BlockKey = COURSE_ROOT if category == "course" and url_name == run else (category, url_name)
                block = self.blocks.get(key)
                if block is None or not isinstance(values, dict):
                    unused[entry] = values
                    continue
                block.fields.update(values)
                block.meta["policy"] = list(values.keys())
            course.meta["policy_order"] = list(policy.keys())
            if unused:
                course.meta["unused_policy"] = unused
        elif policy is not None:
            self.problems.append((f"policies/{run}/policy.json", None, "must hold a JSON object"))
        grading = self._read_json(f"policies/{run}/grading_policy.json")
        if grading is not None:
            course.fields["grading_policy"] = grading
            course.meta["grading_policy_file"] = True

    def _keep_other_files(self) -> None:
        self._kept_files: dict[str, Path] = {}
        total = 0
        for directory, folders, files in os.walk(self._root):
            folders.sort()
            base = os.path.relpath(directory, self._root)
            for name in sorted(files) + [f for f in folders if os.path.islink(os.path.join(directory, f))]:
                relative = name if base == "." else f"{base}/{name}"
                if relative in self.consumed:
                    continue
                path = os.path.join(directory, name)
                info = os.lstat(path)
                if not stat.S_ISREG(info.st_mode):
                    self.problems.append((relative, None, "only regular files are allowed (no links or devices)"))
                    continue
                total += info.st_size
                if total > self.limits.max_total_bytes:
                    self.problems.append((relative, None, "the course folder is larger than the import limit"))
                    return
                self._kept_files[relative] = Path(path)


def read_course(folder: Path, limits: Limits = DEFAULT_LIMITS) -> ReadCourse:
    """Read the OLX course in ``folder``; raises :class:`UnsafeInput` listing every problem."""
    return OlxReader(folder, limits).read()
