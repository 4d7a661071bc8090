"""Open edX's course topics: ``GET /api/discussion/v1/course_topics/<course_id>`` (``CourseTopicsView``),
``v2/course_topics/<course_id>`` (``CourseTopicsViewV2``) and ``v3/course_topics/<course_id>``
(``CourseTopicsViewV3``).

* v1: ``{"courseware_topics": [category nodes with the in-context topics as children],
  "non_courseware_topics": [course-wide topics]}``; categories in natural order, their topics by name;
  only discussion blocks the user may see and that have started (any in a self-paced course).
* v2: a flat list of topics (course-wide first, then in course order; ``order_by`` ``course_structure``,
  ``activity`` or ``name``), each with ``thread_counts`` and ``usage_key`` (the unit holding the block).
* v3: the course-wide topics, then the course's sections and subsections holding in-context topics.

Thread counts come from one grouped query (:func:`kampus_forums.topics.counts.thread_counts`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, request
from kampus_content import api as content
from kampus_lms import api as lms
from pydantic import BaseModel, Field, RootModel
from werkzeug.wrappers import Response

from kampus_forums.access import ForumUser
from kampus_forums.rest.common import course_user, discussion_api, error, field_error
from kampus_forums.rest.courses import DeveloperError, thread_list_url
from kampus_forums.topics.counts import empty_counts, thread_counts
from kampus_forums.topics.service import Topic, course_discussions, published_structure

bp = Blueprint("forums_rest_topics", __name__)
lms.install_error_handler(bp)

ORDERINGS = ("course_structure", "activity", "name")


class TopicsQuery(BaseModel):
    topic_id: str | None = Field(None, description="Only these topics (comma-separated ids).")


class TopicsV2Query(TopicsQuery):
    order_by: str | None = Field(None, description="course_structure (default), activity or name.")


class ThreadCounts(BaseModel):
    discussion: int
    question: int


class TopicNode(BaseModel):
    """Open edX's ``DiscussionTopicSerializer``."""

    id: str | None
    name: str
    thread_list_url: str
    children: list[TopicNode]
    thread_counts: ThreadCounts | None


class TopicsV1(BaseModel):
    courseware_topics: list[TopicNode]
    non_courseware_topics: list[TopicNode]


class TopicV2(BaseModel):
    id: str
    usage_key: str | None
    name: str
    thread_counts: ThreadCounts
    enabled_in_context: bool
    courseware: bool | None = None


class BlockNode(BaseModel):
    id: str
    block_id: str
    lms_web_url: str
    legacy_web_url: str
    student_view_url: str
    type: str
    display_name: str
    children: list[Any]
    courseware: bool | None = None


class TopicsV2(RootModel[list[TopicV2]]):
    pass


class TopicsV3(RootModel[list[TopicV2 | BlockNode]]):
    pass


