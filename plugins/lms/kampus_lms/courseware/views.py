"""Pages and endpoints of the LMS area ``courseware`` (Open edX's URLs):

* ``GET /courses/<course_id>/courseware/<chapter>/<sequential>/<position>``: a unit page (without
  position: the unit last viewed in that subsection, else the first); ``/courseware/`` and
  ``/courseware/<chapter>/`` lead to the first unit under them;
* ``GET /courses/<course_id>/jump_to/<usage_id>`` (the blocks API's ``lms_web_url``) and
  ``/courses/<course_id>/jump_to_id/<block_id>`` (links in course HTML): to the unit holding the block;
* ``POST /courses/<course_id>/bookmark``: add or remove a bookmark (a form; JSON for ``fetch``);
* ``GET /bookmarks``: the learner's bookmarks, by course;
* ``POST /courses/<course_id>/masquerade``: a staff member's "View this course as".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from kampus_content.api import (
    CourseNotFound,
    Structure,
    VersionNotFound,
    course_completions,
    get_structure,
    release_info,
    render_student_view,
)
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import UsageKey

from kampus import db
from kampus.db import utcnow
from kampus_lms.access import (
    LEARNER_ROLE,
    STAFF_ROLE,
    CourseAccess,
    MasqueradeError,
    checked_course_access,
    course_access,
    masquerade_of,
    parse_group_choice,
    set_masquerade,
    staff_toolbar,
    valid_course_key,
    viewed_as,
)
from kampus_lms.catalog.api import course_overview, course_overviews
from kampus_lms.cohorts.api import content_groups
from kampus_lms.course_home.api import course_page_context, record_activity
from kampus_lms.courseware.api import courseware_url, jump_to_url, unit_url, viewer_nav
from kampus_lms.courseware.bookmarks import add_bookmark, bookmarks_of, is_bookmarked, remove_bookmark
from kampus_lms.courseware.navigation import ViewerNav
from kampus_lms.courseware.position import course_visits, record_visit

STATIC = Path(__file__).resolve().parent.parent / "static" / "lms" / "courseware"

#: The toolbar's choice of "Specific learner" (Open edX's ``student`` role with a ``user_name``).
SPECIFIC_LEARNER = "specific"

bp = Blueprint("lms_courseware", __name__, static_folder=str(STATIC), static_url_path="/static/lms/courseware")


@bp.app_context_processor
def courseware_template_context() -> dict[str, Any]:
    """``lms_staff_toolbar(course_id)`` for the course pages' layout (``lms/courseware/_staff_toolbar.html``)."""
    return {"lms_staff_toolbar": lambda course_id: staff_toolbar(current_user, course_id)}


# -- access ---------------------------------------------------------------------------------------------------------


def _structure(course_id: str) -> Structure:
    try:
        return get_structure(course_id)
    except (CourseNotFound, VersionNotFound):
        abort(404)


def _nav(course_id: str, structure: Structure) -> ViewerNav:
    nav = viewer_nav(current_user, course_id, structure=structure)
    if nav is None:
        abort(404)
    return nav


# -- unit pages -----------------------------------------------------------------------------------------------------


@bp.get("/courses/<course_id>/courseware/", endpoint="course_root")
@bp.get("/courses/<course_id>/courseware/<chapter>/", endpoint="chapter")
def first_unit(course_id: str, chapter: str | None = None) -> Any:
    """The course's (or a section's) first unit the viewer may reach."""
    checked = checked_course_access(course_id)
    if not isinstance(checked, CourseAccess):
        return checked
    structure = _structure(course_id)
    nav = _nav(course_id, structure)
    key = ("chapter", chapter) if chapter else nav.nav.root
    if chapter and key not in nav.nav.sequentials:
        abort(404)
    unit = nav.first_unit(key)
    if unit is None:
        abort(404)
    return redirect(unit_url(course_id, unit.usage_id, nav=nav))


@bp.get("/courses/<course_id>/courseware/<chapter>/<sequential>/", endpoint="sequence")
@bp.get("/courses/<course_id>/courseware/<chapter>/<sequential>/<int:position>", endpoint="unit",
        strict_slashes=False)
