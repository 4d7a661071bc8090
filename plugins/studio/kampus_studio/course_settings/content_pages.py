"""Pages and tabs, course updates and handouts, textbooks and certificates (Open edX Studio's "Content" and
"Settings" pages besides the schedule, grading and advanced settings).

Kept where the LMS and Open edX read them (and where an OLX export writes them):

* pages and tabs: the course policy's ``tabs`` list (order, ``is_hidden``; Open edX's ``CourseTabList``) and,
  for each custom page (``{"type": "static_tab", "name", "url_slug"}``), its HTML in ``tabs/<url_slug>.html``;
* course updates: ``info/updates.items.json`` (Open edX's ``course_info`` "updates" items, oldest first, a
  deleted one marked ``"status": "deleted"``) and the same updates as ``info/updates.html`` (newest first,
  ``<ol><li><h2>date</h2>...</li></ol>``) for older readers; handouts: ``info/handouts.html``;
* textbooks: the policy's ``pdf_textbooks`` (``[{"tab_title", "id", "chapters": [{"title", "url"}]}]``);
* certificates: the policy's ``certificates`` (``{"certificates": [{"id", "name", "description",
  "course_title", "is_active", "version", "signatories": [...]}]}``).

Every save is one draft edit (:func:`kampus_content.api.edit_course`) based on the version the author saw. A
save changes one entry of a list kept whole (the tabs, the updates): it is computed from the draft it is written
on (:func:`kampus_content.api.on_latest_draft`), so another author's save in between is never overwritten.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from kampus_content.api import Structure, clean_author_html, edit_course, find_asset, on_latest_draft, parse_date
from lxml import etree
from lxml import html as lxml_html

from kampus_studio.course_settings.service import SettingsInvalid, draft_of, root_fields, text_file

#: Longest tab, textbook, chapter and certificate texts (characters).
MAX_TEXT = 255
#: Longest custom page, update or handouts HTML (characters).
MAX_HTML = 200_000
#: Most signatories of one certificate (Open edX's Studio allows four).
MAX_SIGNATORIES = 4
#: Tab types the LMS cannot hide (Open edX's ``is_hideable = False``).
UNHIDEABLE = frozenset({"courseware", "course_info"})
#: The tabs of a course whose policy lists none (Open edX's default ``CourseTabList``, as Kampus's LMS shows them).
DEFAULT_TABS: list[dict[str, Any]] = [
    {"type": "courseware", "name": "Course"},
    {"type": "course_info", "name": "Updates & handouts"},
    {"type": "progress", "name": "Progress"},
]
_SLUG = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ItemNotFound(LookupError):
    """No custom page or course update with that slug or id."""


def _policy_tabs(structure: Structure) -> list[dict[str, Any]]:
    tabs = root_fields(structure).get("tabs")
    if not isinstance(tabs, list):
        return copy.deepcopy(DEFAULT_TABS)
    return [dict(tab) for tab in tabs if isinstance(tab, dict) and isinstance(tab.get("type"), str)]


def tab_id(tab: Mapping[str, Any]) -> str:
    """A tab's id on the page: its type, ``static_tab_<slug>`` for a custom page."""
    return f"static_tab_{tab.get('url_slug')}" if tab.get("type") == "static_tab" else str(tab["type"])


