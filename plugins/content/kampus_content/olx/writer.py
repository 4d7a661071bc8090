"""Write a structure back as an OLX course folder (Open edX's pointer form).

Each block goes to ``<tag>/<id>.xml``; html text to ``html/<id>.html``;
settings that came from the policy file go back to ``policies/<run>/policy.json``;
files kept verbatim at import come back from the blob store.

Units the draft has and the published course does not (or has otherwise) are
written as Open edX's exporter does: under ``drafts/``, each naming its
``parent_url`` and ``index_in_children_list``, the published tree keeping the
published version (:func:`split_draft_units`, :func:`write_draft_units`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from kampus_content.olx.reader import CONTAINERS, COURSE_ROOT
from kampus_content.olx.safety import safe_relative
from kampus_content.store.interface import Block, BlockKey, Structure

#: Fields that are never written as attributes (``data`` is content unless it was an attribute).
NOT_ATTRIBUTES = {"grading_policy"}


def attribute_text(value: Any) -> str:
    """A field value as an XML attribute value."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def _parse_fragment(xml: str, tag: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        return etree.fromstring(xml.encode("utf-8"), parser=parser)
    except etree.XMLSyntaxError:
        element = etree.Element(tag)
        element.text = xml
        return element


class OlxWriter:
    """Writes one structure. Use :func:`write_course`."""

    def __init__(self, structure: Structure, org: str, number: str, run: str,
                 read_file: Callable[[str], bytes] | None = None):
        self.structure = structure
        self.org, self.number, self.run = org, number, run
        self.read_file = read_file
        self.files: dict[str, bytes] = {}
        self.written: set[BlockKey] = set()

    def _attributes(self, block: Block, element: etree._Element) -> None:
        policy = set(block.meta.get("policy", ()))
        ordered = [name for name in block.meta.get("attrs", []) if name in block.fields]
        ordered += [name for name in block.fields if name not in ordered]
        for name in ordered:
            if name in NOT_ATTRIBUTES or name in policy or (name == "data" and self._data_is_content(block)):
                continue
            value = block.fields[name]
            if name not in block.meta.get("attrs", []) and not isinstance(value, str):
                continue  # new typed settings go to the policy file
            element.set(name, attribute_text(value))

    @staticmethod
    def _data_is_content(block: Block) -> bool:
        return block.type == "html" or block.type in CONTAINERS or bool(block.meta.get("data_is_xml"))

    def _policy_fields(self, block: Block) -> dict[str, Any]:
        policy = list(block.meta.get("policy", ()))
        attrs = set(block.meta.get("attrs", ()))
        extra = [name for name, value in block.fields.items()
                 if name not in attrs and name not in policy and name not in NOT_ATTRIBUTES
                 and not (name == "data" and self._data_is_content(block)) and not isinstance(value, str)]
        return {name: block.fields[name] for name in policy + extra if name in block.fields}

    def _children(self, block: Block, element: etree._Element) -> None:
        items: list[etree._Element] = []
        for child_key in block.children:
            items.append(etree.Element(child_key[0], url_name=child_key[1]))
            self._write_block(child_key)
        for index, xml in block.meta.get("extra_children", []):
            items.insert(min(index, len(items)), _parse_fragment(xml, "extra"))
        for item in items:
            element.append(item)

    def _element(self, block: Block) -> etree._Element:
        if block.type in CONTAINERS:
            element = etree.Element(block.type)
            self._attributes(block, element)
            self._children(block, element)
            return element
        if block.type == "html":
            element = etree.Element("html")
            data = block.fields.get("data", "")
            if "filename" in block.fields:  # a content file that was missing at import: keep as written
                self._attributes(block, element)
                inner = _parse_fragment(f"<html>{data}</html>", "html")
                element.text = inner.text
                for child in inner:
                    element.append(child)
                return element
            element.set("filename", block.id)
            self._attributes(block, element)
            self.files[f"html/{block.id}.html"] = data.encode("utf-8")
            return element
        data = block.fields.get("data") if self._data_is_content(block) else None
        if isinstance(data, str) and data.strip():
            element = _parse_fragment(data, block.type)
        else:
            element = etree.Element(block.type)
        if element.tag != block.type:
            wrapper = etree.Element(block.type)
            wrapper.text = data
            element = wrapper
        for name in list(element.attrib.keys()):
            del element.attrib[name]
        self._attributes(block, element)
        return element

    def _write_block(self, key: BlockKey) -> None:
        if key in self.written:
            return
        self.written.add(key)
        block = self.structure.blocks[key]
        element = self._element(block)
        self.files[f"{block.type}/{block.id}.xml"] = etree.tostring(element, encoding="utf-8", pretty_print=True)

    def write(self) -> dict[str, bytes]:
        """Every file of the course folder, by relative path."""
        course = self.structure.blocks[COURSE_ROOT]
        pointer = etree.Element("course", url_name=self.run, org=self.org, course=self.number)
        self.files["course.xml"] = etree.tostring(pointer, encoding="utf-8") + b"\n"
        self.written.add(COURSE_ROOT)
        element = self._element(course)
        self.files[f"course/{self.run}.xml"] = etree.tostring(element, encoding="utf-8", pretty_print=True)
        self._write_policies(course)
        for relative, blob_key in sorted(course.meta.get("files", {}).items()):
            if self.read_file is not None:
                self.files[safe_relative(relative)] = self.read_file(blob_key)
        return self.files

    def _write_policies(self, course: Block) -> None:
        entries: dict[str, Any] = {}
        for key in self.written:
            block = self.structure.blocks[key]
            values = self._policy_fields(block)
            if values or "policy" in block.meta:
                name = f"course/{self.run}" if key == COURSE_ROOT else f"{block.type}/{block.id}"
                entries[name] = values
        entries.update(course.meta.get("unused_policy", {}))
        order = course.meta.get("policy_order", [])
        ordered = {name: entries[name] for name in order if name in entries}
        ordered.update({name: value for name, value in sorted(entries.items()) if name not in ordered})
        if ordered:
            self.files[f"policies/{self.run}/policy.json"] = (json.dumps(ordered, indent=4, ensure_ascii=False)
                                                              + "\n").encode("utf-8")
        if "grading_policy" in course.fields:
            self.files[f"policies/{self.run}/grading_policy.json"] = (
                json.dumps(course.fields["grading_policy"], indent=4, ensure_ascii=False) + "\n"
            ).encode("utf-8")


