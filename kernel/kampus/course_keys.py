"""Course and usage keys, read by edx-opaque-keys only (never by a hand-written pattern).

Open edX names a course ``course-v1:Org+Number+Run`` (or, for old courses,
``Org/Number/Run``) and a block ``block-v1:Org+Number+Run+type@T+block@B``;
edx-opaque-keys is its parser, so Kampus reads keys the same way.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import unquote, urlsplit

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey, UsageKey

#: URL path segments after which Open edX's course URLs put an ``Org/Number/Run`` course id.
_COURSE_URL_PREFIXES = ("course", "courses")


def parse_course_key(course_id: str | None) -> CourseKey | None:
    """The :class:`CourseKey` that ``course_id`` names, or ``None`` when it names none."""
    if not course_id:
        return None
    return _parsed_course_key(str(course_id))


@lru_cache(maxsize=8192)
def _parsed_course_key(course_id: str) -> CourseKey | None:
    """Parsing memoized: a pure function of the text whose answer is immutable (a page of 30 enrollments
    parsed 30 ids, each through opaque-keys' regular expressions, on every request)."""
    try:
        return CourseKey.from_string(course_id)
    except InvalidKeyError:
        return None


def is_course_id(course_id: str | None) -> bool:
    """True when ``course_id`` is a course key (``course-v1:Org+Number+Run`` or ``Org/Number/Run``)."""
    return parse_course_key(course_id) is not None


def org_of(course_id: str | None) -> str:
    """The organisation of a course id, or ``""`` when it is not one."""
    key = parse_course_key(course_id)
    return key.org if key is not None else ""


def _course_key_of_segment(segment: str) -> CourseKey | None:
    """The course key that one URL path segment names, as a course key or as a usage key."""
    if ":" not in segment:
        return None
    key = parse_course_key(segment)
    if key is not None:
        return key
    try:
        return UsageKey.from_string(segment).course_key
    except InvalidKeyError:
        return None


def course_id_from_url(url: str | None) -> str:
    """The course id named in a page URL, or ``""``, as Open edX derives the course
    context of browser events (``.../courses/course-v1:O+N+R/...``, a
    ``block-v1:O+N+R+type@...`` usage key, or ``.../courses/O/N/R/...``)."""
    if not url:
        return ""
    segments = [unquote(part) for part in urlsplit(url).path.split("/")]
    for index, segment in enumerate(segments):
        key = _course_key_of_segment(segment)
        if key is None and index and segments[index - 1] in _COURSE_URL_PREFIXES and len(segments) > index + 2:
            key = parse_course_key("/".join(segments[index:index + 3]))
        if key is not None:
            return str(key)
    return ""