def _text(errors: dict[str, str], name: str, value: Any, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = _("Enter a text.")
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > limit:
        errors[name] = _("Enter at most %(limit)s characters.", limit=limit)
    return value


# -- pages and tabs -----------------------------------------------------------------------------------------------


def read_tabs(course_id: str) -> dict[str, Any]:
    """The course's tabs in order (``id``, ``type``, ``name``, ``is_hidden``, ``hideable``; custom pages with
    ``url_slug`` and their HTML ``content``) and the draft ``version``."""
    structure = draft_of(course_id)
    tabs = []
    for tab in _policy_tabs(structure):
        entry: dict[str, Any] = {"id": tab_id(tab), "type": tab["type"],
                                 "name": str(tab.get("name") or tab["type"]), "is_hidden": bool(tab.get("is_hidden")),
                                 "hideable": tab["type"] not in UNHIDEABLE}
        if tab["type"] == "static_tab":
            entry["url_slug"] = str(tab.get("url_slug") or "")
            entry["content"] = text_file(structure, f"tabs/{entry['url_slug']}.html")
        tabs.append(entry)
    return {"tabs": tabs, "version": structure.version}


def reorder_tabs(course_id: str, order: list[Any], *, user_id: int | None,
                 expected_version: str | None) -> dict[str, Any]:
    """Put the tabs in ``order`` (``[{"id", "is_hidden"}]``: every tab once) and hide or show them."""
    on_latest_draft(lambda: _reorder_tabs(course_id, order, user_id=user_id, expected_version=expected_version),
                    expected_version=expected_version)
    return read_tabs(course_id)


def _reorder_tabs(course_id: str, order: list[Any], *, user_id: int | None, expected_version: str | None) -> None:
    structure = draft_of(course_id)
    current = {tab_id(tab): tab for tab in _policy_tabs(structure)}
    errors: dict[str, str] = {}
    if not isinstance(order, list) or not all(isinstance(item, dict) and isinstance(item.get("id"), str)
                                              for item in order):
        raise SettingsInvalid({"tabs": _("Send the tabs as a list of {\"id\", \"is_hidden\"}.")})
    ids = [item["id"] for item in order]
    if sorted(ids) != sorted(current):
        raise SettingsInvalid({"tabs": _("The new order must list every tab of the course exactly once.")})
    tabs = []
    for index, item in enumerate(order):
        tab = dict(current[item["id"]])
        hidden = item.get("is_hidden", tab.get("is_hidden", False))
        if not isinstance(hidden, bool):
            errors[f"tabs.{index}.is_hidden"] = _("Enter true or false.")
        elif hidden and tab["type"] in UNHIDEABLE:
            errors[f"tabs.{index}.is_hidden"] = _("The %(name)s tab cannot be hidden.",
                                                  name=tab.get("name") or tab["type"])
        elif hidden:
            tab["is_hidden"] = True
        else:
            tab.pop("is_hidden", None)
        tabs.append(tab)
    if errors:
        raise SettingsInvalid(errors)
    edit_course(course_id, user_id=user_id, fields={"tabs": tabs},
                expected_version=expected_version or structure.version, message="reorder pages")


def _page_values(course_id: str, data: Mapping[str, Any]) -> tuple[str, str]:
    errors: dict[str, str] = {}
    name = _text(errors, "name", data.get("name"))
    content = _text(errors, "content", data.get("content"), required=False, limit=MAX_HTML)
    if errors:
        raise SettingsInvalid(errors)
    return name, clean_author_html(content, course_id) if content else ""


def create_page(course_id: str, data: Mapping[str, Any], *, user_id: int | None,
                expected_version: str | None) -> dict[str, Any]:
    """Add a custom page (``{"name", "content"}``) after the other tabs; returns it."""
    name, content = _page_values(course_id, data)
    slug = uuid.uuid4().hex

    def add() -> None:
        structure = draft_of(course_id)
        tabs = [*_policy_tabs(structure), {"type": "static_tab", "name": name, "url_slug": slug}]
        edit_course(course_id, user_id=user_id, fields={"tabs": tabs}, files={f"tabs/{slug}.html": content.encode()},
                    expected_version=expected_version or structure.version, message=f"add page {name}")

    on_latest_draft(add, expected_version=expected_version)
    return next(tab for tab in read_tabs(course_id)["tabs"] if tab.get("url_slug") == slug)


def _find_page(structure: Structure, slug: str) -> tuple[list[dict[str, Any]], int]:
    tabs = _policy_tabs(structure)
    for index, tab in enumerate(tabs):
        if tab.get("type") == "static_tab" and tab.get("url_slug") == slug:
            return tabs, index
    raise ItemNotFound(slug)


def update_page(course_id: str, slug: str, data: Mapping[str, Any], *, user_id: int | None,
                expected_version: str | None) -> dict[str, Any]:
    """Rename a custom page and replace its HTML. Raises ``ItemNotFound`` for an unknown page."""
    name, content = _page_values(course_id, data)
    if not _SLUG.match(slug):
        raise ItemNotFound(slug)

    def change() -> None:
        structure = draft_of(course_id)
        tabs, index = _find_page(structure, slug)
        tabs[index] = {**tabs[index], "name": name}
        edit_course(course_id, user_id=user_id, fields={"tabs": tabs}, files={f"tabs/{slug}.html": content.encode()},
                    expected_version=expected_version or structure.version, message=f"edit page {name}")

    on_latest_draft(change, expected_version=expected_version)
    return next(tab for tab in read_tabs(course_id)["tabs"] if tab.get("url_slug") == slug)


def delete_page(course_id: str, slug: str, *, user_id: int | None, expected_version: str | None) -> None:
    """Remove a custom page and its file. Raises ``ItemNotFound`` for an unknown page."""

    def remove() -> None:
        structure = draft_of(course_id)
        tabs, index = _find_page(structure, slug)
        del tabs[index]
        files = {f"tabs/{slug}.html": None} if _SLUG.match(slug) else {}
        edit_course(course_id, user_id=user_id, fields={"tabs": tabs}, files=files,
                    expected_version=expected_version or structure.version, message=f"delete page {slug}")

    on_latest_draft(remove, expected_version=expected_version)


# -- course updates and handouts ----------------------------------------------------------------------------------


def _inner_html(element: Any, skip_first: bool) -> str:
    children = list(element)
    parts = [(children[0].tail or "") if skip_first and children else (element.text or "")]
    rest = children[1:] if skip_first else children
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in rest)
    return "".join(parts).strip()


