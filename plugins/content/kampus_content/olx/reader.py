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

* ``drafts/`` holds unpublished units as Open edX's importer reads them
  (``xml_importer._import_course_draft``): each ``drafts/<tag>/<url_name>.xml``
  whose root names its ``parent_url`` (and ``index_in_children_list``) joins
  that parent at that index, or replaces the published block of the same
  name, in the *draft* tree only (:attr:`ReadCourse.draft_blocks`); its
  children are read under ``drafts/``. A draft whose parent is in neither tree
  is reported as a warning (:attr:`ReadCourse.warnings`) and skipped.

Every file the course tree does not consume (``static/``, ``about/``,
``info/``, ``tabs/``, skipped drafts, ``policies/assets.json``, orphans) is kept
verbatim, so that export gives the folder back. Problems are collected with
file and line, and reported together.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
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
    #: The draft tree when ``drafts/`` held units that joined it (else ``None``: the draft is the published tree).
    draft_blocks: dict[BlockKey, Block] | None = None
    #: ``(file, line, message)`` of what was skipped without refusing the import (drafts without a parent).
    warnings: list[tuple[str, int | None, str]] = field(default_factory=list)

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
        draft_blocks, warnings = self._read_drafts()
        self._keep_other_files()
        if self.problems:
            raise UnsafeInput(self.problems)
        return ReadCourse(org=org, number=number, run=run, root=COURSE_ROOT, blocks=self.blocks,
                          files=self._kept_files, draft_blocks=draft_blocks, warnings=warnings)

    # -- drafts/ (unpublished units) ---------------------------------------------------------

    def _read_drafts(self) -> tuple[dict[BlockKey, Block] | None, list[tuple[str, int | None, str]]]:
        """Open edX's ``_import_course_draft``: the draft tree with ``drafts/`` applied, and the warnings."""
        folder = os.path.join(self._root, "drafts")
        if os.path.islink(folder) or not os.path.isdir(folder):
            return None, []
        found: list[tuple[int, str, str, etree._Element, BlockKey]] = []
        for tag in sorted(os.listdir(folder)):
            tag_folder = os.path.join(folder, tag)
            if os.path.islink(tag_folder) or not os.path.isdir(tag_folder):
                continue
            for name in sorted(os.listdir(tag_folder)):
                if not name.endswith(".xml") or name == ".xml":
                    continue
                relative = f"drafts/{tag}/{name}"
                if relative in self.consumed:  # a child of another draft, read with it
                    continue
                data = self._peek_bytes(relative)
                if data is None:
                    continue
                try:
                    element = parse_xml(data, relative, self.limits)
                except UnsafeInput as exc:
                    self.problems.extend(exc.problems)
                    self.consumed.add(relative)
                    continue
                parent_url = element.get("parent_url")
                if not parent_url:
                    continue  # a child of a draft unit: read with its parent
                try:
                    index = int(element.get("index_in_children_list", "-1"))
                except ValueError:
                    index = -1
                found.append((index, relative, parent_url, element, (tag, name[:-4].replace(":", "_"))))
        if not found:
            return None, []
        drafts = copy.deepcopy(self.blocks)
        warnings: list[tuple[str, int | None, str]] = []
        reader = OlxReader(Path(folder), self.limits)
        # Like Open edX: in order of their index, so that each lands where it was.
        for index, relative, parent_url, element, key in sorted(found, key=lambda item: (item[0], item[1])):
            parent = parse_parent_url(parent_url)
            if parent is not None and parent[0] == "course":  # the course is named by its run in OLX
                parent = COURSE_ROOT
            if parent is None or parent not in drafts:
                warnings.append((relative, element.sourceline, f"draft {key[0]}/{key[1]} skipped: its parent "
                                 f"{parent_url} is not in the course"))
                continue
            if parent[0] not in CONTAINERS or not _XML_NAME.match(key[0]):
                self.problems.append((relative, element.sourceline, f"a draft {key[0]} cannot be a child of "
                                      f"{parent[0]}/{parent[1]}"))
                continue
            for name in ("parent_url", "index_in_children_list"):
                element.attrib.pop(name, None)
            element.tag = key[0]
            reader.blocks = {}
            reader._read_block(element, relative.removeprefix("drafts/"), key, {"pointer": True, "draft": True})
            self.consumed.add(relative)
            self.consumed.update(f"drafts/{consumed}" for consumed in reader.consumed)
            if reader.problems:
                self.problems.extend((f"drafts/{file}", line, message) for file, line, message in reader.problems)
                reader.problems = []
                continue
            parents = {child: block.key for block in drafts.values() for child in block.children}
            ancestors, above = set(), parent
            while above is not None and above not in ancestors:
                ancestors.add(above)
                above = parents.get(above)
            if ancestors & set(reader.blocks):
                self.problems.append((relative, element.sourceline, f"draft {key[0]}/{key[1]} would contain "
                                      f"its own parent {parent[0]}/{parent[1]}"))
                continue
            for block in reader.blocks.values():
                block.meta["file"] = f"drafts/{block.meta.get('file', '')}"
                drafts[block.key] = block
            old_parent = parents.get(key)
            if old_parent is not None and old_parent != parent:  # the draft moved the unit
                drafts[old_parent].children.remove(key)
            children = drafts[parent].children
            if key not in children:
                children.insert(index if 0 <= index <= len(children) else len(children), key)
        return drafts, warnings

    def _peek_bytes(self, relative: str) -> bytes | None:
        """A regular file's bytes, without marking it consumed."""
        path = os.path.join(self._root, safe_relative(relative))
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None
        except OSError:
            return None
        with open(path, "rb") as file:
            return file.read()

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


_XML_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_BLOCK_V1 = re.compile(r"\+type@(?P<type>[^+]+)\+block@(?P<id>[^+]+)$")


def parse_parent_url(url: str) -> BlockKey | None:
    """The block a draft's ``parent_url`` names: ``i4x://org/course/category/name`` or a ``block-v1:`` key."""
    if url.startswith("i4x://"):
        parts = url[len("i4x://"):].split("/")
        if len(parts) == 4 and all(parts):
            return (parts[2], parts[3].split("@", 1)[0].replace(":", "_"))
        return None
    match = _BLOCK_V1.search(url)
    if url.startswith(("block-v1:", "i4x:")) and match:
        return (match["type"], match["id"].replace(":", "_"))
    return None


def read_course(folder: Path, limits: Limits = DEFAULT_LIMITS) -> ReadCourse:
    """Read the OLX course in ``folder``; raises :class:`UnsafeInput` listing every problem."""
    return OlxReader(folder, limits).read()