def write_course(structure: Structure, org: str, number: str, run: str,
                 read_file: Callable[[str], bytes] | None = None) -> dict[str, bytes]:
    """The files of the OLX export of ``structure``."""
    return OlxWriter(structure, org, number, run, read_file).write()


def _same_subtree(draft: Structure, published: Structure, key: BlockKey) -> bool:
    mine, theirs = draft.blocks.get(key), published.blocks.get(key)
    if mine is None or theirs is None or mine.fields != theirs.fields or mine.children != theirs.children:
        return False
    return all(_same_subtree(draft, published, child) for child in mine.children)


def split_draft_units(draft: Structure, published: Structure
                      ) -> tuple[dict[BlockKey, Block], list[tuple[BlockKey, BlockKey, int]]]:
    """The blocks to export as the course (the draft, its unpublished units taken out or their
    published version put back) and the unpublished units as ``(unit, parent, index)``."""
    units: list[tuple[BlockKey, BlockKey, int]] = []
    for parent in draft.walk():
        if parent.type == "vertical" or parent.type not in CONTAINERS:
            continue
        for index, child in enumerate(parent.children):
            if child[0] == "vertical" and not _same_subtree(draft, published, child):
                units.append((child, parent.key, index))
    main = draft.edit()
    for unit, parent, _index in units:
        if unit in published.blocks:
            for block in published.walk(unit):
                main[block.key] = Block(block.type, block.id, dict(block.fields), list(block.children),
                                        dict(block.meta))
        else:
            main[parent].children.remove(unit)
    return main, units


def write_draft_units(structure: Structure, units: list[tuple[BlockKey, BlockKey, int]], org: str, number: str,
                      run: str, read_file: Callable[[str], bytes] | None = None) -> dict[str, bytes]:
    """The ``drafts/`` files of ``units`` (see :func:`split_draft_units`) of the draft ``structure``.
    Every field is written as an attribute (a draft has no policy file)."""
    blocks = structure.edit()
    for unit, _parent, _index in units:
        for block in structure.walk(unit):
            meta = blocks[block.key].meta
            meta.pop("policy", None)
            meta["attrs"] = [name for name in block.fields if name not in NOT_ATTRIBUTES]
    draft = Structure(structure.version, structure.course_key, structure.root, blocks)
    writer = OlxWriter(draft, org, number, run, read_file)
    for unit, parent, index in units:
        writer._write_block(unit)
        element = writer._element(blocks[unit])
        element.set("parent_url", f"block-v1:{org}+{number}+{run}+type@{parent[0]}+block@{parent[1]}")
        element.set("index_in_children_list", str(index))
        writer.files[f"{unit[0]}/{unit[1]}.xml"] = etree.tostring(element, encoding="utf-8", pretty_print=True)
    return {f"drafts/{relative}": data for relative, data in writer.files.items()}


def write_folder(files: dict[str, bytes], folder: Path) -> None:
    """Write ``files`` under ``folder`` (created)."""
    for relative, data in files.items():
        path = folder / safe_relative(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