def _legacy_updates(text: str) -> list[dict[str, Any]]:
    """Updates of an Open edX ``updates.html`` (``<ol><li><h2>date</h2>...``, newest first) as items, oldest first."""
    if not text.strip():
        return []
    try:
        fragments = [f for f in lxml_html.fragments_fromstring(text) if isinstance(f, lxml_html.HtmlElement)]
    except (etree.ParserError, ValueError):
        fragments = []
    found: list[tuple[str, str]] = []
    if fragments and all(f.tag in ("ol", "section") for f in fragments):
        for container in fragments:
            for item in container:
                if isinstance(item.tag, str) and item.tag in ("li", "article") and len(item):
                    dated = item[0].tag in ("h1", "h2", "h3")
                    found.append((item[0].text_content().strip() if dated else "", _inner_html(item, dated)))
    else:
        found.append(("", text))
    found.reverse()
    return [{"id": number, "date": date, "content": content, "status": "visible"}
            for number, (date, content) in enumerate(found, start=1)]


def _numbered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Updates with whole-number ids: an imported file's text ids (``"u1"``) or digit strings are replaced by
    numbers (digits kept), so every update can be edited and a new one numbered."""
    for item in items:
        item["id"] = _numeric_id(item.get("id")) or None
    seen: set[int] = set()
    highest = max((item["id"] for item in items if item["id"]), default=0)
    for item in items:
        if item["id"] is None or item["id"] in seen:
            highest += 1
            item["id"] = highest
        seen.add(item["id"])
    return items


def _all_updates(structure: Structure) -> list[dict[str, Any]]:
    raw = text_file(structure, "info/updates.items.json")
    if raw:
        try:
            items = json.loads(raw)
        except ValueError:
            items = None
        if isinstance(items, list):
            return _numbered([dict(item) for item in items if isinstance(item, dict)])
    return _legacy_updates(text_file(structure, "info/updates.html"))


def read_updates(course_id: str) -> dict[str, Any]:
    """The course's visible updates, newest first (``id``, ``date``, ``content``), and the draft ``version``."""
    structure = draft_of(course_id)
    visible = [{"id": item.get("id"), "date": str(item.get("date") or ""), "content": str(item.get("content") or "")}
               for item in _all_updates(structure) if item.get("status", "visible") != "deleted"]
    return {"updates": list(reversed(visible)), "version": structure.version}