def unit_page(course_id: str, chapter: str, sequential: str, position: int | None = None) -> Any:
    """A unit of a subsection, in the course layout, with its subsection's tabs and previous/next."""
    checked = checked_course_access(course_id)
    if not isinstance(checked, CourseAccess):
        return checked
    access = checked
    structure = _structure(course_id)
    nav = _nav(course_id, structure)
    chapter_key, seq_key = ("chapter", chapter), ("sequential", sequential)
    if seq_key not in nav.nav.sequentials.get(chapter_key, ()):
        abort(404)
    if not nav.can_see(chapter_key) or not nav.can_see(seq_key):
        abort(404)
    if nav.content_hidden(seq_key):
        return _hidden_content_page(course_id, chapter, sequential, nav)
    data_user, staff_view = viewed_as(current_user, course_id)
    tabs = nav.units_in(seq_key)
    if not tabs:
        abort(404)
    if position is None:  # the unit last viewed in this subsection (a query only when the URL names none)
        visits = course_visits(data_user.id, course_id) if getattr(data_user, "is_authenticated", False) else {}
        last = visits.get(nav.nav.usage_ids[seq_key])
        position = next((index for index, unit in enumerate(tabs, start=1) if unit.usage_id == last), 1)
    elif not 1 <= position <= len(tabs):
        return redirect(courseware_url(course_id, chapter, sequential))
    unit = tabs[position - 1]
    own_view = data_user is current_user or getattr(data_user, "id", None) == current_user.id

    notice = _staff_notice(structure, unit.key) if access.is_staff and staff_view else ""
    if own_view:
        record_visit(current_user.id, course_id, nav.nav.usage_ids[seq_key], unit.usage_id)
        if access.is_enrolled:
            record_activity(current_user.id, course_id)
    runtime_user = data_user._get_current_object() if hasattr(data_user, "_get_current_object") else data_user
    rendered = render_student_view(structure, unit.key, user=runtime_user, user_is_staff=staff_view,
                                   visible=nav.visible, context={}, save=own_view)
    if not own_view:
        db.session().rollback()  # looking at a learner's state writes nothing

    leaves = [nav.nav.usage_ids[leaf] for tab in tabs for leaf in nav.nav.unit_leaves.get(tab.key, [])]
    completions = course_completions(course_id, [data_user.id], usage_keys=leaves)[data_user.id]
    previous, following = nav.neighbours(unit)
    settings = nav.nav.sequence_settings.get(seq_key, {})
    overview = course_overview(course_id)
    context = {
        **course_page_context(course_id, "courseware"),
        "course_id": course_id,
        "course_title": overview.display_name if overview else course_id,
        "outline_url": f"/courses/{course_id}/course/",
        "chapter": {"id": chapter, "title": _title(nav, chapter_key, _("Section")),
                    "url": f"/courses/{course_id}/course/#{chapter}"},
        "sequence": {
            "id": sequential, "usage_id": nav.nav.usage_ids[seq_key], "title": _title(nav, seq_key, _("Subsection")),
            "url": courseware_url(course_id, chapter, sequential, 1),
            "graded": bool(settings.get("graded")), "format": settings.get("format") or "",
            "due": nav.due(seq_key),
        },
        "unit": {"usage_id": unit.usage_id, "id": unit.key[1], "title": _title(nav, unit.key, _("Unit")),
                 "position": position, "kind": unit.kind},
        "tabs": [
            {"position": index, "title": _title(nav, tab.key, _("Unit")), "kind": tab.kind,
             "usage_id": tab.usage_id, "current": tab.key == unit.key,
             "url": courseware_url(course_id, chapter, sequential, index),
             "complete": _complete(nav, tab.key, completions)}
            for index, tab in enumerate(tabs, start=1)
        ],
        "previous": _neighbour(course_id, nav, previous, unit),
        "next": _neighbour(course_id, nav, following, unit),
        "bookmarked": is_bookmarked(current_user.id, unit.usage_id),
        "bookmark_url": url_for("lms_courseware.bookmark", course_id=course_id),
        "notice": notice,
        "block": rendered,
        "viewing_as": data_user if not own_view else None,
    }
    response = Response(render_template("lms/courseware/unit.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return response


def _hidden_content_page(course_id: str, chapter: str, sequential: str, nav: ViewerNav) -> Any:
    """Open edX's ``hidden_content.html``: a subsection whose due date (in a self-paced course, the
    course's end) has passed and which hides its content from learners, with the way on."""
    chapter_key, seq_key = ("chapter", chapter), ("sequential", sequential)
    settings = nav.nav.sequence_settings.get(seq_key, {})
    indexes = [nav.nav.unit_index[key] for key in nav.nav.units_of.get(seq_key, [])]
    before = [unit for unit in nav.reachable if indexes and unit.index < min(indexes)]
    after = [unit for unit in nav.reachable if indexes and unit.index > max(indexes)]
    overview = course_overview(course_id)
    context = {
        **course_page_context(course_id, "courseware"),
        "course_id": course_id,
        "outline_url": f"/courses/{course_id}/course/",
        "chapter": {"title": _title(nav, chapter_key, _("Section")), "url": f"/courses/{course_id}/course/#{chapter}"},
        "sequence": {"title": _title(nav, seq_key, _("Subsection")), "graded": bool(settings.get("graded")),
                     "due": nav.due(seq_key), "format": settings.get("format") or ""},
        "self_paced": bool(overview and overview.self_paced),
        "progress_url": url_for("lms_grades.progress", course_id=course_id),
        "previous": {"url": unit_url(course_id, before[-1].usage_id, nav=nav),
                     "title": _title(nav, before[-1].key, _("Unit"))} if before else None,
        "next": {"url": unit_url(course_id, after[0].usage_id, nav=nav),
                 "title": _title(nav, after[0].key, _("Unit"))} if after else None,
    }
    response = Response(render_template("lms/courseware/hidden_content.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return response


def _title(nav: ViewerNav, key: Any, default: str) -> str:
    return nav.nav.names.get(key) or default


def _complete(nav: ViewerNav, key: Any, completions: dict[str, float]) -> bool:
    """Whether every completable leaf of the unit the viewer may see is complete (a unit with none is not
    marked)."""
    leaves = [leaf for leaf in nav.nav.unit_leaves.get(key, []) if nav.visible is None or nav.visible(leaf)]
    return bool(leaves) and all(completions.get(nav.nav.usage_ids[leaf], 0.0) >= 1.0 for leaf in leaves)


def _neighbour(course_id: str, nav: ViewerNav, target: Any, current: Any) -> dict[str, Any] | None:
    """A previous/next link: its URL, title, and whether it leaves the current subsection."""
    if target is None:
        return None
    return {"url": unit_url(course_id, target.usage_id, nav=nav), "title": _title(nav, target.key, _("Unit")),
            "crosses": target.sequential != current.sequential}


def _staff_notice(structure: Structure, key: Any) -> str:
    """What staff are told about a unit learners cannot see (staff-only or not released yet), else ""."""
    info, now = release_info(structure), utcnow()
    release = info.block_release(key, now)
    if release.visible_to_staff_only:
        return _("This unit is visible to course staff only.")
    if release.group_access:
        return _("This unit is visible only to learners in some content groups.")
    if not release.visible:
        return _("This unit is not released to learners yet.")
    if info.hidden_after_due(key, now):
        return _("The due date of this subsection has passed: learners no longer see its content.")
    return ""


# -- jump_to --------------------------------------------------------------------------------------------------------


@bp.get("/courses/<course_id>/jump_to/<path:usage_id>")
def jump_to(course_id: str, usage_id: str) -> Any:
    """Open edX's ``jump_to``: to the page showing the block (its unit, anchored at the block)."""
    try:
        usage_key = UsageKey.from_string(usage_id.rstrip("/"))
    except InvalidKeyError:
        abort(404)
    if not valid_course_key(course_id) or str(usage_key.course_key) != course_id:
        abort(404)
    return _jump(course_id, (usage_key.block_type, usage_key.block_id))


@bp.get("/courses/<course_id>/jump_to_id/<block_id>")
def jump_to_id(course_id: str, block_id: str) -> Any:
    """Open edX's ``jump_to_id``: a link in course HTML naming a block by its id alone."""
    if not valid_course_key(course_id):
        abort(404)
    checked = checked_course_access(course_id)  # before looking: whether a block exists is not for visitors
    if not isinstance(checked, CourseAccess):
        return checked
    structure = _structure(course_id)
    matches = [key for key in structure.blocks if key[1] == block_id]
    if len(matches) != 1:
        abort(404)
    return _jump(course_id, matches[0])


def _jump(course_id: str, key: Any) -> Any:
    checked = checked_course_access(course_id)
    if not isinstance(checked, CourseAccess):
        return checked
    structure = _structure(course_id)
    nav = _nav(course_id, structure)
    if key == nav.nav.root:
        return redirect(f"/courses/{course_id}/course/")
    if key not in structure.blocks:
        abort(404)
    hiding = _hiding_subsection(nav, key)
    if hiding is not None:  # content hidden after its due date: the subsection's page says so
        return redirect(courseware_url(course_id, nav.nav.parents[hiding][1], hiding[1]))
    if not nav.can_see(key):
        abort(404)
    unit_key = nav.nav.unit_of(key)
    if unit_key is not None:
        target = unit_url(course_id, nav.nav.usage_ids[unit_key], nav=nav)
        if target.startswith(f"/courses/{course_id}/jump_to/"):
            abort(404)  # a unit the viewer may not see
        return redirect(target if unit_key == key else f"{target}#{key[1]}")
    unit = nav.first_unit(key)
    if unit is None:
        abort(404)
    return redirect(unit_url(course_id, unit.usage_id, nav=nav))


def _hiding_subsection(nav: ViewerNav, key: Any) -> Any:
    """The subsection (itself or above ``key``) whose content is hidden from the viewer after its due
    date, when ``key`` is otherwise released to them; else ``None``."""
    if nav.visible is None or not nav.visible(key):
        return None
    for candidate in (key, *nav.nav.ancestors(key)):
        if candidate in nav.nav.units_of and nav.content_hidden(candidate) and nav.can_see(candidate):
            return candidate
    return None


# -- bookmarks ------------------------------------------------------------------------------------------------------


@bp.post("/courses/<course_id>/bookmark")
def bookmark(course_id: str) -> Any:
    """Add (``action=add``) or remove (``action=remove``) the bookmark on the unit ``usage_id``."""
    if not current_user.is_authenticated:
        abort(401)
    checked = checked_course_access(course_id)
    if not isinstance(checked, CourseAccess):
        return checked
    usage_id = request.form.get("usage_id", "")
    action = request.form.get("action", "")
    if action not in ("add", "remove"):
        return _bookmark_error(_("Say whether to add or remove the bookmark."))
    try:
        usage_key = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        return _bookmark_error(_("This is not a unit of the course."))
    key = (usage_key.block_type, usage_key.block_id)
    structure = _structure(course_id)
    nav = _nav(course_id, structure)
    if str(usage_key.course_key) != course_id or key not in nav.nav.unit_index or not nav.can_see(key):
        return _bookmark_error(_("This is not a unit of the course."))
    unit = nav.nav.units[nav.nav.unit_index[key]]
    if action == "add":
        add_bookmark(current_user, nav.nav, unit)
    else:
        remove_bookmark(current_user, course_id, unit.usage_id)
    db.session().commit()
    bookmarked = action == "add"
    message = _("Bookmarked") if bookmarked else _("Bookmark removed")
    if _wants_json():
        return jsonify({"bookmarked": bookmarked, "message": message})
    flash(message, "success")
    return redirect(unit_url(course_id, unit.usage_id, nav=nav))


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _bookmark_error(message: str) -> Any:
    if _wants_json():
        response = jsonify({"error": {"status": 400, "message": message}})
        response.status_code = 400
        return response
    abort(400, message)


@bp.get("/bookmarks")
def bookmarks_page() -> Any:
    """The learner's bookmarks, grouped by course, newest first, each a link to its unit."""
    if not current_user.is_authenticated:
        return redirect(url_for("identity.login", next=request.path))
    groups: dict[str, dict[str, Any]] = {}
    items = bookmarks_of(current_user.id)
    overviews = course_overviews([item.course_id for item in items])  # one query for every course
    for item in items:
        group = groups.get(item.course_id)
        if group is None:
            overview = overviews.get(item.course_id)
            group = groups[item.course_id] = {
                "course_id": item.course_id, "title": overview.display_name if overview else item.course_id,
                "items": []}
        group["items"].append({"bookmark": item, "url": jump_to_url(item.course_id, item.usage_id)})
    return render_template("lms/courseware/bookmarks.html", groups=list(groups.values()))


# -- masquerade -----------------------------------------------------------------------------------------------------


@bp.get("/courses/<course_id>/masquerade")
def masquerade_options(course_id: str) -> Any:
    """Open edX's ``MasqueradeView.get``: the staff member's ``active`` masquerade and the ``available``
    choices (Staff, Learner when the course has no content groups, a specific learner, each content
    group); ``{"success": false}`` for anybody else."""
    if not current_user.is_authenticated:
        abort(401)
    if not valid_course_key(course_id) or course_access(current_user, course_id) is None:
        abort(404)
    toolbar = staff_toolbar(current_user, course_id)
    if toolbar is None:
        return jsonify({"success": False})
    chosen = masquerade_of(course_id)
    groups = content_groups(course_id)
    available: list[dict[str, Any]] = [{"name": _("Staff"), "role": STAFF_ROLE}]
    if not groups:
        available.append({"name": _("Learner"), "role": LEARNER_ROLE})
    available.append({"name": _("Specific Student..."), "role": LEARNER_ROLE,
                      "user_name": chosen.user_name if chosen else ""})
    available += [{"group_id": group.id, "name": group.name, "role": LEARNER_ROLE,
                   "user_partition_id": group.partition_id} for group in groups]
    return jsonify({"success": True, "available": available, "active": {
        "course_key": course_id, "role": chosen.role if chosen else STAFF_ROLE,
        "user_name": (chosen.user_name or None) if chosen else None,
        "user_partition_id": chosen.user_partition_id if chosen else None,
        "group_id": chosen.group_id if chosen else None, "group_name": toolbar["group_name"] or None}})


@bp.post("/courses/<course_id>/masquerade")
def masquerade(course_id: str) -> Any:
    """Set the staff member's "View this course as" (``role``: staff or student; ``user_name`` optional;
    ``user_partition_id`` and ``group_id``, Open edX's fields, for a learner of a content group, which the
    toolbar sends as the choice ``group:<partition>:<group>``), from a form or a JSON body."""
    if not current_user.is_authenticated:
        abort(401)
    if not valid_course_key(course_id) or course_access(current_user, course_id) is None:
        abort(404)
    body = request.get_json(silent=True) if request.is_json else None
    data: Any = body if isinstance(body, dict) else request.form
    role = str(data.get("role") or STAFF_ROLE)
    user_name = ""
    group: tuple[int, int] | None = parse_group_choice(role)
    try:
        if group is not None:
            role = LEARNER_ROLE
        elif data.get("group_id") not in (None, "") and role == LEARNER_ROLE:
            try:
                group = int(data.get("user_partition_id")), int(data.get("group_id"))
            except (TypeError, ValueError):
                raise MasqueradeError(_("This course has no such content group.")) from None
        elif role == SPECIFIC_LEARNER:  # the toolbar's "Specific learner": a learner role with a name
            role, user_name = LEARNER_ROLE, str(data.get("user_name") or "").strip()
            if not user_name:
                raise MasqueradeError(_("Enter the username or e-mail address of the learner."))
        elif role == LEARNER_ROLE:
            user_name = str(data.get("user_name") or "").strip() if request.is_json else ""
        set_masquerade(current_user, course_id, role, user_name, user_partition_id=group[0] if group else None,
                       group_id=group[1] if group else None)
    except MasqueradeError as error:
        if _wants_json() or request.is_json:
            response = jsonify({"success": False, "error": str(error)})
            response.status_code = 400
            return response
        flash(str(error), "error")
    else:
        if _wants_json() or request.is_json:
            return jsonify({"success": True})
    target = request.form.get("next", "")
    if not target.startswith(f"/courses/{course_id}/") or target.startswith("//"):
        target = f"/courses/{course_id}/course/"
    return redirect(target)
