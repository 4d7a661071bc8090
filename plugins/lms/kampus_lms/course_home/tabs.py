"""Course tabs: the tab bar of every course page, gathered through ``kampus_course_tabs``.

Each plugin answers ``kampus_course_tabs(course_id, user)`` with dicts::

    {"type": "discussion", "name": "Discussion", "url": "/courses/.../discussion/forum/",
     "order": 60,            # optional: place among the tabs (lower first; default 100)
     "id": "discussion",     # optional: the tab id pages name as active (default: the type)
     "is_hidden": False,     # optional: a hidden tab is dropped
     "staff_only": False}    # optional: shown to course staff only

The LMS answers its built-in tabs (:func:`lms_course_tabs`): Course (``courseware``),
Progress, Dates, Updates & handouts (``info``, when the course has ``info/`` files),
one ``pdftextbook/<index>`` per PDF textbook (:mod:`kampus_lms.course_home.textbooks`)
and one ``static_tab_<url_slug>`` per custom page of the policy.

The course's policy ``tabs`` list (Open edX's ``CourseTabList``, ``xmodule/tabs.py``)
orders and hides tabs: the tabs it names take the places of their default orders in
the policy's order, ``is_hidden`` drops a tab and ``course_staff_only`` keeps it for
staff. Tabs the policy does not name keep their own order (so Dates, which old
policies never list, sits between Course and the later tabs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from kampus_content.api import Structure, course_file_paths

from kampus.current import current_kampus
from kampus.plugins import flatten
from kampus_lms.course_home.textbooks import TEXTBOOK_ORDER, pdf_textbooks

#: Default orders of the LMS's tabs (other plugins pick theirs: forums' Discussion 60, ...).
DEFAULT_ORDERS = {"courseware": 10, "progress": 20, "dates": 30, "info": 40, "pdf_textbooks": TEXTBOOK_ORDER,
                  "discussion": 60, "static_tab": 100}
#: Open edX's policy tab types as Kampus's tab types.
POLICY_TYPES = {"course_info": "info"}
#: The order of a tab that names none.
DEFAULT_ORDER = 100
#: Static tab slugs that would shadow a course page (never served as custom pages).
RESERVED_SLUGS = frozenset({
    "about", "course", "courseware", "jump_to", "progress", "dates", "info", "search", "enroll", "unenroll",
    "bookmarks", "discussion", "instructor", "xblock", "certificate", "certificates", "pdfbook",
})


@dataclass(frozen=True)
class CourseTab:
    """One tab of a course's tab bar."""

    id: str  #: ``courseware``, ``progress``, ``dates``, ``info``, ``static_tab_<slug>``, ``discussion``, ...
    type: str
    name: str
    url: str
    order: int = DEFAULT_ORDER
    staff_only: bool = False


@dataclass(frozen=True)
class StaticTab:
    """A custom page of the course policy's ``tabs`` (``tabs/<url_slug>.html``)."""

    url_slug: str
    name: str
    is_hidden: bool
    staff_only: bool


def policy_tabs(structure: Structure) -> list[dict[str, Any]]:
    """The course policy's ``tabs`` list (well-formed entries only)."""
    tabs = structure.blocks[structure.root].fields.get("tabs")
    if not isinstance(tabs, list):
        return []
    return [tab for tab in tabs if isinstance(tab, dict) and isinstance(tab.get("type"), str)]


def static_tabs(structure: Structure) -> list[StaticTab]:
    """The custom pages the policy lists, in its order (hidden ones included, marked)."""
    found: list[StaticTab] = []
    seen: set[str] = set()
    for tab in policy_tabs(structure):
        slug = tab.get("url_slug")
        if tab["type"] != "static_tab" or not isinstance(slug, str) or not slug or slug in seen:
            continue
        if slug in RESERVED_SLUGS or "/" in slug:
            continue
        seen.add(slug)
        name = tab.get("name")
        found.append(StaticTab(slug, name if isinstance(name, str) and name else slug,
                               bool(tab.get("is_hidden")), bool(tab.get("course_staff_only"))))
    return found


def _tab_id(tab_type: str, slug: Any = None) -> str:
    if tab_type == "static_tab":
        return f"static_tab_{slug}"
    return POLICY_TYPES.get(tab_type, tab_type)