def _updates_files(items: list[dict[str, Any]]) -> dict[str, bytes | None]:
    visible = [item for item in items if item.get("status", "visible") != "deleted"]
    html = "".join(f"<li><h2>{_escape(item['date'])}</h2>{item['content']}</li>" for item in reversed(visible))
    return {"info/updates.items.json": json.dumps(items, indent=2, ensure_ascii=False).encode("utf-8"),
            "info/updates.html": f"<ol>{html}</ol>".encode()}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _update_values(course_id: str, data: Mapping[str, Any]) -> tuple[str, str]:
    errors: dict[str, str] = {}
    date_text = _text(errors, "date", data.get("date"))
    date = parse_date(date_text) if date_text else None
    if date_text and date is None:
        errors["date"] = _("Enter a date, e.g. 2026-09-01.")
    content = _text(errors, "content", data.get("content"), limit=MAX_HTML)
    if errors:
        raise SettingsInvalid(errors)
    assert date is not None
    return f"{date:%B} {date.day}, {date.year}", clean_author_html(content, course_id)


def _numeric_id(value: Any) -> int:
    """An update's id as a number (imported ``updates.items.json`` files may carry text ids: they count 0)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if 0 < value < 2**53 else 0
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value.strip())
    return 0


def save_update(course_id: str, update_id: int | None, data: Mapping[str, Any], *, user_id: int | None,
                expected_version: str | None) -> dict[str, Any]:
    """Add an update (``update_id`` ``None``) or change one (``{"date", "content"}``); returns it. Raises
    ``ItemNotFound`` for an unknown id."""
    date, content = _update_values(course_id, data)

    def save() -> int:
        structure = draft_of(course_id)
        items = _all_updates(structure)
        saved_id = update_id
        if saved_id is None:
            saved_id = max((_numeric_id(item.get("id")) for item in items), default=0) + 1
            items.append({"id": saved_id, "date": date, "content": content, "status": "visible"})
        else:
            item = next((i for i in items if i.get("id") == saved_id and i.get("status") != "deleted"), None)
            if item is None:
                raise ItemNotFound(saved_id)
            item.update({"date": date, "content": content})
        edit_course(course_id, user_id=user_id, files=_updates_files(items),
                    expected_version=expected_version or structure.version, message="edit course updates")
        return saved_id

    return {"id": on_latest_draft(save, expected_version=expected_version), "date": date, "content": content}


def delete_update(course_id: str, update_id: int, *, user_id: int | None, expected_version: str | None) -> None:
    """Mark an update deleted (Open edX keeps it, ``"status": "deleted"``). Raises ``ItemNotFound``."""

    def remove() -> None:
        structure = draft_of(course_id)
        items = _all_updates(structure)
        item = next((i for i in items if i.get("id") == update_id and i.get("status") != "deleted"), None)
        if item is None:
            raise ItemNotFound(update_id)
        item["status"] = "deleted"
        edit_course(course_id, user_id=user_id, files=_updates_files(items),
                    expected_version=expected_version or structure.version, message="delete course update")

    on_latest_draft(remove, expected_version=expected_version)


def read_handouts(course_id: str) -> dict[str, Any]:
    """The course handouts' HTML (``data``) and the draft ``version``."""
    structure = draft_of(course_id)
    return {"data": text_file(structure, "info/handouts.html"), "version": structure.version}


def save_handouts(course_id: str, data: Any, *, user_id: int | None, expected_version: str | None) -> dict[str, Any]:
    """Replace the handouts' HTML (sanitised)."""
    errors: dict[str, str] = {}
    html = _text(errors, "data", data, required=False, limit=MAX_HTML)
    if errors:
        raise SettingsInvalid(errors)
    draft_of(course_id)  # CourseNotFound (404) for an unknown course
    cleaned = clean_author_html(html, course_id) if html else ""
    edit_course(course_id, user_id=user_id, files={"info/handouts.html": cleaned.encode("utf-8")},
                expected_version=expected_version, message="edit handouts")
    return read_handouts(course_id)


# -- textbooks ----------------------------------------------------------------------------------------------------