def natural_sort_key(text: str) -> list[Any]:
    """Open edX's ``natural_sort_key``: digits compare as numbers."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def _asked_topic_ids() -> list[str]:
    raw = ",".join(request.args.getlist("topic_id"))
    return [part for part in (p.strip() for p in raw.split(",")) if part]


def _block_visible(who: ForumUser, structure: content.Structure, key: Any, now: datetime) -> bool:
    """Open edX's ``has_access(user, "load", block)``: what the user may see of the course's blocks. It asks
    for the block's release and visibility, not for an enrollment: a member of the course team who reads the
    forums without being enrolled (a discussion moderator, a community TA) sees what a learner sees."""
    if content.can_view_block(who.user, who.course_id, key, now=now):
        return True
    return who.is_privileged and content.release_info(structure).visible(tuple(key), now)


def visible_inline(who: ForumUser) -> list[Topic]:
    """The in-context topics the user may see (Open edX's ``get_accessible_discussion_xblocks``) that have
    started, or all of them in a self-paced course."""
    structure = published_structure(who.course_id)
    if structure is None:
        return []
    overview = lms.course_overview(who.course_id)
    self_paced = bool(overview and overview.self_paced)
    now = datetime.now(UTC)
    found = []
    for topic in course_discussions(who.course_id).inline:
        if topic.block_key is None or not _block_visible(who, structure, topic.block_key, now):
            continue
        start = content.block_settings(structure, topic.block_key).get("start")
        if self_paced or start is None or start < now:
            found.append(topic)
    return found


def _not_found(missing: set[str]) -> None:
    if missing:
        raise error(404, f"Discussion not found for '{', '.join(sorted(missing))}'.")


def topics_v1(who: ForumUser, asked: list[str]) -> dict[str, Any]:
    """``api.get_course_topics``."""
    course_id = who.course_id
    wanted = set(asked)
    counts = thread_counts(course_id, group_ids=who.visible_group_ids())
    by_category: dict[str, list[Topic]] = {}
    for topic in visible_inline(who):
        by_category.setdefault(topic.category, []).append(topic)
    found: set[str] = set()
    courseware = []
    for category in sorted(by_category, key=natural_sort_key):
        topics = sorted(by_category[category], key=lambda t: t.name)
        children = [{"id": t.id, "name": t.name, "thread_list_url": thread_list_url(course_id, [t.id]),
                     "children": [], "thread_counts": counts.get(t.id, empty_counts())}
                    for t in topics if not wanted or t.id in wanted]
        found.update(child["id"] for child in children)
        if not wanted or children:
            courseware.append({"id": None, "name": category,
                               "thread_list_url": thread_list_url(course_id, [t.id for t in topics]),
                               "children": children, "thread_counts": None})
    non_courseware = []
    for topic in course_discussions(course_id).course_wide:
        if not wanted or topic.id in wanted:
            non_courseware.append({"id": topic.id, "name": topic.name, "children": [],
                                   "thread_list_url": thread_list_url(course_id, [topic.id]),
                                   "thread_counts": counts.get(topic.id, empty_counts())})
            found.add(topic.id)
    if wanted:
        _not_found(wanted - found)
    return {"courseware_topics": courseware, "non_courseware_topics": non_courseware}


def _v2_node(topic: Topic, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {"id": topic.id, "usage_key": topic.unit_id if topic.usage_key else None, "name": topic.name,
            "thread_counts": counts.get(topic.id, empty_counts()), "enabled_in_context": True}


def topics_v2(who: ForumUser, asked: list[str], order_by: str) -> list[dict[str, Any]]:
    """``api.get_course_topics_v2``: the course-wide topics, then the in-context topics the user may see
    (every one for a privileged user), in the asked order."""
    course_id = who.course_id
    counts = thread_counts(course_id, group_ids=who.visible_group_ids())
    inline = list(course_discussions(course_id).inline) if who.is_privileged else visible_inline(who)
    topics = [*course_discussions(course_id).course_wide, *inline]
    if asked:
        topics = [t for t in topics if t.id in set(asked)]
    if order_by == "activity":
        topics.sort(key=lambda t: sum(counts.get(t.id, empty_counts()).values()), reverse=True)
    elif order_by == "name":
        topics.sort(key=lambda t: t.name)
    return [_v2_node(t, counts) for t in topics]


def _block_node(usage_id: str, name: str, block_type: str, course_id: str) -> dict[str, Any]:
    url = lms.absolute(lms.jump_to_url(course_id, usage_id))
    return {"id": usage_id, "block_id": usage_id.rsplit("@", 1)[-1], "lms_web_url": url, "legacy_web_url": url,
            "student_view_url": lms.absolute(f"/xblock/{usage_id}"), "type": block_type, "display_name": name,
            "children": []}


def topics_v3(who: ForumUser) -> list[dict[str, Any]]:
    """``api.get_course_topics_v3``: course-wide topics, then sections > subsections > topics."""
    course_id = who.course_id
    counts = thread_counts(course_id, group_ids=who.visible_group_ids())
    answer: list[dict[str, Any]] = [{**_v2_node(t, counts), "courseware": False}
                                    for t in course_discussions(course_id).course_wide]
    inline = list(course_discussions(course_id).inline) if who.is_privileged else visible_inline(who)
    sections: dict[str, dict[str, Any]] = {}
    subsections: dict[str, dict[str, Any]] = {}
    for topic in inline:
        if topic.section_id is None or topic.subsection_id is None:
            continue
        section = sections.get(topic.section_id)
        if section is None:
            section = sections[topic.section_id] = {
                **_block_node(topic.section_id, topic.section_name, "chapter", course_id), "courseware": True}
            answer.append(section)
        subsection = subsections.get(topic.subsection_id)
        if subsection is None:
            subsection = subsections[topic.subsection_id] = _block_node(
                topic.subsection_id, topic.subsection_name, "sequential", course_id)
            section["children"].append(subsection)
        subsection["children"].append(_v2_node(topic, counts))
    return answer


_ERRORS = {401: DeveloperError, 404: DeveloperError}


@bp.get("/api/discussion/v1/course_topics/<course_id>")
@discussion_api.doc(query=TopicsQuery, validate=False, resp={200: TopicsV1, **_ERRORS})
def course_topics_v1(course_id: str) -> Response:
    """The course's topics: in-context ones by category, and course-wide ones."""
    who = course_user(course_id)
    return lms.json_answer(topics_v1(who, _asked_topic_ids()))


@bp.get("/api/discussion/v2/course_topics/<course_id>")
@discussion_api.doc(query=TopicsV2Query, validate=False, resp={200: TopicsV2, 400: DeveloperError, **_ERRORS})
def course_topics_v2(course_id: str) -> Response:
    """The course's topics as one list with thread counts."""
    who = course_user(course_id)
    order_by = request.args.get("order_by") or "course_structure"
    if order_by not in ORDERINGS:
        raise field_error({"order_by": f"Select a valid choice. {order_by} is not one of the available choices."})
    return lms.json_answer(topics_v2(who, _asked_topic_ids(), order_by))


@bp.get("/api/discussion/v3/course_topics/<course_id>")
@discussion_api.doc(resp={200: TopicsV3, **_ERRORS})
def course_topics_v3(course_id: str) -> Response:
    """The course-wide topics, then the course's sections and subsections with their in-context topics."""
    return lms.json_answer(topics_v3(course_user(course_id)))
