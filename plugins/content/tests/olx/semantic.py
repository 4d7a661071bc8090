"""An independent reading of an OLX folder into a comparable tree, for round-trip tests.

Pointers are resolved, ``filename`` content files inlined, policy entries
merged into the blocks they name; formatting (whitespace between elements,
file splitting, attribute order, comments) is ignored; values are compared
as written. Generated ``url_name``s of blocks that had none are ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lxml import etree

PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
CONTAINERS = {"course", "chapter", "sequential", "vertical", "videosequence", "problemset", "split_test",
              "library_content", "conditional", "wrapper", "unit", "randomize", "itembank", "library",
              "library_sourced", "item_bank"}


def _load(folder: Path, relative: str) -> etree._Element | None:
    path = folder / relative
    return etree.parse(str(path), PARSER).getroot() if path.is_file() else None


def _is_pointer(element: etree._Element) -> bool:
    expected = {"url_name", "org", "course"} if element.tag == "course" else {"url_name"}
    return set(element.attrib) == expected and not len(element) and not (element.text or "").strip()


def _text(value: str | None) -> str:
    return " ".join((value or "").split())


def _canonical_xml(element: etree._Element) -> Any:
    """Elements, attributes and text, ignoring whitespace-only formatting."""
    return (
        element.tag if isinstance(element.tag, str) else "#other",
        sorted(element.attrib.items()),
        _text(element.text),
        [(_canonical_xml(child), _text(child.tail)) for child in element if isinstance(child.tag, str)],
    )


def _html(value: str) -> Any:
    try:
        return _canonical_xml(etree.fromstring(f"<root>{value}</root>".encode(), PARSER))
    except etree.XMLSyntaxError:
        return _text(value)


class SemanticCourse:
    def __init__(self, folder: Path):
        self.folder = folder
        course_xml = _load(folder, "course.xml")
        self.run = course_xml.get("url_name")
        self.key_parts = (course_xml.get("org"), course_xml.get("course"), self.run)
        policy_path = folder / "policies" / self.run / "policy.json"
        self.policy = json.loads(policy_path.read_text()) if policy_path.exists() else {}
        grading_path = folder / "policies" / self.run / "grading_policy.json"
        self.grading = json.loads(grading_path.read_text()) if grading_path.exists() else None
        if _is_pointer(course_xml):
            course = _load(folder, f"course/{self.run}.xml")
            attrs = {k: v for k, v in course.attrib.items() if k != "url_name"}
        else:
            course = course_xml
            attrs = {k: v for k, v in course.attrib.items() if k not in ("url_name", "org", "course")}
        self.tree = self._block(course, attrs, f"course/{self.run}", generated=False)

    def _block(self, element: etree._Element, attrs: dict[str, Any], policy_key: str, generated: bool) -> Any:
        tag = element.tag
        attrs = dict(attrs)
        content = element
        if tag in ("html", "problem") and "filename" in attrs and not len(element) and not _text(element.text):
            suffix = ".html" if tag == "html" else ".xml"
            name = attrs["filename"]
            relative = f"{tag}/{name}" if name.endswith(suffix) else f"{tag}/{name}{suffix}"
            if (self.folder / relative).is_file():
                del attrs["filename"]
                if tag == "html":
                    return self._finish(tag, attrs, policy_key, _html((self.folder / relative).read_text()), generated)
                content = _load(self.folder, relative)
                for k, v in content.attrib.items():
                    attrs.setdefault(k, v)
        if tag in CONTAINERS:
            children = []
            for index, child in enumerate(c for c in content if isinstance(c.tag, str)):
                children.append(self._child(child, index))
            return self._finish(tag, attrs, policy_key, children, generated)
        if tag == "html":
            inner = (content.text or "") + "".join(etree.tostring(c, encoding="unicode") for c in content)
            return self._finish(tag, attrs, policy_key, _html(inner), generated)
        bare = etree.Element(tag)
        bare.text = content.text
        for child in content:
            bare.append(child)
        return self._finish(tag, attrs, policy_key, _canonical_xml(bare), generated)

    def _child(self, child: etree._Element, index: int) -> Any:
        if child.tag in ("wiki", "textbook", "show"):
            return ("setting", _canonical_xml(child))
        url_name = child.get("url_name")
        if _is_pointer(child):
            target = _load(self.folder, f"{child.tag}/{url_name}.xml")
            target.tag = child.tag  # the pointer names the block type
            attrs = {k: v for k, v in target.attrib.items() if k != "url_name"}
            return self._block(target, attrs, f"{child.tag}/{url_name}", generated=False)
        attrs = {k: v for k, v in child.attrib.items() if k != "url_name"}
        return self._block(child, attrs, f"{child.tag}/{url_name}" if url_name else "", generated=url_name is None)

    def _finish(self, tag: str, attrs: dict[str, Any], policy_key: str, content: Any, generated: bool) -> Any:
        merged: dict[str, Any] = dict(attrs)
        merged.update(self.policy.get(policy_key, {}) if policy_key else {})
        name = "" if generated else policy_key.split("/", 1)[-1]
        return {"tag": tag, "url_name": name, "fields": merged, "content": content}


def semantic(folder: Path) -> dict[str, Any]:
    course = SemanticCourse(folder)
    return {"key": course.key_parts, "tree": course.tree, "grading": course.grading}


def strip_generated(tree: Any, other: Any) -> Any:
    """Blank the url_names in ``tree`` where ``other`` (the original) had none."""
    if isinstance(tree, dict) and isinstance(other, dict):
        out = dict(tree)
        if other.get("url_name") == "":
            out["url_name"] = ""
        out["content"] = strip_generated(tree["content"], other["content"])
        return out
    if isinstance(tree, list) and isinstance(other, list) and len(tree) == len(other):
        return [strip_generated(a, b) for a, b in zip(tree, other, strict=True)]
    return tree