def read_textbooks(course_id: str) -> dict[str, Any]:
    """The course's PDF textbooks (``tab_title``, ``id``, ``chapters``: ``title``, ``url``) and ``version``."""
    structure = draft_of(course_id)
    raw = root_fields(structure).get("pdf_textbooks")
    books = []
    for book in raw if isinstance(raw, list) else []:
        if isinstance(book, dict):
            chapters = [{"title": str(c.get("title") or ""), "url": str(c.get("url") or "")}
                        for c in book.get("chapters") or [] if isinstance(c, dict)]
            books.append({"tab_title": str(book.get("tab_title") or ""), "id": str(book.get("id") or ""),
                          "chapters": chapters})
    return {"textbooks": books, "version": structure.version}


def _chapter_url(errors: dict[str, str], where: str, url: str, structure: Structure) -> None:
    if url.startswith(("https://", "http://")):
        return
    if not url.startswith("/static/"):
        errors[where] = _("Enter the URL of an uploaded file (/static/name.pdf) or a web address.")
    elif find_asset(structure, url[len("/static/"):]) is None:
        errors[where] = _("The course has no file %(name)s: upload it first.", name=url[len("/static/"):])


def save_textbooks(course_id: str, books: Any, *, user_id: int | None, expected_version: str | None) -> dict[str, Any]:
    """Replace the course's textbooks (each needs a title and at least one chapter with a title and a URL)."""
    on_latest_draft(lambda: _save_textbooks(course_id, books, user_id=user_id, expected_version=expected_version),
                    expected_version=expected_version)
    return read_textbooks(course_id)


def _save_textbooks(course_id: str, books: Any, *, user_id: int | None, expected_version: str | None) -> None:
    structure = draft_of(course_id)
    if not isinstance(books, list):
        raise SettingsInvalid({"textbooks": _("Send a list of textbooks.")})
    errors: dict[str, str] = {}
    kept: list[dict[str, Any]] = []
    for index, book in enumerate(books):
        where = f"textbooks.{index}"
        if not isinstance(book, dict):
            errors[where] = _("Enter a textbook as an object.")
            continue
        title = _text(errors, f"{where}.tab_title", book.get("tab_title"))
        chapters_in = book.get("chapters")
        if not isinstance(chapters_in, list) or not chapters_in:
            errors[f"{where}.chapters"] = _("A textbook needs at least one chapter.")
            chapters_in = []
        chapters = []
        for number, chapter in enumerate(chapters_in):
            at = f"{where}.chapters.{number}"
            if not isinstance(chapter, dict):
                errors[at] = _("Enter a chapter as an object.")
                continue
            name = _text(errors, f"{at}.title", chapter.get("title"))
            url = _text(errors, f"{at}.url", chapter.get("url"), limit=1000)
            if url:
                _chapter_url(errors, f"{at}.url", url, structure)
            chapters.append({"title": name, "url": url})
        book_id = book.get("id") if isinstance(book.get("id"), str) and book.get("id") else \
            f"{index + 1}{re.sub(r'[^A-Za-z0-9]', '', title)[:40]}"
        kept.append({"tab_title": title, "id": book_id, "chapters": chapters})
    if errors:
        raise SettingsInvalid(errors)
    edit_course(course_id, user_id=user_id, fields={"pdf_textbooks": kept},
                expected_version=expected_version or structure.version, message="edit textbooks")


# -- certificates -------------------------------------------------------------------------------------------------


def read_certificates(course_id: str) -> dict[str, Any]:
    """The course's certificate configurations (Open edX's ``certificates`` policy) and ``version``."""
    structure = draft_of(course_id)
    raw = root_fields(structure).get("certificates")
    entries = raw.get("certificates") if isinstance(raw, dict) else None
    configs = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict):
            configs.append({
                "id": entry.get("id"), "name": str(entry.get("name") or ""),
                "description": str(entry.get("description") or ""),
                "course_title": str(entry.get("course_title") or ""), "is_active": bool(entry.get("is_active")),
                "signatories": [{key: str(s.get(key) or "") for key in ("name", "title", "organization",
                                                                        "signature_image_path")}
                                for s in entry.get("signatories") or [] if isinstance(s, dict)],
            })
    return {"certificates": configs, "version": structure.version}