def lms_course_tabs(course_id: str, user: Any, structure: Structure) -> list[dict[str, Any]]:
    """The LMS's own tabs of a course (the LMS's answer to ``kampus_course_tabs``)."""
    signed_in = bool(getattr(user, "is_authenticated", False))
    tabs: list[dict[str, Any]] = [
        {"type": "courseware", "name": _("Course"), "order": DEFAULT_ORDERS["courseware"],
         "url": url_for("lms_course_home.outline", course_id=course_id)},
    ]
    if signed_in:
        tabs.append({"type": "progress", "name": _("Progress"), "order": DEFAULT_ORDERS["progress"],
                     "url": f"/courses/{course_id}/progress"})
        tabs.append({"type": "dates", "name": _("Dates"), "order": DEFAULT_ORDERS["dates"],
                     "url": url_for("lms_course_home.dates", course_id=course_id)})
    if any(path.startswith("info/") for path in course_file_paths(structure)):
        tabs.append({"type": "info", "name": _("Updates & handouts"), "order": DEFAULT_ORDERS["info"],
                     "url": url_for("lms_course_home.info", course_id=course_id)})
    if signed_in:  # Open edX's textbook tabs are for signed-in users
        for book in pdf_textbooks(course_id, structure):
            tabs.append({"type": "pdf_textbooks", "id": book.tab_id, "name": book.tab_title,
                         "order": DEFAULT_ORDERS["pdf_textbooks"] + book.index,
                         "url": url_for("lms_course_home.pdf_book", course_id=course_id, book_index=book.index)})
    for position, page in enumerate(static_tabs(structure)):
        tabs.append({"type": "static_tab", "id": _tab_id("static_tab", page.url_slug), "name": page.name,
                     "order": DEFAULT_ORDERS["static_tab"] + position, "staff_only": page.staff_only,
                     "url": url_for("lms_course_home.static_tab", course_id=course_id, url_slug=page.url_slug)})
    return tabs


def _tab_from(answer: dict[str, Any]) -> CourseTab | None:
    tab_type, name, url = answer.get("type"), answer.get("name"), answer.get("url")
    if not (isinstance(tab_type, str) and isinstance(name, str) and isinstance(url, str)):
        return None
    if answer.get("is_hidden"):
        return None
    order = answer.get("order", DEFAULT_ORDER)
    return CourseTab(
        id=str(answer.get("id") or tab_type), type=tab_type, name=name, url=url,
        order=int(order) if isinstance(order, int | float) else DEFAULT_ORDER,
        staff_only=bool(answer.get("staff_only")),
    )


def course_tabs(course_id: str, user: Any, structure: Structure, *, is_staff: bool) -> list[CourseTab]:
    """The tabs ``user`` sees in the course, in order (every plugin's answer, the policy applied)."""
    answers = flatten(current_kampus().hook.kampus_course_tabs(course_id=course_id, user=user))
    tabs = [tab for tab in (_tab_from(answer) for answer in answers if isinstance(answer, dict)) if tab]

    # the policy: what it hides, what only staff see, and the order of what it names
    policy_rank: dict[str, int] = {}
    for rank, entry in enumerate(policy_tabs(structure)):
        tab_id = _tab_id(entry["type"], entry.get("url_slug"))
        if entry.get("is_hidden"):
            policy_rank[tab_id] = -1
        elif entry.get("course_staff_only"):
            policy_rank.setdefault(tab_id, rank)
            tabs = [t if t.id != tab_id else CourseTab(t.id, t.type, t.name, t.url, t.order, True) for t in tabs]
        else:
            policy_rank.setdefault(tab_id, rank)
    unique: dict[str, CourseTab] = {}
    for tab in tabs:
        if policy_rank.get(tab.id, 0) >= 0 and (is_staff or not tab.staff_only):
            unique.setdefault(tab.id, tab)  # the first answer for an id wins
    named = sorted((tab for tab in unique.values() if tab.id in policy_rank), key=lambda tab: policy_rank[tab.id])
    slots = sorted(tab.order for tab in named)
    placed = {tab.id: slot for tab, slot in zip(named, slots, strict=True)}
    return sorted(unique.values(), key=lambda tab: (placed.get(tab.id, tab.order), tab.id not in placed))