def _signature_path(errors: dict[str, str], where: str, path: str, structure: Structure) -> None:
    name = path[len("/static/"):] if path.startswith("/static/") else path.lstrip("/")
    asset = find_asset(structure, name)
    if asset is None:
        errors[where] = _("The course has no file %(name)s: upload the signature image first.", name=name)
    elif asset.content_type not in ("image/png", "image/jpeg"):
        errors[where] = _("A signature image must be a PNG or JPEG file.")


def save_certificates(course_id: str, configs: Any, *, user_id: int | None,
                      expected_version: str | None) -> dict[str, Any]:
    """Replace the certificate configurations (names required, at most one active, an active one with at least
    one and at most four signatories, each with a name; signature images must be uploaded PNG/JPEG files)."""
    on_latest_draft(lambda: _save_certificates(course_id, configs, user_id=user_id,
                                               expected_version=expected_version),
                    expected_version=expected_version)
    return read_certificates(course_id)


def _save_certificates(course_id: str, configs: Any, *, user_id: int | None, expected_version: str | None) -> None:
    structure = draft_of(course_id)
    if not isinstance(configs, list):
        raise SettingsInvalid({"certificates": _("Send a list of certificate configurations.")})
    errors: dict[str, str] = {}
    kept: list[dict[str, Any]] = []
    used_ids = {c.get("id") for c in configs if isinstance(c, dict) and isinstance(c.get("id"), int)}
    next_id = max((i for i in used_ids if isinstance(i, int)), default=0) + 1
    for index, config in enumerate(configs):
        where = f"certificates.{index}"
        if not isinstance(config, dict):
            errors[where] = _("Enter a configuration as an object.")
            continue
        entry: dict[str, Any] = {
            "name": _text(errors, f"{where}.name", config.get("name")),
            "description": _text(errors, f"{where}.description", config.get("description"), required=False,
                                 limit=4 * MAX_TEXT),
            "course_title": _text(errors, f"{where}.course_title", config.get("course_title"), required=False),
            "is_active": config.get("is_active", False), "version": 1,
        }
        if not isinstance(entry["is_active"], bool):
            errors[f"{where}.is_active"] = _("Enter true or false.")
        cid = config.get("id")
        if not isinstance(cid, int) or isinstance(cid, bool):
            cid, next_id = next_id, next_id + 1
        entry["id"] = cid
        signatories = config.get("signatories") or []
        if not isinstance(signatories, list):
            errors[f"{where}.signatories"] = _("Send a list of signatories.")
            signatories = []
        if len(signatories) > MAX_SIGNATORIES:
            errors[f"{where}.signatories"] = _("A certificate has at most %(count)s signatories.",
                                               count=MAX_SIGNATORIES)
        people = []
        for number, person in enumerate(signatories):
            at = f"{where}.signatories.{number}"
            if not isinstance(person, dict):
                errors[at] = _("Enter a signatory as an object.")
                continue
            values = {"id": number + 1, "name": _text(errors, f"{at}.name", person.get("name")),
                      "title": _text(errors, f"{at}.title", person.get("title"), required=False),
                      "organization": _text(errors, f"{at}.organization", person.get("organization"), required=False),
                      "signature_image_path": _text(errors, f"{at}.signature_image_path",
                                                    person.get("signature_image_path"), required=False)}
            if values["signature_image_path"]:
                _signature_path(errors, f"{at}.signature_image_path", values["signature_image_path"], structure)
            people.append(values)
        if entry["is_active"] is True and not people and f"{where}.signatories" not in errors:
            errors[f"{where}.signatories"] = _("An active certificate needs at least one signatory.")
        entry["signatories"] = people
        kept.append(entry)
    if sum(1 for entry in kept if entry["is_active"] is True) > 1:
        errors["certificates"] = _("Only one certificate configuration can be active.")
    if errors:
        raise SettingsInvalid(errors)
    raw = root_fields(structure).get("certificates")
    value = copy.deepcopy(raw) if isinstance(raw, dict) else {}
    value["certificates"] = kept
    edit_course(course_id, user_id=user_id, fields={"certificates": value},
                expected_version=expected_version or structure.version, message="edit certificates")
